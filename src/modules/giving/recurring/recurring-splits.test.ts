import { and, asc, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, StripeProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { funds, giftSplits, gifts, ledgerEntries, recurringGifts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';
import { changeMyRecurringAmount, chargeDueRecurringGifts } from './recurring.service';
import { scaleSplits } from './recurring-splits';

const WHSEC = 'whsec_test_passage_monthly_splits';

describe('scaling a monthly gift’s splits to a charge', () => {
  const first = [
    { fundId: 'a', amountMinor: 15_000 },
    { fundId: 'b', amountMinor: 10_000 },
    { fundId: 'c', amountMinor: 5_000 },
  ];
  it('keeps the first charge’s splits for the same amount', () => {
    expect(scaleSplits(first, 30_000)).toEqual(first);
  });
  it('scales with the largest remainder: whole minor units, adding up exactly', () => {
    // 10,001 × (1/2, 1/3, 1/6) = 5000.5, 3333.67, 1666.83: the two largest remainders get the two left over.
    expect(scaleSplits(first, 10_001).map((s) => s.amountMinor)).toEqual([5_000, 3_334, 1_667]);
    expect(scaleSplits(first, 90_000).map((s) => s.amountMinor)).toEqual([45_000, 30_000, 15_000]);
  });
  it('leaves out a fund whose share is nothing', () => {
    expect(scaleSplits(first, 1)).toEqual([{ fundId: 'a', amountMinor: 1 }]);
  });
});

describeEachDatabase('a split monthly gift’s later charges', (getDb) => {
  let t: TestApp;
  let db: Db;
  let sandbox: SandboxProvider;
  let stripe: Stripe;
  const fundId: Record<string, string> = {};
  let n = 0;
  const email = () => `split-${++n}-${Math.random().toString(36).slice(2, 8)}@example.org`;

  const stripeNetwork = async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    const params = new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
    const json = (o: object) =>
      new Response(JSON.stringify(o), {
        status: 200,
        headers: { 'content-type': 'application/json', 'request-id': 'req_test' },
      });
    if (u.pathname === '/v1/checkout/sessions') {
      const ref = params.get('client_reference_id');
      return json({
        id: `cs_split_${ref}`,
        object: 'checkout.session',
        url: `https://checkout.stripe.com/c/${ref}`,
      });
    }
    if (u.pathname === '/v1/invoice_payments')
      return json({ object: 'list', data: [], has_more: false, url: '/v1/invoice_payments' });
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
      coverFees: true,
      splits: [
        { fund: 'rescue-fund', amountMinor: 30_000 },
        { fund: 'most-needed', amountMinor: 20_000 },
      ],
      donor: { email: email(), firstName: 'Hana' },
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
  const chargesOf = (id: string) =>
    db.select().from(gifts).where(eq(gifts.recurringGiftId, id)).orderBy(asc(gifts.createdAt));
  const makeDue = (id: string) =>
    db
      .update(recurringGifts)
      .set({ nextChargeAt: new Date(Date.now() - 60_000) })
      .where(eq(recurringGifts.id, id));
  const charge = () => chargeDueRecurringGifts(db, t.ctx.mail, { sandbox }, t.ctx.config.publicUrl);
  /** What a gift's settlement credited each fund, by fund code. */
  const creditedByFund = async (giftId: string) => {
    const rows = await db
      .select({ fund: funds.code, amountMinor: ledgerEntries.amountMinor })
      .from(ledgerEntries)
      .innerJoin(funds, eq(funds.id, ledgerEntries.fundId))
      .where(and(eq(ledgerEntries.giftId, giftId), eq(ledgerEntries.kind, 'gift')))
      .orderBy(asc(funds.code));
    return rows.map((r) => [r.fund, r.amountMinor]);
  };
  const splitsOf = async (giftId: string) => {
    const rows = await db
      .select({ fund: funds.code, amountMinor: giftSplits.amountMinor })
      .from(giftSplits)
      .innerJoin(funds, eq(funds.id, giftSplits.fundId))
      .where(eq(giftSplits.giftId, giftId))
      .orderBy(asc(funds.code));
    return rows.map((r) => [r.fund, r.amountMinor]);
  };

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
    for (const [code, name, restricted] of [
      ['rescue-fund', 'Rescue fund — 100% to rescues', true],
      ['most-needed', 'Where most needed', false],
      ['education', 'Education', true],
    ] as const)
      fundId[code] = (await insertFund(db, { code, name, restricted })).id;
  }, 90_000);
  afterAll(async () => t?.close());

  it('charges every later month to the same funds in the same amounts, covered fee included', async () => {
    const started = await startDonation(db, t.ctx.mail, sandbox, donation(), t.ctx.config.publicUrl);
    expect(started.status).toBe('settled');
    const schedule = await scheduleOf(started.giftId);
    // ₩50,000 + ₩1,493 covered fee, spread 30:20 over the two funds.
    expect(await creditedByFund(started.giftId)).toEqual([
      ['most-needed', 20_597],
      ['rescue-fund', 30_896],
    ]);
    await makeDue(schedule.id);
    expect((await charge()).settled).toBe(1);
    const [, second] = await chargesOf(schedule.id);
    if (!second) throw new Error('no second charge');
    expect([second.status, second.fundId]).toEqual(['settled', fundId['rescue-fund']]);
    expect(await splitsOf(second.id)).toEqual([
      ['most-needed', 20_597],
      ['rescue-fund', 30_896],
    ]);
    // One entry per fund, in one group.
    expect(await creditedByFund(second.id)).toEqual([
      ['most-needed', 20_597],
      ['rescue-fund', 30_896],
    ]);
    const groups = await db
      .selectDistinct({ groupId: ledgerEntries.groupId })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.giftId, second.id));
    expect(groups).toHaveLength(1);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('scales the splits with the largest remainder once the donor changes the amount', async () => {
    const started = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({
        coverFees: false,
        amountMinor: 30_000,
        fund: undefined,
        splits: [
          { fund: 'education', amountMinor: 15_000 },
          { fund: 'most-needed', amountMinor: 10_000 },
          { fund: 'rescue-fund', amountMinor: 5_000 },
        ],
      }),
      t.ctx.config.publicUrl,
    );
    const schedule = await scheduleOf(started.giftId);
    await changeMyRecurringAmount(db, {}, schedule.supporterId, schedule.id, 10_001, {
      userId: 'donor-split',
      role: 'supporter',
      by: 'donor',
      requestId: null,
    });
    await makeDue(schedule.id);
    expect((await charge()).settled).toBe(1);
    const [first, second] = await chargesOf(schedule.id);
    if (!first || !second) throw new Error('no second charge');
    // The first split's fund is the primary one, month after month.
    expect(second.fundId).toBe(first.fundId);
    expect(second.fundId).toBe(fundId.education);
    // 10,001 in proportion 3:2:1 is 5,000.5, 3,333.67 and 1,666.83: the largest remainders get a won each.
    expect(await creditedByFund(second.id)).toEqual([
      ['education', 5_000],
      ['most-needed', 3_334],
      ['rescue-fund', 1_667],
    ]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('leaves a monthly gift to one fund without splits', async () => {
    const started = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({ splits: undefined, coverFees: false }),
      t.ctx.config.publicUrl,
    );
    const schedule = await scheduleOf(started.giftId);
    await makeDue(schedule.id);
    await charge();
    const [, second] = await chargesOf(schedule.id);
    if (!second) throw new Error('no second charge');
    expect(await splitsOf(second.id)).toEqual([]);
    expect(await creditedByFund(second.id)).toEqual([['rescue-fund', 50_000]]);
  });

  it('splits a Stripe invoice’s charge like the first, scaled to what Stripe charged', async () => {
    const started = await startDonation(
      db,
      t.ctx.mail,
      new StripeProvider(stripe, WHSEC),
      donation({ provider: 'stripe', testCard: undefined }),
      t.ctx.config.publicUrl,
    );
    const schedule = await scheduleOf(started.giftId);
    const meta = { recurring_gift_id: schedule.id, gift_id: started.giftId };
    const send = async (id: string, invoice: string, reason: string, amountPaid: number) => {
      const body = JSON.stringify({
        id,
        object: 'event',
        type: 'invoice.paid',
        data: {
          object: {
            object: 'invoice',
            id: invoice,
            billing_reason: reason,
            amount_paid: amountPaid,
            payment_intent: `pi_${invoice}`,
            parent: {
              type: 'subscription_details',
              subscription_details: { subscription: `sub_${schedule.id}`, metadata: meta },
            },
          },
        },
      });
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/giving/webhooks/stripe',
        payload: body,
        headers: {
          'content-type': 'application/json',
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC }),
        },
      });
      expect(r.statusCode).toBe(200);
      return r.json().outcome;
    };
    expect(await send(`evt_${schedule.id}_1`, `in_${schedule.id}_1`, 'subscription_create', 51_493)).toBe(
      'settled',
    );
    // The next month, at the same amount; then Stripe charges ₩70,000 (the amount was changed at Stripe).
    expect(await send(`evt_${schedule.id}_2`, `in_${schedule.id}_2`, 'subscription_cycle', 51_493)).toBe(
      'settled',
    );
    expect(await send(`evt_${schedule.id}_3`, `in_${schedule.id}_3`, 'subscription_cycle', 70_000)).toBe(
      'settled',
    );
    const [, second, third] = await chargesOf(schedule.id);
    if (!second || !third) throw new Error('no later charges');
    expect(await creditedByFund(second.id)).toEqual([
      ['most-needed', 20_597],
      ['rescue-fund', 30_896],
    ]);
    expect(await creditedByFund(third.id)).toEqual([
      ['most-needed', 28_000],
      ['rescue-fund', 42_000],
    ]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });
});
