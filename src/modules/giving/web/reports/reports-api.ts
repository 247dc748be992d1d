/*
 * The shapes the report and statement routes answer with (reports/report.service.ts,
 * statements/statement.service.ts). Amounts are minor units in their own currency.
 */

export type ReportGroup = 'fund' | 'campaign' | 'month' | 'currency';

export interface TotalsRow {
  key: string | null;
  label: string | null;
  currency: string;
  amountMinor: number;
  gifts: number;
  donors: number;
}

export interface TotalsReport {
  from: string;
  to: string;
  groupBy: ReportGroup;
  rows: TotalsRow[];
  totals: Omit<TotalsRow, 'key' | 'label'>[];
}

export interface LapsedDonor {
  supporterId: string;
  name: string | null;
  email: string | null;
  lastGiftOn: string;
  lastGivingYear: number;
  lastGivingYearTotals: { currency: string; amountMinor: number }[];
}

export interface LapsedReport {
  kind: 'lybunt' | 'sybunt';
  year: number;
  total: number;
  donors: LapsedDonor[];
}

export interface RetentionYear {
  year: number;
  donors: number;
  lastYearDonors: number;
  new: number;
  retained: number;
  recaptured: number;
  lapsed: number;
  retentionPercent: number | null;
}

export interface TopDonor {
  currency: string;
  rank: number;
  supporterId: string;
  name: string | null;
  email: string | null;
  amountMinor: number;
  gifts: number;
  anonymousGifts: number;
  lastGiftOn: string;
}

export interface StatementProgress {
  year: number;
  donors: number;
  withoutEmail: number;
  sent: number;
  missing: number;
}

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
