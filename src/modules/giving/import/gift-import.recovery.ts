import { and, eq, sql } from 'drizzle-orm';
import type { KeyRing } from '../../../platform/crypto/key-ring';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Logger } from '../../../platform/log/logger';
import { importRuns } from '../giving.table';
import { discardExpiredImportFiles } from './gift-import.file';

/*
 * A run left `committing` by a process that stopped mid-commit. The commit writes in ONE transaction, so
 * nothing of it was written; only the run's status still says otherwise, and the console would show a
 * commit in progress for ever. At start-up and every few minutes (giving.module.ts) such runs are marked
 * `failed` with a reason that holds no row data, and can be committed again.
 *
 * "Not running" must hold across processes too (several servers on one PostgreSQL, or `passage import`
 * from a shell): a commit holds a transaction-scoped advisory lock on its run for the whole of its
 * transaction, which the database releases when the transaction ends or its connection drops with a dead
 * process. A run is abandoned only when that lock is free and this process is not committing it (its own
 * commit takes the lock a moment after marking the run `committing`). The commit, once it holds the lock,
 * checks the run is still `committing`, so one marked failed in that moment is refused, not written.
 */

export const ABANDONED_COMMIT_FAILURE = 'the process stopped during the commit; nothing was written';

/** The advisory lock space of import commits (the two-key form: its keys never meet single-key locks). */
const IMPORT_COMMIT_LOCK_CLASS = 0x1a9c07;

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** Runs this process is committing now (between marking them `committing` and their end). */
const committingHere = new Set<string>();

export function commitStartedHere(runId: string): void {
  committingHere.add(runId);
}

export function commitEndedHere(runId: string): void {
  committingHere.delete(runId);
}

/**
 * First statement of a commit's transaction: takes the run's commit lock (held to the end of the
 * transaction) and refuses, writing nothing, if the run was meanwhile marked abandoned.
 */
export async function holdImportCommit(tx: Db, runId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_COMMIT_LOCK_CLASS}::int, hashtext(${runId}))`);
  const [run] = await tx
    .select({ status: importRuns.status })
    .from(importRuns)
    .where(eq(importRuns.id, runId));
  if (run?.status !== 'committing')
    throw AppError.conflict('This import stopped being committed before it began: commit it again.');
}

/**
 * Marks every `committing` run no live commit holds as `failed` (ABANDONED_COMMIT_FAILURE). Each run in a
 * short transaction of its own, so a live commit's lock is tried, never waited for. Answers the ids marked.
 */
export async function failAbandonedImportCommits(db: Db): Promise<string[]> {
  const candidates = await db
    .select({ id: importRuns.id })
    .from(importRuns)
    .where(eq(importRuns.status, 'committing'));
  const failed: string[] = [];
  for (const { id } of candidates) {
    if (committingHere.has(id)) continue;
    const marked = await db.transaction(async (tx) => {
      const [lock] = rowsOf<{ free: boolean }>(
        await tx.execute(
          sql`select pg_try_advisory_xact_lock(${IMPORT_COMMIT_LOCK_CLASS}::int, hashtext(${id})) as free`,
        ),
      );
      if (!lock?.free) return false;
      const rows = await tx
        .update(importRuns)
        .set({ status: 'failed', failure: ABANDONED_COMMIT_FAILURE, finishedAt: new Date() })
        .where(and(eq(importRuns.id, id), eq(importRuns.status, 'committing')))
        .returning({ id: importRuns.id });
      return rows.length > 0;
    });
    if (marked) failed.push(id);
  }
  return failed;
}

/**
 * The start-up sweep and the job's (giving.module.ts): marks abandoned commits failed, and discards the
 * checked files whose time has passed (their keys shredded). Logs what it did, by run id only.
 */
export async function sweepAbandonedImportCommits(db: Db, logger: Logger, keys: KeyRing): Promise<void> {
  const failed = await failAbandonedImportCommits(db);
  if (failed.length) logger.warn({ importRuns: failed }, 'abandoned import commits marked failed');
  const expired = await discardExpiredImportFiles(db, keys);
  if (expired.length) logger.info({ importRuns: expired }, 'expired import files discarded');
}
