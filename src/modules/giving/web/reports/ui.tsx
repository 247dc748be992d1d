import { Anchor, Progress, Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatMoney, type GivingCurrency } from '../../money';
import { GIVING_REPORTS_NS } from './i18n/namespace';

export function useReportsT() {
  return useTranslation(GIVING_REPORTS_NS);
}

/** Minor units in the reader's language: "$1,234.56", "₩50,000". */
export function useMoney() {
  const { i18n } = useReportsT();
  return (minor: number, currency: string) => formatMoney(minor, currency as GivingCurrency, i18n.language);
}

/** A plain link to the same report as a CSV file: the browser downloads it with the session cookie. */
export function CsvLink({ href, testId }: { href: string; testId: string }) {
  const { t } = useReportsT();
  return (
    <Anchor href={href} download data-testid={testId} size="sm">
      {t('csv')}
    </Anchor>
  );
}

/** A bar for a row's share of the largest amount in its currency (amounts are never compared across). */
export function ShareBar({ value, max, currency }: { value: number; max: number; currency: string }) {
  const { t } = useReportsT();
  // A display ratio only: never an amount.
  const percent = max > 0 ? Math.round((value / max) * 100) : 0;
  return <Progress value={percent} size="lg" radius="sm" aria-label={t('share', { currency })} miw={80} />;
}

/** The currencies a report may be limited to: Giving's own (giving.constants.ts). */
export { GIVING_CURRENCIES as CURRENCIES } from '../../giving.constants';

export function thisYear(): number {
  return new Date().getUTCFullYear();
}

/** A table that scrolls sideways on a phone; the region takes the keyboard focus so it can be scrolled. */
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
    <Table.ScrollContainer type="native" minWidth={minWidth} tabIndex={0} role="region" aria-label={label}>
      {children}
    </Table.ScrollContainer>
  );
}
