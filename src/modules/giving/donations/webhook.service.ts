import crypto from 'node:crypto';
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import type { Mailer } from '../../../platform/mail/mailer';
import { giftTotal } from '../giving.context';
import { gifts, providerEvents } from '../giving.table';
import { lockGift, refundLockedTo, settleLocked } from '../ledger/ledger.service';
import {
  giftForProcessorCharge,
  onGiftOutcome,
  recurringEndedByProcessor,
} from '../recurring/recurring.hook';
import type { PaymentProvider, ProviderEvent } from './payment-provider';

/** Verifies a processor's webhook (throws SignatureError) and applies its event once. */
export async function receiveWebhook(
  db: Db,
  mail: Mailer,
  provider: PaymentProvider,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
  /** For the links in a monthly gift's dunning emails (the donor portal). */
  publicUrl: string | null = null,
) {
  const verified = provider.verify(rawBody, headers);
  // What the payload left out (a Stripe invoice's PaymentIntent), asked of the processor before applying.
  const event = provider.completeEvent ? await provider.completeEvent(verified) : verified;
  return applyProviderEvent(db, mail, provider.name, event, publicUrl);
}

export type EventOutcome =
  | 'duplicate'
  | 'settled'
  | 'failed'
  | 'refunded'
  | 'deferred'
  | 'ignored'
  /** A processor ended a monthly gift's subscription. */
  | 'ended';

/**
 * Applies a verified event exactly once (a unique index on provider + event id), with the gift row locked:
 * a settlement of a settled gift changes nothing; a refund that arrives before its settlement is kept as
 * `deferred` and applied by the settlement; refunds carry the cumulative refunded amount, so their order
 * does not matter either.
 */
export async function applyProviderEvent(
  db: Db,
  mail: Mailer,
  provider: string,
  event: ProviderEvent,
  publicUrl: string | null = null,
): Promise<{ outcome: EventOutcome }> {
  const outcome = await db.transaction(async (tx): Promise<EventOutcome> => {
    let giftId = event.giftId;
    const paymentRef = event.paymentRef ?? null;
    // Events naming one payment take turns: a refund that names only the payment and its settlement arriving
    // together must not miss each other (the refund deferred after the settlement looked for deferred ones).
    if (paymentRef)
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${provider}:${paymentRef}`}))`);
    if (!giftId && paymentRef) {
      // A refund may name only the processor's payment: its settlement recorded which gift that was.
      const [settledEvent] = await tx
        .select({ giftId: providerEvents.giftId })
        .from(providerEvents)
        .where(
          and(
            eq(providerEvents.provider, provider),
            eq(providerEvents.paymentRef, paymentRef),
            eq(providerEvents.kind, 'settled'),
          ),
        )
        .limit(1);
      giftId = settledEvent?.giftId ?? null;
    }
    // A monthly charge the processor made by itself has no gift yet: one per charge (recurring.hook.ts).
    if (!giftId && event.charge) giftId = await giftForProcessorCharge(tx, provider, event);
    const [recorded] = await tx
      .insert(providerEvents)
      .values({
        id: crypto.randomUUID(),
        provider,
        eventId: event.id,
        giftId,
        paymentRef,
        kind: event.kind,
        amountMinor: event.amountMinor,
        // Applied unless marked otherwise below: the usual outcome costs no second statement.
        state: 'applied',
        appliedAt: new Date(),
      })
      .onConflictDoNothing({ target: [providerEvents.provider, providerEvents.eventId] })
      .returning({ id: providerEvents.id });
    if (!recorded) return 'duplicate';
    // What the gift's monthly gift, if any, is told of its outcome (recurring.hook.ts).
    const charge = { tx, mail, provider, event, publicUrl };
    const mark = (state: 'applied' | 'deferred' | 'ignored') =>
      tx
        .update(providerEvents)
        .set({ state, appliedAt: state === 'applied' ? new Date() : null })
        .where(eq(providerEvents.id, recorded.id));
    if (!giftId && paymentRef && event.kind === 'refunded') {
      // Its settlement has not arrived yet: kept until it does.
      await mark('deferred');
      return 'deferred';
    }
    if (event.kind === 'ended') {
      const ended = await recurringEndedByProcessor(tx, mail, provider, event, publicUrl);
      await mark(ended ? 'applied' : 'ignored');
      return ended ? 'ended' : 'ignored';
    }
    const gift = giftId && event.kind !== 'ignored' ? await lockGift(tx, giftId) : undefined;
    if (!gift || gift.provider !== provider) {
      await mark('ignored');
      return 'ignored';
    }
    if (event.kind === 'settled') {
      if (gift.status !== 'pending' && gift.status !== 'failed') {
        await mark('ignored');
        return 'ignored';
      }
      if (event.amountMinor !== null && event.amountMinor !== giftTotal(gift)) {
        // The processor charged something else than the gift: leave it for a person to look at.
        await mark('ignored');
        return 'ignored';
      }
      // Everything but the settlement itself first, so the fund balance's lock is held only to the commit:
      // the monthly gift hears of the settlement before its writes.
      await onGiftOutcome(charge, gift, 'settled');
      const deferred = await tx
        .select()
        .from(providerEvents)
        .where(
          and(
            eq(providerEvents.provider, provider),
            eq(providerEvents.state, 'deferred'),
            paymentRef
              ? or(eq(providerEvents.giftId, gift.id), eq(providerEvents.paymentRef, paymentRef))
              : eq(providerEvents.giftId, gift.id),
          ),
        );
      await settleLocked(tx, mail, gift, null);
      const refundedTotal = Math.max(0, ...deferred.map((d) => d.amountMinor ?? 0));
      if (deferred.length) {
        const settled = await lockGift(tx, gift.id);
        if (settled) {
          await refundLockedTo(tx, settled, refundedTotal, null);
          await onGiftOutcome(charge, settled, 'refunded');
        }
        await tx
          .update(providerEvents)
          .set({ state: 'applied', appliedAt: new Date() })
          .where(
            inArray(
              providerEvents.id,
              deferred.map((d) => d.id),
            ),
          );
      }
      return 'settled';
    }
    if (event.kind === 'failed') {
      if (gift.status !== 'pending') {
        // A processor's own retry of a failed monthly charge failed again: the donor hears of each try.
        if (gift.status === 'failed') await onGiftOutcome(charge, gift, 'failed');
        await mark('ignored');
        return 'ignored';
      }
      await tx.update(gifts).set({ status: 'failed', updatedAt: new Date() }).where(eq(gifts.id, gift.id));
      await onGiftOutcome(charge, gift, 'failed');
      return 'failed';
    }
    // refunded
    if (gift.status === 'pending' || gift.status === 'failed') {
      await mark('deferred');
      return 'deferred';
    }
    await refundLockedTo(tx, gift, event.amountMinor ?? giftTotal(gift), null);
    await onGiftOutcome(charge, gift, 'refunded');
    return 'refunded';
  });
  mail.deliverSoon();
  return { outcome };
}
