import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { canary, expectNoCanary } from '../../../../test/harness/canary';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import { KeyShreddedError } from '../../../platform/crypto/crypto.errors';
import { dataKeys } from '../../../platform/crypto/data-key.table';
import { KeyRing } from '../../../platform/crypto/key-ring';
import { createLogger } from '../../../platform/log/logger';
import { insertFund } from '../funds/fund.service';
import { gifts, importRuns } from '../giving.table';
import {
  DISCARDED,
  discardExpiredImportFiles,
  heldImportFile,
  IMPORT_FILE_HOLD_MS,
  openImportFile,
} from './gift-import.file';
import { sweepAbandonedImportCommits } from './gift-import.recovery';
import { checkImport, commitHeldImport, getImportRun, type ImportCaller } from './gift-import.service';
import { importFiles } from './gift-import.table';

const development: Subject = {
  userId: 'dev-file',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

const HEADER =
  'Contact ID,Email,First Name,Last Name,Street Address,Total Amount,Currency,Receive Date,Financial Type,Transaction ID';
const csv = (rows: string[]) => `${HEADER}\n${rows.join('\n')}\n`;

/** What two processes of one installation share besides the database: the session secret and the KEK. */
const SHARED = {
  BETTER_AUTH_SECRET: 'import-file-test-secret-0123456789abcdefghij',
  PASSAGE_KEK: crypto.randomBytes(32).toString('base64'),
};

describeEachDatabase('the checked import file, held in the database', (getDb) => {
  const keys = new KeyRing(Buffer.from(SHARED.PASSAGE_KEK, 'base64'));
  const dev = (): ImportCaller => ({ db: getDb().db, subject: development, requestId: null, keys });
  const fileRow = async (runId: string) =>
    (await getDb().db.select().from(importFiles).where(eq(importFiles.runId, runId)))[0];
  const keyOf = async (keyId: string) =>
    (await getDb().db.select().from(dataKeys).where(eq(dataKeys.id, keyId)))[0];

  beforeAll(async () => {
    await insertFund(getDb().db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  });

  it('is sealed at rest: no byte of the database holds a donor of the file, in any encoding', async () => {
    const name = canary('import-donor-name');
    const email = `${canary('import-donor-email').toLowerCase()}@example.org`;
    const street = canary('import-donor-street');
    const text = csv([
      `1,${email},${name},Kim,"${street}, Seoul",10.00,USD,2024-03-01,Donation,F-1`,
      // Many alike rows: gzip alone would not hide the first one's text, encryption must.
      ...Array.from(
        { length: 200 },
        (_, i) => `${i + 2},d${i}@example.org,Dee,Cho,,1.00,USD,2024-03-01,Donation,`,
      ),
    ]);
    const { report } = await checkImport(dev(), text, { fileName: 'donors.csv' }, { hold: true });
    const row = await fileRow(report.run.id);
    expect(row).toMatchObject({ heldBy: 'dev-file', dataKeyId: expect.any(String) });
    // A Passage ciphertext of gzip: neither the text nor plain gzip of it.
    expect(row?.file).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
    const body = Buffer.from(row?.file.split(':')[3] ?? '', 'base64url');
    expect(() => zlib.gunzipSync(body)).toThrow();
    expect(row?.storedBytes).toBe(row?.file.length);
    expect((row?.expiresAt.getTime() ?? 0) - Date.now()).toBeGreaterThan(IMPORT_FILE_HOLD_MS - 60_000);
    expect((await keyOf(row?.dataKeyId ?? ''))?.groupType).toBe('import_file');

    await expectNoCanary([name, email, street], { dump: getDb() });

    // With the key it opens to exactly the file and its choices.
    const opened = await openImportFile<{ fileName: string }>(getDb().db, keys, report.run.id);
    const chunks: Buffer[] = [];
    for await (const chunk of opened?.source ?? []) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(text);
    expect(opened?.settings).toEqual({ fileName: 'donors.csv' });
  });

  it('is discarded with its key shredded when its run commits, and the commit cannot be repeated', async () => {
    const { report } = await checkImport(
      dev(),
      csv(['5,eve@example.org,Eve,Han,,20.00,USD,2024-03-02,Donation,F-5']),
      { fileName: 'one.csv' },
      { hold: true },
    );
    const id = report.run.id;
    const keyId = (await fileRow(id))?.dataKeyId ?? '';
    expect((await getImportRun(dev(), id)).held).toBe(true);
    const { run } = await (await commitHeldImport(dev(), id, { skipBadRows: false })).done;
    expect(run.status).toBe('committed');
    expect(await fileRow(id)).toBeUndefined();
    expect(await keyOf(keyId)).toMatchObject({ wrappedKey: null, shredReason: DISCARDED.committed });
    await expect(keys.openDataKey(getDb().db, keyId)).rejects.toThrow(KeyShreddedError);
    expect((await getImportRun(dev(), id)).held).toBe(false);
    await expect(commitHeldImport(dev(), id, { skipBadRows: false })).rejects.toMatchObject({
      statusCode: 410,
      message: 'The checked file is no longer held (15 minutes passed, or it was committed): send it again.',
    });
  });

  it('stays after a failed commit, so the run can be committed again', async () => {
    const db = getDb().db;
    const { report } = await checkImport(
      dev(),
      csv(['6,fin@example.org,Fin,Lee,,30.00,USD,2024-03-03,Donation,F-6']),
      { fileName: 'retry.csv' },
      { hold: true },
    );
    const id = report.run.id;
    await db.execute(sql`create or replace function refuse_import_gift() returns trigger language plpgsql as $$
      begin raise exception 'not now'; end $$`);
    await db.execute(
      sql`create trigger refuse_import_gift before insert on ledger_entries for each row execute function refuse_import_gift()`,
    );
    try {
      const failed = await (await commitHeldImport(dev(), id, { skipBadRows: false })).done;
      expect(failed.run.status).toBe('failed');
    } finally {
      await db.execute(sql`drop trigger refuse_import_gift on ledger_entries`);
    }
    expect(await fileRow(id)).toBeDefined();
    const again = await (await commitHeldImport(dev(), id, { skipBadRows: false })).done;
    expect(again.run.status).toBe('committed');
    expect(await fileRow(id)).toBeUndefined();
  });

  it('expires after 15 minutes: refused with 410, then discarded by the sweep with its key shredded', async () => {
    const db = getDb().db;
    const { report } = await checkImport(
      dev(),
      csv(['7,gil@example.org,Gil,Moon,,5.00,USD,2024-03-04,Donation,F-7']),
      { fileName: 'late.csv' },
      { hold: true },
    );
    const id = report.run.id;
    const keyId = (await fileRow(id))?.dataKeyId ?? '';
    const later = new Date(Date.now() + IMPORT_FILE_HOLD_MS + 1000);
    expect(await heldImportFile(db, id)).not.toBeNull();
    expect(await heldImportFile(db, id, later)).toBeNull();
    // Nothing is discarded before its time.
    expect(await discardExpiredImportFiles(db, keys)).not.toContain(id);

    await db
      .update(importFiles)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(importFiles.runId, id));
    await expect(commitHeldImport(dev(), id, { skipBadRows: false })).rejects.toMatchObject({
      statusCode: 410,
    });
    expect((await getImportRun(dev(), id)).held).toBe(false);

    const logs: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
    await sweepAbandonedImportCommits(db, logger, keys);
    expect(await fileRow(id)).toBeUndefined();
    expect(await keyOf(keyId)).toMatchObject({ wrappedKey: null, shredReason: DISCARDED.expired });
    expect(logs.some((l) => l.includes('expired import files discarded') && l.includes(id))).toBe(true);
    expect(await discardExpiredImportFiles(db, keys)).toEqual([]);
    // The run itself stays, checked, for the record.
    expect((await getImportRun(dev(), id)).run.status).toBe('checked');
  });

  it('keeps all held files under their limit, the oldest going first', async () => {
    const db = getDb().db;
    const text = csv(['8,hye@example.org,Hye,Bae,,5.00,USD,2024-03-05,Donation,F-8']);
    const first = (await checkImport(dev(), text, { fileName: 'a.csv' }, { hold: true })).report.run.id;
    const size = (await fileRow(first))?.storedBytes ?? 0;
    const limit = Math.floor(size * 1.5);
    const held = async () =>
      await db.select({ runId: importFiles.runId, n: importFiles.storedBytes }).from(importFiles);
    expect((await held()).length).toBeGreaterThan(1);
    // Room for one more of the same size only: every older file goes, the new one stays.
    const second = (
      await checkImport(dev(), text, { fileName: 'b.csv' }, { hold: true, maxHeldChars: limit })
    ).report.run.id;
    expect((await held()).map((f) => f.runId)).toEqual([second]);
    expect((await held())[0]?.n).toBeLessThanOrEqual(limit);
    expect((await getImportRun(dev(), first)).held).toBe(false);
  });
});

describeEachDatabase("a commit's progress, for every process", (getDb) => {
  const keys = new KeyRing(Buffer.from(SHARED.PASSAGE_KEK, 'base64'));
  const dev = (): ImportCaller => ({ db: getDb().db, subject: development, requestId: null, keys });

  beforeAll(async () => {
    await insertFund(getDb().db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  });

  it('answers, for a run another process commits, the rows it last wrote to the run', async () => {
    const { report } = await checkImport(
      dev(),
      csv(['10,jo@example.org,Jo,Ahn,,1.00,USD,2024-03-07,Donation,PR-1']),
      { fileName: 'elsewhere.csv' },
    );
    const id = report.run.id;
    await getDb()
      .db.update(importRuns)
      .set({ status: 'committing', rowsWritten: 7 })
      .where(eq(importRuns.id, id));
    expect((await getImportRun(dev(), id)).progress).toEqual({ done: 7, total: 1 });
    await getDb().db.update(importRuns).set({ status: 'failed' }).where(eq(importRuns.id, id));
    expect((await getImportRun(dev(), id)).progress).toBeNull();
  });

  it("writes a running commit's rows written to its run (PostgreSQL)", async () => {
    // The embedded database has one connection, which the commit holds: nothing can be written beside it.
    if (getDb().kind !== 'postgres') return;
    const db = getDb().db;
    const rows = Array.from(
      { length: 5100 },
      (_, i) => `${1000 + i},p${i}@example.org,Pat,No${i},,1.00,USD,2024-03-08,Donation,PR-${i + 2}`,
    );
    const { report } = await checkImport(dev(), csv(rows), { fileName: 'big.csv' }, { hold: true });
    const id = report.run.id;
    // Each batch of ledger entries takes a second, as a large file on a busy server would.
    await db.execute(sql`create or replace function slow_import() returns trigger language plpgsql as $$
      begin perform pg_sleep(1); return null; end $$`);
    await db.execute(
      sql`create trigger slow_import after insert on ledger_entries for each statement execute function slow_import()`,
    );
    try {
      const started = await commitHeldImport(dev(), id, { skipBadRows: false, shareProgress: true });
      let seen = 0;
      for (let i = 0; i < 200 && seen === 0; i++) {
        const [run] = await db.select().from(importRuns).where(eq(importRuns.id, id));
        if (run?.status === 'committing') seen = run.rowsWritten;
        else break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen).toBeGreaterThan(0);
      expect(seen).toBeLessThan(5100);
      expect((await started.done).run.status).toBe('committed');
    } finally {
      await db.execute(sql`drop trigger slow_import on ledger_entries`);
    }
  });
});

describeEachDatabase('the checked import file across a restart', (getDb) => {
  let first: TestApp | undefined;
  let actors: Actors;

  beforeAll(async () => {
    first = await startTestApp(getDb(), SHARED);
    actors = await actorsFor(first.app, first.ctx);
    await insertFund(getDb().db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  }, 90_000);
  afterAll(async () => first?.close());

  it('checked on one app, commits on another started afterwards on the same database', async () => {
    const app1 = first as TestApp;
    const checked = await app1.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/giving/imports',
        payload: {
          fileName: 'restart.csv',
          csv: csv(['9,ian@example.org,Ian,Seo,,12.00,USD,2024-03-06,Donation,RS-1']),
        },
      }),
    );
    expect(checked.statusCode).toBe(201);
    const id = checked.json().run.id as string;
    await app1.close();
    first = undefined;

    const app2 = await startTestApp(getDb(), SHARED);
    try {
      const get = () =>
        app2.app.inject(as(actors.development, { method: 'GET', url: `/api/giving/imports/${id}` }));
      expect((await get()).json()).toMatchObject({ run: { status: 'checked' }, held: true });
      const started = await app2.app.inject(
        as(actors.development, { method: 'POST', url: `/api/giving/imports/${id}/commit`, payload: {} }),
      );
      expect(started.statusCode).toBe(202);
      let body = (await get()).json();
      for (let i = 0; i < 100 && body.run.status === 'committing'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        body = (await get()).json();
      }
      expect(body).toMatchObject({ run: { status: 'committed', giftsCreated: 1 }, held: false });
      const written = await getDb().db.select().from(gifts).where(eq(gifts.importRunId, id));
      expect(written.map((g) => g.externalRef)).toEqual(['civicrm:trxn:RS-1']);
    } finally {
      await app2.close();
    }
  });
});
