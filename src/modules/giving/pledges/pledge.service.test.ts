import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { insertSupporter } from '../../people';
import { seedSettledGift } from '../batches/batch.service';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { gifts, ledgerEntries, receipts } from '../giving.table';
import { refundGift } from '../ledger/gift.service';
import { checkLedger } from '../ledger/ledger.service';
import { PledgeInput } from './pledge.schema';
import {
  addReading,
  createPledge,
  getPledge,
  importReadings,
  issueInvoice,
  markInvoicePaid,
  voidInvoice,
} from './pledge.service';
import { parseReadingsCsv } from './pledge-readings-csv';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

describe('readings CSV', () => {
  it('reads date,value[,note] with an optional header, and reports every bad line by line and column', () => {
    const good = parseReadingsCsv('date,value,note\n2026-03-01,1200,launch week\n2026-03-08,800\n');
    expect(good.problems).toEqual([]);
    expect(good.readings.map((r) => [r.line, r.readOn.toISOString().slice(0, 10), r.value, r.note])).toEqual([
      [2, '2026-03-01', 1200, 'launch week'],
      [3, '2026-03-08', 800, null],
    ]);
    const bad = parseReadingsCsv(
      '2026-02-30,10\n2026-03-01,12.5\n2026-03-02\n2026-03-03,-4,x,y\n2026-03-04,7\n',
    );
    expect(bad.problems).toEqual([
      { line: 1, column: 'date', reason: '"2026-02-30" is not a date such as 2026-03-01' },
      { line: 2, column: 'value', reason: '"12.5" is not a whole number from 0 to 1000000000000' },
      { line: 3, column: null, reason: 'has 1 column; expected date,value[,note]' },
      { line: 4, column: null, reason: 'has 4 columns; expected date,value[,note]' },
    ]);
    expect(parseReadingsCsv('date,value\n').problems).toEqual([
      { line: 1, column: null, reason: 'has no readings' },
    ]);
  });
});

