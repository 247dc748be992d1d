import { z } from 'zod';
import {
  CREDIT_KINDS,
  GIFT_FREQUENCIES,
  GIVING_CURRENCIES,
  MAX_AMOUNT_MINOR,
  OFFLINE_METHODS,
  PROVIDERS,
  TRIBUTE_KINDS,
} from './giving.constants';

export * from './giving.constants';

export const Currency = z.enum(GIVING_CURRENCIES, {
  error: `must be one of ${GIVING_CURRENCIES.join(', ')}`,
});
export const AmountMinor = z
  .number({ error: 'must be a positive whole number of minor units' })
  .int('must be a positive whole number of minor units')
  .min(1, 'must be a positive whole number of minor units')
  .max(MAX_AMOUNT_MINOR, `must be at most ${MAX_AMOUNT_MINOR} minor units`);
const Code = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,59}$/, 'must be 2–60 lower-case letters, digits or dashes');
export const Id = z.string().uuid('is not an id');

export const FundInput = z.object({
  code: Code,
  name: z.string().trim().min(1, 'is required').max(120),
  restricted: z.boolean({ error: 'must be true or false' }),
  description: z.string().trim().max(1000).optional(),
});
export type FundInput = z.infer<typeof FundInput>;

export const CampaignInput = z
  .object({
    code: Code,
    name: z.string().trim().min(1, 'is required').max(120),
    goalKind: z.enum(['money', 'units'], { error: 'must be money or units' }),
    currency: Currency,
    goalMinor: AmountMinor.optional(),
    goalUnits: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(1_000_000)
      .optional(),
    unitMinor: AmountMinor.optional(),
    fundId: Id,
    startsAt: z.coerce.date({ error: 'must be a date such as 2026-01-01T00:00:00Z' }),
    endsAt: z.coerce.date({ error: 'must be a date such as 2026-12-31T00:00:00Z' }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.goalKind === 'money' && v.goalMinor === undefined)
      ctx.addIssue({ code: 'custom', path: ['goalMinor'], message: 'is required for a money goal' });
    if (v.goalKind === 'units' && v.goalUnits === undefined)
      ctx.addIssue({ code: 'custom', path: ['goalUnits'], message: 'is required for a unit goal' });
    if (v.endsAt && v.endsAt <= v.startsAt)
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  });
export type CampaignInput = z.infer<typeof CampaignInput>;

export const SoftCreditInput = z.object({
  kind: z.enum(CREDIT_KINDS, { error: `must be one of ${CREDIT_KINDS.join(', ')}` }),
  ref: z.string().trim().min(1, 'is required').max(100),
});

/**
 * A gift split across 2–5 funds (gift-splits.ts): each fund once, adding up exactly to the gift's amount
 * (checked by the service, which answers `splits: …` with the sums).
 */
export const GiftSplitsInput = z
  .array(z.object({ fund: Code, amountMinor: AmountMinor }))
  .min(2, 'must name at least 2 funds (a gift to one fund has no splits)')
  .max(5, 'must name at most 5 funds');

export const DonationInput = z.object({
  provider: z.enum(PROVIDERS).default('sandbox'),
  amountMinor: AmountMinor,
  currency: Currency,
  /** `monthly` starts a monthly gift (recurring.service.ts): this gift is its first charge. */
  frequency: z.enum(GIFT_FREQUENCIES, { error: 'must be once or monthly' }).default('once'),
  /** A fund code (`rescue-fund`, `most-needed`); defaults to the campaign's fund, else `most-needed`. */
  fund: Code.optional(),
  campaign: Code.optional(),
  coverFees: z.boolean().default(false),
  anonymous: z.boolean().default(false),
  tribute: z
    .object({
      kind: z.enum(TRIBUTE_KINDS, { error: 'must be in_honour or in_memory' }),
      name: z.string().trim().min(1, 'is required').max(120),
    })
    .optional(),
  donor: z.object({
    email: z.string().trim().toLowerCase().email('must be an email address').max(254),
    firstName: z.string().trim().min(1, 'is required').max(100),
    lastName: z.string().trim().max(100).optional(),
    postcode: z.string().trim().max(12).optional(),
    emailConsent: z.boolean().default(false),
  }),
  softCredit: SoftCreditInput.optional(),
  /** Split the gift across funds; `fund`, when given, must be one of them (the gift's primary fund). */
  splits: GiftSplitsInput.optional(),
  /** Sandbox only: a test card number. Stripe gifts never send card data here. */
  testCard: z
    .string()
    .regex(/^[0-9 ]{12,23}$/, 'must be a test card number such as 4242 4242 4242 4242')
    .optional(),
});
export type DonationInput = z.infer<typeof DonationInput>;

export const BatchInput = z.object({
  name: z.string().trim().min(1, 'is required').max(120),
  currency: Currency,
  controlTotalMinor: AmountMinor,
});

export const BatchGiftInput = z.object({
  supporterId: Id,
  amountMinor: AmountMinor,
  method: z.enum(OFFLINE_METHODS, { error: `must be one of ${OFFLINE_METHODS.join(', ')}` }),
  fund: Code,
  campaign: Code.optional(),
  receivedOn: z.coerce.date({ error: 'must be a date such as 2026-03-01' }),
  fairMarketValueMinor: z.number().int().min(0, 'must be zero or more').default(0),
  softCredits: z.array(SoftCreditInput).max(10).default([]),
  /** Split the gift across funds; `fund` must be one of them (the gift's primary fund). */
  splits: GiftSplitsInput.optional(),
});
export type BatchGiftInput = z.infer<typeof BatchGiftInput>;

export const RefundInput = z.object({
  /** Part of the gift; the whole remaining amount when absent. */
  amountMinor: AmountMinor.optional(),
});

export const CorrectionInput = z.object({ fund: Code });

export const AllocationInput = z.object({
  caseCode: z
    .string()
    .trim()
    .regex(/^[A-Z]+-[A-Z]+-[0-9]{2}$/, 'must be a case code such as QUIET-HERON-27'),
  units: z.number().int('must be a whole number').min(1, 'must be at least 1').max(100),
  /** The campaign whose funded units these are: its donors hear (delayed, de-identified) when the case is safe. */
  campaign: Code.optional(),
});
