/**
 * Import runs: the dry run (check) and the commit of one CSV file, for the console and `passage import`.
 *
 * A check reads the whole file, records an `import_runs` row (status `checked`, the file's SHA-256 and the
 * counts, never a row's data) and answers every bad row. A commit of that run re-reads the same file (the
 * hash must match), refuses while there are bad rows unless they are skipped, marks the run `committing`,
 * then writes everything in ONE transaction that also marks it `committed`: a failure leaves nothing but
 * the run marked `failed` with a reason free of row data.
 *
 * The console's file is held in the database between the check and the commit (gift-import.file.ts: 15
 * minutes, gzipped and sealed with a data key of the run's own, shredded at commit), so the commit may reach
 * any process, or one started since. Progress of a running commit is kept in the committing process's
 * memory and, on PostgreSQL, written to its run at most once a second beside the commit's transaction, so
 * every process shows it; on the embedded database other requests wait for the commit, which holds its only
 * connection.
 */
import crypto from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import { authorize, type Subject } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { KeyRing } from '../../../platform/crypto/key-ring';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { GIVING_ACTIONS } from '../giving.policy';
import { MAX_AMOUNT_MINOR } from '../giving.schema';
import { importRuns } from '../giving.table';
import { GIVING_CURRENCIES } from '../money';
import {
  type CommitCounts,
  commitImportRows,
  DEFAULT_IMPORT_FUND,
  externalRefs,
  importedRefs,
  resolveImportTargets,
} from './gift-import.commit';
import {
  compressImportFile,
  DISCARDED,
  discardImportFile,
  heldImportFile,
  holdImportFile,
  openImportFile,
} from './gift-import.file';
import type { ImportLayout, ImportMapping } from './gift-import.layouts';
import {
  ImportMappingError,
  type ImportOptions,
  type ImportResult,
  type ImportSource,
  readImport,
} from './gift-import.reader';
import { commitEndedHere, commitStartedHere, holdImportCommit } from './gift-import.recovery';
import type { ContactKind, DateFormat, ImportError } from './gift-import.row';

export type ImportRunRow = typeof importRuns.$inferSelect;

/** Who imports: a staff member (checked against the giving policy), or the operator at the command line. */
export interface ImportCaller {
  db: Db;
  /** null: `passage import`, run by whoever holds the database (no account, audited as such). */
  subject: Subject | null;
  requestId: string | null;
  /** Seals the file held for a console commit (gift-import.file.ts); the command line holds none. */
  keys?: KeyRing;
}

/** The choices of the mapping step, the same for the check and the commit of a run. */
export interface ImportSettings {
  fileName: string;
  layout?: ImportLayout;
  mapping?: ImportMapping;
  defaultCurrency?: string;
  dateFormat?: DateFormat;
  contactKind?: ContactKind;
  entity?: 'gifts' | 'contacts';
  /** Fund code for gifts naming no fund Passage has. Default `most-needed`. */
  defaultFund?: string;
}

export interface ImportProgress {
  phase: 'checking' | 'committing' | 'done';
  /** Bytes read while checking; rows written while committing. */
  done: number;
  total: number;
}

export interface ImportReport {
  run: ReturnType<typeof presentRun>;
  layout: ImportLayout;
  headers: string[];
  mapping: ImportMapping;
  rowsRead: number;
  goodRows: number;
  badRows: number;
  /** Every problem of every bad row, in file order. */
  errors: ImportError[];
  complete: boolean;
  /** Good gift rows an earlier import already wrote (they will be skipped). */
  alreadyImported: number;
  /** Good rows with a pending gift (a promise): their contact is imported, the gift is not. */
  pending: number;
  funds: { value: string; fund: string }[];
  campaigns: { value: string; campaign: string | null }[];
  defaultFund: string;
  /** Why the commit cannot happen whatever the rows (the default fund is missing). */
  problems: string[];
}

/** Commits in progress in this process (and just finished), by run id (see the header). */
const progress = new Map<string, ImportProgress & { counts?: CommitCounts }>();

function allow(caller: ImportCaller, action: string) {
  if (caller.subject && !authorize(caller.subject, action).allowed)
    throw AppError.forbidden('You do not have access to this.');
}

async function audit(caller: ImportCaller, db: Db, action: string, runId: string) {
  await appendAudit(db, {
    actorId: caller.subject?.userId ?? null,
    actorRole: caller.subject?.role ?? null,
    action,
    resourceType: 'import_run',
    resourceCode: runId,
    outcome: 'succeeded',
    requestId: caller.requestId,
  });
}

