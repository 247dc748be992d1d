import crypto from 'node:crypto';
import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { describeGifts, describeSoftCredits } from '../console/giving-console.service';
import { fundByCode } from '../funds/fund.service';
import { allow, audit, type GivingContext, giftTotal } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import { gifts, ledgerEntries, receipts, softCredits } from '../giving.table';
import { correctionParts, giftSplitsOf } from './gift-splits';
import { lockGift, post, refundLockedTo } from './ledger.service';

// Staff and gifts: the list, one gift with its entries, an offline gift's refund and a move to another fund.

export async function listGifts(
  gc: GivingContext,
  query: { supporterId?: string; status?: string; limit: number; afterId?: string },
) {
  allow(gc, GIVING_ACTIONS.read);
  const where: SQL[] = [];
  if (query.supporterId) where.push(eq(gifts.supporterId, query.supporterId));
  if (query.status) where.push(eq(gifts.status, query.status));
  // The page after a gift (a CSV export reads every page): compared with the stored time itself, since a
  // JavaScript date would cut its microseconds off and skip or repeat gifts of the same millisecond.
  if (query.afterId)
    where.push(
      sql`(${gifts.createdAt}, ${gifts.id}) < (select g.created_at, g.id from gifts g where g.id = ${query.afterId})`,
    );
  const rows = await gc.db
    .select()
    .from(gifts)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(gifts.createdAt), desc(gifts.id))
    .limit(query.limit);
  return { gifts: await describeGifts(gc.db, rows) };
}

export async function getGift(gc: GivingContext, id: string) {
  allow(gc, GIVING_ACTIONS.read);
  const [gift] = await gc.db.select().from(gifts).where(eq(gifts.id, id));
  if (!gift) throw AppError.notFound('No gift with this id.');
  // One after another: the transaction's queries share its connection (pg 9 refuses overlapping ones).
  const entries = await gc.db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.giftId, id))
    .orderBy(asc(ledgerEntries.createdAt));
  const receipt = await gc.db.select().from(receipts).where(eq(receipts.giftId, id));
  const credits = await gc.db.select().from(softCredits).where(eq(softCredits.giftId, id));
  const [described] = await describeGifts(gc.db, [gift]);
  return {
    gift: described ?? gift,
    entries,
    receipt: receipt[0] ?? null,
    softCredits: await describeSoftCredits(gc.db, credits),
    splits: await giftSplitsOf(gc.db, id),
  };
}

/**
 * Refunds an offline gift (all of what remains, or part) with a new opposite entry. An online gift is
 * refunded at the processor, whose verified event writes the entry: two paths would refund twice.
 */
export async function refundGift(gc: GivingContext, id: string, amountMinor?: number) {
  allow(gc, GIVING_ACTIONS.refund);
  const gift = await lockGift(gc.db, id);
  if (!gift) throw AppError.notFound('No gift with this id.');
  if (gift.source !== 'offline')
    throw AppError.conflict(
      'Refund an online gift at its payment processor; the refund is recorded from its event.',
    );
  if (gift.status !== 'settled')
    throw AppError.conflict(`Only a settled gift can be refunded (this one is ${gift.status}).`);
  const remaining = giftTotal(gift) - gift.refundedMinor;
  const amount = amountMinor ?? remaining;
  if (amount > remaining)
    throw AppError.invalid(`amountMinor: must be at most ${remaining}, what remains of the gift`);
  await refundLockedTo(gc.db, gift, gift.refundedMinor + amount, gc.subject.userId);
  await audit(gc, 'gift.refund', 'gift', gift.id);
  return getGift(gc, id);
}

/** Moves what remains of a settled gift to another fund: a correction group of two opposite entries. */
export async function correctGiftFund(gc: GivingContext, id: string, fundCode: string) {
  allow(gc, GIVING_ACTIONS.record);
  const gift = await lockGift(gc.db, id);
  if (!gift) throw AppError.notFound('No gift with this id.');
  if (gift.status !== 'settled')
    throw AppError.conflict(`Only a settled gift can be corrected (this one is ${gift.status}).`);
  const to = await fundByCode(gc.db, fundCode);
  // What every other fund holds of the gift moves (all of a split gift's splits): gift-splits.ts.
  const parts = await correctionParts(gc.db, gift, to.id);
  const groupId = crypto.randomUUID();
  const base = {
    groupId,
    giftId: gift.id,
    campaignId: gift.campaignId,
    kind: 'correction' as const,
    currency: gift.currency,
    createdBy: gc.subject.userId,
  };
  for (const part of parts) await post(gc.db, { ...base, ...part });
  await gc.db.update(gifts).set({ fundId: to.id, updatedAt: new Date() }).where(eq(gifts.id, gift.id));
  await audit(gc, 'gift.correct', 'gift', gift.id);
  return getGift(gc, id);
}

/** People's merge: a duplicate supporter's gifts and soft credits follow it to the survivor. */
export async function moveGiftsToSurvivor(db: Db, move: { fromId: string; toId: string }) {
  await db
    .update(gifts)
    .set({ supporterId: move.toId, updatedAt: new Date() })
    .where(eq(gifts.supporterId, move.fromId));
  await db
    .update(softCredits)
    .set({ creditRef: move.toId })
    .where(
      and(
        eq(softCredits.creditRef, move.fromId),
        inArray(softCredits.creditKind, ['fundraiser', 'solicitor']),
      ),
    );
}
