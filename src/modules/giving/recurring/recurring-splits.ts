import crypto from 'node:crypto';
import { and, asc, eq, ne } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { allocate } from '../../../platform/money/money';
import { giftSplits, gifts, type recurringGifts } from '../giving.table';

/*
 * A monthly gift split across funds ("₩50,000 a month: ₩30,000 to rescues, ₩20,000 where most needed")
 * keeps that designation every month. The donor chose the splits once, on the first charge (ledger/gift-splits.ts
 * recorded them as that gift's `gift_splits`, a covered fee spread over them); the schedule has no splits of
 * its own. So each later charge — the sandbox job's and every Stripe invoice after the first — copies the
 * first charge's splits before it settles, and settling writes one `gift` entry per fund as for any split
 * gift. When the charge differs from the first (the amount was changed since, or Stripe charged another
 * amount), the splits are scaled to it with the largest-remainder rule (`allocate`): in proportion, in whole
 * minor units, adding up exactly to what was charged.
 */

type GiftRow = typeof gifts.$inferSelect;
type RecurringGiftRow = typeof recurringGifts.$inferSelect;

/** One fund's share of a charge. */
export interface ChargeSplit {
  fundId: string;
  amountMinor: number;
}

/**
 * The first charge's splits scaled to `chargedMinor` (largest remainder, funds in a stable order). A fund
 * whose share rounds to nothing (a charge of a few minor units) is left out: a split is never of zero.
 */
export function scaleSplits(first: readonly ChargeSplit[], chargedMinor: number): ChargeSplit[] {
  const firstTotal = first.reduce((s, x) => s + x.amountMinor, 0);
  if (firstTotal === chargedMinor) return first.map((s) => ({ ...s }));
  const shares = allocate(
    BigInt(chargedMinor),
    first.map((s) => s.amountMinor),
  );
  return first
    .map((s, i) => ({ fundId: s.fundId, amountMinor: Number(shares[i] ?? 0n) }))
    .filter((s) => s.amountMinor > 0);
}

/** The splits of a monthly gift's first charge (empty when it went to one fund), and that charge's fund. */
async function firstChargeSplits(tx: Db, schedule: RecurringGiftRow, exceptGiftId: string) {
  const [first] = await tx
    .select({ id: gifts.id, fundId: gifts.fundId })
    .from(gifts)
    .where(and(eq(gifts.recurringGiftId, schedule.id), ne(gifts.id, exceptGiftId)))
    .orderBy(asc(gifts.createdAt), asc(gifts.id))
    .limit(1);
  if (!first) return null;
  const splits = await tx
    .select({ fundId: giftSplits.fundId, amountMinor: giftSplits.amountMinor })
    .from(giftSplits)
    .where(eq(giftSplits.giftId, first.id))
    .orderBy(asc(giftSplits.fundId));
  return { primaryFundId: first.fundId, splits };
}

/**
 * Gives a new (pending) monthly charge the first charge's splits, scaled to what this charge is for, and
 * the first charge's primary fund when it is among them. Nothing for a monthly gift to one fund. Runs in
 * the transaction that made the charge, before it settles (the settlement reads the splits).
 */
export async function carryRecurringSplits(
  tx: Db,
  schedule: RecurringGiftRow,
  charge: GiftRow,
): Promise<GiftRow> {
  const first = await firstChargeSplits(tx, schedule, charge.id);
  if (!first || first.splits.length < 2) return charge;
  const parts = scaleSplits(first.splits, charge.amountMinor + charge.feeMinor);
  const funds = parts.map((p) => p.fundId);
  // A charge too small to share keeps all of it in the one fund left: one fund has no splits.
  if (parts.length >= 2)
    await tx
      .insert(giftSplits)
      .values(parts.map((p) => ({ id: crypto.randomUUID(), giftId: charge.id, ...p })));
  const primary = funds.includes(first.primaryFundId)
    ? first.primaryFundId
    : funds.includes(charge.fundId)
      ? charge.fundId
      : (funds[0] ?? charge.fundId);
  if (primary === charge.fundId) return charge;
  const [moved] = await tx
    .update(gifts)
    .set({ fundId: primary, updatedAt: new Date() })
    .where(eq(gifts.id, charge.id))
    .returning();
  return moved ?? charge;
}
