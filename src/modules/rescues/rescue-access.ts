import { eq, sql } from 'drizzle-orm';
import { actionDefinition, authorize, type Resource } from '../../platform/access/policy';
import type { AuditEntryInput } from '../../platform/audit/audit.schema';
import { appendAudit } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { runScoped, type ScopedWork } from '../../platform/http/request-work';
import { rescueCases } from './rescue.table';

/**
 * What every rescue command needs: the request's transaction bound to the caller's compartments, keys, mail,
 * the caller, and the denials to audit after a rollback (the platform's scoped work).
 */
export type RescueContext = ScopedWork;

/** Rescue work runs scoped (src/platform/http/request-work.ts); jobs and tests call it directly too. */
export { runScoped };

export type CaseRow = typeof rescueCases.$inferSelect;

export const caseResource = (row: Pick<CaseRow, 'code' | 'compartmentId'>): Resource => ({
  type: 'rescue_case',
  code: row.code,
  compartmentId: row.compartmentId,
});

/**
 * Allows or refuses an action, auditing the decision when the action is audited. A denial is kept aside and
 * written by `runScoped` after the request's transaction rolls back, so the rollback cannot erase it.
 */
export async function guard(rc: RescueContext, action: string, resource: Resource): Promise<void> {
  const decision = authorize(rc.subject, action, resource, rc.now ?? new Date());
  if (actionDefinition(action)?.audited) {
    const entry: AuditEntryInput = {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action,
      resourceType: resource.type,
      resourceCode: resource.code ?? null,
      outcome: decision.allowed ? 'allowed' : 'denied',
      requestId: rc.requestId,
    };
    if (decision.allowed) await appendAudit(rc.db, entry);
    else rc.denials.push(entry);
  }
  if (decision.allowed) return;
  if (decision.reason === 'step_up') {
    throw AppError.stepUpRequired('Confirm it is you (step-up) to open this.');
  }
  throw AppError.forbidden('You do not have access to this.');
}

/**
 * A role that may never take the action is refused (403, the denial audited) before anything is looked up,
 * so its answer is the same whether the code exists, is in another compartment or not (only roles that may
 * take the action learn, by a 404, that they are not in the case's compartment, and never more).
 */
export async function refuseRoleWithoutGrant(rc: RescueContext, action: string, resource: Resource) {
  if (actionDefinition(action)?.roles[rc.subject.role]) return;
  await guard(rc, action, resource);
}

/**
 * Loads a case by code for an action. A case outside the caller's compartments answers exactly like a code
 * that does not exist, so nobody learns that it does (SECURITY.md rule 2).
 */
export async function caseForAction(rc: RescueContext, code: string, action: string): Promise<CaseRow> {
  await refuseRoleWithoutGrant(rc, action, { type: 'rescue_case', code, compartmentId: null });
  const [row] = await rc.db.select().from(rescueCases).where(eq(rescueCases.code, code));
  if (!row || !rc.subject.compartments.has(row.compartmentId)) {
    if (row) {
      rc.denials.push({
        actorId: rc.subject.userId,
        actorRole: rc.subject.role,
        action,
        resourceType: 'rescue_case',
        resourceCode: code,
        outcome: 'denied',
        requestId: rc.requestId,
      });
    }
    throw AppError.notFound('No rescue case with this code.');
  }
  await guard(rc, action, caseResource(row));
  return row;
}

/** Jobs act for the system: every compartment, for this transaction only. */
export async function runAsSystem<T>(root: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return root.transaction(async (tx) => {
    await tx.execute(sql`select set_config('passage.scope', 'system', true)`);
    return work(tx);
  });
}
