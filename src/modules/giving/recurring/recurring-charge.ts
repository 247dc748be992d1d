import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import type { ProviderEvent } from '../donations/payment-provider';
import { campaigns, gifts, recurringGifts } from '../giving.table';
import { chargeDayFor } from './recurring.schedule';
import { carryRecurringSplits } from './recurring-splits';

/*
 * A monthly gift and its charges' gifts: opened with a donation's first charge (donations/donation.service.ts),
 * a pending gift for each later charge (the charging job, recurring.service.ts, or a processor's own invoice,
 * recurring.hook.ts). What a charge's outcome does to its monthly gift is recurring.hook.ts. Nothing here
 * settles money: the ledger (ledger/ledger.service.ts) stays the one place that does.
 */

export type RecurringGiftRow = typeof recurringGifts.$inferSelect;

export interface RecurringGiftOpening {
  supporterId: string;
  amountMinor: number;
  feeMinor: number;
  currency: string;
  fundId: string;
  campaignId: string | null;
  provider: string;
  tributeKind: string | null;
  tributeName: string | null;
  anonymous: boolean;
}

/** A monthly gift for a donation's first charge: `pending` until that charge settles. */
export async function openRecurringGift(
  tx: Db,
  opening: RecurringGiftOpening,
  now = new Date(),
): Promise<RecurringGiftRow> {
  const [row] = await tx
    .insert(recurringGifts)
    .values({
      id: crypto.randomUUID(),
      ...opening,
      status: 'pending',
      dayOfMonth: chargeDayFor(now),
      nextChargeAt: null,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** Keeps the processor's reference for later charges (the sandbox's saved payment method; never card data). */
export async function recordPaymentMethod(db: Db, recurringGiftId: string, providerRef: string) {
  await db
    .update(recurringGifts)
    .set({ providerRef, updatedAt: new Date() })
    .where(eq(recurringGifts.id, recurringGiftId));
}

/** The monthly gift whose first charge was never made (the checkout was refused): it ends unstarted. */
export async function endUnstartedRecurringGift(db: Db, recurringGiftId: string) {
  await db
    .update(recurringGifts)
    .set({ status: 'lapsed', nextChargeAt: null, updatedAt: new Date() })
    .where(and(eq(recurringGifts.id, recurringGiftId), eq(recurringGifts.status, 'pending')));
}

export async function lockRecurringGift(tx: Db, id: string): Promise<RecurringGiftRow | undefined> {
  const [row] = await tx.select().from(recurringGifts).where(eq(recurringGifts.id, id)).for('update');
  return row;
}

/** The monthly gift an event names: by our id (Stripe's metadata), else by the processor's subscription. */
export async function recurringGiftForEvent(tx: Db, provider: string, event: ProviderEvent) {
  if (event.recurringGiftId) {
    const row = await lockRecurringGift(tx, event.recurringGiftId);
    if (row?.provider === provider) return row;
  }
  if (!event.subscriptionRef) return undefined;
  const [row] = await tx
    .select()
    .from(recurringGifts)
    .where(and(eq(recurringGifts.provider, provider), eq(recurringGifts.providerRef, event.subscriptionRef)))
    .for('update');
  return row;
}

/** A monthly charge keeps its campaign only while the campaign is open; the fund stays the donor's choice. */
export async function campaignForCharge(tx: Db, campaignId: string | null, now: Date) {
  if (!campaignId) return null;
  const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId));
  return c && c.startsAt <= now && (!c.endsAt || c.endsAt > now) ? c.id : null;
}

/** A pending gift for one monthly charge (the charging job, or a processor's own invoice). */
export async function insertChargeGift(
  tx: Db,
  schedule: RecurringGiftRow,
  charge: { providerRef: string; amountMinor?: number | null },
  now = new Date(),
) {
  const scheduled = schedule.amountMinor + schedule.feeMinor;
  // A processor may charge another amount than ours (an amount changed at Stripe): the gift records it.
  const differs = charge.amountMinor != null && charge.amountMinor !== scheduled;
  const [row] = await tx
    .insert(gifts)
    .values({
      id: crypto.randomUUID(),
      supporterId: schedule.supporterId,
      amountMinor: differs ? (charge.amountMinor as number) : schedule.amountMinor,
      feeMinor: differs ? 0 : schedule.feeMinor,
      currency: schedule.currency,
      fundId: schedule.fundId,
      campaignId: await campaignForCharge(tx, schedule.campaignId, now),
      status: 'pending',
      source: 'online',
      method: 'card',
      provider: schedule.provider,
      providerRef: charge.providerRef,
      recurringGiftId: schedule.id,
      tributeKind: schedule.tributeKind,
      tributeName: schedule.tributeName,
      anonymous: schedule.anonymous,
    })
    .onConflictDoNothing({ target: [gifts.provider, gifts.providerRef] })
    .returning();
  // A split monthly gift's charges keep the first charge's splits (recurring-splits.ts).
  return row ? carryRecurringSplits(tx, schedule, row) : null;
}