export function presentRun(row: ImportRunRow) {
  return {
    id: row.id,
    layout: row.layout,
    fileName: row.fileName,
    status: row.status as 'checked' | 'committing' | 'committed' | 'failed',
    skipBadRows: row.skipBadRows,
    totalRows: row.totalRows,
    goodRows: row.goodRows,
    badRows: row.badRows,
    giftsCreated: row.giftsCreated,
    supportersCreated: row.supportersCreated,
    failure: row.failure,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}

function readerOptions(settings: ImportSettings): ImportOptions {
  return {
    ...(settings.layout ? { layout: settings.layout } : {}),
    ...(settings.mapping ? { mapping: settings.mapping } : {}),
    ...(settings.defaultCurrency ? { defaultCurrency: settings.defaultCurrency } : {}),
    ...(settings.dateFormat ? { dateFormat: settings.dateFormat } : {}),
    ...(settings.contactKind ? { contactKind: settings.contactKind } : {}),
    ...(settings.entity ? { entity: settings.entity } : {}),
    currencies: GIVING_CURRENCIES,
    maxAmountMinor: BigInt(MAX_AMOUNT_MINOR),
  };
}

/** The source, hashed and counted as it is read. */
function hashing(source: ImportSource, onBytes?: (bytes: number) => void) {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  async function* chunks() {
    const input =
      typeof source === 'string' || source instanceof Uint8Array
        ? [source]
        : (source as AsyncIterable<string | Uint8Array>);
    for await (const chunk of input) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      hash.update(buf);
      bytes += buf.length;
      onBytes?.(bytes);
      yield buf;
    }
  }
  return { stream: chunks(), digest: () => hash.digest('hex'), bytes: () => bytes };
}

function mappingRefused(error: unknown): never {
  if (error instanceof ImportMappingError) throw AppError.invalid(error.message);
  throw error;
}

/**
 * The dry run: reads and validates every row, matches funds and campaigns, counts gifts imported before,
 * and records the run. Writes nothing else but, when `hold` is set (the console), the file for its commit,
 * sealed, with the run.
 */
export async function checkImport(
  caller: ImportCaller,
  source: ImportSource,
  settings: ImportSettings,
  options: {
    hold?: boolean;
    /** The limit of all held files together (gift-import.file.ts; a test sets a small one). */
    maxHeldChars?: number;
    totalBytes?: number;
    onProgress?: (p: ImportProgress) => void;
  } = {},
): Promise<{ report: ImportReport; result: ImportResult; sha256: string }> {
  allow(caller, GIVING_ACTIONS.record);
  const keys = caller.keys;
  if (options.hold && !keys) throw new Error('holding an import file needs the key ring');
  // Compressed in the thread pool while this thread reads the rows.
  const gzipped = options.hold && typeof source === 'string' ? compressImportFile(source) : null;
  // Awaited on every path, so a failed check leaves no unhandled rejection behind.
  gzipped?.catch(() => {});
  const total = options.totalBytes ?? (typeof source === 'string' ? Buffer.byteLength(source) : 0);
  const hashed = hashing(source, (done) => options.onProgress?.({ phase: 'checking', done, total }));
  const result = await readImport(hashed.stream, readerOptions(settings)).catch(mappingRefused);
  const sha256 = hashed.digest();
  const db = caller.db;
  const targets = await resolveImportTargets(db, result.rows, settings.defaultFund ?? DEFAULT_IMPORT_FUND);
  const refs = externalRefs(result.layout, result.rows);
  const already = await importedRefs(db, refs);
  const id = crypto.randomUUID();
  const file = gzipped && (await gzipped);
  // The reading above holds no transaction (a large file takes seconds); the run, its file and its audit
  // entry commit together.
  const run = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(importRuns)
      .values({
        id,
        layout: result.layout,
        fileName: settings.fileName,
        fileSha256: sha256,
        status: 'checked',
        totalRows: result.rowsRead,
        goodRows: result.rows.length,
        badRows: result.badRows,
        createdBy: caller.subject?.userId ?? 'command-line',
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    if (file && keys)
      await holdImportFile(tx, keys, {
        runId: id,
        heldBy: caller.subject?.userId ?? null,
        gzipped: file,
        settings,
        ...(options.maxHeldChars ? { maxChars: options.maxHeldChars } : {}),
      });
    await audit(caller, tx, 'gift_import.check', id);
    return row;
  });
  const report: ImportReport = {
    run: presentRun(run),
    layout: result.layout,
    headers: result.headers,
    mapping: result.mapping,
    rowsRead: result.rowsRead,
    goodRows: result.rows.length,
    badRows: result.badRows,
    errors: result.errors,
    complete: result.complete,
    alreadyImported: refs.filter((r) => r !== null && already.has(r)).length,
    pending: result.rows.filter((r) => r.gift?.status === 'pending').length,
    funds: targets.funds,
    campaigns: targets.campaigns,
    defaultFund: targets.defaultFund,
    problems: targets.problems,
  };
  return { report, result, sha256 };
}

