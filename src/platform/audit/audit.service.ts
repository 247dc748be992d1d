import crypto from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import {
  type AuditEntryInput,
  AuditEntrySchema,
  type AuditSearchInput,
  AuditSearchSchema,
} from './audit.schema';
import { auditLog } from './audit.table';

/** The hash the first entry chains from. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * Every append takes this transaction-level advisory lock, held until the caller's transaction ends, so
 * entries are chained one at a time in commit order and the chain cannot fork. Its cost: audited
 * transactions commit one after another, so keep them short.
 */
const AUDIT_LOCK_KEY = 7_100_246_551_903_311;

export type AuditRecord = typeof auditLog.$inferSelect;

type Hashed = Pick<
  AuditRecord,
  | 'seq'
  | 'at'
  | 'actorId'
  | 'actorRole'
  | 'action'
  | 'resourceType'
  | 'resourceCode'
  | 'outcome'
  | 'requestId'
>;

/**
 * SHA-256 over the previous entry's hash and a canonical serialisation of this entry: a JSON array in a
 * fixed order with a version label (JSON strings are escaped unambiguously, so no two entries share one).
 */
export function auditEntryHash(prevHash: string, e: Hashed): string {
  const canonical = JSON.stringify([
    'passage-audit-v1',
    e.seq,
    e.at.toISOString(),
    e.actorId,
    e.actorRole,
    e.action,
    e.resourceType,
    e.resourceCode,
    e.outcome,
    e.requestId,
  ]);
  return crypto.createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/**
 * Appends one entry. Pass the caller's transaction to record a change with the change itself (both or
 * neither). A denial is usually followed by a rollback: write it with the root `db`, not in the
 * transaction about to be undone, or the record of the denial is undone with it.
 */
export async function appendAudit(db: Db, entry: AuditEntryInput): Promise<{ seq: number; hash: string }> {
  const parsed = AuditEntrySchema.safeParse(entry);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TypeError(`audit entry: ${String(issue?.path[0] ?? 'entry')} must be ${issue?.message}`);
  }
  const e = parsed.data;
  // Inside a transaction this is a savepoint; the advisory lock still lasts until the outer commit.
  return db.transaction(async (tx) => {
    const [lock] = rowsOf<{ isolation: string }>(
      await tx.execute(
        sql`select pg_advisory_xact_lock(${sql.raw(String(AUDIT_LOCK_KEY))}), current_setting('transaction_isolation') as isolation`,
      ),
    );
    // Under a snapshot older than the lock, the last entry could be invisible and the chain would fork.
    if (lock?.isolation !== 'read committed') {
      throw new Error(`appendAudit needs a read committed transaction (got ${lock?.isolation})`);
    }
    const [head] = await tx
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.seq))
      .limit(1);
    const [next] = rowsOf<{ seq: string; at_ms: string }>(
      await tx.execute(sql`select nextval(pg_get_serial_sequence('audit_log', 'seq'))::text as seq,
        floor(extract(epoch from clock_timestamp()) * 1000)::bigint::text as at_ms`),
    );
    if (!next) throw new Error('audit_log sequence unavailable');
    // Milliseconds from the database clock: one clock for every process, exact in a JS Date.
    const record: Hashed = { seq: Number(next.seq), at: new Date(Number(next.at_ms)), ...e };
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = auditEntryHash(prevHash, record);
    await tx.insert(auditLog).values({ ...record, prevHash, hash });
    return { seq: record.seq, hash };
  });
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  /** The last entry checked: record it elsewhere, and pass it later as `anchor` to detect truncation. */
  head: { seq: number; hash: string } | null;
  firstBroken?: { seq: number; reason: string };
}

export interface VerifyOptions {
  batchSize?: number;
  /** An entry recorded earlier (from a previous head): it must still be there with the same hash. */
  anchor?: { seq: number; hash: string };
  onProgress?: (checked: number) => void;
}

/**
 * Walks the whole chain in `seq` order, a batch at a time (memory stays flat for any length), and
 * reports the first entry that does not match. Gaps in `seq` are normal (an append whose transaction
 * rolled back); a removed, inserted, reordered or edited entry breaks the chain at or just after it.
 * Removing the newest entries leaves a shorter valid chain: only an `anchor` kept outside detects it.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<AuditVerification> {
  const batchSize = options.batchSize ?? 2000;
  let checked = 0;
  let prev: { seq: number; hash: string } | null = null;
  let anchorSeen = false;
  const broken = (seq: number, reason: string): AuditVerification => ({
    ok: false,
    checked,
    head: prev,
    firstBroken: { seq, reason },
  });
  for (;;) {
    const batch = await db
      .select()
      .from(auditLog)
      .where(prev ? gt(auditLog.seq, prev.seq) : undefined)
      .orderBy(asc(auditLog.seq))
      .limit(batchSize);
    for (const row of batch) {
      const expectedPrev = prev?.hash ?? GENESIS_HASH;
      if (row.prevHash !== expectedPrev) {
        return broken(
          row.seq,
          prev
            ? `prev_hash does not match entry #${prev.seq}: an entry before it was removed, added or altered`
            : 'the first entry does not start from the genesis hash: earlier entries were removed',
        );
      }
      if (auditEntryHash(row.prevHash, row) !== row.hash) {
        return broken(row.seq, 'hash does not match the entry: its contents were altered');
      }
      if (options.anchor && row.seq === options.anchor.seq) {
        if (row.hash !== options.anchor.hash)
          return broken(row.seq, 'the anchored entry has a different hash');
        anchorSeen = true;
      }
      prev = { seq: row.seq, hash: row.hash };
      checked += 1;
    }
    options.onProgress?.(checked);
    if (batch.length < batchSize) break;
  }
  if (options.anchor && !anchorSeen) {
    return broken(options.anchor.seq, 'the anchored entry is missing: entries were removed');
  }
  return { ok: true, checked, head: prev };
}

export interface AuditPage {
  entries: AuditRecord[];
  /** Pass as `beforeSeq` for the next (older) page; null on the last page. */
  nextBeforeSeq: number | null;
}

/** The console's audit search: exact filters, newest first, keyset pages (cheap at any depth). */
export async function searchAudit(db: Db, filter: AuditSearchInput): Promise<AuditPage> {
  const f = AuditSearchSchema.parse(filter);
  const where: SQL[] = [];
  if (f.actorId !== undefined) where.push(eq(auditLog.actorId, f.actorId));
  if (f.action !== undefined) where.push(eq(auditLog.action, f.action));
  if (f.resourceCode !== undefined) where.push(eq(auditLog.resourceCode, f.resourceCode));
  if (f.outcome !== undefined) where.push(eq(auditLog.outcome, f.outcome));
  if (f.from !== undefined) where.push(gte(auditLog.at, f.from));
  if (f.to !== undefined) where.push(lt(auditLog.at, f.to));
  if (f.beforeSeq !== undefined) where.push(lt(auditLog.seq, f.beforeSeq));
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length > 0 ? and(...where) : undefined)
    .orderBy(desc(auditLog.seq))
    .limit(f.limit + 1);
  const entries = rows.slice(0, f.limit);
  return {
    entries,
    nextBeforeSeq: rows.length > f.limit ? (entries.at(-1)?.seq ?? null) : null,
  };
}
