import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { gifts, receipts } from '../giving.table';

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

async function giftRow(db: Db, id: string) {
  const [row] = await db.select().from(gifts).where(eq(gifts.id, id));
  if (!row) throw new Error('no gift');
  return row;
}

describeEachDatabase('receipts of settled gifts', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let sandbox: SandboxProvider;
  let db: Db;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;

    actors = await actorsFor(t.app, t.ctx);
    sandbox = new SandboxProvider();
    useProviders(t.ctx, { sandbox });
    await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true });
  }, 90_000);
  afterAll(async () => t?.close());

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
});