async function runOrThrow(db: Db, id: string): Promise<ImportRunRow> {
  const [run] = await db.select().from(importRuns).where(eq(importRuns.id, id));
  if (!run) throw AppError.notFound('No import with this id.');
  return run;
}

/** Why a checked file cannot be committed, or null. */
function refusal(result: ImportResult, skipBadRows: boolean): string | null {
  if (!result.complete)
    return 'The file could not be read to the end (see the report): fix it and check it again.';
  if (result.errors.length && !skipBadRows)
    return `The file has ${result.badRows} bad row(s): fix them and check the file again, or skip them.`;
  if (result.rows.length === 0) return 'The file has no good rows to import.';
  return null;
}

export interface CommitOptions {
  skipBadRows: boolean;
  /**
   * Write the rows written to the run as the commit goes, for other processes' progress bars. Only on a
   * PostgreSQL server: the embedded database has one connection, which the commit holds.
   */
  shareProgress?: boolean;
}

/** How often a commit's progress is written to its run. */
const SHARE_PROGRESS_MS = 1000;

export interface StartedCommit {
  run: ReturnType<typeof presentRun>;
  /** Settles when the commit has committed or failed (never rejects). */
  done: Promise<{ run: ReturnType<typeof presentRun>; counts: CommitCounts | null }>;
}

/**
 * Starts the commit of a checked run: `result` is the file as read again (the command line keeps it from the
 * check; the console's route reads the held file). Refuses (409, nothing written) while the file has bad rows
 * and they are not skipped, or when the run is not waiting for a commit; then marks it `committing` and
 * writes in the background, reporting progress.
 */
export async function startImportCommit(
  caller: ImportCaller,
  runId: string,
  read: { result: ImportResult; sha256: string; settings: ImportSettings },
  options: CommitOptions & { onProgress?: (p: ImportProgress) => void },
): Promise<StartedCommit> {
  allow(caller, GIVING_ACTIONS.record);
  const db = caller.db;
  const run = await runOrThrow(db, runId);
  if (run.fileSha256 !== read.sha256)
    throw AppError.conflict('This is not the file that was checked: check it again.');
  if (run.status === 'committed' || run.status === 'committing')
    throw AppError.conflict(`This import is already ${run.status}.`);
  const why = refusal(read.result, options.skipBadRows);
  if (why) throw AppError.conflict(why);
  const defaultFund = read.settings.defaultFund ?? DEFAULT_IMPORT_FUND;
  const targets = await resolveImportTargets(db, read.result.rows, defaultFund);
  if (targets.problems.length && read.result.rows.some((r) => r.gift))
    throw AppError.conflict(`The import cannot be committed: ${targets.problems.join('; ')}.`);

  // Only one commit of a run: the status moves from checked (or failed) to committing exactly once. Known
  // as running here before the status says so, so the sweep of abandoned commits never takes it for one.
  commitStartedHere(runId);
  const [claimed] = await db
    .update(importRuns)
    .set({ status: 'committing', skipBadRows: options.skipBadRows, failure: null, rowsWritten: 0 })
    .where(and(eq(importRuns.id, runId), inArray(importRuns.status, ['checked', 'failed'])))
    .returning()
    .catch((error: unknown) => {
      commitEndedHere(runId);
      throw error;
    });
  if (!claimed) {
    commitEndedHere(runId);
    throw AppError.conflict('This import is already being committed.');
  }
  let shared = 0;
  const report = (p: ImportProgress & { counts?: CommitCounts }) => {
    progress.set(runId, p);
    options.onProgress?.(p);
    if (options.shareProgress && p.phase === 'committing' && Date.now() - shared >= SHARE_PROGRESS_MS) {
      shared = Date.now();
      // Beside the commit's transaction, on another connection; never awaited, so never in its way.
      void db
        .update(importRuns)
        .set({ rowsWritten: p.done })
        .where(and(eq(importRuns.id, runId), eq(importRuns.status, 'committing')))
        .catch(() => {});
    }
  };
  report({ phase: 'committing', done: 0, total: read.result.rows.length });

  const done = (async () => {
    try {
      const { counts, row } = await db.transaction(async (tx) => {
        // Held to the end of this transaction: a live commit is never taken for an abandoned one.
        await holdImportCommit(tx, runId);
        // The file goes with the commit (a failed one keeps it, to be committed again until it expires).
        if (caller.keys) await discardImportFile(tx, caller.keys, runId, DISCARDED.committed);
        const counts = await commitImportRows(tx, read.result.rows, {
          layout: read.result.layout,
          importRunId: runId,
          createdBy: caller.subject?.userId ?? null,
          defaultFundCode: defaultFund,
          onProgress: (p) => report({ phase: 'committing', ...p }),
        });
        const [row] = await tx
          .update(importRuns)
          .set({
            status: 'committed',
            giftsCreated: counts.giftsCreated,
            supportersCreated: counts.supportersCreated,
            finishedAt: new Date(),
          })
          .where(eq(importRuns.id, runId))
          .returning();
        // Last, so the audit chain's lock is held only for the moment before the commit.
        await audit(caller, tx, 'gift_import.commit', runId);
        return { counts, row };
      });
      const total = read.result.rows.length;
      report({ phase: 'done', done: total, total, counts });
      return { run: presentRun(row ?? claimed), counts };
    } catch (error) {
      progress.delete(runId);
      const failure = failureOf(error);
      const [row] = await db
        .update(importRuns)
        .set({ status: 'failed', failure, finishedAt: new Date() })
        .where(eq(importRuns.id, runId))
        .returning()
        .catch(() => [undefined]);
      return { run: presentRun(row ?? { ...claimed, status: 'failed', failure }), counts: null };
    } finally {
      commitEndedHere(runId);
    }
  })();
  return { run: presentRun(claimed), done };
}

