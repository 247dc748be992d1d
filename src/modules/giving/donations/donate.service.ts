import { and, asc, eq, gt, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { campaignProgress } from '../funds/campaign.service';
import type { ProviderName } from '../giving.schema';
import { campaigns, funds, gifts, receipts } from '../giving.table';
import { GIVING_CURRENCIES } from '../money';

/*
 * What the public donate page reads: the funds and open campaigns a donor may choose, and afterwards the
 * outcome of their own gift. Names and aggregates only: nothing here says who gave (S2 stays with staff).
 */

/** The two funds a donor may name on the public page; other funds are for staff to use. */
export const DONOR_FUNDS = ['rescue-fund', 'most-needed'] as const;

/** How long the thank-you page may read back a gift by its id (the link it was sent to). */
export const OUTCOME_WINDOW_MS = 24 * 60 * 60 * 1000;

export type CampaignProgress = Awaited<ReturnType<typeof campaignProgress>>;

export interface DonateOptions {
  /** The processor the page uses: Stripe when it is configured, else the sandbox; null when neither is. */
  provider: ProviderName | null;
  currencies: readonly string[];
  funds: { code: string; name: string; restricted: boolean; description: string | null }[];
  campaigns: CampaignProgress[];
}

/** Open means started and not yet ended: the donate route refuses anything else. */
export async function openCampaignCodes(db: Db, now = new Date()): Promise<string[]> {
  const rows = await db
    .select({ code: campaigns.code })
    .from(campaigns)
    .where(and(lte(campaigns.startsAt, now), or(isNull(campaigns.endsAt), gt(campaigns.endsAt, now))))
    .orderBy(asc(campaigns.startsAt), asc(campaigns.code));
  return rows.map((r) => r.code);
}

export async function donateOptions(
  db: Db,
  offered: readonly ProviderName[],
  now = new Date(),
): Promise<DonateOptions> {
  const fundRows = await db
    .select({
      code: funds.code,
      name: funds.name,
      restricted: funds.restricted,
      description: funds.description,
    })
    .from(funds)
    .where(inArray(funds.code, [...DONOR_FUNDS]));
  // The page lists the rescue fund first: it is the one the organisation asks for.
  fundRows.sort((a, b) => DONOR_FUNDS.indexOf(a.code as never) - DONOR_FUNDS.indexOf(b.code as never));
  const codes = await openCampaignCodes(db, now);
  return {
    provider: offered.includes('stripe') ? 'stripe' : offered.includes('sandbox') ? 'sandbox' : null,
    currencies: GIVING_CURRENCIES,
    funds: fundRows,
    campaigns: await Promise.all(codes.map((code) => campaignProgress(db, code))),
  };
}

export interface DonationOutcome {
  giftId: string;
  status: 'pending' | 'settled' | 'failed' | 'refunded';
  amountMinor: number;
  feeMinor: number;
  currency: string;
  monthly: boolean;
  fundName: string;
  campaignName: string | null;
  tributeKind: 'in_honour' | 'in_memory' | null;
  /** The receipt is in the mail outbox (it is written when the gift settles). */
  receiptEmailed: boolean;
}

/**
 * What the thank-you page shows: the gift's amount, designation and state, by the id in the link the
 * processor sent the donor back to. No name, email or tribute name: whoever holds the link learns only
 * what was given, and only for a day (after that the answer is 404, as for an id that does not exist).
 */
export async function donationOutcome(db: Db, giftId: string, now = new Date()): Promise<DonationOutcome> {
  const [row] = await db
    .select({
      id: gifts.id,
      status: gifts.status,
      amountMinor: gifts.amountMinor,
      feeMinor: gifts.feeMinor,
      currency: gifts.currency,
      source: gifts.source,
      recurringGiftId: gifts.recurringGiftId,
      tributeKind: gifts.tributeKind,
      createdAt: gifts.createdAt,
      fundName: funds.name,
      campaignName: campaigns.name,
      receiptOutboxId: receipts.outboxId,
    })
    .from(gifts)
    .innerJoin(funds, eq(funds.id, gifts.fundId))
    .leftJoin(campaigns, eq(campaigns.id, gifts.campaignId))
    .leftJoin(receipts, eq(receipts.giftId, gifts.id))
    .where(eq(gifts.id, giftId));
  if (row?.source !== 'online' || now.getTime() - row.createdAt.getTime() > OUTCOME_WINDOW_MS)
    throw AppError.notFound('No such gift.');
  return {
    giftId: row.id,
    status: row.status as DonationOutcome['status'],
    amountMinor: row.amountMinor,
    feeMinor: row.feeMinor,
    currency: row.currency,
    monthly: row.recurringGiftId !== null,
    fundName: row.fundName,
    campaignName: row.campaignName,
    tributeKind: (row.tributeKind as DonationOutcome['tributeKind']) ?? null,
    receiptEmailed: row.receiptOutboxId !== null,
  };
}
