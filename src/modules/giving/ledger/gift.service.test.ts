import { and, asc, eq } from 'drizzle-orm';
import fc from 'fast-check';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, as, createTestCompartment } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import type { AppContext } from '../../../platform/http/context';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { insertSupporter } from '../../people';
import { mergeSupporters } from '../../people/people.service';
import { fundingForCase } from '../../rescues';
import { runScoped } from '../../rescues/rescue-access';
import { openRescueCase } from '../../rescues/rescue-case.service';
import { allocateUnits } from '../allocations/allocation.service';
import { addBatchGift, createBatch, postBatch, seedSettledGift } from '../batches/batch.service';
import { startDonation } from '../donations/donation.service';
import {
  providerOrRefuse,
  providersFor,
  SANDBOX_SIGNATURE_HEADER,
  SandboxProvider,
  StripeProvider,
  useProviders,
} from '../donations/payment-provider';
import { applyProviderEvent } from '../donations/webhook.service';
import { campaignProgress, insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { DonationInput } from '../giving.schema';
import { fundBalances, gifts, ledgerEntries, providerEvents, receipts } from '../giving.table';
import { coveredFee } from '../money';
import { receiptText } from '../receipts/receipt';
import { correctGiftFund, refundGift } from './gift.service';
import { checkLedger } from './ledger.service';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};
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

