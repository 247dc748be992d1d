import { Anchor, Progress } from '@mantine/core';
import { StepUpCsvAnchor } from '../../../../web/components/csv-download';
import { givingReportsNamespace } from './i18n/namespace';

export function useReportsT() {
  return givingReportsNamespace.useT();
}

/**
 * A plain link to the same report as a CSV file: the browser downloads it with the session cookie. A
 * report that names donors (`stepUp`) asks for a step-up first, as the server requires.
 */
export function CsvLink({
  href,
  testId,
  stepUp = false,
}: {
  href: string;
  testId: string;
  stepUp?: boolean;
}) {
  const { t } = useReportsT();
  if (stepUp) return <StepUpCsvAnchor href={href} label={t('csv')} testId={testId} />;
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