describeEachDatabase('sponsor and matching pledges', (getDb) => {
  let t: TestApp;
  let db: Db;
  let actors: Actors;
  let sponsorId = '';
  let fundId = '';
  const donorIds: string[] = [];
  const inTx = <T>(work: (gc: GivingContext) => Promise<T>) =>
    db.transaction((tx) => work({ db: tx, subject: development, requestId: null, mail: t.ctx.mail }));
  const pledge = (input: Record<string, unknown>) =>
    inTx((gc) =>
      createPledge(gc, PledgeInput.parse({ sponsorId, currency: 'USD', fund: 'most-needed', ...input })),
    );

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    fundId = (await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false })).id;
    await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund', restricted: true });
    sponsorId = (
      await insertSupporter(
        db,
        {
          kind: 'organisation',
          organisationType: 'company',
          displayName: 'Harbour Media Ltd',
          email: 'sponsor@harbour.example',
        },
        null,
      )
    ).id;
    for (const n of [1, 2, 3])
      donorIds.push(
        (
          await insertSupporter(
            db,
            { kind: 'individual', firstName: `Donor${n}`, email: `d${n}@example.org` },
            null,
          )
        ).id,
      );
  }, 90_000);
  afterAll(async () => t?.close());

  it('per unit: rate × readings ÷ per-units rounded down, within the window, up to the cap', async () => {
    const p = await pledge({
      kind: 'per_unit',
      name: 'Views of the film',
      metric: 'video views',
      rateMinor: 25,
      perUnits: 1,
      capMinor: 100_000,
      startsAt: '2026-03-01T00:00:00Z',
      endsAt: '2026-05-01T00:00:00Z',
    });
    expect(p).toMatchObject({ raisedMinor: 0, dueMinor: 0, capMinor: 100_000 });
    // The first day of the window counts; the day it ends does not; nor the future.
    await inTx((gc) => addReading(gc, p.id, { readOn: new Date('2026-03-01'), value: 1_000 }));
    await expect(
      inTx((gc) => addReading(gc, p.id, { readOn: new Date('2026-02-28'), value: 1 })),
    ).rejects.toMatchObject({ statusCode: 400, message: 'readOn: is before the pledge starts (2026-03-01)' });
    await expect(
      inTx((gc) => addReading(gc, p.id, { readOn: new Date('2026-05-01'), value: 1 })),
    ).rejects.toMatchObject({ statusCode: 400, message: 'readOn: is after the pledge ends (2026-04-30)' });
    const after = await inTx((gc) => getPledge(gc, p.id));
    expect(after.pledge).toMatchObject({ raisedMinor: 25_000, dueMinor: 25_000, capReached: false });

    // A CSV with a line outside the window writes nothing, and says which line.
    await expect(
      inTx((gc) => importReadings(gc, p.id, 'date,value\n2026-03-10,2000\n2026-06-01,5\n')),
    ).rejects.toMatchObject({
      statusCode: 400,
      problems: [{ line: 3, column: 'date', reason: 'is after the pledge ends (2026-04-30)' }],
    });
    expect((await inTx((gc) => getPledge(gc, p.id))).readings).toHaveLength(1);
    expect(await inTx((gc) => importReadings(gc, p.id, '2026-03-10,2000,week 2\n2026-03-17,1000\n'))).toEqual(
      {
        imported: 2,
        units: 3_000,
      },
    );
    // 4,000 views × 25¢ = $1,000: the cap, reached; more views add nothing.
    await inTx((gc) => addReading(gc, p.id, { readOn: new Date('2026-04-30'), value: 9_999 }));
    const capped = (await inTx((gc) => getPledge(gc, p.id))).pledge;
    expect(capped).toMatchObject({ raisedMinor: 100_000, capReached: true, dueMinor: 100_000 });
    expect(capped.computedMinor).toBe(25 * 13_999);
  });

  it('rounds down to the minor unit, and counts KRW in whole won', async () => {
    const thirds = await pledge({
      kind: 'per_unit',
      name: 'A cent per three shares',
      metric: 'shares',
      rateMinor: 1,
      perUnits: 3,
      startsAt: '2026-01-01',
    });
    await inTx((gc) => addReading(gc, thirds.id, { readOn: new Date('2026-01-02'), value: 10 }));
    expect((await inTx((gc) => getPledge(gc, thirds.id))).pledge.raisedMinor).toBe(3);

    const won = await pledge({
      kind: 'per_unit',
      name: '₩100 per 1,000 views',
      currency: 'KRW',
      metric: 'views',
      rateMinor: 100,
      perUnits: 1_000,
      capMinor: 500_000,
      startsAt: '2026-01-01',
      endsAt: '2026-07-01',
    });
    await inTx((gc) => addReading(gc, won.id, { readOn: new Date('2026-02-01'), value: 1_234_567 }));
    const detail = await inTx((gc) => getPledge(gc, won.id));
    // 1,234,567 × 100 / 1,000 = 123,456.7 → ₩123,456.
    expect(detail.pledge).toMatchObject({ raisedMinor: 123_456, dueMinor: 123_456, currency: 'KRW' });
    const invoice = await inTx((gc) => issueInvoice(gc, won.id, { periodEnd: new Date('2026-07-01') }));
    expect(invoice).toMatchObject({ amountMinor: 123_456, currency: 'KRW', status: 'issued' });
    const [mail] = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.subject, `Invoice ${invoice.number} from Passage: ₩123,456`));
    expect(mail?.textBody).toContain('Amount due: ₩123,456');
    expect(mail?.textBody).toContain('1,234,567 views at ₩100 per 1,000');
  });

  it('invoices what is due once, emails the sponsor, records the payment once as a settled, receipted gift', async () => {
    const p = await pledge({
      kind: 'per_unit',
      name: 'Podcast downloads',
      metric: 'downloads',
      rateMinor: 50,
      capMinor: 1_000_000,
      startsAt: '2026-02-01',
      endsAt: '2026-08-01',
    });
    await inTx((gc) => importReadings(gc, p.id, '2026-02-10,100\n2026-03-10,300\n'));
    // Up to 1 March: the February reading only.
    const first = await inTx((gc) => issueInvoice(gc, p.id, { periodEnd: new Date('2026-03-01') }));
    expect(first.number).toMatch(/^INV-\d{4}-\d{6}$/);
    expect(first).toMatchObject({
      amountMinor: 5_000,
      periodStart: '2026-02-01T00:00:00.000Z',
      emailed: true,
    });
    await expect(
      inTx((gc) => issueInvoice(gc, p.id, { periodEnd: new Date('2026-03-01') })),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
    const second = await inTx((gc) => issueInvoice(gc, p.id, { periodEnd: new Date('2026-04-01') }));
    expect(second).toMatchObject({ amountMinor: 15_000, periodStart: '2026-03-01T00:00:00.000Z' });
    expect(Number(second.number.slice(-6))).toBe(Number(first.number.slice(-6)) + 1);
    await expect(
      inTx((gc) => issueInvoice(gc, p.id, { periodEnd: new Date('2026-05-01') })),
    ).rejects.toMatchObject({
      statusCode: 409,
      message: 'Nothing is due for this period: no invoice was issued.',
    });
    const mails = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.toAddress, 'sponsor@harbour.example'));
    expect(
      mails.some((m) => m.textBody.includes(`Invoice ${first.number}`) && m.textBody.includes('$50.00')),
    ).toBe(true);

    const paid = await inTx((gc) =>
      markInvoicePaid(gc, first.id, { receivedOn: new Date('2026-03-15'), method: 'wire' }),
    );
    expect(paid.status).toBe('paid');
    const [gift] = await db
      .select()
      .from(gifts)
      .where(eq(gifts.id, paid.giftId ?? ''));
    expect(gift).toMatchObject({
      supporterId: sponsorId,
      amountMinor: 5_000,
      status: 'settled',
      source: 'offline',
      method: 'wire',
      fundId,
    });
    expect(
      await db
        .select()
        .from(ledgerEntries)
        .where(eq(ledgerEntries.giftId, gift?.id ?? '')),
    ).toHaveLength(1);
    const [receipt] = await db
      .select()
      .from(receipts)
      .where(eq(receipts.giftId, gift?.id ?? ''));
    expect(receipt?.outboxId).toBeTruthy();
    await expect(
      inTx((gc) => markInvoicePaid(gc, first.id, { receivedOn: new Date('2026-03-15'), method: 'wire' })),
    ).rejects.toMatchObject({ statusCode: 409, message: 'This invoice is already paid.' });
    await expect(inTx((gc) => voidInvoice(gc, first.id))).rejects.toMatchObject({ statusCode: 409 });

    // Voiding the unpaid one makes its amount due again, from the same period start.
    await inTx((gc) => voidInvoice(gc, second.id));
    await expect(
      inTx((gc) => markInvoicePaid(gc, second.id, { receivedOn: new Date('2026-04-02'), method: 'cheque' })),
    ).rejects.toMatchObject({ statusCode: 409, message: 'This invoice is void.' });
    const detail = await inTx((gc) => getPledge(gc, p.id));
    expect(detail.pledge).toMatchObject({
      raisedMinor: 20_000,
      invoicedMinor: 5_000,
      paidMinor: 5_000,
      dueMinor: 15_000,
    });
    expect(detail.nextPeriodStart).toBe('2026-03-01T00:00:00.000Z');
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('matching: 1:1 of eligible gifts in the window, not the sponsor’s, less refunds, up to the cap', async () => {
    const campaign = await insertCampaign(db, {
      code: 'bridge-match',
      name: 'Bridge match',
      goalKind: 'money',
      goalMinor: 10_000_000,
      currency: 'USD',
      fundId,
      startsAt: new Date('2026-01-01T00:00:00Z'),
    });
    const give = (
      supporterId: string,
      amountMinor: number,
      receivedOn: string,
      currency: 'USD' | 'EUR' = 'USD',
    ) =>
      seedSettledGift(db, {
        supporterId,
        amountMinor,
        currency,
        fundId,
        campaignId: campaign.id,
        method: 'cheque',
        receivedOn: new Date(receivedOn),
      });
    const [a, b, c] = donorIds as [string, string, string];
    await give(a, 10_000, '2026-02-28T23:59:59Z'); // before the window
    await give(a, 20_000, '2026-03-01T00:00:00Z'); // its first instant: counts
    await give(b, 30_000, '2026-03-15T12:00:00Z'); // counts, then half refunded
    const refunded = await give(c, 40_000, '2026-03-20T12:00:00Z'); // counts, then refunded whole
    await give(c, 50_000, '2026-04-01T00:00:00Z'); // the window's end: excluded
    await give(sponsorId, 60_000, '2026-03-10T00:00:00Z'); // the sponsor's own gift: excluded
    await give(b, 70_000, '2026-03-11T00:00:00Z', 'EUR'); // another currency: excluded
    const half = await give(b, 8_000, '2026-03-12T00:00:00Z');
    await inTx((gc) => refundGift(gc, half, 3_000));
    await inTx((gc) => refundGift(gc, refunded));
    const p = await pledge({
      kind: 'matching',
      name: 'March match',
      campaign: 'bridge-match',
      matchRatio: 1,
      capMinor: 60_000,
      startsAt: '2026-03-01T00:00:00Z',
      endsAt: '2026-04-01T00:00:00Z',
    });
    // 20,000 + 30,000 + (8,000 − 3,000) = 55,000 matched.
    expect(p).toMatchObject({ counted: { kind: 'matching', eligibleMinor: 55_000 }, raisedMinor: 55_000 });
    await expect(
      inTx((gc) => addReading(gc, p.id, { readOn: new Date('2026-03-02'), value: 1 })),
    ).rejects.toMatchObject({ statusCode: 409 });
    const invoice = await inTx((gc) => issueInvoice(gc, p.id, {}));
    expect(invoice).toMatchObject({ amountMinor: 55_000, periodEnd: '2026-04-01T00:00:00.000Z' });
    // The sponsor's payment is a gift to the campaign, yet never matched by the pledge it pays.
    await inTx((gc) =>
      markInvoicePaid(gc, invoice.id, { receivedOn: new Date('2026-04-03'), method: 'wire' }),
    );
    const detail = await inTx((gc) => getPledge(gc, p.id));
    expect(detail.pledge).toMatchObject({ raisedMinor: 55_000, paidMinor: 55_000, dueMinor: 0 });

    const two = await pledge({
      kind: 'matching',
      name: 'Double match, small cap',
      campaign: 'bridge-match',
      matchRatio: 2,
      capMinor: 100_000,
      startsAt: '2026-03-01T00:00:00Z',
      endsAt: '2026-04-01T00:00:00Z',
    });
    expect(two).toMatchObject({ computedMinor: 110_000, raisedMinor: 100_000, capReached: true });
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('over HTTP: clear 400s (fields, CSV lines), administrators read, the PDF, one payment of two at once', async () => {
    const missing = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/giving/pledges',
        payload: {
          kind: 'matching',
          sponsorId,
          name: 'No cap',
          currency: 'USD',
          fund: 'most-needed',
          startsAt: '2026-01-01',
        },
      }),
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('capMinor');
    const created = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/giving/pledges',
        payload: {
          kind: 'per_unit',
          sponsorId,
          name: 'Streams',
          currency: 'USD',
          fund: 'rescue-fund',
          metric: 'streams',
          rateMinor: 10,
          startsAt: '2026-01-01',
          endsAt: '2026-12-31',
        },
      }),
    );
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    const csv = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: `/api/giving/pledges/${id}/readings/import`,
        payload: { csv: 'date,value\n2026-01-05,ten\n2026-01-06,5\n' },
      }),
    );
    expect(csv.statusCode).toBe(400);
    expect(csv.json()).toMatchObject({
      error: 'validation_failed',
      problems: [{ line: 2, column: 'value', reason: '"ten" is not a whole number from 0 to 1000000000000' }],
    });
    const ok = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: `/api/giving/pledges/${id}/readings/import`,
        payload: { csv: '2026-01-05,10\n2026-01-06,5\n' },
      }),
    );
    expect(ok.statusCode).toBe(201);
    const readAsAdmin = await t.app.inject(
      as(actors.administrator, { method: 'GET', url: `/api/giving/pledges/${id}` }),
    );
    expect(readAsAdmin.json()).toMatchObject({ pledge: { raisedMinor: 150, dueMinor: 150 } });
    const adminWrite = await t.app.inject(
      as(actors.administrator, { method: 'POST', url: `/api/giving/pledges/${id}/invoices`, payload: {} }),
    );
    expect(adminWrite.statusCode).toBe(403);
    const issued = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: `/api/giving/pledges/${id}/invoices`,
        payload: { periodEnd: '2026-02-01' },
      }),
    );
    expect(issued.statusCode).toBe(201);
    const invoiceId = (issued.json() as { id: string }).id;
    const pdf = await t.app.inject(
      as(actors.administrator, {
        method: 'GET',
        url: `/api/giving/pledge-invoices/${invoiceId}/invoice.pdf`,
      }),
    );
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const pay = () =>
      t.app.inject(
        as(actors.development, {
          method: 'POST',
          url: `/api/giving/pledge-invoices/${invoiceId}/paid`,
          payload: { receivedOn: '2026-02-03', method: 'wire' },
        }),
      );
    const results = await Promise.all([pay(), pay()]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const paidGifts = await db.select().from(gifts).where(eq(gifts.supporterId, sponsorId));
    expect(paidGifts.filter((g) => g.amountMinor === 150)).toHaveLength(1);
  });
});
