import { and, asc, count, eq, sql } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, nextTestAddress, signInActor } from '../../../../test/harness/actors';
import { signInAsAdministrator, startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { supporterConsents } from '../../people/people.table';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, StripeProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { gifts, recurringGifts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';
import {
  chargeDayFor,
  LAPSE_AFTER_FAILURES,
  nextChargeDay,
  periodStart,
  RETRY_DELAYS_DAYS,
  retryAt,
} from './recurring.schedule';
import { chargeDueRecurringGifts } from './recurring.service';

const WHSEC = 'whsec_test_passage_monthly';
const DAY = 24 * 60 * 60 * 1000;

describe('monthly schedule arithmetic', () => {
  it('charges on today’s day of the month, clamped to the 28th so every month has it', () => {
    expect(chargeDayFor(new Date('2026-03-15T18:00:00Z'))).toBe(15);
    expect(chargeDayFor(new Date('2026-01-31T10:00:00Z'))).toBe(28);
    expect(nextChargeDay(28, new Date('2026-01-31T10:00:00Z')).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
    expect(nextChargeDay(15, new Date('2026-12-15T00:05:00Z')).toISOString()).toBe(
      '2027-01-15T00:00:00.000Z',
    );
  });

  it('keeps a retried charge on its schedule: the next charge is the month after its period', () => {
    // Due 28 March, retried 31 March and 7 April: the April charge is still on the 28th.
    expect(periodStart(28, new Date('2026-04-07T00:10:00Z')).toISOString()).toBe('2026-03-28T00:00:00.000Z');
    expect(nextChargeDay(28, new Date('2026-04-07T00:10:00Z')).toISOString()).toBe(
      '2026-04-28T00:00:00.000Z',
    );
    // Resuming on the 10th of a gift that charges on the 15th: this month's charge still comes.
    expect(nextChargeDay(15, new Date('2026-05-10T12:00:00Z')).toISOString()).toBe(
      '2026-05-15T00:00:00.000Z',
    );
  });

  it('retries after 3 days, then 7, then lapses; the retries fit inside the shortest month', () => {
    const failed = new Date('2026-03-01T00:05:00Z');
    expect(retryAt(1, failed)?.toISOString()).toBe('2026-03-04T00:05:00.000Z');
    expect(retryAt(2, failed)?.toISOString()).toBe('2026-03-08T00:05:00.000Z');
    expect(retryAt(3, failed)).toBeNull();
    expect(LAPSE_AFTER_FAILURES).toBe(3);
    expect(RETRY_DELAYS_DAYS.reduce((a, b) => a + b, 0)).toBeLessThan(28);
  });
});

interface StripeCall {
  method: string;
  path: string;
  params: URLSearchParams;
}

describeEachDatabase('monthly giving and the donor portal', (getDb) => {
  let t: TestApp;
  let db: Db;
  let sandbox: SandboxProvider;
  let stripe: Stripe;
  let staffCookie: string;
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
    // stripe-monthly-refunds.test.ts).
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
  const give = (overrides: Record<string, unknown> = {}) =>
    startDonation(db, t.ctx.mail, sandbox, donation(overrides), t.ctx.config.publicUrl);
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
  /** Time passes the schedule's way: its next charge becomes due a minute ago. */
  const makeDue = (id: string) =>
    db
      .update(recurringGifts)
      .set({ nextChargeAt: new Date(Date.now() - 60_000) })
      .where(eq(recurringGifts.id, id));
  const charge = () => chargeDueRecurringGifts(db, t.ctx.mail, { sandbox }, t.ctx.config.publicUrl);
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
    ({ cookie: staffCookie } = await signInAsAdministrator(t));
  }, 90_000);
  afterAll(async () => t?.close());

  it('starts a monthly gift: its first charge settles it, active from today’s day with the next charge a month on', async () => {
    const before = new Date();
    const result = await give();
    expect(result.status).toBe('settled');
    const schedule = await scheduleOf(result.giftId);
    const day = Math.min(before.getUTCDate(), 28);
    expect(schedule).toMatchObject({
      status: 'active',
      dayOfMonth: day,
      amountMinor: 50_000,
      currency: 'KRW',
      provider: 'sandbox',
      failedAttempts: 0,
    });
    expect(schedule.providerRef).toMatch(/^sandbox_pm_4242_[0-9a-f]+$/);
    expect(schedule.nextChargeAt?.toISOString()).toBe(
      new Date(Date.UTC(before.getUTCFullYear(), before.getUTCMonth() + 1, day)).toISOString(),
    );
    const charges = await chargesOf(schedule.id);
    expect(charges.map((g) => g.status)).toEqual(['settled']);
    // Nothing is due yet: the job charges nothing.
    expect((await charge()).charged).toBe(0);
  });

  it('lets the first charge’s refusal end the monthly gift before it starts, with no dunning', async () => {
    const address = email('declined');
    const result = await give({
      donor: { email: address, firstName: 'Dee' },
      testCard: '4000 0000 0000 0002',
    });
    expect(result.status).toBe('failed');
    const schedule = await scheduleOf(result.giftId);
    expect([schedule.status, schedule.nextChargeAt]).toEqual(['lapsed', null]);
    expect(await mailsTo(address)).toEqual([]);
  });

  it('charges a due monthly gift exactly once even when the job runs twice at the same time', async () => {
    const address = email('twice');
    const result = await give({ donor: { email: address, firstName: 'Tae' } });
    const schedule = await scheduleOf(result.giftId);
    await makeDue(schedule.id);
    const runs = await Promise.all([charge(), charge(), charge()]);
    expect(runs.reduce((s, r) => s + r.charged, 0)).toBe(1);
    const charges = await chargesOf(schedule.id);
    expect(charges.map((g) => [g.status, g.amountMinor, g.currency])).toEqual([
      ['settled', 50_000, 'KRW'],
      ['settled', 50_000, 'KRW'],
    ]);
    const after = await reload(schedule.id);
    expect(after.status).toBe('active');
    expect(after.nextChargeAt?.getTime()).toBeGreaterThan(Date.now() + 14 * DAY);
    // Two receipts: one per settled charge, each through the outbox.
    expect((await mailsTo(address)).filter((m) => m.subject.includes('Your receipt'))).toHaveLength(2);
    expect((await charge()).charged).toBe(0);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('retries a declined charge after 3 days and then 7 with a dunning mail each time, then lapses with a last mail', async () => {
    const address = email('dunning');
    const result = await give({
      donor: { email: address, firstName: 'Jun' },
      testCard: '4000 0000 0000 0341',
    });
    expect(result.status).toBe('settled');
    const schedule = await scheduleOf(result.giftId);
    expect(schedule.providerRef).toMatch(/^sandbox_pm_0341_/);
    const dunning = async () => (await mailsTo(address)).filter((m) => !m.subject.includes('Your receipt'));

    await makeDue(schedule.id);
    let started = Date.now();
    expect(await charge()).toMatchObject({ charged: 1, failed: 1 });
    let row = await reload(schedule.id);
    expect([row.status, row.failedAttempts]).toEqual(['active', 1]);
    expect(row.nextChargeAt?.getTime()).toBeGreaterThanOrEqual(started + 3 * DAY);
    expect(row.nextChargeAt?.getTime()).toBeLessThan(Date.now() + 3 * DAY + 1000);
    let mails = await dunning();
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe('Your monthly gift of ₩50,000 could not be collected');
    expect(mails[0]?.textBody).toContain(`${t.ctx.config.publicUrl}/my`);
    expect(mails[0]?.textBody).toContain(
      `We will try again on ${row.nextChargeAt?.toISOString().slice(0, 10)}`,
    );
    expect(mails[0]?.textBody).not.toMatch(/\d{4} ?\d{4} ?\d{4}/);

    await makeDue(schedule.id);
    started = Date.now();
    expect(await charge()).toMatchObject({ charged: 1, failed: 1 });
    row = await reload(schedule.id);
    expect([row.status, row.failedAttempts]).toEqual(['active', 2]);
    expect(row.nextChargeAt?.getTime()).toBeGreaterThanOrEqual(started + 7 * DAY);
    expect(row.nextChargeAt?.getTime()).toBeLessThan(Date.now() + 7 * DAY + 1000);
    expect(await dunning()).toHaveLength(2);

    await makeDue(schedule.id);
    expect(await charge()).toMatchObject({ charged: 1, failed: 1 });
    row = await reload(schedule.id);
    expect([row.status, row.failedAttempts, row.nextChargeAt]).toEqual(['lapsed', 3, null]);
    mails = await dunning();
    expect(mails.map((m) => m.subject)).toEqual([
      'Your monthly gift of ₩50,000 could not be collected',
      'Your monthly gift of ₩50,000 could not be collected',
      'Your monthly gift of ₩50,000 has stopped',
    ]);
    // A lapsed gift is never charged again; its failed charges never reached the ledger.
    await makeDue(schedule.id);
    expect((await charge()).charged).toBe(0);
    expect((await chargesOf(schedule.id)).map((g) => g.status)).toEqual([
      'settled',
      'failed',
      'failed',
      'failed',
    ]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('forgets earlier failures when a charge settles', async () => {
    const result = await give();
    const schedule = await scheduleOf(result.giftId);
    await db
      .update(recurringGifts)
      .set({ failedAttempts: 2, lastFailureAt: new Date() })
      .where(eq(recurringGifts.id, schedule.id));
    await makeDue(schedule.id);
    expect(await charge()).toMatchObject({ charged: 1, settled: 1 });
    expect((await reload(schedule.id)).failedAttempts).toBe(0);
  });

  it('lets the donor pause, resume and cancel from the portal: each again changes nothing, and a 409 says why', async () => {
    const address = email('portal');
    const result = await give({ donor: { email: address, firstName: 'Ara' } });
    const schedule = await scheduleOf(result.giftId);
    const cookie = await supporterSession(address);
    const url = (what: string) => `/api/giving/me/monthly/${schedule.id}/${what}`;

    const listed = await call(cookie, 'GET', '/api/giving/me/monthly');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().monthlyGifts).toEqual([
      expect.objectContaining({
        id: schedule.id,
        status: 'active',
        amountMinor: 50_000,
        currency: 'KRW',
        fundName: 'Rescue fund — 100% to rescues',
        can: { pause: true, resume: false, cancel: true, changeAmount: true },
      }),
    ]);

    const paused = await call(cookie, 'POST', url('pause'));
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', nextChargeAt: null });
    expect((await call(cookie, 'POST', url('pause'))).json()).toMatchObject({ status: 'paused' });
    // A paused gift is not charged, even when its old date comes.
    await db
      .update(recurringGifts)
      .set({ nextChargeAt: new Date(Date.now() - 60_000) })
      .where(eq(recurringGifts.id, schedule.id));
    expect((await charge()).charged).toBe(0);

    const resumed = await call(cookie, 'POST', url('resume'));
    expect(resumed.json()).toMatchObject({ status: 'active', pausedAt: null });
    expect(new Date(resumed.json().nextChargeAt).getTime()).toBeGreaterThan(Date.now());
    expect((await call(cookie, 'POST', url('resume'))).statusCode).toBe(200);

    const changed = await call(cookie, 'POST', url('amount'), { amountMinor: 30_000 });
    expect(changed.json()).toMatchObject({ amountMinor: 30_000, status: 'active' });
    const zero = await call(cookie, 'POST', url('amount'), { amountMinor: 0 });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toContain('amountMinor');

    expect((await call(cookie, 'POST', url('cancel'))).json()).toMatchObject({
      status: 'cancelled',
      cancelledBy: 'donor',
      can: { pause: false, resume: false, cancel: false, changeAmount: false },
    });
    expect((await call(cookie, 'POST', url('cancel'))).statusCode).toBe(200);
    for (const [what, body] of [
      ['resume', undefined],
      ['pause', undefined],
      ['amount', { amountMinor: 10_000 }],
    ] as const) {
      const refused = await call(cookie, 'POST', url(what), body);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toBe('conflict');
      expect(refused.json().message).toMatch(/^This monthly gift is cancelled/);
    }
    // Each change that changed something is in the audit log, by the monthly gift's id: pause, resume,
    // amount, cancel (the repeats changed nothing and are not).
    const audited = await db.execute(
      sql`select action from audit_log where resource_code = ${schedule.id} order by seq`,
    );
    expect((audited as unknown as { rows: { action: string }[] }).rows.map((r) => r.action)).toEqual([
      'recurring_gift.pause',
      'recurring_gift.resume',
      'recurring_gift.change_amount',
      'recurring_gift.cancel',
    ]);
  });

  it('shows a donor only their own gifts, receipts and monthly gifts; staff cannot read a portal', async () => {
    const mine = email('mine');
    const theirs = email('theirs');
    const own = await give({
      donor: { email: mine, firstName: 'Own' },
      frequency: 'once',
      amountMinor: 10_000,
    });
    const other = await give({ donor: { email: theirs, firstName: 'Other' } });
    const otherSchedule = await scheduleOf(other.giftId);
    const cookie = await supporterSession(mine);

    const list = await call(cookie, 'GET', '/api/giving/me/gifts');
    expect(list.statusCode).toBe(200);
    expect(list.json().gifts).toEqual([
      expect.objectContaining({ id: own.giftId, amountMinor: 10_000, currency: 'KRW', monthly: false }),
    ]);
    expect(list.json().gifts[0].receipt.number).toMatch(/^R-\d{4}-/);
    const pdf = await call(cookie, 'GET', `/api/giving/me/gifts/${own.giftId}/receipt.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

    expect((await call(cookie, 'GET', `/api/giving/me/gifts/${other.giftId}/receipt.pdf`)).statusCode).toBe(
      404,
    );
    expect((await call(cookie, 'GET', '/api/giving/me/monthly')).json().monthlyGifts).toEqual([]);
    for (const what of ['pause', 'cancel', 'resume'])
      expect(
        (await call(cookie, 'POST', `/api/giving/me/monthly/${otherSchedule.id}/${what}`)).statusCode,
      ).toBe(404);
    expect((await reload(otherSchedule.id)).status).toBe('active');

    // A signed-in supporter who never gave: empty, not someone else's.
    const stranger = await supporterSession(email('stranger'));
    expect((await call(stranger, 'GET', '/api/giving/me/gifts')).json()).toEqual({ gifts: [] });
    expect((await call(stranger, 'GET', '/api/giving/me')).json().donor).toBeNull();

    for (const url of [
      '/api/giving/me',
      '/api/giving/me/gifts',
      '/api/giving/me/monthly',
      '/api/giving/me/preferences',
    ]) {
      const r = await call(staffCookie, 'GET', url);
      expect({ url, status: r.statusCode }).toEqual({ url, status: 403 });
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/giving/me/gifts' })).statusCode).toBe(401);
  });

  it('records the donor’s communication preferences as new consent statements, never edits', async () => {
    const address = email('prefs');
    await give({ donor: { email: address, firstName: 'Pia', emailConsent: true }, frequency: 'once' });
    const cookie = await supporterSession(address);
    const read = await call(cookie, 'GET', '/api/giving/me/preferences');
    expect(read.json()).toMatchObject({
      recorded: true,
      preferences: {
        email: { status: 'granted' },
        post: { status: 'unknown' },
        phone: { status: 'unknown' },
      },
    });
    const rows = async () => {
      const [r] = await db
        .select({ n: count() })
        .from(supporterConsents)
        .where(and(eq(supporterConsents.channel, 'email')));
      return r?.n ?? 0;
    };
    const before = await rows();
    const withdrawn = await call(cookie, 'POST', '/api/giving/me/preferences', {
      channel: 'email',
      granted: false,
    });
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().preferences.email).toMatchObject({ status: 'withdrawn', method: 'donor_portal' });
    expect(await rows()).toBe(before + 1);
    await call(cookie, 'POST', '/api/giving/me/preferences', { channel: 'email', granted: false });
    expect(await rows()).toBe(before + 1);
    const bad = await call(cookie, 'POST', '/api/giving/me/preferences', {
      channel: 'pigeon',
      granted: true,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('channel');
    const nobody = await supporterSession(email('nobody'));
    expect(
      (await call(nobody, 'POST', '/api/giving/me/preferences', { channel: 'post', granted: true }))
        .statusCode,
    ).toBe(409);
  });

  it('lets development staff pause and cancel a monthly gift, audited, and list them', async () => {
    const result = await give();
    const schedule = await scheduleOf(result.giftId);
    // The administrator reads but does not change gifts.
    const listed = await call(staffCookie, 'GET', '/api/giving/recurring?status=active');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().recurringGifts.map((r: { id: string }) => r.id)).toContain(schedule.id);
    expect((await call(staffCookie, 'POST', `/api/giving/recurring/${schedule.id}/pause`)).statusCode).toBe(
      403,
    );
    expect((await reload(schedule.id)).status).toBe('active');
    const development = await createAccount(t.ctx, { role: 'development' });
    const devCookie = await signInActor(t.app, development, nextTestAddress());
    const paused = await call(devCookie, 'POST', `/api/giving/recurring/${schedule.id}/pause`);
    expect(paused.json()).toMatchObject({ status: 'paused' });
    const cancelled = await call(devCookie, 'POST', `/api/giving/recurring/${schedule.id}/cancel`);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'staff' });
    expect((await call(devCookie, 'POST', `/api/giving/recurring/${schedule.id}/pause`)).statusCode).toBe(
      409,
    );
    const audited = await db.execute(
      sql`select actor_role, action from audit_log where resource_code = ${schedule.id} order by seq`,
    );
    expect((audited as unknown as { rows: { actor_role: string; action: string }[] }).rows).toEqual([
      { actor_role: 'development', action: 'recurring_gift.pause' },
      { actor_role: 'development', action: 'recurring_gift.cancel' },
    ]);
  });

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
