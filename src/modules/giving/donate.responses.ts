import { z } from 'zod';
import type { Wire } from '../../platform/http/response-schema';
import { GIFT_STATUSES, PROVIDERS, TRIBUTE_KINDS } from './giving.constants';
import { CampaignProgress } from './giving.responses';

/*
 * What the public donate routes answer (donate.routes.ts, from donate.service.ts), checked on the way out:
 * names and aggregates only, never who gave. The widget's HTML page is text, not described here.
 */

export const DonateOptions = z.object({
  /** The processor the page uses: Stripe when it is configured, else the sandbox; null when neither is. */
  provider: z.enum(PROVIDERS).nullable(),
  currencies: z.array(z.string()).readonly(),
  funds: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      restricted: z.boolean(),
      description: z.string().nullable(),
    }),
  ),
  campaigns: z.array(CampaignProgress),
});

/** The thank-you page's read of one online gift: amount, designation and state; no name, email or tribute name. */
export const DonationOutcome = z.object({
  giftId: z.string(),
  status: z.enum(GIFT_STATUSES),
  amountMinor: z.number().int(),
  feeMinor: z.number().int(),
  currency: z.string(),
  monthly: z.boolean(),
  fundName: z.string(),
  campaignName: z.string().nullable(),
  tributeKind: z.enum(TRIBUTE_KINDS).nullable(),
  /** The receipt is in the mail outbox (it is written when the gift settles). */
  receiptEmailed: z.boolean(),
});

export type DonateOptions = Wire<typeof DonateOptions>;
export type DonationOutcome = Wire<typeof DonationOutcome>;
