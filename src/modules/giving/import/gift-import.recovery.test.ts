import crypto from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { startTestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import { KeyRing } from '../../../platform/crypto/key-ring';
import type { Db } from '../../../platform/db/client';
import { insertFund } from '../funds/fund.service';
import { gifts, importRuns } from '../giving.table';
import {
  ABANDONED_COMMIT_FAILURE,
  commitEndedHere,
  commitStartedHere,
  failAbandonedImportCommits,
  holdImportCommit,
} from './gift-import.recovery';
import { checkImport, commitHeldImport, type ImportCaller } from './gift-import.service';

const development: Subject = {
  userId: 'dev-recovery',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

const FILE = [
  'Contact ID,Email,First Name,Last Name,Total Amount,Currency,Receive Date,Financial Type,Transaction ID,Contribution Status',
  '21,mun@example.org,Mun,Seo,40.00,USD,2024-02-02,Donation,R-1,Completed',
  '',
].join('\n');

describeEachDatabase('abandoned import commits', (getDb) => {
  let db: Db;
  const keys = new KeyRing(crypto.randomBytes(32));
  const dev = (): ImportCaller => ({ db, subject: development, requestId: null, keys });

  /** A run as a process that died mid-commit left it: `committing`, nothing written. */
  async function stuckRun(): Promise<string> {
    const id = crypto.randomUUID();
    await db.insert(importRuns).values({
      id,
      layout: 'civicrm',
      fileName: 'stopped.csv',
      fileSha256: crypto.createHash('sha256').update(id).digest('hex'),
      status: 'committing',
      totalRows: 3,
      goodRows: 3,
      badRows: 0,
      createdBy: 'dev-recovery',
    });
    return id;
  }
  const runOf = async (id: string) => {
    const [row] = await db.select().from(importRuns).where(eq(importRuns.id, id));
    if (!row) throw new Error('no run');
    return row;
  };

  beforeAll(async () => {
    db = getDb().db;
    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  });

  it('marks at start-up a run its stopped process left committing as failed, with a reason free of row data', async () => {
    const id = await stuckRun();
    const app = await startTestApp(getDb());
    try {
      const run = await runOf(id);
      expect([run.status, run.failure]).toEqual(['failed', ABANDONED_COMMIT_FAILURE]);
      expect(run.finishedAt).not.toBeNull();
      expect(
        app.logs.some((l) => l.includes('abandoned import commits marked failed') && l.includes(id)),
      ).toBe(true);
      // The console reads the truth.
      expect(ABANDONED_COMMIT_FAILURE).toBe('the process stopped during the commit; nothing was written');
    } finally {
      await app.close();
    }
  });

  it('leaves alone a commit running in this process, and committed, checked and failed runs', async () => {
    const running = await stuckRun();
    commitStartedHere(running);
    try {
      expect(await failAbandonedImportCommits(db)).toEqual([]);
      expect((await runOf(running)).status).toBe('committing');
    } finally {
      commitEndedHere(running);
    }
    const others = [];
    for (const status of ['checked', 'committed', 'failed'] as const) {
      const id = await stuckRun();
      await db.update(importRuns).set({ status, failure: null }).where(eq(importRuns.id, id));
      others.push(id);
    }
    expect(await failAbandonedImportCommits(db)).toEqual([running]);
    expect(await Promise.all(others.map(async (id) => (await runOf(id)).status))).toEqual([
      'checked',
      'committed',
      'failed',
    ]);
    expect((await runOf(others[2] as string)).failure).toBeNull();
  });

  it('refuses, writing nothing, a commit whose run was marked abandoned before its transaction began', async () => {
    const id = await stuckRun();
    await db.transaction((tx) => holdImportCommit(tx, id));
    await failAbandonedImportCommits(db);
    await expect(db.transaction((tx) => holdImportCommit(tx, id))).rejects.toMatchObject({
      statusCode: 409,
      message: 'This import stopped being committed before it began: commit it again.',
    });
  });

  it('lets a run marked abandoned be committed again, and a real commit is never swept', async () => {
    const checked = await checkImport(dev(), FILE, { fileName: 'again.csv' }, { hold: true });
    const runId = checked.report.run.id;
    // As if a process had claimed the commit and died: the run says committing, nothing is written.
    await db.update(importRuns).set({ status: 'committing' }).where(eq(importRuns.id, runId));
    expect(await failAbandonedImportCommits(db)).toEqual([runId]);
    const started = await commitHeldImport(dev(), runId, { skipBadRows: false });
    // A sweep while this process commits it passes it over.
    expect(await failAbandonedImportCommits(db)).not.toContain(runId);
    const done = await started.done;
    expect(done.run.status).toBe('committed');
    expect(done.counts?.giftsCreated).toBe(1);
    expect(await failAbandonedImportCommits(db)).toEqual([]);
    const [written] = await db.select({ n: count() }).from(gifts).where(eq(gifts.importRunId, runId));
    expect(written?.n).toBe(1);
  });

  it('passes over a commit another process holds, and sweeps it once that process is gone (PostgreSQL)', async () => {
    // The embedded database has one connection and one process: nothing else can hold a commit there.
    if (getDb().kind !== 'postgres') return;
    const id = await stuckRun();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    // Another connection commits the run (as another server or `passage import` would), then its process
    // dies: the transaction ends without committing and the database lets the lock go.
    const other = db
      .transaction(async (tx) => {
        await holdImportCommit(tx, id);
        locked();
        await held;
        throw new Error('the process died');
      })
      .catch(() => undefined);
    await lockTaken;
    expect(await failAbandonedImportCommits(db)).toEqual([]);
    expect((await runOf(id)).status).toBe('committing');
    release();
    await other;
    expect(await failAbandonedImportCommits(db)).toEqual([id]);
    expect((await runOf(id)).failure).toBe(ABANDONED_COMMIT_FAILURE);
  });
});
