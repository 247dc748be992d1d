import { asc, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { gifts, ledgerEntries, providerEvents, recurringGifts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';
import { startDonation } from './donation.service';
import { StripeProvider, useProviders } from './payment-provider';

/*
 * Refunds of Stripe monthly charges. `charge.refunded` names only the PaymentIntent; an invoice's settlement
 * records that PaymentIntent (from the payload, in either API shape, or asked of Stripe's InvoicePayments
 * API when the payload leaves it out), so the refund finds its gift in whichever order the two arrive.
 */

const WHSEC = 'whsec_test_passage_monthly_refunds';

describeEachDatabase('refunds of Stripe monthly charges', (getDb) => {
  let t: TestApp;
  let db: Db;
  let stripe: Stripe;
  /** Stripe's InvoicePayments, as its API would list them: invoice id -> PaymentIntent id. */
  const paidBy = new Map<string, string>();
  /** Invoices whose InvoicePayments Stripe fails to list (once each). */
  const failOnce = new Set<string>();
  const lookups: string[] = [];
  let n = 0;

  const stripeNetwork = async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const params = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    const json = (o: object, status = 200) =>
      new Response(JSON.stringify(o), {
        status,
        headers: { 'content-type': 'application/json', 'request-id': 'req_test' },
      });
    if (u.pathname === '/v1/checkout/sessions') {
      const ref = params.get('client_reference_id');
      return json({
        id: `cs_r_${ref}`,
        object: 'checkout.session',
        url: `https://checkout.stripe.com/c/${ref}`,
      });
    }
    if (u.pathname === '/v1/invoice_payments') {
      const invoice = u.searchParams.get('invoice') ?? '';
      lookups.push(`${invoice}:${u.searchParams.get('status')}`);
      if (failOnce.delete(invoice)) return json({ error: { type: 'api_error', message: 'try again' } }, 500);
      const pi = paidBy.get(invoice);
      return json({
        object: 'list',
        has_more: false,
        url: '/v1/invoice_payments',
        data: pi
          ? [
              {
                id: `inpay_${invoice}`,
                object: 'invoice_payment',
                invoice,
                is_default: true,
                status: 'paid',
                payment: { type: 'payment_intent', payment_intent: pi },
              },
            ]
          : [],
      });
    }
    return json({ error: { message: `not stubbed: ${u.pathname}` } }, 404);
  };

  const deliver = (payload: object) => {
    const body = JSON.stringify(payload);
    return t.app.inject({
      method: 'POST',
      url: '/api/giving/webhooks/stripe',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC }),
      },
    });
  };
  const send = async (payload: object) => {
    const r = await deliver(payload);
    expect(r.statusCode).toBe(200);
    return r.json().outcome as string;
  };

  /** A monthly gift through Stripe Checkout whose first invoice has settled; `invoicePaid` makes later ones. */
  async function subscribed() {
    const k = ++n;
    const started = await startDonation(
      db,
      t.ctx.mail,
      new StripeProvider(stripe, WHSEC),
      DonationInput.parse({
        provider: 'stripe',
        frequency: 'monthly',
        amountMinor: 50_000,
        currency: 'KRW',
        fund: 'rescue-fund',
        donor: {
          email: `refund-${k}-${Math.random().toString(36).slice(2, 8)}@example.org`,
          firstName: 'Jun',
        },
      }),
      t.ctx.config.publicUrl,
    );
    const [gift] = await db.select().from(gifts).where(eq(gifts.id, started.giftId));
    const recurringGiftId = gift?.recurringGiftId ?? '';
    const meta = { recurring_gift_id: recurringGiftId, gift_id: started.giftId };
    /** An `invoice.paid` event; `payment` says where (or whether) the payload names the PaymentIntent. */
    const invoicePaid = (
      month: number,
      payment: { old?: string; listed?: string } = {},
      eventId = `evt_${k}_paid_${month}`,
    ) => ({
      id: eventId,
      object: 'event',
      type: 'invoice.paid',
      data: {
        object: {
          object: 'invoice',
          id: `in_${k}_${month}`,
          billing_reason: month === 1 ? 'subscription_create' : 'subscription_cycle',
          amount_paid: 50_000,
          // Before API version 2025-03-31: the invoice names its PaymentIntent.
          ...(payment.old ? { payment_intent: payment.old } : {}),
          // Since: its payments, when the payload includes them (a failed attempt may come first).
          ...(payment.listed
            ? {
                payments: {
                  object: 'list',
                  data: [
                    {
                      object: 'invoice_payment',
                      status: 'canceled',
                      is_default: false,
                      payment: { type: 'payment_intent', payment_intent: `${payment.listed}_declined` },
                    },
                    {
                      object: 'invoice_payment',
                      status: 'paid',
                      is_default: true,
                      payment: { type: 'payment_intent', payment_intent: payment.listed },
                    },
                  ],
                },
              }
            : {}),
          parent: {
            type: 'subscription_details',
            subscription_details: { subscription: `sub_r_${k}`, metadata: meta },
          },
        },
      },
    });
    expect(await send(invoicePaid(1, { old: `pi_${k}_1` }))).toBe('settled');
    return { k, firstGiftId: started.giftId, recurringGiftId, invoicePaid };
  }

  /** Stripe's `charge.refunded`: the charge names its PaymentIntent, nothing of ours. */
  const chargeRefunded = (id: string, paymentIntent: string, amountRefunded: number) => ({
    id,
    object: 'event',
    type: 'charge.refunded',
    data: {
      object: {
        object: 'charge',
        id: `ch_${paymentIntent}`,
        payment_intent: paymentIntent,
        amount_refunded: amountRefunded,
        metadata: {},
      },
    },
  });

  const chargeFor = async (recurringGiftId: string, invoice: string) => {
    const [row] = await db
      .select()
      .from(gifts)
      .where(eq(gifts.providerRef, invoice))
      .orderBy(asc(gifts.createdAt));
    if (!row || row.recurringGiftId !== recurringGiftId) throw new Error(`no gift for ${invoice}`);
    return row;
  };
  const entriesOf = async (giftId: string) =>
    (
      await db
        .select({
          kind: ledgerEntries.kind,
          amountMinor: ledgerEntries.amountMinor,
          groupId: ledgerEntries.groupId,
        })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.giftId, giftId))
        .orderBy(asc(ledgerEntries.createdAt))
    ).map((e) => [e.kind, e.amountMinor]);
  const eventState = async (eventId: string) => {
    const [row] = await db.select().from(providerEvents).where(eq(providerEvents.eventId, eventId));
    return row ? [row.state, row.giftId] : null;
  };

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    stripe = new Stripe('sk_test_passage_offline', {
      httpClient: Stripe.createFetchHttpClient(stripeNetwork as typeof fetch),
      maxNetworkRetries: 0,
      telemetry: false,
    });
    useProviders(t.ctx, { stripe: new StripeProvider(stripe, WHSEC) });
    await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true });
  }, 90_000);
  afterAll(async () => t?.close());

  it('refunds a later monthly charge whose refund names only the PaymentIntent its invoice recorded', async () => {
    const { k, recurringGiftId, invoicePaid } = await subscribed();
    expect(await send(invoicePaid(2, { old: `pi_${k}_2` }))).toBe('settled');
    const second = await chargeFor(recurringGiftId, `in_${k}_2`);
    const refund = chargeRefunded(`evt_${k}_refund_2`, `pi_${k}_2`, 50_000);
    expect(await send(refund)).toBe('refunded');
    expect(await send(refund)).toBe('duplicate');
    const after = await chargeFor(recurringGiftId, `in_${k}_2`);
    expect([after.status, after.refundedMinor]).toEqual(['refunded', 50_000]);
    expect(await entriesOf(second.id)).toEqual([
      ['gift', 50_000],
      ['refund', -50_000],
    ]);
    expect(await eventState(`evt_${k}_refund_2`)).toEqual(['applied', second.id]);
    // The first month's charge (its invoice named its PaymentIntent too) refunds the same way.
    expect(await send(chargeRefunded(`evt_${k}_refund_1`, `pi_${k}_1`, 50_000))).toBe('refunded');
    // The monthly gift itself goes on: a refund is of one month's money.
    const [schedule] = await db.select().from(recurringGifts).where(eq(recurringGifts.id, recurringGiftId));
    expect(schedule?.status).toBe('active');
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('keeps a refund that comes before its invoice’s settlement, and applies it when the invoice settles', async () => {
    const { k, recurringGiftId, invoicePaid } = await subscribed();
    const refund = chargeRefunded(`evt_${k}_early_refund`, `pi_${k}_2`, 50_000);
    expect(await send(refund)).toBe('deferred');
    // This payload lists the invoice's payments (a newer API version, the PaymentIntent that paid).
    expect(await send(invoicePaid(2, { listed: `pi_${k}_2` }))).toBe('settled');
    const second = await chargeFor(recurringGiftId, `in_${k}_2`);
    expect([second.status, second.refundedMinor]).toEqual(['refunded', 50_000]);
    expect(await entriesOf(second.id)).toEqual([
      ['gift', 50_000],
      ['refund', -50_000],
    ]);
    expect((await eventState(`evt_${k}_early_refund`))?.[0]).toBe('applied');
    // One gift for the invoice, refunded once.
    const forInvoice = await db
      .select()
      .from(gifts)
      .where(eq(gifts.providerRef, `in_${k}_2`));
    expect(forInvoice).toHaveLength(1);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('asks Stripe which PaymentIntent paid an invoice whose event leaves it out, in either order', async () => {
    const { k, recurringGiftId, invoicePaid } = await subscribed();
    paidBy.set(`in_${k}_2`, `pi_${k}_2`);
    paidBy.set(`in_${k}_3`, `pi_${k}_3`);
    lookups.length = 0;
    expect(await send(invoicePaid(2))).toBe('settled');
    expect(lookups).toEqual([`in_${k}_2:paid`]);
    // A part, then all of it (Stripe's amount_refunded is cumulative).
    expect(await send(chargeRefunded(`evt_${k}_part`, `pi_${k}_2`, 20_000))).toBe('refunded');
    let second = await chargeFor(recurringGiftId, `in_${k}_2`);
    expect([second.status, second.refundedMinor]).toEqual(['settled', 20_000]);
    expect(await send(chargeRefunded(`evt_${k}_rest`, `pi_${k}_2`, 50_000))).toBe('refunded');
    second = await chargeFor(recurringGiftId, `in_${k}_2`);
    expect([second.status, second.refundedMinor]).toEqual(['refunded', 50_000]);
    expect(await entriesOf(second.id)).toEqual([
      ['gift', 50_000],
      ['refund', -20_000],
      ['refund', -30_000],
    ]);
    // Month three: the refund first, then an invoice.paid without the PaymentIntent.
    expect(await send(chargeRefunded(`evt_${k}_early_3`, `pi_${k}_3`, 50_000))).toBe('deferred');
    expect(await send(invoicePaid(3))).toBe('settled');
    const third = await chargeFor(recurringGiftId, `in_${k}_3`);
    expect([third.status, third.refundedMinor]).toEqual(['refunded', 50_000]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('answers 500 and records nothing when Stripe cannot say which payment paid, then settles on redelivery', async () => {
    const { k, recurringGiftId, invoicePaid } = await subscribed();
    paidBy.set(`in_${k}_2`, `pi_${k}_2`);
    failOnce.add(`in_${k}_2`);
    const event = invoicePaid(2);
    const r = await deliver(event);
    expect(r.statusCode).toBe(500);
    expect(await eventState(`evt_${k}_paid_2`)).toBeNull();
    expect(
      await db
        .select()
        .from(gifts)
        .where(eq(gifts.providerRef, `in_${k}_2`)),
    ).toEqual([]);
    // Stripe sends the event again: now it settles, with the reference its refund will need.
    expect(await send(event)).toBe('settled');
    expect(await send(chargeRefunded(`evt_${k}_refund`, `pi_${k}_2`, 50_000))).toBe('refunded');
    expect((await chargeFor(recurringGiftId, `in_${k}_2`)).status).toBe('refunded');
    // An invoice Stripe paid with no PaymentIntent (the customer's credit balance) settles without one.
    expect(await send(invoicePaid(3))).toBe('settled');
    expect((await checkLedger(db)).problems).toEqual([]);
  });
});
