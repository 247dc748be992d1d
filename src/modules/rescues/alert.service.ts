// What needs a coordinator's attention: compromised legs and partners (the cases that used them are flagged),
// overdue check-ins raised as alerts (a job), and the alerts list with its acknowledgement.
import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNotNull, isNull, lt, notInArray, sql } from 'drizzle-orm';
import { compartmentMembers } from '../../platform/access/compartment.table';
import { appendAudit } from '../../platform/audit/audit.service';
import { users } from '../../platform/auth/auth.table';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import type { Mailer } from '../../platform/mail/mailer';
import { openLeg, openLegsOfCases } from './leg-seal';
import type { PartnerFlagClearReason } from './rescue.constants';
import { RESCUE_ACTIONS } from './rescue.policy';
import { caseEvents, legs, partnerFlagEvents, partnerFlags, rescueAlerts, rescueCases } from './rescue.table';
import {
  caseForAction,
  guard,
  type RescueContext,
  refuseRoleWithoutGrant,
  runAsSystem,
} from './rescue-access';
import { legOf } from './route.service';

const uuid = () => crypto.randomUUID();
const _HOUR = 3_600_000;

async function flagCases(tx: Db, caseIds: string[], reason: string, now: Date) {
  if (!caseIds.length) return 0;
  const flagged = await tx
    .update(rescueCases)
    .set({ flaggedAt: now, flagReason: reason, updatedAt: now })
    .where(and(inArray(rescueCases.id, caseIds), isNull(rescueCases.closedAt)))
    .returning({ id: rescueCases.id, compartmentId: rescueCases.compartmentId });
  for (const c of flagged) {
    await tx
      .insert(caseEvents)
      .values({ id: uuid(), caseId: c.id, compartmentId: c.compartmentId, kind: 'flagged', at: now });
    await tx.insert(rescueAlerts).values({
      id: uuid(),
      caseId: c.id,
      compartmentId: c.compartmentId,
      kind: 'compromised',
      raisedAt: now,
    });
  }
  return flagged.length;
}

/**
 * A leg is compromised (a route burned, a place watched): the leg is marked, and every open case with a leg
 * over the same crossing (the same two places) is flagged for its coordinators. A compromised partner is
 * marked with `markPartnerCompromised`.
 */
export async function markLegCompromised(rc: RescueContext, code: string, legId: string) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.markCompromised);
  const leg = await legOf(rc, row, legId);
  const now = rc.now ?? new Date();
  return rc.db.transaction(async (tx) => {
    const crossing = openLeg(await rc.keys.openDataKey(tx, row.dataKeyId), leg);
    await tx
      .update(legs)
      .set({ status: 'compromised', compromisedAt: now, updatedAt: now })
      .where(eq(legs.id, leg.id));
    // Places are sealed per case, so the same crossing is found by opening the legs of the open cases of
    // the caller's compartments only (as row-level security enforces on a server): the answer never counts
    // (and the command never touches) cases the caller may not know exist.
    const openCases = await tx
      .select({ id: rescueCases.id, dataKeyId: rescueCases.dataKeyId })
      .from(rescueCases)
      .where(
        and(inArray(rescueCases.compartmentId, [...rc.subject.compartments]), isNull(rescueCases.closedAt)),
      );
    const opened = await openLegsOfCases(rc.keys, tx, openCases);
    const sameRoute = new Set<string>([row.id]);
    for (const other of opened.values()) {
      if (crossing.fromPlace === null || crossing.toPlace === null) break;
      if (other.fromPlace === crossing.fromPlace && other.toPlace === crossing.toPlace) {
        sameRoute.add(other.caseId);
      }
    }
    const flagged = await flagCases(tx, [...sameRoute], 'route_compromised', now);
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: 'rescue_leg.compromised',
      resourceType: 'rescue_leg',
      resourceCode: `${row.code}:${leg.position}`,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
    return { flaggedCases: flagged };
  });
}

