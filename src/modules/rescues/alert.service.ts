// What needs a coordinator's attention: compromised legs and partners (the cases that used them are flagged),
// overdue check-ins raised as alerts (a job), and the alerts list with its acknowledgement.
import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm';
import { compartmentMembers } from '../../platform/access/compartment.table';
import { appendAudit } from '../../platform/audit/audit.service';
import { users } from '../../platform/auth/auth.table';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import type { Mailer } from '../../platform/mail/mailer';
import { RESCUE_ACTIONS } from './rescue.policy';
import { caseEvents, legs, partnerFlags, rescueAlerts, rescueCases } from './rescue.table';
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
    await tx
      .update(legs)
      .set({ status: 'compromised', compromisedAt: now, updatedAt: now })
      .where(eq(legs.id, leg.id));
    const sameRoute = await tx
      .selectDistinct({ caseId: legs.caseId })
      .from(legs)
      .where(
        and(
          // Only the caller's compartments: the same as row-level security enforces on a server, so the
          // answer never counts (and the command never touches) cases the caller may not know exist.
          inArray(legs.compartmentId, [...rc.subject.compartments]),
          eq(legs.fromPlace, leg.fromPlace),
          eq(legs.toPlace, leg.toPlace),
        ),
      );
    const flagged = await flagCases(
      tx,
      sameRoute.map((r) => r.caseId),
      'route_compromised',
      now,
    );
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

/** A field partner is compromised (arrested, turned, phone seized): every case that used them is flagged. */
export async function markPartnerCompromised(rc: RescueContext, partnerId: string) {
  const memberOf = [...rc.subject.compartments];
  await guard(rc, RESCUE_ACTIONS.markCompromised, {
    type: 'field_partner',
    code: partnerId,
    compartmentId: memberOf[0] ?? '-',
  });
  const now = rc.now ?? new Date();
  return rc.db.transaction(async (tx) => {
    await tx
      .insert(partnerFlags)
      .values({ userId: partnerId, compromisedAt: now, markedBy: rc.subject.userId })
      .onConflictDoNothing();
    // Only legs and cases in the caller's compartments (as row-level security enforces on a server).
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