describeEachDatabase('giving', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let sandbox: SandboxProvider;
  let stripe: Stripe;
  let db: Db;
  const gc = (subject: Subject = development): GivingContext => ({
    db,
    subject,
    requestId: null,
    mail: t.ctx.mail,
  });
  let rescueFundId = '';
  let mostNeededId = '';

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
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
    rescueFundId = (
      await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true })
    ).id;
    mostNeededId = (
      await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false })
    ).id;
    await insertCampaign(db, {
      code: 'the-hundred',
      name: 'The Hundred',
      goalKind: 'units',
      goalUnits: 100,
      currency: 'USD',
      fundId: rescueFundId,
      startsAt: new Date('2026-01-01T00:00:00Z'),
    });
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

  it('posts a batch of offline gifts only when they add up to its control total', async () => {
    const donor = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Batch', lastName: 'Giver', email: 'batch@example.org' },
      null,
    );
    const batch = await createBatch(gc(), {
      name: 'Cheques, March',
      currency: 'USD',
      controlTotalMinor: 35_000,
    });
    const entry = {
      supporterId: donor.id,
      method: 'cheque' as const,
      fund: 'most-needed',
      receivedOn: new Date('2026-03-02T00:00:00Z'),
      fairMarketValueMinor: 0,
      softCredits: [],
    };
    await addBatchGift(gc(), batch.id, { ...entry, amountMinor: 10_000 });
    await expect(postBatch(gc(), batch.id)).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringContaining('control total of 35000'),
    });
    const second = await addBatchGift(gc(), batch.id, {
      ...entry,
      amountMinor: 25_000,
      softCredits: [{ kind: 'solicitor', ref: 'board-member-7' }],
    });
    const posted = await postBatch(gc(), batch.id);
    expect(posted.batch.status).toBe('posted');
    expect(posted.gifts.every((g) => g.status === 'settled')).toBe(true);
    expect((await entriesOf(db, second.id)).map((e) => e.amountMinor)).toEqual([25_000]);
    await expect(addBatchGift(gc(), batch.id, { ...entry, amountMinor: 1 })).rejects.toMatchObject({
      statusCode: 409,
    });
    await expect(postBatch(gc(), batch.id)).rejects.toMatchObject({ statusCode: 409 });
  });

  it('refunds and corrects with new opposite entries, never an update of an entry', async () => {
    const donor = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Refund', lastName: 'Case' },
      null,
    );
    const id = await seedSettledGift(db, {
      supporterId: donor.id,
      amountMinor: 8_000,
      currency: 'GBP',
      fundId: mostNeededId,
      campaignId: null,
      method: 'cash',
      receivedOn: new Date(),
    });
    await correctGiftFund(gc(), id, 'rescue-fund');
    await refundGift(gc(), id, 3_000);
    await expect(refundGift(gc(), id, 6_000)).rejects.toMatchObject({
      statusCode: 400,
      message: 'amountMinor: must be at most 5000, what remains of the gift',
    });
    await refundGift(gc(), id);
    const entries = await entriesOf(db, id);
    expect(
      entries.map((e) => [e.kind, e.fundId === rescueFundId ? 'rescue' : 'needed', e.amountMinor]),
    ).toEqual([
      ['gift', 'needed', 8_000],
      ['correction', 'needed', -8_000],
      ['correction', 'rescue', 8_000],
      ['refund', 'rescue', -3_000],
      ['refund', 'rescue', -5_000],
    ]);
    expect(new Set(entries.filter((e) => e.kind === 'correction').map((e) => e.groupId)).size).toBe(1);
    expect((await giftRow(db, id)).status).toBe('refunded');
    const online = await startDonation(db, t.ctx.mail, sandbox, donation(), 'http://localhost');
    await expect(refundGift(gc(), online.giftId)).rejects.toMatchObject({ statusCode: 409 });
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('computes unit progress from the ledger, and allocates funded units to a case by code only', async () => {
    const before = await campaignProgress(db, 'the-hundred');
    for (let i = 0; i < 3; i++)
      await startDonation(
        db,
        t.ctx.mail,
        sandbox,
        donation({ campaign: 'the-hundred', fund: undefined, amountMinor: 250_000 }),
        'http://localhost',
      );
    const after = await campaignProgress(db, 'the-hundred');
    expect(after.raisedMinor - before.raisedMinor).toBe(750_000);
    expect(after.unitsFunded).toBe(Math.floor(after.raisedMinor / 250_000));
    const compartment = await createTestCompartment(db);
    const subject: Subject = {
      userId: 'coordinator',
      role: 'rescue_coordinator',
      compartments: new Set([compartment.id]),
      stepUpAt: null,
    };
    const { code } = await runScoped(
      db,
      { keys: t.ctx.keys, mail: t.ctx.mail, subject, requestId: null },
      (rc) =>
        openRescueCase(rc, {
          compartmentId: compartment.id,
          travellers: [
            {
              category: 'adult',
              sex: 'female',
              ageBand: '30_44',
              travellingWithFamily: 'no',
              reunifyingWithFamily: 'no',
              traffickedInChina: 'no',
              yearsInChina: 3,
              healthNeeds: 'no',
            },
          ],
        } as never),
    );
    const allocation = await allocateUnits(gc(), { caseCode: code, units: 1 });
    expect(allocation.caseCode).toBe(code);
    expect((await fundingForCase(db, code)).unitsFunded).toBe(1);
    await expect(allocateUnits(gc(), { caseCode: code, units: 100 })).rejects.toMatchObject({
      statusCode: 409,
    });
  });

  it('keeps the campaign total exact under 40 donors giving to one campaign at once, and refuses a closed campaign', async () => {
    const before = await campaignProgress(db, 'the-hundred');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        startDonation(
          db,
          t.ctx.mail,
          sandbox,
          donation({ campaign: 'the-hundred', fund: undefined, amountMinor: 1_000 + i }),
          'http://localhost',
        ),
      ),
    );
    expect(results.every((r) => r.status === 'settled')).toBe(true);
    const after = await campaignProgress(db, 'the-hundred');
    expect(after.raisedMinor - before.raisedMinor).toBe(40 * 1_000 + (39 * 40) / 2);
    expect((await checkLedger(db)).problems).toEqual([]);
    await insertCampaign(db, {
      code: 'closed-2025',
      name: 'Closed',
      goalKind: 'money',
      goalMinor: 100,
      currency: 'USD',
      fundId: mostNeededId,
      startsAt: new Date('2025-01-01T00:00:00Z'),
      endsAt: new Date('2025-02-01T00:00:00Z'),
    });
    await expect(
      startDonation(
        db,
        t.ctx.mail,
        sandbox,
        donation({ campaign: 'closed-2025', fund: undefined }),
        'http://localhost',
      ),
    ).rejects.toMatchObject({ statusCode: 400, message: 'campaign: is not open for gifts now' });
  }, 60_000);

  it('moves gifts to the survivor when supporters are merged', async () => {
    const a = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Same', lastName: 'Person', email: 'same@example.org' },
      null,
    );
    const b = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Same', lastName: 'Person', phone: '555 0101' },
      null,
    );
    const id = await seedSettledGift(db, {
      supporterId: b.id,
      amountMinor: 1_000,
      currency: 'USD',
      fundId: mostNeededId,
      campaignId: null,
      method: 'cash',
      receivedOn: new Date(),
    });
    await mergeSupporters({ db, subject: development, requestId: null }, b.id, a.id);
    expect((await giftRow(db, id)).supporterId).toBe(a.id);
  });

  it('finds a tampered ledger: a balance off its entries, a receipt for an unsettled gift, a gift settled twice', async () => {
    const donor = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Tamper', lastName: 'Test' },
      null,
    );
    const id = await seedSettledGift(db, {
      supporterId: donor.id,
      amountMinor: 4_200,
      currency: 'AUD',
      fundId: mostNeededId,
      campaignId: null,
      method: 'cash',
      receivedOn: new Date(),
    });
    const [entry] = await entriesOf(db, id);
    await db
      .transaction(async (tx) => {
        await tx.insert(ledgerEntries).values({
          ...(entry as typeof ledgerEntries.$inferInsert),
          id: crypto.randomUUID(),
          groupId: crypto.randomUUID(),
        });
        const problems = (await checkLedger(tx)).problems.join('\n');
        expect(problems).toContain(`gift ${id} settled 2 times`);
        expect(problems).toMatch(/fund .* AUD: balance 4200 but entries sum to 8400/);
        tx.rollback();
      })
      .catch((e) => {
        if (!String(e).includes('Rollback')) throw e;
      });
    await db
      .transaction(async (tx) => {
        await tx.update(gifts).set({ status: 'pending', settledAt: null }).where(eq(gifts.id, id));
        expect((await checkLedger(tx)).problems.join('\n')).toContain('points to a gift that is pending');
        tx.rollback();
      })
      .catch((e) => {
        if (!String(e).includes('Rollback')) throw e;
      });
    expect((await checkLedger(db)).problems).toEqual([]);
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

  it('writes the tribute into the receipt, and serves the receipt as a PDF to staff who read gifts', async () => {
    const result = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({
        amountMinor: 50_000,
        currency: 'KRW',
        tribute: { kind: 'in_memory', name: 'Grandmother Kim' },
        anonymous: true,
      }),
      'http://localhost',
    );
    const [receipt] = await db.select().from(receipts).where(eq(receipts.giftId, result.giftId));
    const [mail] = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.id, receipt?.outboxId ?? ''));
    expect(mail?.textBody).toContain('Given in memory of Grandmother Kim.');
    expect((await giftRow(db, result.giftId)).anonymous).toBe(true);
    const pdf = await t.app.inject(
      as(actors.development, { method: 'GET', url: `/api/giving/gifts/${result.giftId}/receipt.pdf` }),
    );
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(
      (
        await t.app.inject(
          as(actors.outreach, { method: 'GET', url: `/api/giving/gifts/${result.giftId}/receipt.pdf` }),
        )
      ).statusCode,
    ).toBe(403);
    const declined = await startDonation(
      db,
      t.ctx.mail,
      sandbox,
      donation({ testCard: '4000000000000002' }),
      'http://localhost',
    );
    expect(
      (
        await t.app.inject(
          as(actors.development, { method: 'GET', url: `/api/giving/gifts/${declined.giftId}/receipt.pdf` }),
        )
      ).statusCode,
    ).toBe(404);
  });

  it('lets development staff work with gifts and administrators read; everyone else is refused', async () => {
    expect(
      (await t.app.inject(as(actors.development, { method: 'GET', url: '/api/giving/gifts' }))).statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject(as(actors.administrator, { method: 'GET', url: '/api/giving/check' }))).json(),
    ).toMatchObject({ ok: true });
    const batch = { name: 'x', currency: 'USD', controlTotalMinor: 100 };
    expect(
      (
        await t.app.inject(
          as(actors.administrator, { method: 'POST', url: '/api/giving/batches', payload: batch }),
        )
      ).statusCode,
    ).toBe(403);
    for (const caller of [actors.supporter, actors.outreach, actors.rescue_coordinator, actors.auditor]) {
      expect((await t.app.inject(as(caller, { method: 'GET', url: '/api/giving/gifts' }))).statusCode).toBe(
        403,
      );
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/giving/gifts' })).statusCode).toBe(401);
  });
});

