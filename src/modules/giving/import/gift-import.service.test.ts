import crypto from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { countSupporters } from '../../../../test/factories';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import { KeyRing } from '../../../platform/crypto/key-ring';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { mailOutbox } from '../../../platform/mail/mail.table';
import { currentConsent, findSupporterByEmail, insertConsent, insertSupporter } from '../../people';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import { fundBalances, gifts, importRuns, ledgerEntries, receipts } from '../giving.table';
import { checkLedger } from '../ledger/ledger.service';
import { contactKey, externalRefs, giftMethodOf } from './gift-import.commit';
import {
  checkImport,
  commitHeldImport,
  getImportRun,
  type ImportCaller,
  type ImportSettings,
  listImportRuns,
  startImportCommit,
} from './gift-import.service';

const development: Subject = {
  userId: 'dev-import',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};
const administrator: Subject = { ...development, userId: 'admin-import', role: 'administrator' };

const HEADER =
  'Contact ID,Email,First Name,Last Name,Postal Code,Do Not Email,Total Amount,Currency,Receive Date,Financial Type,Campaign,Payment Method,Transaction ID,Contribution Status';

/** A CiviCRM contribution export. */
function civicrm(lines: string[]): string {
  return `${HEADER}\n${lines.join('\n')}\n`;
}

const FILE = civicrm([
  '11,ana@example.org,Ana,Kim,04524,0,100.00,USD,2024-03-01,Donation,Bridge,Check,T-1,Completed',
  '11,ana@example.org,Ana,Kim,04524,0,50000,KRW,2024-04-01,Rescue fund,,Cash,T-2,Completed',
  '12,ben@example.org,Ben,Lee,,1,20.00,EUR,2023-12-24,Donation,,Credit Card,T-3,Refunded',
  '13,,Chi,Park,SW1A 1AA,,15.00,GBP,2024-05-05,Donation,Old appeal,EFT,T-4,Cancelled',
  '14,dee@example.org,Dee,Cho,,,30.00,USD,2024-06-01,Donation,,Check,T-5,Pending',
]);

async function countOf(db: Db, table: typeof gifts | typeof ledgerEntries | typeof receipts) {
  const [row] = await db.select({ n: count() }).from(table);
  return row?.n ?? 0;
}

describe('import keys', () => {
  it('names gifts by the source id, the transaction id or a fingerprint that tells equal rows apart', () => {
    const contact = { kind: 'individual' as const, email: 'A@example.org' };
    const gift = { amountMinor: 100n, currency: 'USD', receivedOn: '2024-01-01', status: 'settled' as const };
    const refs = externalRefs('civicrm', [
      { line: 2, contact, gift: { ...gift, sourceId: '77', transactionId: 'T' } },
      { line: 3, contact, gift: { ...gift, transactionId: 'T' } },
      { line: 4, contact, gift },
      { line: 5, contact, gift },
      { line: 6, contact },
    ]);
    expect(refs.slice(0, 2)).toEqual(['civicrm:77', 'civicrm:trxn:T']);
    expect(refs[2]).toMatch(/^civicrm:row:[0-9a-f]{32}$/);
    expect(refs[3]).not.toBe(refs[2]);
    expect(refs[4]).toBeNull();
    expect(externalRefs('civicrm', [{ line: 9, contact, gift }])[0]).toBe(refs[2]);
    expect(contactKey({ kind: 'individual', sourceId: '5', email: 'x@y.z' })).toBe('id:5');
    expect(contactKey(contact)).toBe('email:a@example.org');
    expect(giftMethodOf('Credit Card')).toBe('card');
    expect(giftMethodOf('ACH/EFT')).toBe('wire');
    expect(giftMethodOf('Barter')).toBe('other');
  });
});

