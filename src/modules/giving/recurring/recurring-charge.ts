import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import type { Mailer } from '../../../platform/mail/mailer';
import { getSupporterContact } from '../../people';
import type { ProviderEvent } from '../donations/payment-provider';
import { campaigns, gifts, recurringGifts } from '../giving.table';
import type { GivingCurrency } from '../money';
import { dunningText, lapseText } from './dunning';
import { chargeDayFor, LAPSE_AFTER_FAILURES, nextChargeDay, retryAt } from './recurring.schedule';
import { carryRecurringSplits } from './recurring-splits';

/*
 * What happens to a monthly gift when one of its charges settles or fails, or when the processor ends its
 * subscription. Called by `applyProviderEvent` (gift.service.ts) inside the event's transaction, so a
 * charge's gift, its ledger entry, its receipt and its schedule change together or not at all. Nothing
 * here imports gift.service.ts: the ledger stays the one place that settles money.
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
async function recurringGiftForEvent(tx: Db, provider: string, event: ProviderEvent) {
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

/**
 * A monthly charge the processor made by itself (a Stripe invoice after the first) has no gift of ours:
 * the invoice id is the gift's processor reference (unique), so replays, duplicates and events arriving
 * together all find the one gift. Null when no monthly gift of ours is named.
 */
export async function giftForProcessorCharge(
  tx: Db,
  provider: string,
  event: ProviderEvent,
): Promise<string | null> {
  if (!event.charge) return null;
  const find = async () => {
    const [row] = await tx
      .select({ id: gifts.id })
      .from(gifts)
      .where(and(eq(gifts.provider, provider), eq(gifts.providerRef, event.charge?.ref ?? '')));
    return row?.id ?? null;
  };
  const existing = await find();
  if (existing) return existing;
  const schedule = await recurringGiftForEvent(tx, provider, event);
  if (!schedule) return null;
  const made = await insertChargeGift(tx, schedule, {
    providerRef: event.charge.ref,
    amountMinor: event.kind === 'settled' ? event.amountMinor : null,
  });
  return made?.id ?? (await find());
}

/** A charge settled: the monthly gift is active, its failures forgotten, its next charge one period on. */
export async function recurringChargeSettled(
  tx: Db,
  recurringGiftId: string,
  event: ProviderEvent,
  now = new Date(),
) {
  const schedule = await lockRecurringGift(tx, recurringGiftId);
  if (!schedule) return;
  const providerRef = schedule.providerRef ?? event.subscriptionRef ?? null;
  if (schedule.status === 'pending' || schedule.status === 'active') {
    await tx
      .update(recurringGifts)
      .set({
        status: 'active',
        providerRef,
        failedAttempts: 0,
        nextChargeAt: nextChargeDay(schedule.dayOfMonth, now),
        updatedAt: now,
      })
      .where(eq(recurringGifts.id, schedule.id));
    return;
  }
  // Paused, cancelled or lapsed while this charge was under way: the money counts, the state stays.
  await tx
    .update(recurringGifts)
    .set({ providerRef, failedAttempts: 0, updatedAt: now })
    .where(eq(recurringGifts.id, schedule.id));
}

async function mailDonor(
  tx: Db,
  mail: Mailer,
  schedule: RecurringGiftRow,
  text: typeof dunningText,
  nextAttemptAt: Date | null,
  publicUrl: string | null,
) {
  const donor = await getSupporterContact(tx, schedule.supporterId);
  if (!donor?.email) return;
  await mail.enqueue(tx, {
    to: donor.email,
    ...text({
      donorName: donor.displayName,
      amountMinor: schedule.amountMinor + schedule.feeMinor,
      currency: schedule.currency as GivingCurrency,
      nextAttemptAt,
      portalUrl: `${publicUrl ?? ''}/my`,
    }),
  });
}

/**
 * A charge failed. The first charge of a new monthly gift: the donor saw the refusal on the page, so the
 * gift simply never starts. A later one: counted, and the donor is told. The sandbox's charges are ours to
 * retry (after 3, then 7 days) and lapse after the last retry; Stripe retries by itself, and says when the
 * subscription ends (`recurringEndedByProcessor`).
 */
export async function recurringChargeFailed(
  tx: Db,
  mail: Mailer,
  recurringGiftId: string,
  provider: string,
  event: ProviderEvent,
  publicUrl: string | null,
  now = new Date(),
) {
  const schedule = await lockRecurringGift(tx, recurringGiftId);
  if (!schedule) return;
  if (schedule.status === 'pending') {
    await tx
      .update(recurringGifts)
      .set({ status: 'lapsed', nextChargeAt: null, lastFailureAt: now, updatedAt: now })
      .where(eq(recurringGifts.id, schedule.id));
    return;
  }
  if (schedule.status !== 'active') return;
  const failures = schedule.failedAttempts + 1;
  if (provider !== 'sandbox') {
    await tx
      .update(recurringGifts)
      .set({ failedAttempts: failures, lastFailureAt: now, updatedAt: now })
      .where(eq(recurringGifts.id, schedule.id));
    await mailDonor(tx, mail, schedule, dunningText, event.charge?.nextAttemptAt ?? null, publicUrl);
    return;
  }
  const next = failures >= LAPSE_AFTER_FAILURES ? null : retryAt(failures, now);
  await tx
    .update(recurringGifts)
    .set({
      status: next ? 'active' : 'lapsed',
      failedAttempts: failures,
      lastFailureAt: now,
      nextChargeAt: next,
      updatedAt: now,
    })
    .where(eq(recurringGifts.id, schedule.id));
  await mailDonor(tx, mail, schedule, next ? dunningText : lapseText, next, publicUrl);
}

/**
 * The processor ended a subscription (Stripe's `customer.subscription.deleted`): after failed payments the
 * monthly gift lapses and the donor is told; otherwise it is cancelled. One we ended ourselves (the donor
 * or staff cancelled) is already over: nothing changes. Answers whether a monthly gift changed.
 */
export async function recurringEndedByProcessor(
  tx: Db,
  mail: Mailer,
  provider: string,
  event: ProviderEvent,
  publicUrl: string | null,
  now = new Date(),
): Promise<boolean> {
  const schedule = await recurringGiftForEvent(tx, provider, event);
  if (!schedule || schedule.status === 'cancelled' || schedule.status === 'lapsed') return false;
  const lapsed = event.endReason === 'payment_failed';
  await tx
    .update(recurringGifts)
    .set(
      lapsed
        ? { status: 'lapsed', nextChargeAt: null, updatedAt: now }
        : { status: 'cancelled', nextChargeAt: null, cancelledAt: now, cancelledBy: 'staff', updatedAt: now },
    )
    .where(eq(recurringGifts.id, schedule.id));
  if (lapsed) await mailDonor(tx, mail, schedule, lapseText, null, publicUrl);
  return true;
}
