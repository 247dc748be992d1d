import crypto from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Mailer } from '../../../platform/mail/mailer';
import { getSupporterContact } from '../../people';
import { describeGifts } from '../console/giving-console.service';
import { campaignByCode } from '../funds/campaign.service';
import { fundByCode } from '../funds/fund.service';
import { allow, audit, type GiftRow, type GivingContext } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import type { BatchGiftInput } from '../giving.schema';
import { giftBatches, gifts, softCredits } from '../giving.table';
import { recordGiftSplits } from '../ledger/gift-splits';
import { settleLocked } from '../ledger/ledger.service';
import type { GivingCurrency } from '../money';

// Offline gifts: entered by staff in batches and posted against a control total, or settled in one step
// (the demo seeder, a sponsor's paid invoice).

export async function createBatch(
  gc: GivingContext,
  input: { name: string; currency: GivingCurrency; controlTotalMinor: number },
) {
  allow(gc, GIVING_ACTIONS.record);
  const [row] = await gc.db
    .insert(giftBatches)
    .values({ id: crypto.randomUUID(), ...input, status: 'open', createdBy: gc.subject.userId })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit(gc, 'gift_batch.create', 'gift_batch', row.id);
  return row;
}

async function batchOrThrow(db: Db, id: string, lock = false) {
  const q = db.select().from(giftBatches).where(eq(giftBatches.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw AppError.notFound('No batch with this id.');
  return row;
}

export async function addBatchGift(gc: GivingContext, batchId: string, input: BatchGiftInput) {
  allow(gc, GIVING_ACTIONS.record);
  const batch = await batchOrThrow(gc.db, batchId, true);
  if (batch.status !== 'open') throw AppError.conflict('This batch is posted: start a new one.');
  const donor = await getSupporterContact(gc.db, input.supporterId);
  if (!donor) throw AppError.invalid('supporterId: no supporter with this id');
  const fund = await fundByCode(gc.db, input.fund);
  const campaign = input.campaign ? await campaignByCode(gc.db, input.campaign) : null;
  const [row] = await gc.db
    .insert(gifts)
    .values({
      id: crypto.randomUUID(),
      supporterId: donor.id,
      amountMinor: input.amountMinor,
      currency: batch.currency,
      fundId: fund.id,
      campaignId: campaign?.id ?? null,
      status: 'pending',
      source: 'offline',
      method: input.method,
      batchId,
      fairMarketValueMinor: input.fairMarketValueMinor,
      receivedOn: input.receivedOn,
      createdBy: gc.subject.userId,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  // A refused split answers 400 and the route's transaction takes the gift back with it.
  if (input.splits) await recordGiftSplits(gc.db, row, input.splits, input.fund);
  for (const credit of input.softCredits)
    await gc.db
      .insert(softCredits)
      .values({ id: crypto.randomUUID(), giftId: row.id, creditKind: credit.kind, creditRef: credit.ref });
  await audit(gc, 'gift.record', 'gift', row.id);
  return row;
}

export async function getBatch(gc: GivingContext, id: string) {
  allow(gc, GIVING_ACTIONS.read);
  const batch = await batchOrThrow(gc.db, id);
  const rows = await gc.db.select().from(gifts).where(eq(gifts.batchId, id)).orderBy(asc(gifts.createdAt));
  return {
    batch,
    gifts: await describeGifts(gc.db, rows),
    enteredMinor: rows.reduce((s, g) => s + g.amountMinor, 0),
  };
}

/** Posts a batch: only when its gifts add up to the control total; then every gift settles, at once. */
export async function postBatch(gc: GivingContext, id: string) {
  allow(gc, GIVING_ACTIONS.record);
  const batch = await batchOrThrow(gc.db, id, true);
  if (batch.status !== 'open') throw AppError.conflict('This batch is already posted.');
  const rows = await gc.db.select().from(gifts).where(eq(gifts.batchId, id)).for('update');
  const entered = rows.reduce((s, g) => s + g.amountMinor, 0);
  if (rows.length === 0 || entered !== batch.controlTotalMinor)
    throw AppError.conflict(
      `The batch's gifts add up to ${entered}, not its control total of ${batch.controlTotalMinor} (minor units): it cannot be posted.`,
    );
  for (const gift of rows) await settleLocked(gc.db, gc.mail, gift, gc.subject.userId);
  await gc.db
    .update(giftBatches)
    .set({ status: 'posted', postedBy: gc.subject.userId, postedAt: new Date() })
    .where(eq(giftBatches.id, id));
  await audit(gc, 'gift_batch.post', 'gift_batch', id);
  return getBatch(gc, id);
}

/**
 * A settled offline gift in one step, without an access check: the demo seeder only (receipts are recorded
 * without mail).
 */
export async function seedSettledGift(
  db: Db,
  input: {
    supporterId: string;
    amountMinor: number;
    currency: GivingCurrency;
    fundId: string;
    campaignId: string | null;
    method: string;
    receivedOn: Date;
  },
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(gifts)
      .values({ id: crypto.randomUUID(), ...input, status: 'pending', source: 'offline' })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await settleLocked(tx, null, row, null, input.receivedOn);
    return row.id;
  });
}

/**
 * A settled offline gift in one step, for a giving command that saw the money arrive itself (a sponsor's
 * paid invoice, pledges/): its entry, the balance and a mailed receipt, as for a posted batch's gifts. No
 * access check (the caller checked its own action); runs in the caller's transaction.
 */
export async function recordSettledOfflineGift(
  db: Db,
  mail: Mailer,
  input: {
    supporterId: string;
    amountMinor: number;
    currency: GivingCurrency;
    fundId: string;
    campaignId: string | null;
    method: string;
    receivedOn: Date;
    createdBy: string;
  },
): Promise<GiftRow> {
  const [row] = await db
    .insert(gifts)
    .values({ id: crypto.randomUUID(), ...input, status: 'pending', source: 'offline' })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await settleLocked(db, mail, row, input.createdBy);
  const [settled] = await db.select().from(gifts).where(eq(gifts.id, row.id));
  return settled ?? row;
}
