import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mergeSupporter } from '../../../../test/factories';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { seedSettledGift } from '../batches/batch.service';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { DonationInput } from '../giving.schema';
import { gifts, ledgerEntries } from '../giving.table';
import { correctGiftFund, refundGift } from './gift.service';
import { checkLedger } from './ledger.service';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

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

describeEachDatabase('the ledger: gifts, refunds, corrections and its check', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let sandbox: SandboxProvider;
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
    useProviders(t.ctx, { sandbox });

    rescueFundId = (
      await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true })
    ).id;

    mostNeededId = (
      await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false })
    ).id;
  }, 90_000);
  afterAll(async () => t?.close());

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
    await mergeSupporter(db, b.id, a.id, development);
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