/**
 * The field partner `partnerId` as the caller may know them: a field partner who is a member of one of the
 * caller's compartments. Anything else (an unknown id, a partner of another compartment only, a staff
 * member who is no field partner) answers exactly like a missing partner: the same 404 and message, after
 * the same single query, so nobody learns whom another compartment works with.
 */
async function partnerOfMyCompartments(rc: RescueContext, action: string, partnerId: string) {
  await refuseRoleWithoutGrant(rc, action, { type: 'field_partner', code: partnerId, compartmentId: null });
  const memberOf = [...rc.subject.compartments];
  const [row] = await rc.db
    .select({ compartmentId: compartmentMembers.compartmentId })
    .from(compartmentMembers)
    .innerJoin(users, eq(users.id, compartmentMembers.userId))
    .where(
      and(
        eq(compartmentMembers.userId, partnerId),
        inArray(compartmentMembers.compartmentId, memberOf.length ? memberOf : ['-']),
        eq(users.role, 'field_partner'),
      ),
    )
    .limit(1);
  if (!row) {
    // Every miss is audited alike (unknown or foreign), written after the rollback.
    rc.denials.push({
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action,
      resourceType: 'field_partner',
      resourceCode: partnerId,
      outcome: 'denied',
      requestId: rc.requestId,
    });
    throw AppError.notFound('No such field partner.');
  }
  await guard(rc, action, { type: 'field_partner', code: partnerId, compartmentId: row.compartmentId });
}

/** Runs `work` as the system (every compartment) inside the current transaction, then restores the scope. */
async function asSystemWithin<T>(tx: Db, work: () => Promise<T>): Promise<T> {
  const { rows } = (await tx.execute(
    sql`select current_setting('passage.scope', true) as scope`,
  )) as unknown as {
    rows: { scope: string | null }[];
  };
  const before = rows[0];
  await tx.execute(sql`select set_config('passage.scope', 'system', true)`);
  try {
    return await work();
  } finally {
    await tx.execute(sql`select set_config('passage.scope', ${before?.scope ?? ''}, true)`);
  }
}

/**
 * A field partner is compromised (arrested, turned, phone seized). The partner must be a field partner of
 * one of the caller's compartments (else 404, as for an unknown id). The caller's cases that used them are
 * flagged and their open legs with the partner marked compromised; the answer counts only those.
 *
 * It also raises the system flag: the cases of OTHER compartments that used the partner are flagged as the
 * system, each raising a `compromised` alert in its own compartment's list, and their coordinators get a
 * mail that says only that a case needs attention. Nothing tells them who reported, from which compartment,
 * or how many cases elsewhere; nothing of theirs is told to the caller. The flag stays until a security
 * lead clears it (`clearPartnerFlag`).
 */
export async function markPartnerCompromised(rc: RescueContext, partnerId: string) {
  await partnerOfMyCompartments(rc, RESCUE_ACTIONS.markCompromised, partnerId);
  const memberOf = [...rc.subject.compartments];
  const now = rc.now ?? new Date();
  const result = await rc.db.transaction(async (tx) => {
    await tx
      .insert(partnerFlags)
      .values({ userId: partnerId, compromisedAt: now, markedBy: rc.subject.userId })
      .onConflictDoUpdate({
        target: partnerFlags.userId,
        set: {
          compromisedAt: now,
          markedBy: rc.subject.userId,
          clearedAt: null,
          clearedBy: null,
          clearReason: null,
        },
        // A live flag keeps when it was first raised; a cleared one is raised again.
        setWhere: isNotNull(partnerFlags.clearedAt),
      });
    await tx
      .insert(partnerFlagEvents)
      .values({ id: uuid(), userId: partnerId, kind: 'raised', byUserId: rc.subject.userId, at: now });
    // The caller's compartments (as row-level security enforces on a server).
    const inScope = inArray(legs.compartmentId, memberOf);
    const used = await tx
      .selectDistinct({ caseId: legs.caseId })
      .from(legs)
      .where(and(inScope, eq(legs.fieldPartnerId, partnerId)));
    await tx
      .update(legs)
      .set({ status: 'compromised', compromisedAt: now, updatedAt: now })
      .where(
        and(
          inScope,
          eq(legs.fieldPartnerId, partnerId),
          inArray(legs.status, ['planned', 'under_way', 'delayed']),
        ),
      );
    const flagged = await flagCases(
      tx,
      used.map((u) => u.caseId),
      'partner_compromised',
      now,
    );
    // The caller learns nothing of what this finds: not a count, not whether it found anything.
    await asSystemWithin(tx, () => flagElsewhere(tx, rc.mail, partnerId, memberOf, now));
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: 'field_partner.compromised',
      resourceType: 'field_partner',
      resourceCode: partnerId,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
    return { flaggedCases: flagged };
  });
  return result;
}