/**
 * A failure's reason for the run row: our own messages, or the database's error code. Never a driver
 * message: those quote the failed statement's parameters, which are donors' names and emails.
 */
function failureOf(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } };
  const code = e?.cause?.code ?? e?.code;
  if (error instanceof AppError) return error.message;
  return code
    ? `the database refused the import (error ${code}); nothing was written`
    : 'the import failed; nothing was written';
}

const NOT_HELD =
  'The checked file is no longer held (15 minutes passed, or it was committed): send it again.';

/** The console's commit: the file held since its check (or sent again), read again and committed. */
export async function commitHeldImport(
  caller: ImportCaller,
  runId: string,
  options: CommitOptions & { resend?: { text: string; settings: Omit<ImportSettings, 'fileName'> } },
): Promise<StartedCommit> {
  allow(caller, GIVING_ACTIONS.record);
  const run = await runOrThrow(caller.db, runId);
  const held = await heldImportFile(caller.db, runId);
  if (held && caller.subject && held.heldBy !== caller.subject.userId)
    throw AppError.forbidden('Only the person who checked this file can import it.');
  let source: ImportSource;
  let settings: ImportSettings;
  if (options.resend) {
    source = options.resend.text;
    settings = { ...options.resend.settings, fileName: run.fileName };
  } else {
    const file =
      held && caller.keys ? await openImportFile<ImportSettings>(caller.db, caller.keys, runId) : null;
    if (!file) throw AppError.gone(NOT_HELD);
    source = file.source;
    settings = { ...file.settings, fileName: run.fileName };
  }
  const hashed = hashing(source);
  const result = await readImport(hashed.stream, readerOptions(settings)).catch(mappingRefused);
  return startImportCommit(caller, runId, { result, sha256: hashed.digest(), settings }, options);
}

/**
 * A run with its commit's progress (rows written of the total) while it commits: this process's own, or
 * what the committing process last wrote to the run.
 */
export async function getImportRun(caller: ImportCaller, id: string) {
  allow(caller, GIVING_ACTIONS.read);
  const run = await runOrThrow(caller.db, id);
  const p = progress.get(id);
  // Another process's commit: what it last wrote to the run.
  const elsewhere = run.status === 'committing' ? { done: run.rowsWritten, total: run.goodRows } : null;
  return {
    run: presentRun(run),
    progress: p ? { done: p.done, total: p.total } : elsewhere,
    counts: p?.counts ?? null,
    held: (await heldImportFile(caller.db, id)) !== null,
  };
}

export async function listImportRuns(caller: ImportCaller, limit = 20) {
  allow(caller, GIVING_ACTIONS.read);
  const rows = await caller.db
    .select()
    .from(importRuns)
    .orderBy(desc(importRuns.createdAt), desc(importRuns.id))
    .limit(limit);
  return { runs: rows.map(presentRun) };
}
