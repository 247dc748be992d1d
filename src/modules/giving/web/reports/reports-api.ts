/*
 * The shapes the report and statement routes answer with (reports/report.responses.ts,
 * statements/statement.responses.ts, imported as types only: no Zod in the bundle). Amounts are minor
 * units in their own currency.
 */

export { REPORT_GROUPS, type ReportGroup } from '../../reports/report.constants';
export type {
  LapsedDonor,
  LapsedReport,
  RetentionReport,
  RetentionYear,
  TopDonor,
  TopDonorsReport,
  TotalsReport,
  TotalsRow,
} from '../../reports/report.responses';
export type { StatementProgress } from '../../statements/statement.responses';

export const REPORTS = '/api/giving/reports';

/** A report's address with its query (empty values left out), as JSON or as the CSV download. */
export function reportUrl(
  report: string,
  query: Record<string, string | number | undefined>,
  csv = false,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  if (csv) params.set('format', 'csv');
  return `${REPORTS}/${report}?${params.toString()}`;
}
