import { asc, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { addBatchGift, createBatch, postBatch } from '../batches/batch.service';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { BatchGiftInput, DonationInput } from '../giving.schema';
import { fundBalances, giftSplits, gifts, ledgerEntries } from '../giving.table';
import { coveredFee } from '../money';
import { correctGiftFund, getGift, refundGift } from './gift.service';
import { checkLedger } from './ledger.service';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};
const FUNDS = ['rescue-fund', 'most-needed', 'bridge-fund', 'education', 'legal-aid'] as const;

describeEachDatabase('gift splits', (getDb) => {
  let t: TestApp;
  let db: Db;
  let actors: Actors;
  let sandbox: SandboxProvider;
  let donorId = '';
  const fundId: Record<string, string> = {};
  const codeOf = (id: string) => Object.entries(fundId).find(([, v]) => v === id)?.[0];
  // Service calls run in a transaction, as the routes run them.
  const inTx = <T>(work: (gc: GivingContext) => Promise<T>) =>
    db.transaction((tx) => work({ db: tx, subject: development, requestId: null, mail: t.ctx.mail }));

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    sandbox = new SandboxProvider();
    useProviders(t.ctx, { sandbox });
    for (const code of FUNDS)
      fundId[code] = (
        await insertFund(db, { code, name: `Fund ${code}`, restricted: code === 'rescue-fund' })
      ).id;
    donorId = (
      await insertSupporter(
        db,
        { kind: 'individual', firstName: 'Split', lastName: 'Giver', email: 'split@example.org' },
        null,
      )
    ).id;
  }, 90_000);
  afterAll(async () => t?.close());

  async function entriesOf(giftId: string) {
    const rows = await db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.giftId, giftId))
      .orderBy(asc(ledgerEntries.createdAt), asc(ledgerEntries.fundId));
    return rows.map((e) => ({
      kind: e.kind,
      fund: codeOf(e.fundId),
      amount: e.amountMinor,
      group: e.groupId,
    }));
  }

  /** Enters one offline gift (split or not) in a batch of its own and posts it. */
  async function settledOfflineGift(
    currency: 'USD' | 'KRW' | 'EUR',
    amountMinor: number,
    splits?: { fund: string; amountMinor: number }[],
  ) {
    return inTx(async (gc) => {
      const batch = await createBatch(gc, { name: 'Split gifts', currency, controlTotalMinor: amountMinor });
      const gift = await addBatchGift(
        gc,
        batch.id,
        BatchGiftInput.parse({
          supporterId: donorId,
          amountMinor,
          method: 'cheque',
          fund: splits?.[0]?.fund ?? 'most-needed',
          receivedOn: '2026-03-02',
          ...(splits ? { splits } : {}),
        }),
      );
      await postBatch(gc, batch.id);
      return gift.id;
    });
  }

  it('settles a split offline gift as one entry per fund in one group, and a refund in proportion', async () => {
    const id = await settledOfflineGift('USD', 10_000, [
      { fund: 'rescue-fund', amountMinor: 7_000 },
      { fund: 'most-needed', amountMinor: 3_000 },
    ]);
    const settled = await entriesOf(id);
    expect(settled.map(({ group: _, ...e }) => e).sort((a, b) => a.amount - b.amount)).toEqual([
      { kind: 'gift', fund: 'most-needed', amount: 3_000 },
      { kind: 'gift', fund: 'rescue-fund', amount: 7_000 },
    ]);
    expect(new Set(settled.map((e) => e.group)).size).toBe(1);
    expect((await inTx((gc) => getGift(gc, id))).splits.map((s) => [s.fundCode, s.amountMinor])).toEqual([
      ['most-needed', 3_000],
      ['rescue-fund', 7_000],
    ]);

    // 1,001 cents back: 700.7 from rescues and 300.3 from most needed; the largest remainder takes the cent.
    await inTx((gc) => refundGift(gc, id, 1_001));
    const refund = (await entriesOf(id)).filter((e) => e.kind === 'refund');
    expect(refund.map((e) => [e.fund, e.amount]).sort()).toEqual([
      ['most-needed', -300],
      ['rescue-fund', -701],
    ]);
    expect(new Set(refund.map((e) => e.group)).size).toBe(1);
    await inTx((gc) => refundGift(gc, id));
    const held = await heldOf(id);
    expect(held).toEqual({ 'rescue-fund': 0, 'most-needed': 0 });
    expect((await db.select().from(gifts).where(eq(gifts.id, id)))[0]?.status).toBe('refunded');
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  async function heldOf(giftId: string) {
    const out: Record<string, number> = {};
    for (const e of await entriesOf(giftId)) out[e.fund ?? '?'] = (out[e.fund ?? '?'] ?? 0) + e.amount;
    return out;
  }

  it('moves every split’s remainder to the new fund on a correction, and refuses one with nothing to move', async () => {
    const id = await settledOfflineGift('EUR', 9_000, [
      { fund: 'rescue-fund', amountMinor: 3_000 },
      { fund: 'most-needed', amountMinor: 3_000 },
      { fund: 'education', amountMinor: 3_000 },
    ]);
    await inTx((gc) => refundGift(gc, id, 3_000));
    await inTx((gc) => correctGiftFund(gc, id, 'education'));
    expect(await heldOf(id)).toEqual({ 'rescue-fund': 0, 'most-needed': 0, education: 6_000 });
    const corrections = (await entriesOf(id)).filter((e) => e.kind === 'correction');
    expect(corrections.map((e) => [e.fund, e.amount]).sort()).toEqual([
      ['education', 4_000],
      ['most-needed', -2_000],
      ['rescue-fund', -2_000],
    ]);
    expect((await db.select().from(gifts).where(eq(gifts.id, id)))[0]?.fundId).toBe(fundId.education);
    await expect(inTx((gc) => correctGiftFund(gc, id, 'education'))).rejects.toMatchObject({
      statusCode: 400,
      message: 'fund: the gift is already in this fund',
    });
    // What remains is refunded from where it now is.
    await inTx((gc) => refundGift(gc, id));
    expect(await heldOf(id)).toEqual({ 'rescue-fund': 0, 'most-needed': 0, education: 0 });
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('spreads a covered fee over an online gift’s splits in proportion, and charges the whole', async () => {
    const input = DonationInput.parse({
      amountMinor: 10_000,
      currency: 'USD',
      coverFees: true,
      splits: [
        { fund: 'rescue-fund', amountMinor: 6_667 },
        { fund: 'bridge-fund', amountMinor: 3_333 },
      ],
      donor: { email: 'split-online@example.org', firstName: 'Online' },
      testCard: '4242 4242 4242 4242',
    });
    const result = await startDonation(db, t.ctx.mail, sandbox, input, 'http://localhost');
    expect(result.status).toBe('settled');
    const fee = coveredFee(10_000, 'USD');
    const splits = await db.select().from(giftSplits).where(eq(giftSplits.giftId, result.giftId));
    expect(splits.reduce((s, x) => s + x.amountMinor, 0)).toBe(10_000 + fee);
    const rescue = splits.find((s) => s.fundId === fundId['rescue-fund'])?.amountMinor ?? 0;
    // 6,667/10,000 of the fee, rounded either way by the largest remainder.
    expect(Math.abs(rescue - 6_667 - (fee * 6_667) / 10_000)).toBeLessThan(1);
    const entries = await entriesOf(result.giftId);
    expect(entries.reduce((s, e) => s + e.amount, 0)).toBe(10_000 + fee);
    expect((await db.select().from(gifts).where(eq(gifts.id, result.giftId)))[0]?.fundId).toBe(
      fundId['rescue-fund'],
    );
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('answers a clear 400 for splits that do not add up, repeat a fund, leave out the fund or name none', async () => {
    const batch = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/giving/batches',
        payload: { name: 'Splits', currency: 'USD', controlTotalMinor: 10_000 },
      }),
    );
    const batchId = (batch.json() as { id: string }).id;
    const enter = (body: Record<string, unknown>) =>
      t.app.inject(
        as(actors.development, {
          method: 'POST',
          url: `/api/giving/batches/${batchId}/gifts`,
          payload: {
            supporterId: donorId,
            amountMinor: 10_000,
            method: 'wire',
            fund: 'rescue-fund',
            receivedOn: '2026-04-01',
            ...body,
          },
        }),
      );
    const cases: [unknown, string][] = [
      [
        [
          { fund: 'rescue-fund', amountMinor: 7_000 },
          { fund: 'most-needed', amountMinor: 2_000 },
        ],
        "splits: must add up to the gift's amount of 10000 minor units (they add up to 9000)",
      ],
      [
        [
          { fund: 'rescue-fund', amountMinor: 5_000 },
          { fund: 'rescue-fund', amountMinor: 5_000 },
        ],
        'splits: each fund may appear once (rescue-fund twice)',
      ],
      [
        [
          { fund: 'most-needed', amountMinor: 5_000 },
          { fund: 'education', amountMinor: 5_000 },
        ],
        "fund: must be one of the splits' funds",
      ],
      [
        [
          { fund: 'rescue-fund', amountMinor: 5_000 },
          { fund: 'no-such-fund', amountMinor: 5_000 },
        ],
        'splits.1.fund: no fund with the code no-such-fund',
      ],
    ];
    for (const [splits, message] of cases) {
      const response = await enter({ splits });
      expect(response.statusCode, message).toBe(400);
      expect(response.json()).toMatchObject({ message });
    }
    const one = await enter({ splits: [{ fund: 'rescue-fund', amountMinor: 10_000 }] });
    expect(one.statusCode).toBe(400);
    expect(one.body).toContain('splits');
    // Nothing was written by the refused requests.
    const entered = await t.app.inject(
      as(actors.development, { method: 'GET', url: `/api/giving/batches/${batchId}` }),
    );
    expect((entered.json() as { gifts: unknown[] }).gifts).toEqual([]);
    const good = await enter({
      splits: [
        { fund: 'rescue-fund', amountMinor: 2_500 },
        { fund: 'legal-aid', amountMinor: 7_500 },
      ],
    });
    expect(good.statusCode).toBe(201);
  });

  it('finds a split that the ledger does not match', async () => {
    const id = await settledOfflineGift('USD', 4_000, [
      { fund: 'rescue-fund', amountMinor: 1_000 },
      { fund: 'most-needed', amountMinor: 3_000 },
    ]);
    await db.execute(
      sql`update gift_splits set amount_minor = amount_minor + 1 where gift_id = ${id} and fund_id = ${fundId['rescue-fund']}`,
    );
    const { problems } = await checkLedger(db);
    expect(problems).toContain(`gift ${id}: splits add up to 4001, not 4000`);
    expect(
      problems.some((p) => p.includes(`gift ${id}: fund ${fundId['rescue-fund']} was credited 1000`)),
    ).toBe(true);
    await db.execute(
      sql`update gift_splits set amount_minor = amount_minor - 1 where gift_id = ${id} and fund_id = ${fundId['rescue-fund']}`,
    );
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('property: any split and any partial refunds keep balances equal to entries, no fund below what it kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('USD', 'KRW', 'EUR') as fc.Arbitrary<'USD' | 'KRW' | 'EUR'>,
        fc.uniqueArray(fc.constantFrom(...FUNDS), { minLength: 2, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 3_000_000 }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 1_000 }), { maxLength: 4 }),
        fc.option(fc.constantFrom(...FUNDS), { nil: undefined }),
        async (currency, chosen, amounts, refundPerMille, correctTo) => {
          const splits = chosen.map((fund, i) => ({ fund, amountMinor: amounts[i] as number }));
          const charged = splits.reduce((s, x) => s + x.amountMinor, 0);
          const id = await settledOfflineGift(currency, charged, splits);
          let refunded = 0;
          for (const [step, perMille] of refundPerMille.entries()) {
            const remaining = charged - refunded;
            if (remaining === 0) break;
            const part = Math.max(1, Math.floor((remaining * perMille) / 1_000));
            await inTx((gc) => refundGift(gc, id, part));
            refunded += part;
            if (step === 0 && correctTo && remaining - part > 0)
              await inTx((gc) => correctGiftFund(gc, id, correctTo)).catch((e: { statusCode?: number }) => {
                if (e.statusCode !== 400) throw e;
              });
          }
          const held = await heldOf(id);
          expect(Object.values(held).reduce((s, v) => s + v, 0)).toBe(charged - refunded);
          for (const [fund, amount] of Object.entries(held)) {
            expect(amount, fund).toBeGreaterThanOrEqual(0);
            if (!correctTo)
              expect(amount, fund).toBeLessThanOrEqual(splits.find((s) => s.fund === fund)?.amountMinor ?? 0);
          }
          const balances = await db.select().from(fundBalances);
          expect(balances.length).toBeGreaterThan(0);
          expect((await checkLedger(db)).problems).toEqual([]);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
