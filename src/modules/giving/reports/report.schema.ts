import { z } from 'zod';
import { Currency } from '../giving.schema';
import { FIRST_YEAR, LAST_YEAR, REPORT_FORMATS, REPORT_GROUPS } from './report.constants';

export * from './report.constants';

/*
 * Report queries. Dates are calendar days in UTC (`from` and `to` both included); a year is a calendar year
 * in UTC. Nothing here is stored: every report is computed from the ledger when it is asked for.
 */

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-01-31')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, 'must be a date such as 2026-01-31');

const Year = z.coerce
  .number({ error: `must be a year between ${FIRST_YEAR} and ${LAST_YEAR}` })
  .int(`must be a year between ${FIRST_YEAR} and ${LAST_YEAR}`)
  .min(FIRST_YEAR, `must be a year between ${FIRST_YEAR} and ${LAST_YEAR}`)
  .max(LAST_YEAR, `must be a year between ${FIRST_YEAR} and ${LAST_YEAR}`);

const Format = z.enum(REPORT_FORMATS, { error: 'must be json or csv' }).default('json');

const rangeChecked = <T extends { from?: string | undefined; to?: string | undefined }>(
  v: T,
  ctx: z.RefinementCtx,
) => {
  if (v.from && v.to && v.from > v.to)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
};

export const TotalsQuery = z
  .object({
    groupBy: z.enum(REPORT_GROUPS, { error: 'must be one of fund, campaign, month, currency' }),
    from: Day.optional(),
    to: Day.optional(),
    format: Format,
  })
  .superRefine(rangeChecked);
export type TotalsQuery = z.infer<typeof TotalsQuery>;

export const LapsedQuery = z.object({
  year: Year.optional(),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 1000' })
    .int('must be a whole number from 1 to 1000')
    .min(1, 'must be a whole number from 1 to 1000')
    .max(1000, 'must be a whole number from 1 to 1000')
    .default(200),
  format: Format,
});
export type LapsedQuery = z.infer<typeof LapsedQuery>;

export const RetentionQuery = z.object({
  year: Year.optional(),
  years: z.coerce
    .number({ error: 'must be a whole number from 1 to 10' })
    .int('must be a whole number from 1 to 10')
    .min(1, 'must be a whole number from 1 to 10')
    .max(10, 'must be a whole number from 1 to 10')
    .default(5),
  format: Format,
});
export type RetentionQuery = z.infer<typeof RetentionQuery>;

export const TopDonorsQuery = z
  .object({
    from: Day.optional(),
    to: Day.optional(),
    currency: Currency.optional(),
    limit: z.coerce
      .number({ error: 'must be a whole number from 1 to 500' })
      .int('must be a whole number from 1 to 500')
      .min(1, 'must be a whole number from 1 to 500')
      .max(500, 'must be a whole number from 1 to 500')
      .default(25),
    format: Format,
  })
  .superRefine(rangeChecked);
export type TopDonorsQuery = z.infer<typeof TopDonorsQuery>;