describe('payment providers', () => {
  it('never offers the sandbox in production, and refuses to be given one', () => {
    const production = { config: { NODE_ENV: 'production' } } as unknown as AppContext;
    expect(providersFor(production).sandbox).toBeUndefined();
    expect(() => providerOrRefuse(production, 'sandbox')).toThrow(
      'provider: the sandbox is not available in production',
    );
    expect(() => useProviders(production, { sandbox: new SandboxProvider() })).toThrow(
      'refused in production',
    );
    const development = { config: { NODE_ENV: 'development' } } as unknown as AppContext;
    expect(providersFor(development).sandbox?.name).toBe('sandbox');
  });
});

describe('receipts', () => {
  const base = {
    number: 'R-2026-ABCDEF12',
    donorName: 'Dana Donor',
    fundName: 'Where most needed',
    receivedOn: new Date('2026-05-01T00:00:00Z'),
  };
  it('gives the written acknowledgment for US$250 or more, and not below', () => {
    expect(
      receiptText({ ...base, amountMinor: 25_000, currency: 'USD', fairMarketValueMinor: 0 }).text,
    ).toContain('No goods or services were provided');
    expect(
      receiptText({ ...base, amountMinor: 24_999, currency: 'USD', fairMarketValueMinor: 0 }).text,
    ).not.toContain('No goods or services');
  });
  it('discloses the deductible part when a payment over $75 bought goods or services', () => {
    const text = receiptText({
      ...base,
      amountMinor: 15_000,
      currency: 'USD',
      fairMarketValueMinor: 6_000,
    }).text;
    expect(text).toContain(
      'limited to the excess of the money you gave ($150.00) over the value of the goods or services Passage provided ($60.00): $90.00',
    );
    expect(
      receiptText({ ...base, amountMinor: 7_500, currency: 'USD', fairMarketValueMinor: 2_000 }).text,
    ).not.toContain('deductible');
  });
  it('property: a covered fee leaves at least the gift after the processor’s fee, in whole minor units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.constantFrom('USD', 'KRW') as fc.Arbitrary<'USD' | 'KRW'>,
        (amount, currency) => {
          const fee = coveredFee(amount, currency);
          const gross = BigInt(amount + fee);
          const processorFee = (2n * 29n * gross + 1000n) / 2000n + (currency === 'KRW' ? 0n : 30n);
          expect(gross - processorFee >= BigInt(amount)).toBe(true);
        },
      ),
    );
  });
});
