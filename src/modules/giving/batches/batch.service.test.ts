import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { ledgerEntries } from '../giving.table';
import { addBatchGift, createBatch, postBatch } from './batch.service';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

async function entriesOf(db: Db, giftId: string) {
  return db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.giftId, giftId))
    .orderBy(asc(ledgerEntries.createdAt));
}

describeEachDatabase('offline gifts in batches', (getDb) => {
  let t: TestApp;
  let db: Db;

  const gc = (subject: Subject = development): GivingContext => ({
    db,
    subject,
    requestId: null,
    mail: t.ctx.mail,
  });

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;

    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  }, 90_000);
  afterAll(async () => t?.close());

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
});
