import { z } from 'zod';
import type { Wire } from '../../../platform/http/response-schema';
import { LAPSED_KINDS, REPORT_GROUPS } from './report.constants';

/*
 * What the report routes answer as JSON (report.routes.ts, from report.service.ts), checked on the way out;
 * keys in the order the service builds them. With `?format=csv` the same routes stream a file instead,
 * which passes the serializer by (a stream is never serialized). The reports page imports the types.
 */

const Count = z.number().int();
const Minor = z.number().int();

const TotalsFigures = { currency: z.string(), amountMinor: Minor, gifts: Count, donors: Count };

export const TotalsRow = z.object({
  key: z.string().nullable(),
  label: z.string().nullable(),
  ...TotalsFigures,
});

export const TotalsReport = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(REPORT_GROUPS),
  timeZone: z.literal('UTC'),
  rows: z.array(TotalsRow),
  totals: z.array(z.object(TotalsFigures)),
});

export const LapsedDonor = z.object({
  supporterId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  lastGiftOn: z.string(),
  lastGivingYear: z.number().int(),
  lastGivingYearTotals: z.array(z.object({ currency: z.string(), amountMinor: Minor })),
});

export const LapsedReport = z.object({
  kind: z.enum(LAPSED_KINDS),
  year: z.number().int(),
  total: Count,
  donors: z.array(LapsedDonor),
});

export const RetentionYear = z.object({
  year: z.number().int(),
  donors: Count,
  lastYearDonors: Count,
  new: Count,
  retained: Count,
  recaptured: Count,
  lapsed: Count,
  retentionPercent: z.number().nullable(),
});

export const RetentionReport = z.object({ year: z.number().int(), years: z.array(RetentionYear) });

export const TopDonor = z.object({
  currency: z.string(),
  rank: z.number().int(),
  supporterId: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  amountMinor: Minor,
  gifts: Count,
  anonymousGifts: Count,
  lastGiftOn: z.string(),
});

export const TopDonorsReport = z.object({ from: z.string(), to: z.string(), donors: z.array(TopDonor) });

export type TotalsRow = Wire<typeof TotalsRow>;
export type TotalsReport = Wire<typeof TotalsReport>;
export type LapsedDonor = Wire<typeof LapsedDonor>;
export type LapsedReport = Wire<typeof LapsedReport>;
export type RetentionYear = Wire<typeof RetentionYear>;
export type RetentionReport = Wire<typeof RetentionReport>;
export type TopDonor = Wire<typeof TopDonor>;
export type TopDonorsReport = Wire<typeof TopDonorsReport>;
