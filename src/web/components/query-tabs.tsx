import { Tabs } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';

/**
 * A page's tabs, the open one kept in the address (`?view=lapsed`; the first tab leaves the address bare)
 * so it survives a reload and can be linked. Panels are the caller's `<Tabs.Panel>`s, mounted only while
 * open. The page works out `value` itself (a tab the reader may not see falls back to `defaultValue`).
 */
export function QueryTabs({
  param,
  value,
  defaultValue,
  tabs,
  listLabel,
  replace,
  children,
}: {
  param: string;
  value: string;
  defaultValue: string;
  tabs: readonly { value: string; label: string; testId: string }[];
  /** Names the list of tabs for screen readers. */
  listLabel?: string;
  /** Change tabs without a new history entry. */
  replace?: boolean;
  children: ReactNode;
}) {
  const [, setParams] = useSearchParams();
  return (
    <Tabs
      value={value}
      onChange={(v) =>
        setParams(v && v !== defaultValue ? { [param]: v } : {}, replace ? { replace } : undefined)
      }
      keepMounted={false}
    >
      <Tabs.List mb="md" aria-label={listLabel}>
        {tabs.map((tab) => (
          <Tabs.Tab key={tab.value} value={tab.value} data-testid={tab.testId}>
            {tab.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {children}
    </Tabs>
  );
}
