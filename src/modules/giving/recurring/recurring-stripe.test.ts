import { asc, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, nextTestAddress, signInActor } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, StripeProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { gifts, recurringGifts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';

const WHSEC = 'whsec_test_passage_monthly';

interface StripeCall {
  method: string;
  path: string;
  params: URLSearchParams;
}

describeEachDatabase('monthly giving through Stripe subscriptions', (getDb) => {
  let t: TestApp;
  let db: Db;
  let sandbox: SandboxProvider;
  let stripe: Stripe;
  const stripeCalls: StripeCall[] = [];
  let n = 0;
  const email = (what: string) => `${what}-${++n}-${Math.random().toString(36).slice(2, 8)}@example.org`;

  /** Only Stripe's network is replaced: the real client builds, sends and reads every request. */
  const stripeNetwork = async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const method = init?.method ?? 'GET';
    const params = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    stripeCalls.push({ method, path: u.pathname, params });
    const json = (o: object) =>
      new Response(JSON.stringify(o), {
        status: 200,
        headers: { 'content-type': 'application/json', 'request-id': 'req_test' },
      });
    if (u.pathname === '/v1/checkout/sessions') {
      const ref = params.get('client_reference_id');
      return json({
        id: `cs_test_${ref}`,
        object: 'checkout.session',
        url: `https://checkout.stripe.com/c/pay/cs_test_${ref}`,
      });
    }
    // Which PaymentIntent paid an invoice whose event left it out: none here (refunds are tested in
    // donations/stripe-monthly-refunds.test.ts).
    if (u.pathname === '/v1/invoice_payments')
      return json({ object: 'list', data: [], has_more: false, url: '/v1/invoice_payments' });
    const sub = /^\/v1\/subscriptions\/(\w+)$/.exec(u.pathname);
    if (sub)
      return json({
        id: sub[1],
        object: 'subscription',
        status: method === 'DELETE' ? 'canceled' : 'active',
        items: {
          object: 'list',
          data: [
            { id: 'si_test', object: 'subscription_item', price: { currency: 'krw', product: 'prod_test' } },
          ],
        },
      });
    return new Response(JSON.stringify({ error: { message: `not stubbed: ${u.pathname}` } }), {
      status: 404,
    });
  };

  const donation = (overrides: Record<string, unknown> = {}) =>
    DonationInput.parse({
      frequency: 'monthly',
      amountMinor: 50_000,
      currency: 'KRW',
      fund: 'rescue-fund',
      donor: { email: email('monthly'), firstName: 'Mina' },
      testCard: '4242 4242 4242 4242',
      ...overrides,
    });
  const scheduleOf = async (giftId: string) => {
    const [gift] = await db.select().from(gifts).where(eq(gifts.id, giftId));
    const [row] = await db
      .select()
      .from(recurringGifts)
      .where(eq(recurringGifts.id, gift?.recurringGiftId ?? ''));
    if (!row) throw new Error('no monthly gift');
    return row;
  };
  const reload = async (id: string) => {
    const [row] = await db.select().from(recurringGifts).where(eq(recurringGifts.id, id));
    if (!row) throw new Error('no monthly gift');
    return row;
  };
  const chargesOf = (id: string) =>
    db.select().from(gifts).where(eq(gifts.recurringGiftId, id)).orderBy(asc(gifts.createdAt));
  const mailsTo = (to: string) =>
    db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, to)).orderBy(asc(mailOutbox.createdAt));
  const supporterSession = async (address: string) => {
    const account = await createAccount(t.ctx, { role: 'supporter', email: address });
    return signInActor(t.app, account, nextTestAddress());
  };
  const call = (cookie: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { cookie },
      remoteAddress: '203.0.113.9',
      ...(method === 'POST' ? { payload: payload ?? {} } : {}),
    });

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    sandbox = new SandboxProvider();
    stripe = new Stripe('sk_test_passage_offline', {
      httpClient: Stripe.createFetchHttpClient(stripeNetwork as typeof fetch),
      maxNetworkRetries: 0,
      telemetry: false,
    });
    useProviders(t.ctx, { sandbox, stripe: new StripeProvider(stripe, WHSEC) });
    await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true });
    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  }, 90_000);
  afterAll(async () => t?.close());

  describe('Stripe subscriptions', () => {
    const signed = (payload: object) => {
      const body = JSON.stringify(payload);
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC }),
        },
      };
    };
    const send = async (payload: object) => {
      const { body, headers } = signed(payload);
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/giving/webhooks/stripe',
        payload: body,
        headers,
      });
      if (r.statusCode !== 200) console.error(t.logs.slice(-5).join('\n'));
      expect(r.statusCode).toBe(200);
      return r.json().outcome as string;
    };
    const invoice = (
      id: string,
      type: 'invoice.paid' | 'invoice.payment_failed',
      inv: { invoice: string; reason: string; amount?: number; next?: number | null; subscription?: string },
      meta: { recurring_gift_id: string; gift_id: string },
    ) => ({
      id,
      object: 'event',
      type,
      data: {
        object: {
          object: 'invoice',
          id: inv.invoice,
          billing_reason: inv.reason,
          amount_paid: type === 'invoice.paid' ? (inv.amount ?? 50_000) : 0,
          attempt_count: 1,
          next_payment_attempt: inv.next ?? null,
          parent: {
            type: 'subscription_details',
            subscription_details: { subscription: inv.subscription ?? 'sub_monthly_1', metadata: meta },
          },
        },
      },
    });

    it('subscribes through Checkout, and replayed or out-of-order invoice events leave one gift per invoice', async () => {
      const address = email('stripe');
      stripeCalls.length = 0;
      const started = await startDonation(
        db,
        t.ctx.mail,
        new StripeProvider(stripe, WHSEC),
        donation({ provider: 'stripe', testCard: undefined, donor: { email: address, firstName: 'Seo' } }),
        t.ctx.config.publicUrl,
      );
      expect(started.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
      const session = stripeCalls.find((c) => c.path === '/v1/checkout/sessions');
      expect(session?.params.get('mode')).toBe('subscription');
      expect(session?.params.get('line_items[0][price_data][recurring][interval]')).toBe('month');
      expect(session?.params.get('line_items[0][price_data][unit_amount]')).toBe('50000');
      expect(session?.params.get('line_items[0][price_data][currency]')).toBe('krw');
      const schedule = await scheduleOf(started.giftId);
      expect(session?.params.get('subscription_data[metadata][recurring_gift_id]')).toBe(schedule.id);
      expect(schedule.status).toBe('pending');
      const meta = { recurring_gift_id: schedule.id, gift_id: started.giftId };

      // The first invoice may come before Checkout's own event: both settle the same first gift, once.
      const firstInvoice = invoice(
        'evt_in_1',
        'invoice.paid',
        { invoice: 'in_1', reason: 'subscription_create' },
        meta,
      );
      expect(await send(firstInvoice)).toBe('settled');
      expect(
        await send({
          id: 'evt_cs_1',
          object: 'event',
          type: 'checkout.session.completed',
          data: {
            object: {
              object: 'checkout.session',
              mode: 'subscription',
              payment_status: 'paid',
              amount_total: 50_000,
              client_reference_id: started.giftId,
              subscription: 'sub_monthly_1',
              metadata: meta,
            },
          },
        }),
      ).toBe('ignored');
      let row = await reload(schedule.id);
      expect([row.status, row.providerRef]).toEqual(['active', 'sub_monthly_1']);

      // Month two: the failure arrives, then the paid invoice, then both again (replays), then a paid
      // duplicate under another event id: one settled gift for in_2, one dunning mail.
      const failed = invoice(
        'evt_in_2_failed',
        'invoice.payment_failed',
        { invoice: 'in_2', reason: 'subscription_cycle', next: Math.floor(Date.now() / 1000) + 3 * 86_400 },
        meta,
      );
      const paid = invoice(
        'evt_in_2_paid',
        'invoice.paid',
        { invoice: 'in_2', reason: 'subscription_cycle' },
        meta,
      );
      expect(await send(failed)).toBe('failed');
      row = await reload(schedule.id);
      expect([row.status, row.failedAttempts]).toEqual(['active', 1]);
      expect(await send(paid)).toBe('settled');
      expect(await send(paid)).toBe('duplicate');
      expect(await send(failed)).toBe('duplicate');
      expect(await send({ ...paid, id: 'evt_in_2_paid_again' })).toBe('ignored');
      expect((await reload(schedule.id)).failedAttempts).toBe(0);
      // Month three arrives together with its replay.
      const third = invoice(
        'evt_in_3',
        'invoice.paid',
        { invoice: 'in_3', reason: 'subscription_cycle' },
        meta,
      );
      expect((await Promise.all([send(third), send(third)])).sort()).toEqual(['duplicate', 'settled']);

      const charges = await chargesOf(schedule.id);
      expect(charges.map((g) => [g.providerRef, g.status])).toEqual([
        [`cs_test_${started.giftId}`, 'settled'],
        ['in_2', 'settled'],
        ['in_3', 'settled'],
      ]);
      const mails = await mailsTo(address);
      expect(mails.filter((m) => m.subject.includes('Your receipt'))).toHaveLength(3);
      expect(mails.filter((m) => m.subject.includes('could not be collected'))).toHaveLength(1);
      expect((await checkLedger(db)).problems).toEqual([]);

      // The donor pauses, resumes and cancels from the portal: each through Stripe's subscriptions API.
      const cookie = await supporterSession(address);
      stripeCalls.length = 0;
      expect((await call(cookie, 'POST', `/api/giving/me/monthly/${schedule.id}/pause`)).json().status).toBe(
        'paused',
      );
      expect(stripeCalls.map((c) => [c.method, c.path, c.params.get('pause_collection[behavior]')])).toEqual([
        ['POST', '/v1/subscriptions/sub_monthly_1', 'void'],
      ]);
      await call(cookie, 'POST', `/api/giving/me/monthly/${schedule.id}/resume`);
      expect(stripeCalls[1]?.params.get('pause_collection')).toBe('');
      await call(cookie, 'POST', `/api/giving/me/monthly/${schedule.id}/amount`, { amountMinor: 70_000 });
      expect(stripeCalls.at(-1)?.params.get('items[0][price_data][unit_amount]')).toBe('70000');
      expect(stripeCalls.at(-1)?.params.get('proration_behavior')).toBe('none');
      await call(cookie, 'POST', `/api/giving/me/monthly/${schedule.id}/cancel`);
      expect(stripeCalls.at(-1)).toMatchObject({ method: 'DELETE', path: '/v1/subscriptions/sub_monthly_1' });
      // Stripe's confirmation of our own cancellation changes nothing more.
      const deleted = {
        id: 'evt_sub_deleted',
        object: 'event',
        type: 'customer.subscription.deleted',
        data: {
          object: {
            object: 'subscription',
            id: 'sub_monthly_1',
            metadata: meta,
            cancellation_details: { reason: 'cancellation_requested' },
          },
        },
      };
      expect(await send(deleted)).toBe('ignored');
      expect((await reload(schedule.id)).status).toBe('cancelled');
    });

    it('lapses a subscription Stripe ended after failed payments, and tells the donor', async () => {
      const address = email('stripe-lapse');
      const started = await startDonation(
        db,
        t.ctx.mail,
        new StripeProvider(stripe, WHSEC),
        donation({ provider: 'stripe', testCard: undefined, donor: { email: address, firstName: 'Lee' } }),
        t.ctx.config.publicUrl,
      );
      const schedule = await scheduleOf(started.giftId);
      const meta = { recurring_gift_id: schedule.id, gift_id: started.giftId };
      await send(
        invoice(
          'evt_l_1',
          'invoice.paid',
          { invoice: 'in_l_1', reason: 'subscription_create', subscription: 'sub_monthly_2' },
          meta,
        ),
      );
      await send(
        invoice(
          'evt_l_2',
          'invoice.payment_failed',
          { invoice: 'in_l_2', reason: 'subscription_cycle', subscription: 'sub_monthly_2' },
          meta,
        ),
      );
      // Stripe's own retry of the same invoice fails again: one more mail, still one gift.
      await send(
        invoice(
          'evt_l_3',
          'invoice.payment_failed',
          { invoice: 'in_l_2', reason: 'subscription_cycle', subscription: 'sub_monthly_2' },
          meta,
        ),
      );
      expect((await reload(schedule.id)).failedAttempts).toBe(2);
      const outcome = await send({
        id: 'evt_l_deleted',
        object: 'event',
        type: 'customer.subscription.deleted',
        data: {
          object: {
            object: 'subscription',
            id: 'sub_monthly_2',
            metadata: meta,
            cancellation_details: { reason: 'payment_failed' },
          },
        },
      });
      expect(outcome).toBe('ended');
      expect((await reload(schedule.id)).status).toBe('lapsed');
      const subjects = (await mailsTo(address)).map((m) => m.subject);
      expect(subjects.filter((s) => s.includes('could not be collected'))).toHaveLength(2);
      expect(subjects.at(-1)).toBe('Your monthly gift of ₩50,000 has stopped');
      expect((await chargesOf(schedule.id)).map((g) => g.status)).toEqual(['settled', 'failed']);
    });
  });
});
