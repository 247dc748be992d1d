import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import { pdfText } from '../../../../test/harness/pdf-text';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { insertSupporter } from '../../people';
import { addBatchGift, createBatch, seedSettledGift } from '../batches/batch.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { gifts, receipts, yearEndStatements } from '../giving.table';
import { statementPdfFor } from '../index';
import { refundGift } from '../ledger/gift.service';
import type { GivingCurrency } from '../money';
import { runStatementsCommand } from './statement.cli';
import { buildStatement, sendYearEndStatements, statementText } from './statement.service';

/*
 * 2024, by hand:
 *   Ann   2024-02-01 USD 300.00 · 2024-06-01 USD 100.00 (25.00 refunded) · 2024-08-15 KRW 50,000 ·
 *         a cheque dated 2024-12-28 for USD 40.00 posted in 2026 (a 2024 gift: the receipt's date) ·
 *         2025-03-01 USD 50.00 (not 2024)
 *   박서준 2024-04-04 KRW 100,000
 *   Gala  2024-09-09 USD 150.00 for a dinner worth USD 60.00
 *   Nomail 2024-05-05 USD 20.00, no email
 *   Gone  2024-07-07 USD 80.00 refunded in full (gave nothing)
 */

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

describeEachDatabase('year-end statements', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let db: Db;
  const who: Record<string, string> = {};
  const gc = (): GivingContext => ({ db, subject: development, requestId: null, mail: t.ctx.mail });
  let fundId = '';
  const give = (donor: string, at: string, currency: GivingCurrency, amountMinor: number) =>
    seedSettledGift(db, {
      supporterId: who[donor] as string,
      amountMinor,
      currency,
      fundId,
      campaignId: null,
      method: 'cheque',
      receivedOn: new Date(at),
    });

  beforeAll(async () => {
    t = await startTestApp(getDb(), {
      PASSAGE_ORG_NAME: 'Passage Relief',
      PASSAGE_ORG_ADDRESS: '1 Harbour Street',
    });
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    fundId = (await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false })).id;
    for (const [key, name, email] of [
      ['ann', 'Ann Able', 'ann@example.org'],
      ['seojun', '박서준', 'seojun@example.org'],
      ['gala', 'Gala Guest', 'gala@example.org'],
      ['nomail', 'No Mail', null],
      ['gone', 'Gone Again', 'gone@example.org'],
      ['portal', 'Portal Person', actors.supporter.email],
    ] as const)
      who[key] = (
        await insertSupporter(
          db,
          { kind: 'individual', displayName: name, ...(email ? { email } : {}) },
          null,
        )
      ).id;
    await give('ann', '2024-02-01T12:00:00Z', 'USD', 30_000);
    const partly = await give('ann', '2024-06-01T12:00:00Z', 'USD', 10_000);
    await give('ann', '2024-08-15T12:00:00Z', 'KRW', 50_000);
    await give('ann', '2025-03-01T12:00:00Z', 'USD', 5_000);
    await give('seojun', '2024-04-04T12:00:00Z', 'KRW', 100_000);
    const gala = await give('gala', '2024-09-09T12:00:00Z', 'USD', 15_000);
    await db.update(gifts).set({ fairMarketValueMinor: 6_000 }).where(eq(gifts.id, gala));
    await give('nomail', '2024-05-05T12:00:00Z', 'USD', 2_000);
    const gone = await give('gone', '2024-07-07T12:00:00Z', 'USD', 8_000);
    await give('portal', '2024-10-10T12:00:00Z', 'USD', 1_500);
    await db.transaction(async (tx) => {
      const g = { ...gc(), db: tx };
      await refundGift(g, partly, 2_500);
      await refundGift(g, gone);
      const batch = await createBatch(g, { name: 'Late cheques', currency: 'USD', controlTotalMinor: 4_000 });
      await addBatchGift(g, batch.id, {
        supporterId: who.ann as string,
        amountMinor: 4_000,
        method: 'cheque',
        fund: 'most-needed',
        receivedOn: new Date('2024-12-28T00:00:00Z'),
        fairMarketValueMinor: 0,
        softCredits: [],
      } as Parameters<typeof addBatchGift>[2]);
      const { postBatch } = await import('../batches/batch.service');
      await postBatch(g, batch.id);
    });
  }, 120_000);
  afterAll(async () => t?.close());

  it('states every gift of the year by its receipt’s date, refunds shown, totals per currency', async () => {
    const s = await buildStatement(db, who.ann as string, 2024);
    expect(s).toMatchObject({ name: 'Ann Able', email: 'ann@example.org', year: 2024 });
    expect(
      s?.gifts.map((g) => [g.date, g.currency, g.amountMinor, g.refundedMinor, g.keptMinor, g.fund]),
    ).toEqual([
      ['2024-02-01', 'USD', 30_000, 0, 30_000, 'Where most needed'],
      ['2024-06-01', 'USD', 10_000, 2_500, 7_500, 'Where most needed'],
      ['2024-08-15', 'KRW', 50_000, 0, 50_000, 'Where most needed'],
      ['2024-12-28', 'USD', 4_000, 0, 4_000, 'Where most needed'],
    ]);
    expect(s?.gifts.every((g) => /^R-\d{4}-[0-9A-F]{8}$/.test(g.receiptNumber ?? ''))).toBe(true);
    expect(s?.totals).toEqual([
      { currency: 'KRW', keptMinor: 50_000 },
      { currency: 'USD', keptMinor: 41_500 },
    ]);
    expect(await buildStatement(db, who.ann as string, 2023)).toBeNull();
    expect(await buildStatement(db, who.gone as string, 2024)).toMatchObject({
      totals: [{ currency: 'USD', keptMinor: 0 }],
    });
  });

  it('writes the US acknowledgment: one sentence without goods, the quid-pro-quo wording with them', async () => {
    const ann = statementText((await buildStatement(db, who.ann as string, 2024)) as never);
    expect(ann.subject).toBe('Your 2024 giving statement');
    expect(ann.text).toContain('2024-06-01  $100.00 to Where most needed, $25.00 refunded, kept $75.00');
    expect(ann.text).toContain('  $415.00');
    expect(ann.text).toContain('  ₩50,000');
    expect(ann.text).toContain(
      'No goods or services were provided in exchange for any of these contributions.',
    );
    expect(ann.text).toContain('With gratitude,\nPassage Relief');
    const gala = statementText((await buildStatement(db, who.gala as string, 2024)) as never);
    expect(gala.text).toContain(
      'limited to the excess of the money you gave ($150.00) over the value of the goods or services Passage Relief provided ($60.00): $90.00.',
    );
    const seojun = statementText((await buildStatement(db, who.seojun as string, 2024)) as never);
    expect(seojun.text).not.toContain('goods or services');
  });

  it('prints the statement as a PDF, a Korean name included', async () => {
    const { pdf, fileName } = await statementPdfFor(db, who.seojun as string, 2024);
    expect(fileName).toBe('giving-statement-2024.pdf');
    const { text } = pdfText(pdf);
    for (const line of [
      'Giving statement 2024',
      '박서준',
      '2024-04-04',
      'KRW 100,000',
      'Passage Relief',
      '1 Harbour Street',
    ])
      expect(text).toContain(line);
    const ann = pdfText((await statementPdfFor(db, who.ann as string, 2024)).pdf).text;
    for (const line of ['USD 100.00', 'USD 25.00', 'USD 75.00', 'USD 415.00', 'KRW 50,000'])
      expect(ann).toContain(line);
    await expect(statementPdfFor(db, who.ann as string, 2022)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('sends each donor with an email one statement: a dry run writes nothing, a second run only the missing', async () => {
    const before = await db.select().from(mailOutbox);
    const dry = await sendYearEndStatements(db, t.ctx.mail, 2024, { dryRun: true });
    // Donors who kept something: Ann, 박서준, Gala, Nomail, Portal (Gone's gift was refunded in full).
    expect(dry).toEqual({ year: 2024, dryRun: true, donors: 5, withoutEmail: 1, alreadySent: 0, sent: 4 });
    expect(await db.select().from(yearEndStatements)).toEqual([]);
    const first = await sendYearEndStatements(db, t.ctx.mail, 2024, {
      publicUrl: 'https://passage.example.org',
    });
    expect(first).toEqual({ year: 2024, dryRun: false, donors: 5, withoutEmail: 1, alreadySent: 0, sent: 4 });
    const rows = await db.select().from(yearEndStatements).orderBy(asc(yearEndStatements.supporterId));
    expect(rows).toHaveLength(4);
    const annRow = rows.find((r) => r.supporterId === who.ann);
    expect(JSON.parse(annRow?.totals ?? '{}')).toEqual({ KRW: 50_000, USD: 41_500 });
    const [annMail] = await db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.id, annRow?.outboxId ?? ''));
    expect(annMail?.toAddress).toBe('ann@example.org');
    expect(annMail?.textBody).toContain('in your donor portal: https://passage.example.org/my');
    expect((await db.select().from(mailOutbox)).length - before.length).toBe(4);

    expect(await sendYearEndStatements(db, t.ctx.mail, 2024)).toMatchObject({ alreadySent: 4, sent: 0 });
    const late = await insertSupporter(
      db,
      { kind: 'individual', displayName: 'Late Giver', email: 'late@example.org' },
      null,
    );
    who.late = late.id;
    await give('late', '2024-11-11T12:00:00Z', 'USD', 1_000);
    expect(await sendYearEndStatements(db, t.ctx.mail, 2024)).toMatchObject({
      donors: 6,
      alreadySent: 4,
      sent: 1,
    });
    expect((await db.select().from(mailOutbox)).length - before.length).toBe(5);
  });

  it('runs from the command line, a dry run by default of nothing more to send', async () => {
    const lines: string[] = [];
    expect(
      await runStatementsCommand(t.ctx.database, t.ctx.config, { year: 2024, dryRun: true }, (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines).toEqual([
      '2024: 6 donors, 1 without an email, 5 already sent; 0 would be sent (dry run: nothing written)',
    ]);
    const thisYear = new Date().getUTCFullYear();
    expect(
      await runStatementsCommand(t.ctx.database, t.ctx.config, { year: thisYear }, (l) => lines.push(l)),
    ).toBe(1);
  });

  it('serves the send, the progress and the PDFs over HTTP to the right callers only', async () => {
    const call = (caller: keyof Actors, method: 'GET' | 'POST', url: string) =>
      t.app.inject(as(actors[caller], { method, url }));
    const progress = await call('administrator', 'GET', '/api/giving/statements/2024');
    // An administrator reads the progress but may not send: the answer says so.
    expect(progress.json()).toEqual({
      year: 2024,
      donors: 6,
      withoutEmail: 1,
      sent: 5,
      missing: 0,
      allowedActions: [],
    });
    const asDevelopment = await call('development', 'GET', '/api/giving/statements/2024');
    expect(asDevelopment.json().allowedActions).toEqual(['send']);
    const send = await call('development', 'POST', '/api/giving/statements/2023/send');
    expect(send.statusCode).toBe(200);
    expect(send.json()).toMatchObject({ year: 2023, queued: false, run: { donors: 0, sent: 0 } });
    expect((await call('administrator', 'POST', '/api/giving/statements/2024/send')).statusCode).toBe(403);
    const thisYear = await call(
      'development',
      'POST',
      `/api/giving/statements/${new Date().getUTCFullYear()}/send`,
    );
    expect([thisYear.statusCode, thisYear.json().message]).toEqual([
      400,
      'year: statements go out once the year has ended',
    ]);

    const staffPdf = await call(
      'administrator',
      'GET',
      `/api/giving/supporters/${who.gala}/statements/2024.pdf`,
    );
    expect(staffPdf.statusCode).toBe(200);
    expect(staffPdf.headers['content-type']).toBe('application/pdf');
    expect(pdfText(staffPdf.rawPayload).text).toContain('Gala Guest');
    expect(
      (await call('outreach', 'GET', `/api/giving/supporters/${who.gala}/statements/2024.pdf`)).statusCode,
    ).toBe(403);

    const mine = await call('supporter', 'GET', '/api/giving/me/statements/2024.pdf');
    expect(mine.statusCode).toBe(200);
    expect(pdfText(mine.rawPayload).text).toContain('Portal Person');
    expect((await call('supporter', 'GET', '/api/giving/me/statements/2023.pdf')).statusCode).toBe(404);
    expect((await call('development', 'GET', '/api/giving/me/statements/2024.pdf')).statusCode).toBe(403);
    expect((await call('anonymous', 'GET', '/api/giving/me/statements/2024.pdf')).statusCode).toBe(401);
    const [receipt] = await db.select().from(receipts).limit(1);
    expect(receipt).toBeTruthy();
  });
});