/**
 * The system flag's reach: the open cases of compartments other than the reporter's that used the partner
 * are flagged (an alert each, in their own compartment) and those compartments' coordinators are mailed.
 * Their legs are left to their own coordinators. The route asks for delivery once the request has committed.
 */
async function flagElsewhere(
  tx: Db,
  mail: Pick<Mailer, 'enqueue'>,
  partnerId: string,
  reporterCompartments: string[],
  now: Date,
) {
  const used = await tx
    .selectDistinct({ caseId: legs.caseId, compartmentId: legs.compartmentId })
    .from(legs)
    .where(
      and(
        eq(legs.fieldPartnerId, partnerId),
        reporterCompartments.length ? notInArray(legs.compartmentId, reporterCompartments) : undefined,
      ),
    );
  if (!used.length) return;
  const flagged = await flagCases(
    tx,
    used.map((u) => u.caseId),
    'partner_compromised',
    now,
  );
  if (!flagged) return;
  const compartments = [...new Set(used.map((u) => u.compartmentId))];
  const coordinators = await tx
    .selectDistinct({ email: users.email })
    .from(compartmentMembers)
    .innerJoin(users, eq(users.id, compartmentMembers.userId))
    .where(
      and(
        inArray(compartmentMembers.compartmentId, compartments),
        eq(users.role, 'rescue_coordinator'),
        isNull(users.frozenAt),
      ),
    );
  for (const c of coordinators) {
    await mail.enqueue(tx, {
      to: c.email,
      subject: 'Passage: a case needs attention',
      text: 'A case needs attention. Sign in to Passage to see it.',
    });
  }
}

/**
 * A security lead clears a partner's compromised flag after review, with a reason category. The flag's row
 * keeps who raised it and when; the clear is an event of its own and an audit entry. Cases already flagged
 * stay flagged (their coordinators decide), and nothing is deleted. A partner outside the lead's
 * compartments, or one with no live flag, answers 404 like an unknown id.
 */
export async function clearPartnerFlag(rc: RescueContext, partnerId: string, reason: PartnerFlagClearReason) {
  await partnerOfMyCompartments(rc, RESCUE_ACTIONS.clearPartnerFlag, partnerId);
  const now = rc.now ?? new Date();
  const cleared = await rc.db
    .update(partnerFlags)
    .set({ clearedAt: now, clearedBy: rc.subject.userId, clearReason: reason })
    .where(and(eq(partnerFlags.userId, partnerId), isNull(partnerFlags.clearedAt)))
    .returning({ userId: partnerFlags.userId });
  if (!cleared.length) throw AppError.notFound('No such field partner.');
  await rc.db
    .insert(partnerFlagEvents)
    .values({ id: uuid(), userId: partnerId, kind: 'cleared', byUserId: rc.subject.userId, reason, at: now });
  await appendAudit(rc.db, {
    actorId: rc.subject.userId,
    actorRole: rc.subject.role,
    action: 'field_partner.flag_cleared',
    resourceType: 'field_partner',
    resourceCode: `${partnerId}:${reason}`,
    outcome: 'succeeded',
    requestId: rc.requestId,
  });
  return { ok: true as const };
}

/**
 * The overdue check-in sweep (a job): a leg under way whose check-in is past due raises one alert, and the
 * coordinators of its compartment get an email that says only that a case needs attention: no code, no place.
 */
