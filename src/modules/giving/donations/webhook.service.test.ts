import { and, asc, eq } from 'drizzle-orm';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { fundBalances, gifts, ledgerEntries, providerEvents, receipts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';
import { coveredFee } from '../money';
import { startDonation } from './donation.service';
import { SANDBOX_SIGNATURE_HEADER, SandboxProvider, StripeProvider, useProviders } from './payment-provider';
import { applyProviderEvent } from './webhook.service';

const WHSEC = 'whsec_test_passage';

function donation(overrides: Record<string, unknown> = {}) {
  return DonationInput.parse({
    amountMinor: 10_000,
    currency: 'USD',
    fund: 'rescue-fund',
    donor: {
      email: `donor-${Math.random().toString(36).slice(2)}@example.org`,
      firstName: 'Dana',
      lastName: 'Donor',
    },
    testCard: '4242 4242 4242 4242',
    ...overrides,
  });
}

async function entriesOf(db: Db, giftId: string) {
  return db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.giftId, giftId))
    .orderBy(asc(ledgerEntries.createdAt));
}

async function giftRow(db: Db, id: string) {
  const [row] = await db.select().from(gifts).where(eq(gifts.id, id));
  if (!row) throw new Error('no gift');
  return row;
}

describeEachDatabase('donations and processor events', (getDb) => {
  let t: TestApp;
  let sandbox: SandboxProvider;
  let stripe: Stripe;
  let db: Db;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;

    sandbox = new SandboxProvider();

    stripe = new Stripe('sk_test_passage_offline');
    // Only the processor's network is stubbed; signing and verification are the real package's.
    (stripe.checkout.sessions as unknown as { create: unknown }).create = async (
      params: Stripe.Checkout.SessionCreateParams,
    ) => ({
      id: `cs_test_${params.client_reference_id}`,
      url: `https://checkout.stripe.com/c/pay/cs_test_${params.client_reference_id}`,
    });
    useProviders(t.ctx, { sandbox, stripe: new StripeProvider(stripe, WHSEC) });

    await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true });
    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  }, 90_000);
  afterAll(async () => t?.close());

  const webhook = (provider: string, body: string, headers: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/giving/webhooks/${provider}`,
      payload: body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('settles a sandbox gift only through its verified event: one gift entry, the balance, a receipt', async () => {
    const result = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({ amountMinor: 30_000 }),
      'http://localhost',
    );
    expect(result.status).toBe('settled');
    const entries = await entriesOf(db, result.giftId);
    expect(entries.map((e) => [e.kind, e.amountMinor, e.currency])).toEqual([['gift', 30_000, 'USD']]);
    const [receipt] = await db.select().from(receipts).where(eq(receipts.giftId, result.giftId));
    expect(receipt?.outboxId).toBeTruthy();
    const [mail] = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.id, receipt?.outboxId ?? ''));
    expect(mail?.textBody).toContain('$300.00');
    expect(mail?.textBody).toContain('No goods or services were provided in exchange for this contribution.');
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('records a declined test card as failed, with no entry', async () => {
    const result = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({ testCard: '4000 0000 0000 0002' }),
      'http://localhost',
    );
    expect(result.status).toBe('failed');
    expect(await entriesOf(db, result.giftId)).toEqual([]);
  });

  it('POST /api/giving/donations answers the sandbox result, and 400 with the field for a bad amount', async () => {
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/giving/donations',
      payload: { ...donation(), amountMinor: 2_500 },
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ status: 'settled', checkoutUrl: null });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/giving/donations',
      payload: { ...donation(), amountMinor: 12.5 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('amountMinor');
    expect(bad.json().message).toContain('must be a positive whole number of minor units');
    const card = await t.app.inject({
      method: 'POST',
      url: '/api/giving/donations',
      payload: { ...donation(), testCard: '5555 5555 5555 4444' },
    });
    expect(card.statusCode).toBe(400);
    expect(card.json().message).toContain('testCard');
  });

  it('refuses a forged or replayed sandbox webhook, and applies a duplicate only once', async () => {
    const pending = await startDonation(db, t.ctx.mail, sandbox, donation(), 'http://localhost');
    const forged = new SandboxProvider().event('payment.refunded', pending.giftId, 10_000);
    expect((await webhook('sandbox', forged.body, forged.headers)).statusCode).toBe(400);
    const unsigned = await webhook('sandbox', forged.body, {});
    expect(unsigned.statusCode).toBe(400);
    const old = sandbox.event('payment.refunded', pending.giftId, 10_000);
    const stale = {
      ...old.headers,
      [SANDBOX_SIGNATURE_HEADER]: sandbox.sign(old.body, Math.floor(Date.now() / 1000) - 3600),
    };
    expect((await webhook('sandbox', old.body, stale)).statusCode).toBe(400);
    const refund = sandbox.event('payment.refunded', pending.giftId, 10_000);
    expect((await webhook('sandbox', refund.body, refund.headers)).json()).toEqual({ outcome: 'refunded' });
    expect((await webhook('sandbox', refund.body, refund.headers)).json()).toEqual({ outcome: 'duplicate' });
    const entries = await entriesOf(db, pending.giftId);
    expect(entries.map((e) => e.amountMinor)).toEqual([10_000, -10_000]);
    expect((await giftRow(db, pending.giftId)).status).toBe('refunded');
  });

  it('Stripe: a Checkout Session, then signed events: replayed, duplicated and out of order leave one settled gift', async () => {
    const started = await startDonation(
      db,
      t.ctx.mail,
      new StripeProvider(stripe, WHSEC),
      donation({ provider: 'stripe', testCard: undefined, amountMinor: 5_000 }),
      'http://localhost',
    );
    expect(started.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect((await giftRow(db, started.giftId)).status).toBe('pending');
    const signed = (payload: object) => {
      const body = JSON.stringify(payload);
      return {
        body,
        headers: {
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC }),
        },
      };
    };
    const refund = signed({
      id: 'evt_refund_1',
      object: 'event',
      type: 'charge.refunded',
      data: {
        object: {
          object: 'charge',
          amount: 5_000,
          amount_refunded: 2_000,
          metadata: { gift_id: started.giftId },
        },
      },
    });
    const completed = signed({
      id: 'evt_completed_1',
      object: 'event',
      type: 'checkout.session.completed',
      data: {
        object: {
          object: 'checkout.session',
          payment_status: 'paid',
          amount_total: 5_000,
          client_reference_id: started.giftId,
          metadata: { gift_id: started.giftId },
        },
      },
    });
    // The refund arrives first: kept aside, not applied to a gift that is not settled.
    expect((await webhook('stripe', refund.body, refund.headers)).json()).toEqual({ outcome: 'deferred' });
    expect(await entriesOf(db, started.giftId)).toEqual([]);
    const settledResponses = await Promise.all(
      [1, 2, 3].map(() => webhook('stripe', completed.body, completed.headers)),
    );
    expect(settledResponses.map((r) => r.json().outcome).sort()).toEqual([
      'duplicate',
      'duplicate',
      'settled',
    ]);
    // The same settlement under another event id (Stripe's async_payment_succeeded) changes nothing either.
    const again = signed({
      ...JSON.parse(completed.body),
      id: 'evt_completed_2',
      type: 'checkout.session.async_payment_succeeded',
    });
    expect((await webhook('stripe', again.body, again.headers)).json()).toEqual({ outcome: 'ignored' });
    const entries = await entriesOf(db, started.giftId);
    expect(entries.map((e) => [e.kind, e.amountMinor])).toEqual([
      ['gift', 5_000],
      ['refund', -2_000],
    ]);
    const gift = await giftRow(db, started.giftId);
    expect([gift.status, gift.refundedMinor]).toEqual(['settled', 2_000]);
    const bad = {
      ...completed.headers,
      'stripe-signature': stripe.webhooks.generateTestHeaderString({
        payload: completed.body,
        secret: 'whsec_wrong',
      }),
    };
    expect((await webhook('stripe', completed.body, bad)).statusCode).toBe(400);
    const deferred = await db
      .select()
      .from(providerEvents)
      .where(and(eq(providerEvents.giftId, started.giftId), eq(providerEvents.state, 'deferred')));
    expect(deferred).toEqual([]);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('Stripe: a refund naming only the PaymentIntent finds its gift, before or after the settlement', async () => {
    const signed = (payload: object) => {
      const body = JSON.stringify(payload);
      return {
        body,
        headers: {
          'stripe-signature': stripe.webhooks.generateTestHeaderString({ payload: body, secret: WHSEC }),
        },
      };
    };
    const stripeProvider = new StripeProvider(stripe, WHSEC);
    for (const order of ['refund-first', 'settle-first'] as const) {
      const started = await startDonation(
        db,
        t.ctx.mail,
        stripeProvider,
        donation({ provider: 'stripe', testCard: undefined, amountMinor: 7_000 }),
        'http://localhost',
      );
      const pi = `pi_${order}_${started.giftId.slice(0, 8)}`;
      const refund = signed({
        id: `evt_rf_${pi}`,
        object: 'event',
        type: 'charge.refunded',
        data: {
          object: {
            object: 'charge',
            amount: 7_000,
            amount_refunded: 7_000,
            payment_intent: pi,
            metadata: {},
          },
        },
      });
      const settle = signed({
        id: `evt_st_${pi}`,
        object: 'event',
        type: 'checkout.session.completed',
        data: {
          object: {
            object: 'checkout.session',
            payment_status: 'paid',
            amount_total: 7_000,
            payment_intent: pi,
            client_reference_id: started.giftId,
            metadata: { gift_id: started.giftId },
          },
        },
      });
      const events = order === 'refund-first' ? [refund, settle] : [settle, refund];
      const outcomes = [];
      for (const e of events) outcomes.push((await webhook('stripe', e.body, e.headers)).json().outcome);
      expect(outcomes).toEqual(order === 'refund-first' ? ['deferred', 'settled'] : ['settled', 'refunded']);
      expect((await entriesOf(db, started.giftId)).map((e) => e.amountMinor)).toEqual([7_000, -7_000]);
      expect((await giftRow(db, started.giftId)).status).toBe('refunded');
    }
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('takes KRW in whole won (no minor unit), with an integer covered fee', async () => {
    const result = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({ currency: 'KRW', amountMinor: 50_000, coverFees: true }),
      'http://localhost',
    );
    const gift = await giftRow(db, result.giftId);
    expect(gift.feeMinor).toBe(coveredFee(50_000, 'KRW'));
    expect(Number.isInteger(gift.feeMinor)).toBe(true);
    expect((await entriesOf(db, result.giftId))[0]).toMatchObject({
      currency: 'KRW',
      amountMinor: 50_000 + gift.feeMinor,
    });
    const [receipt] = await db.select().from(receipts).where(eq(receipts.giftId, result.giftId));
    const [mail] = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.id, receipt?.outboxId ?? ''));
    expect(mail?.textBody).toContain(`₩${(50_000 + gift.feeMinor).toLocaleString('en-US')}`);
  });

  it('property: any order of settle, duplicate and refund events keeps every balance equal to its entries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            amount: fc.integer({ min: 1, max: 5_000_000 }),
            currency: fc.constantFrom('USD', 'KRW', 'EUR') as fc.Arbitrary<'USD' | 'KRW' | 'EUR'>,
            refundPart: fc.integer({ min: 0, max: 100 }),
            order: fc.constantFrom('settle-first', 'refund-first', 'settle-twice'),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        async (cases) => {
          for (const c of cases) {
            const started = await startDonation(
              db,
              t.ctx.mail,
              new StripeProvider(stripe, WHSEC),
              donation({
                provider: 'stripe',
                testCard: undefined,
                amountMinor: c.amount,
                currency: c.currency,
              }),
              'http://localhost',
            );
            const refunded = Math.floor((c.amount * c.refundPart) / 100);
            const settle = {
              id: `evt_s_${started.giftId}`,
              kind: 'settled' as const,
              giftId: started.giftId,
              amountMinor: c.amount,
            };
            const refund = {
              id: `evt_r_${started.giftId}`,
              kind: 'refunded' as const,
              giftId: started.giftId,
              amountMinor: refunded,
            };
            const events =
              c.order === 'refund-first'
                ? [refund, settle]
                : c.order === 'settle-twice'
                  ? [settle, settle, refund]
                  : [settle, refund];
            for (const e of events) await applyProviderEvent(db, t.ctx.mail, 'stripe', e);
            const entries = await entriesOf(db, started.giftId);
            expect(entries.reduce((s, e) => s + e.amountMinor, 0)).toBe(c.amount - refunded);
            expect(entries.filter((e) => e.kind === 'gift')).toHaveLength(1);
          }
          const result = await checkLedger(db);
          expect(result.problems).toEqual([]);
        },
      ),
      { numRuns: 8 },
    );
    const balances = await db.select().from(fundBalances);
    expect(balances.every((b) => Number.isSafeInteger(b.balanceMinor))).toBe(true);
  }, 120_000);
});
