import { and, eq } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import type { Mailer } from '../../../platform/mail/mailer';
import { getSupporterContact } from '../../people';
import type { ProviderEvent } from '../donations/payment-provider';
import type { GiftRow } from '../giving.context';
import { gifts, recurringGifts } from '../giving.table';
import type { GivingCurrency } from '../money';
import { dunningText, lapseText } from './dunning';
import { LAPSE_AFTER_FAILURES, nextChargeDay, retryAt } from './recurring.schedule';
import {
  insertChargeGift,
  lockRecurringGift,
  type RecurringGiftRow,
  recurringGiftForEvent,
} from './recurring-charge';

/*
 * The monthly-gift hook: all that the processor events' code (`applyProviderEvent`,
 * donations/webhook.service.ts) asks of monthly gifts, inside the event's transaction, so a charge's gift,
 * its ledger entry, its receipt and its schedule change together or not at all. That code settles, fails
 * or refunds the gift itself and tells `onGiftOutcome` what it did; it never touches a schedule. Nothing
 * here settles money: the ledger (ledger/ledger.service.ts) stays the one place that does.
 */

/** The processor event being applied, as the hook needs it. */
export interface ChargeEventContext {
  tx: Db;
  mail: Mailer;
  provider: string;
  event: ProviderEvent;
  /** For the links in the dunning emails (the donor portal). */
  publicUrl: string | null;
}

/**
 * What the event did to a charge's gift:
 * - `settled`: told as the settlement begins, before its own writes, so that the fund balance's row lock
 *   stays the last one the transaction takes (ledger.service.ts, bench/RESULTS.md): whatever this writes
 *   must come before it;
 * - `failed`: the gift failed now, or an already failed gift's charge failed again (the processor's own
 *   retry): the donor hears of each try;
 * - `refunded`: part or all of the gift went back (after the refund's entries). That month's gift only:
 *   the monthly gift goes on, and nothing changes here.
 */
export type GiftOutcome = 'settled' | 'failed' | 'refunded';

/** The one hook: a charge's gift settled, failed or was refunded; its monthly gift (if any) follows. */
export async function onGiftOutcome(
  ec: ChargeEventContext,
  gift: Pick<GiftRow, 'recurringGiftId'>,
  outcome: GiftOutcome,
): Promise<void> {
  if (!gift.recurringGiftId) return;
  if (outcome === 'settled') await recurringChargeSettled(ec.tx, gift.recurringGiftId, ec.event);
  else if (outcome === 'failed')
    await recurringChargeFailed(ec.tx, ec.mail, gift.recurringGiftId, ec.provider, ec.event, ec.publicUrl);
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
async function recurringChargeSettled(
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
async function recurringChargeFailed(
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
