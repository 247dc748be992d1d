/**
 * The request pipeline every module's routes use, so no route re-invents it:
 *
 *   authenticate → rate limit → validate → open the transaction (bound to the caller's compartments for
 *   scoped work) → authorise (in the service, by the policy) → call the service → present.
 *
 * Fastify rate-limits (onRequest) and validates (the route's Zod schema) before the handler; the handler hands
 * its work to one of these helpers, which authenticates the caller and runs the work in one transaction:
 *
 * - `staffWork(ctx)`: signed-in staff with a second factor, one transaction; the service checks the role.
 * - `scopedWork(ctx)`: the same, bound to the caller's compartments for row-level security, with denials
 *   audited after the transaction rolls back (S3/S4 records such as rescue cases).
 * - `staffCaller(ctx)`: the caller only, for work that opens its own transactions (imports, statement runs).
 * - `staffCsv(ctx)`: a list as a CSV download: audited before the first byte, then read page by page, each
 *   page in its own short transaction, while the file is written. Every list it answers names people, so
 *   it also needs a fresh step-up (`requireExportStepUp`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bindSubject, loadSubject } from '../access/compartment.service';
import { type Subject, steppedUp, subjectOf } from '../access/policy';
import type { AuditEntryInput } from '../audit/audit.schema';
import { appendAudit } from '../audit/audit.service';
import { requireStaff } from '../auth/actor';
import type { KeyRing } from '../crypto/key-ring';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { type CsvColumn, csvFileName, inPages, sendCsv } from '../export';
import type { Mailer } from '../mail/mailer';
import type { AppContext } from './context';

/**
 * What every module's service takes: the database (a request's transaction), who acts, and the request to
 * name in the audit log (null for jobs). Each module's context (GivingContext, PeopleContext…) is this or
 * extends it.
 */
export interface ServiceContext {
  db: Db;
  subject: Subject;
  requestId: string | null;
}

/** The signed-in staff member behind a request, and what their work may use besides the database. */
export interface StaffCaller {
  subject: Subject;
  requestId: string;
  mail: Mailer;
  keys: KeyRing;
}

/** A staff request's work: the caller and the request's one transaction. */
export interface StaffWork extends ServiceContext {
  mail: Mailer;
  keys: KeyRing;
}

/** Scoped work: a transaction bound to the caller's compartments, and the denials to audit after it. */
export interface ScopedWork extends StaffWork {
  /** Denials to write after the request's transaction has rolled back (a rollback cannot erase them). */
  denials: AuditEntryInput[];
  /** The clock of the request (tests pin it). */
  now?: Date;
}

/** Authenticates a staff caller (401 without a session, 403 for non-staff or without a second factor). */
export function staffCaller(ctx: AppContext) {
  return async (request: FastifyRequest): Promise<StaffCaller> => {
    const actor = await requireStaff(ctx.access, request);
    return { subject: subjectOf(actor, []), requestId: request.id, mail: ctx.mail, keys: ctx.keys };
  };
}

/** Runs a staff request's work in one transaction; the service authorises the caller by the policy. */
export function staffWork(ctx: AppContext) {
  const caller = staffCaller(ctx);
  return async <T>(request: FastifyRequest, work: (w: StaffWork) => Promise<T>): Promise<T> => {
    const who = await caller(request);
    return ctx.database.db.transaction((tx) => work({ ...who, db: tx }));
  };
}

/**
 * Runs work in one transaction bound to the subject's compartments, so row-level security (on a PostgreSQL
 * server, for an application role without BYPASSRLS) checks every row the services touch. All or nothing: a
 * refused or failed command changes nothing, and its denials are audited afterwards.
 */
export async function runScoped<T>(
  root: Db,
  base: Omit<ScopedWork, 'db' | 'denials'>,
  work: (w: ScopedWork) => Promise<T>,
): Promise<T> {
  const denials: AuditEntryInput[] = [];
  try {
    return await root.transaction(async (tx) => {
      await bindSubject(tx, base.subject);
      return work({ ...base, db: tx, denials });
    });
  } catch (error) {
    for (const entry of denials) await appendAudit(root, entry);
    throw error;
  }
}

/** A staff request's work on compartmented records: the caller with their compartments, `runScoped`. */
export function scopedWork(ctx: AppContext) {
  const db = ctx.database.db;
  return async <T>(request: FastifyRequest, work: (w: ScopedWork) => Promise<T>): Promise<T> => {
    const actor = await requireStaff(ctx.access, request);
    const subject = await loadSubject(db, actor);
    return runScoped(db, { keys: ctx.keys, mail: ctx.mail, subject, requestId: request.id }, work);
  };
}

/**
 * A file of people (supporters, donors, sponsors) leaves with whoever holds it, so exporting one needs a
 * step-up within the window, as opening an S4 field does (SECURITY.md: "exporting"). Call it after the
 * list's own permission check, so a caller without the list still answers 403 forbidden. An API token
 * never steps up, so it never exports people. Aggregates (totals, funds, campaigns) need none.
 */
export function requireExportStepUp(subject: Subject, now = new Date()): void {
  if (!steppedUp(subject, now))
    throw AppError.stepUpRequired('Confirm it is you (step-up) to export a list of people.');
}

/** A list answered as a CSV file by `staffCsv`. */
export interface CsvList<T> {
  /** The file's name before the date: `gifts` gives `gifts-2026-11-22.csv`. */
  name: string;
  columns: readonly CsvColumn<T>[];
  /**
   * Checks the caller may take the list and records that they did, before the first byte is sent. A
   * fresh step-up is checked after it, in the same transaction (a refusal rolls the record back).
   */
  audit(w: StaffWork): Promise<void>;
  /** The page after `after` (keyset paging); a page shorter than `pageSize` ends the file. */
  page(w: StaffWork, after: T | null): Promise<T[]>;
  pageSize: number;
}

/**
 * Answers a list as a CSV download: the caller authenticated, the export audited in its own transaction (a
 * refusal answers the list's own error and writes nothing), then every row, each page read in its own short
 * transaction while the file is written, so a long export never holds one open.
 */
export function staffCsv(ctx: AppContext) {
  const caller = staffCaller(ctx);
  const db = ctx.database.db;
  return async <T>(request: FastifyRequest, reply: FastifyReply, list: CsvList<T>) => {
    const who = await caller(request);
    await db.transaction(async (tx) => {
      await list.audit({ ...who, db: tx });
      requireExportStepUp(who.subject);
    });
    const rows = inPages<T>(
      (after) => db.transaction((tx) => list.page({ ...who, db: tx }, after)),
      list.pageSize,
    );
    return sendCsv(reply, csvFileName(list.name), rows, list.columns);
  };
}