export async function raiseOverdueAlerts(
  root: Db,
  mail: Pick<Mailer, 'enqueue' | 'deliverSoon'>,
  now = new Date(),
) {
  const result = await runAsSystem(root, (db) => raiseOverdueAlertsIn(db, mail, now));
  if (result.raised) mail.deliverSoon();
  return result;
}

async function raiseOverdueAlertsIn(db: Db, mail: Pick<Mailer, 'enqueue'>, now: Date) {
  const overdue = await db
    .select({ id: legs.id, caseId: legs.caseId, compartmentId: legs.compartmentId })
    .from(legs)
    .where(and(inArray(legs.status, ['under_way', 'delayed']), lt(legs.checkInDueAt, now)))
    .limit(1000);
  let raised = 0;
  const compartmentsToTell = new Set<string>();
  for (const leg of overdue) {
    const [open] = await db
      .select({ id: rescueAlerts.id })
      .from(rescueAlerts)
      .where(
        and(
          eq(rescueAlerts.legId, leg.id),
          eq(rescueAlerts.kind, 'overdue_check_in'),
          isNull(rescueAlerts.acknowledgedAt),
        ),
      );
    if (open) continue;
    await db.insert(rescueAlerts).values({
      id: uuid(),
      caseId: leg.caseId,
      legId: leg.id,
      compartmentId: leg.compartmentId,
      kind: 'overdue_check_in',
      raisedAt: now,
    });
    raised++;
    compartmentsToTell.add(leg.compartmentId);
  }
  if (compartmentsToTell.size) {
    const coordinators = await db
      .selectDistinct({ email: users.email })
      .from(compartmentMembers)
      .innerJoin(users, eq(users.id, compartmentMembers.userId))
      .where(
        and(
          inArray(compartmentMembers.compartmentId, [...compartmentsToTell]),
          eq(users.role, 'rescue_coordinator'),
          isNull(users.frozenAt),
        ),
      );
    for (const c of coordinators) {
      await mail.enqueue(db, {
        to: c.email,
        subject: 'Passage: a case needs attention',
        text: 'A case needs attention. Sign in to Passage to see it.',
      });
    }
  }
  return { raised };
}

export async function listAlerts(rc: RescueContext) {
  const memberOf = [...rc.subject.compartments];
  if (!memberOf.length) return [];
  await guard(rc, RESCUE_ACTIONS.dashboard, { type: 'rescue_alert', compartmentId: memberOf[0] });
  const rows = await rc.db
    .select({
      id: rescueAlerts.id,
      kind: rescueAlerts.kind,
      raisedAt: rescueAlerts.raisedAt,
      code: rescueCases.code,
      legPosition: legs.position,
    })
    .from(rescueAlerts)
    .innerJoin(rescueCases, eq(rescueCases.id, rescueAlerts.caseId))
    .leftJoin(legs, eq(legs.id, rescueAlerts.legId))
    .where(and(inArray(rescueAlerts.compartmentId, memberOf), isNull(rescueAlerts.acknowledgedAt)))
    .orderBy(asc(rescueAlerts.raisedAt))
    .limit(200);
  return rows.map((r) => ({ ...r, raisedAt: r.raisedAt.toISOString() }));
}

export async function acknowledgeAlert(rc: RescueContext, alertId: string) {
  await refuseRoleWithoutGrant(rc, RESCUE_ACTIONS.write, { type: 'rescue_alert', compartmentId: null });
  const [alert] = await rc.db.select().from(rescueAlerts).where(eq(rescueAlerts.id, alertId));
  if (!alert || !rc.subject.compartments.has(alert.compartmentId)) throw AppError.notFound('No such alert.');
  await guard(rc, RESCUE_ACTIONS.write, {
    type: 'rescue_alert',
    code: alertId,
    compartmentId: alert.compartmentId,
  });
  await rc.db
    .update(rescueAlerts)
    .set({ acknowledgedAt: rc.now ?? new Date(), acknowledgedBy: rc.subject.userId })
    .where(eq(rescueAlerts.id, alertId));
}
