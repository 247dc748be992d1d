import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * A table that scrolls sideways inside its own box on a phone, instead of the whole page. The box takes
 * the keyboard focus (so it scrolls with the arrow keys) and is named for screen readers (WCAG 2.1.1).
 */
export function ScrollTable({
  minWidth,
  label,
  children,
}: {
  minWidth: number;
  label: string;
  children: ReactNode;
}) {
  return (
    // Positioned, so visually hidden labels inside the table (absolutely placed) scroll with it instead of
    // widening the page.
    <Table.ScrollContainer
      type="native"
      minWidth={minWidth}
      tabIndex={0}
      role="region"
      aria-label={label}
      pos="relative"
    >
      {children}
    </Table.ScrollContainer>
  );
}