describeEachDatabase('giving import', (getDb) => {
  let db: Db;
  const keys = new KeyRing(crypto.randomBytes(32));
  const dev = (): ImportCaller => ({ db, subject: development, requestId: null, keys });
  const settings: ImportSettings = { fileName: 'contributions.csv' };

  async function checkAndCommit(text: string, skipBadRows = false, caller = dev()) {
    const checked = await checkImport(caller, text, settings, { hold: true });
    const started = await commitHeldImport(caller, checked.report.run.id, { skipBadRows });
    return { checked, ...(await started.done) };
  }

  beforeAll(async () => {
    db = getDb().db;
    const rescue = await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund', restricted: true });
    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
    await insertCampaign(db, {
      code: 'bridge',
      name: 'Bridge',
      goalKind: 'money',
      goalMinor: 20_000_000,
      currency: 'USD',
      fundId: rescue.id,
      startsAt: new Date('2024-01-01T00:00:00Z'),
    });
  });

  it('dry-runs a CiviCRM file: where funds and campaigns go, what is pending, nothing written but the run', async () => {
    const { report } = await checkImport(dev(), FILE, settings);
    expect(report).toMatchObject({
      layout: 'civicrm',
      rowsRead: 5,
      goodRows: 5,
      badRows: 0,
      errors: [],
      alreadyImported: 0,
      pending: 1,
      defaultFund: 'most-needed',
      problems: [],
      run: { status: 'checked', totalRows: 5, goodRows: 5, badRows: 0, fileName: 'contributions.csv' },
    });
    expect(report.funds).toEqual([
      { value: 'Donation', fund: 'rescue-fund' }, // its row's campaign, Bridge, is the rescue fund's
      { value: 'Rescue fund', fund: 'rescue-fund' },
    ]);
    expect(report.campaigns).toEqual([
      { value: 'Bridge', campaign: 'bridge' },
      { value: 'Old appeal', campaign: null },
    ]);
    expect(await countOf(db, gifts)).toBe(0);
    expect(await countSupporters(db)).toBe(0);
  });

  it('commits settled, refunded and failed gifts as a posted batch would, without receipt emails', async () => {
    const mailBefore = await db.select({ n: count() }).from(mailOutbox);
    const { checked, run, counts } = await checkAndCommit(FILE);
    expect(run).toMatchObject({ status: 'committed', giftsCreated: 4, supportersCreated: 4, failure: null });
    expect(counts).toMatchObject({
      rows: 5,
      giftsCreated: 4,
      giftsSettled: 2,
      giftsRefunded: 1,
      giftsFailed: 1,
      giftsPendingSkipped: 1,
      giftsAlreadyImported: 0,
      supportersCreated: 4,
      supportersMatched: 0,
      consentStatements: 1,
    });
    const rows = await db.select().from(gifts).where(eq(gifts.importRunId, checked.report.run.id));
    const byRef = Object.fromEntries(rows.map((g) => [g.externalRef, g]));
    expect(byRef['civicrm:trxn:T-1']).toMatchObject({
      amountMinor: 10_000,
      currency: 'USD',
      status: 'settled',
      source: 'offline',
      method: 'cheque',
      receivedOn: new Date('2024-03-01T00:00:00Z'),
      settledAt: new Date('2024-03-01T00:00:00Z'),
      createdBy: 'dev-import',
    });
    expect(byRef['civicrm:trxn:T-2']).toMatchObject({ amountMinor: 50_000, currency: 'KRW', method: 'cash' });
    expect(byRef['civicrm:trxn:T-3']).toMatchObject({
      status: 'refunded',
      refundedMinor: 2000,
      method: 'card',
    });
    expect(byRef['civicrm:trxn:T-4']).toMatchObject({ status: 'failed', settledAt: null, campaignId: null });
    // One donor for Ana's two rows.
    expect(byRef['civicrm:trxn:T-1']?.supporterId).toBe(byRef['civicrm:trxn:T-2']?.supporterId);

    const entries = await db.select().from(ledgerEntries);
    expect(entries.map((e) => [e.kind, e.amountMinor, e.currency]).sort()).toEqual(
      [
        ['gift', 10_000, 'USD'],
        ['gift', 50_000, 'KRW'],
        ['gift', 2000, 'EUR'],
        ['refund', -2000, 'EUR'],
      ].sort(),
    );
    const receiptRows = await db.select().from(receipts);
    expect(receiptRows).toHaveLength(3);
    expect(receiptRows.every((r) => r.outboxId === null && /^R-202[34]-[0-9A-F]{8}$/.test(r.number))).toBe(
      true,
    );
    expect(await db.select({ n: count() }).from(mailOutbox)).toEqual(mailBefore);
    const balances = await db.select().from(fundBalances);
    expect(balances.map((b) => [b.currency, b.balanceMinor]).sort()).toEqual([
      ['EUR', 0],
      ['KRW', 50_000],
      ['USD', 10_000],
    ]);
    expect(await checkLedger(db)).toMatchObject({ ok: true, problems: [] });

    // "Do Not Email" = 1: a withdrawal, by import; "0" and empty say nothing.
    const ben = await findSupporterByEmail(db, 'ben@example.org');
    const ana = await findSupporterByEmail(db, 'ana@example.org');
    expect((await currentConsent(db, ben?.id ?? '')).email).toMatchObject({
      status: 'withdrawn',
      method: 'import',
    });
    expect((await currentConsent(db, ana?.id ?? '')).email.status).toBe('unknown');
    expect(ana).toMatchObject({ displayName: 'Ana Kim', postcode: '04524', createdBy: 'dev-import' });
  });

  it('imports the same file again without a second gift: the rows are reported as already imported', async () => {
    const giftsBefore = await countOf(db, gifts);
    const supportersBefore = await countSupporters(db);
    const { checked, run, counts } = await checkAndCommit(FILE);
    expect(checked.report.alreadyImported).toBe(4);
    expect(run.status).toBe('committed');
    expect(counts).toMatchObject({ giftsCreated: 0, giftsAlreadyImported: 4, giftsPendingSkipped: 1 });
    expect(await countOf(db, gifts)).toBe(giftsBefore);
    // Dee (pending only) was created the first time; found by email now.
    expect(await countSupporters(db)).toBe(supportersBefore);
    expect((await checkLedger(db)).problems).toEqual([]);
  });

  it('finds existing supporters by email, by name and postcode, never overriding their consent', async () => {
    const eun = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Eun', lastName: 'Song', postcode: '06236' },
      null,
    );
    const fay = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Fay', lastName: 'Ng', email: 'fay@example.org' },
      null,
    );
    await insertConsent(db, fay.id, { channel: 'email', granted: true, method: 'donate_form' }, null);
    const { counts } = await checkAndCommit(
      civicrm([
        ',,Eun,Song,06236,,10.00,USD,2024-01-02,Donation,,Check,M-1,Completed',
        ',FAY@example.org,F.,Ng,,1,10.00,USD,2024-01-03,Donation,,Check,M-2,Completed',
      ]),
    );
    expect(counts).toMatchObject({ supportersCreated: 0, supportersMatched: 2, consentStatements: 0 });
    const [m1] = await db.select().from(gifts).where(eq(gifts.externalRef, 'civicrm:trxn:M-1'));
    const [m2] = await db.select().from(gifts).where(eq(gifts.externalRef, 'civicrm:trxn:M-2'));
    expect(m1?.supporterId).toBe(eun.id);
    expect(m2?.supporterId).toBe(fay.id);
    expect((await currentConsent(db, fay.id)).email.status).toBe('granted');
  });

  it('writes nothing while the file has bad rows, and only the good ones when asked to skip them', async () => {
    const text = civicrm([
      '21,gus@example.org,Gus,Oh,,,10.00,USD,2024-02-01,Donation,,Check,B-1,Completed',
      '22,hal@example.org,Hal,Yu,,,ten,USD,2024-02-01,Donation,,Check,B-2,Completed',
      '23,ida@example.org,Ida,Ra,,,5.00,JPY,2024-02-01,Donation,,Check,B-3,Completed',
    ]);
    const giftsBefore = await countOf(db, gifts);
    const supportersBefore = await countSupporters(db);
    const checked = await checkImport(dev(), text, settings, { hold: true });
    expect(checked.report.errors).toEqual([
      { line: 3, column: 'Total Amount', reason: '"ten" is not an amount in USD' },
      {
        line: 4,
        column: 'Currency',
        reason: '"JPY" is not a currency Passage takes (USD, KRW, CAD, EUR, GBP, AUD)',
      },
    ]);
    const id = checked.report.run.id;
    await expect(commitHeldImport(dev(), id, { skipBadRows: false })).rejects.toThrow(
      'The file has 2 bad row(s): fix them and check the file again, or skip them.',
    );
    expect(await countOf(db, gifts)).toBe(giftsBefore);
    expect(await countSupporters(db)).toBe(supportersBefore);
    expect((await getImportRun(dev(), id)).run.status).toBe('checked');

    const started = await commitHeldImport(dev(), id, { skipBadRows: true });
    const { run, counts } = await started.done;
    expect(run).toMatchObject({ status: 'committed', skipBadRows: true, giftsCreated: 1, badRows: 2 });
    expect(counts?.supportersCreated).toBe(1);
    expect(await countOf(db, gifts)).toBe(giftsBefore + 1);
    await expect(commitHeldImport(dev(), id, { skipBadRows: true })).rejects.toThrow(
      /no longer held|already/,
    );
  });

  it('refuses a different file for a checked run, and a run committed already', async () => {
    const text = civicrm(['31,jo@example.org,Jo,An,,,1.00,USD,2024-02-01,Donation,,Check,C-1,Completed']);
    const checked = await checkImport(dev(), text, settings);
    await expect(
      commitHeldImport(dev(), checked.report.run.id, {
        skipBadRows: false,
        resend: { text: `${text}\n`, settings: {} },
      }),
    ).rejects.toThrow('This is not the file that was checked: check it again.');
    const again = await commitHeldImport(dev(), checked.report.run.id, {
      skipBadRows: false,
      resend: { text, settings: {} },
    });
    expect((await again.done).run.status).toBe('committed');
    await expect(
      startImportCommit(
        dev(),
        checked.report.run.id,
        { result: checked.result, sha256: checked.sha256, settings },
        { skipBadRows: false },
      ),
    ).rejects.toThrow('This import is already committed.');
  });

  it('undoes the whole commit when the database refuses a row, and records why without row data', async () => {
    await db.execute(sql`create or replace function refuse_aud() returns trigger language plpgsql as $$
      begin if new.currency = 'AUD' then raise exception 'no AUD today: %', new.gift_id; end if; return new; end $$`);
    await db.execute(
      sql`create trigger refuse_aud before insert on ledger_entries for each row execute function refuse_aud()`,
    );
    try {
      const giftsBefore = await countOf(db, gifts);
      const supportersBefore = await countSupporters(db);
      const { run, counts } = await checkAndCommit(
        civicrm([
          '41,kay@example.org,Kay,Im,,,1.00,USD,2024-02-01,Donation,,Check,D-1,Completed',
          '42,lou@example.org,Lou,Ma,,,1.00,AUD,2024-02-01,Donation,,Check,D-2,Completed',
        ]),
      );
      expect(counts).toBeNull();
      expect(run.status).toBe('failed');
      expect(run.failure).toBe('the database refused the import (error P0001); nothing was written');
      expect(await countOf(db, gifts)).toBe(giftsBefore);
      expect(await countSupporters(db)).toBe(supportersBefore);
      const [row] = await db.select().from(importRuns).where(eq(importRuns.id, run.id));
      expect(row?.failure).not.toContain('lou');
    } finally {
      await db.execute(sql`drop trigger refuse_aud on ledger_entries`);
    }
  });

  it('lets administrators read runs but not import; the command line needs no account', async () => {
    const admin: ImportCaller = { db, subject: administrator, requestId: null };
    await expect(checkImport(admin, FILE, settings)).rejects.toThrow(AppError);
    const { runs } = await listImportRuns(admin);
    expect(runs.length).toBeGreaterThan(3);
    expect(runs[0]).not.toHaveProperty('fileSha256');
    const cli: ImportCaller = { db, subject: null, requestId: null };
    const { report } = await checkImport(cli, FILE, settings);
    expect(report.run.status).toBe('checked');
  });

  it('refuses a mapping that cannot work with a 400 naming the problem', async () => {
    await expect(checkImport(dev(), 'Donor,Gift\nx,1\n', settings)).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/^mapping: no column is mapped to amount/),
    });
  });
});
