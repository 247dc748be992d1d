import { z } from 'zod';
import { AmountMinor, Currency, Id, OFFLINE_METHODS } from '../giving.schema';
import { MAX_READING_VALUE, MAX_READINGS_CSV_CHARS, PLEDGE_KINDS } from './pledge.constants';

export * from './pledge.constants';

const Code = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, 'must be 2–60 lower-case letters, digits or dashes');
const When = z.coerce.date({ error: 'must be a date such as 2026-01-01' });

/**
 * A sponsor's pledge. `per_unit`: `rateMinor` for every `perUnits` of `metric` (25 per 1 view = $0.25 a
 * view), up to `capMinor` when given. `matching`: `matchRatio`:1 of eligible gifts settled in the window
 * (to `campaign` when given, else to `fund`), up to `capMinor`, which a matching pledge must have, as it
 * must have an end.
 */
export const PledgeInput = z
  .object({
    kind: z.enum(PLEDGE_KINDS, { error: 'must be per_unit or matching' }),
    sponsorId: Id,
    name: z.string().trim().min(1, 'is required').max(120),
    currency: Currency,
    fund: Code,
    campaign: Code.optional(),
    metric: z.string().trim().min(1, 'is required').max(60).optional(),
    rateMinor: AmountMinor.optional(),
    perUnits: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000')
      .default(1),
    matchRatio: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(10, 'must be at most 10')
      .default(1),
    capMinor: AmountMinor.optional(),
    startsAt: When,
    endsAt: When.optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'per_unit' && v.metric === undefined)
      ctx.addIssue({ code: 'custom', path: ['metric'], message: 'is required for a per-unit pledge' });
    if (v.kind === 'per_unit' && v.rateMinor === undefined)
      ctx.addIssue({ code: 'custom', path: ['rateMinor'], message: 'is required for a per-unit pledge' });
    if (v.kind === 'matching' && v.capMinor === undefined)
      ctx.addIssue({ code: 'custom', path: ['capMinor'], message: 'is required for a matching pledge' });
    if (v.kind === 'matching' && v.endsAt === undefined)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'is required for a matching pledge' });
    if (v.endsAt && v.endsAt <= v.startsAt)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  });
export type PledgeInput = z.infer<typeof PledgeInput>;

export const ReadingValue = z
  .number({ error: 'must be a whole number of zero or more' })
  .int('must be a whole number of zero or more')
  .min(0, 'must be a whole number of zero or more')
  .max(MAX_READING_VALUE, `must be at most ${MAX_READING_VALUE}`);

/** One reading: what the metric counted since the last one (an increment), on a day. */
export const ReadingInput = z.object({
  readOn: When,
  value: ReadingValue,
  note: z.string().trim().max(200, 'must be at most 200 characters').optional(),
});
export type ReadingInput = z.infer<typeof ReadingInput>;

export const ReadingsImportInput = z.object({
  csv: z
    .string({ error: 'must be the CSV file’s text' })
    .min(1, 'is empty')
    .max(MAX_READINGS_CSV_CHARS, `must be at most ${MAX_READINGS_CSV_CHARS} characters`),
});

export const InvoiceInput = z.object({
  /** The end of the invoiced period (exclusive); now, or the pledge's end if sooner, when absent. */
  periodEnd: When.optional(),
});

export const InvoicePaidInput = z.object({
  receivedOn: When,
  method: z.enum(OFFLINE_METHODS, { error: `must be one of ${OFFLINE_METHODS.join(', ')}` }),
});
