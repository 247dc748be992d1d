import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { compartmentMembers } from '../../platform/access/compartment.table';
import { appendAudit } from '../../platform/audit/audit.service';
import { users } from '../../platform/auth/auth.table';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import type { Mailer } from '../../platform/mail/mailer';
import { RESCUE_ACTIONS } from './rescue.policy';
import { CHECK_IN_INTERVAL_HOURS, type LegInput, type LegStatus, RouteTemplateLeg } from './rescue.schema';
import {
  caseEvents,
  checkIns,
  legs,
  partnerFlags,
  rescueAlerts,
  rescueCases,
  routeTemplates,
} from './rescue.table';
import {
  type CaseRow,
  caseForAction,
  guard,
  type RescueContext,
  refuseRoleWithoutGrant,
  runAsSystem,
} from './rescue-access';

const uuid = () => crypto.randomUUID();
const HOUR = 3_600_000;

/** Route templates name crossings and budgets: for those who plan rescues, like creating one. */
export async function listRouteTemplates(rc: RescueContext) {
  await guard(rc, RESCUE_ACTIONS.open, {
    type: 'route_template',
    compartmentId: [...rc.subject.compartments][0] ?? '-',
  });
  const rows = await rc.db.select().from(routeTemplates).orderBy(asc(routeTemplates.name));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    currency: r.currency,
    legs: RouteTemplateLeg.array().parse(JSON.parse(r.legs)),
  }));
}

export async function createRouteTemplate(
  rc: RescueContext,
  input: { name: string; currency: string; legs: RouteTemplateLeg[] },
) {
  await guard(rc, RESCUE_ACTIONS.open, {
    type: 'route_template',
    compartmentId: [...rc.subject.compartments][0] ?? '-',
  });
  const id = uuid();
  const [clash] = await rc.db
    .select({ id: routeTemplates.id })
    .from(routeTemplates)
    .where(eq(routeTemplates.name, input.name));
  if (clash) throw AppError.conflict('name: a route template with this name exists');
  await rc.db
    .insert(routeTemplates)
    .values({ id, name: input.name, currency: input.currency, legs: JSON.stringify(input.legs) });
  return { id };
}

/** Lays out a case's legs from a template, one after another from `start`. */
export async function planLegsFromTemplate(
  tx: Db,
  caseRow: Pick<CaseRow, 'id' | 'compartmentId'>,
  templateId: string,
  start: Date,
) {
  const [template] = await tx.select().from(routeTemplates).where(eq(routeTemplates.id, templateId));
  if (!template) throw AppError.invalid('routeTemplateId: no such route template');
  const steps = RouteTemplateLeg.array().parse(JSON.parse(template.legs));
  let at = start;
  const rows = steps.map((step, i) => {
    const end = new Date(at.getTime() + Math.max(step.days, 1) * 24 * HOUR);
    const row = {
      id: uuid(),
      caseId: caseRow.id,
      compartmentId: caseRow.compartmentId,
      position: i + 1,
      kind: step.kind,
      fromPlace: step.from,
      toPlace: step.to,
      plannedStart: at,
      plannedEnd: end,
      status: 'planned',
      budgetMinor: step.budgetMinor,
      currency: template.currency,
    };
    at = end;
    return row;
  });
  if (rows.length) await tx.insert(legs).values(rows);
}

/** A field partner may run legs only of a compartment they belong to. */
async function assertPartner(db: Db, compartmentId: string, userId: string) {
  const [row] = await db
    .select({ role: users.role, frozenAt: users.frozenAt, member: compartmentMembers.userId })
    .from(users)
    .leftJoin(
      compartmentMembers,
      and(eq(compartmentMembers.userId, users.id), eq(compartmentMembers.compartmentId, compartmentId)),
    )
    .where(eq(users.id, userId));
  if (row?.role !== 'field_partner' || row.frozenAt) {
    throw AppError.invalid('fieldPartnerId: not an active field partner');
  }
  if (!row.member) {
    throw AppError.invalid('fieldPartnerId: grant this partner into the case compartment first');
  }
}

function checkWindow(start: string | null | undefined, end: string | null | undefined) {
  if (start && end && new Date(end) < new Date(start)) {
    throw AppError.invalid('plannedEnd: must not be before plannedStart');
  }
}

export async function addLeg(rc: RescueContext, code: string, input: LegInput) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  checkWindow(input.plannedStart, input.plannedEnd);
  if (input.fieldPartnerId) await assertPartner(rc.db, row.compartmentId, input.fieldPartnerId);
  return rc.db.transaction(async (tx) => {
    const existing = await tx.select().from(legs).where(eq(legs.caseId, row.id)).orderBy(asc(legs.position));
    const last = existing.at(-1);
    // Legs follow one another: a new leg cannot start before the previous one is planned to end.
    if (last?.plannedEnd && input.plannedStart && new Date(input.plannedStart) < last.plannedEnd) {
      throw AppError.invalid(`plannedStart: must not be before leg ${last.position} ends`);
    }
    const id = uuid();
    await tx.insert(legs).values({
      id,
      caseId: row.id,
      compartmentId: row.compartmentId,
      position: (last?.position ?? 0) + 1,
      kind: input.kind,
      fromPlace: input.fromPlace,
      toPlace: input.toPlace,
      fieldPartnerId: input.fieldPartnerId ?? null,
      plannedStart: input.plannedStart ? new Date(input.plannedStart) : null,
      plannedEnd: input.plannedEnd ? new Date(input.plannedEnd) : null,
      status: 'planned',
      budgetMinor: input.budgetMinor ?? 0,
      currency: input.currency ?? row.budgetCurrency,
    });
    return { id, position: (last?.position ?? 0) + 1 };
  });
}

const LEG_TRANSITIONS: Record<LegStatus, readonly LegStatus[]> = {
  planned: ['under_way', 'delayed', 'compromised'],
  under_way: ['completed', 'delayed', 'compromised'],
  delayed: ['under_way', 'completed', 'compromised'],
  completed: [],
  compromised: [],
};

async function legOf(rc: RescueContext, row: CaseRow, legId: string) {
  const [leg] = await rc.db
    .select()
    .from(legs)
    .where(and(eq(legs.id, legId), eq(legs.caseId, row.id)));
  if (!leg) throw AppError.notFound('No such leg in this case.');
  return leg;
}

/** The coordinator edits a leg's partner, window, budget or status. */
export async function updateLeg(
  rc: RescueContext,
  code: string,
  legId: string,
  input: Partial<LegInput> & { status?: LegStatus },
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  const leg = await legOf(rc, row, legId);
  checkWindow(
    input.plannedStart ?? leg.plannedStart?.toISOString(),
    input.plannedEnd ?? leg.plannedEnd?.toISOString(),
  );
  if (input.fieldPartnerId) await assertPartner(rc.db, row.compartmentId, input.fieldPartnerId);
  if (input.status === 'compromised') {
    throw AppError.conflict('status: mark a leg compromised with its own command, which flags other cases');
  }
  if (
    input.status &&
    input.status !== leg.status &&
    !LEG_TRANSITIONS[leg.status as LegStatus].includes(input.status)
  ) {
    throw AppError.conflict(`status: a leg cannot go from ${leg.status} to ${input.status}`);
  }
  if (input.status === 'under_way' || input.status === 'completed') {
    const [earlier] = await rc.db
      .select({ position: legs.position })
      .from(legs)
      .where(and(eq(legs.caseId, row.id), lt(legs.position, leg.position), ne(legs.status, 'completed')))
      .limit(1);
    if (earlier) {
      throw AppError.conflict(`status: leg ${earlier.position} must be completed before leg ${leg.position}`);
    }
  }
  await rc.db
    .update(legs)
    .set({
      ...(input.kind ? { kind: input.kind } : {}),
      ...(input.fromPlace ? { fromPlace: input.fromPlace } : {}),
      ...(input.toPlace ? { toPlace: input.toPlace } : {}),
      ...(input.fieldPartnerId !== undefined ? { fieldPartnerId: input.fieldPartnerId } : {}),
      ...(input.plannedStart !== undefined
        ? { plannedStart: input.plannedStart ? new Date(input.plannedStart) : null }
        : {}),
      ...(input.plannedEnd !== undefined
        ? { plannedEnd: input.plannedEnd ? new Date(input.plannedEnd) : null }
        : {}),
      ...(input.budgetMinor !== undefined ? { budgetMinor: input.budgetMinor } : {}),
      ...(input.currency ? { currency: input.currency } : {}),
      ...(input.status ? { status: input.status } : {}),
      updatedAt: rc.now ?? new Date(),
    })
    .where(eq(legs.id, leg.id));
}

export type PartnerReport = 'pick_up' | 'hand_off' | 'check_in' | 'delay' | 'problem';

/** The field partner's own legs, by code: where from, where to, when, how many people. Nothing else. */
export async function listMyLegs(rc: RescueContext) {
  // Only roles that may report on legs have legs to list.
  await refuseRoleWithoutGrant(rc, RESCUE_ACTIONS.partnerUpdate, { type: 'rescue_leg', compartmentId: null });
  const rows = await rc.db
    .select({
      id: legs.id,
      code: rescueCases.code,
      position: legs.position,
      fromPlace: legs.fromPlace,
      toPlace: legs.toPlace,
      plannedStart: legs.plannedStart,
      plannedEnd: legs.plannedEnd,
      status: legs.status,
      checkInDueAt: legs.checkInDueAt,
      pickedUpAt: legs.pickedUpAt,
      compartmentId: legs.compartmentId,
      travellers: sql<number>`(select count(*)::int from travellers t where t.case_id = ${legs.caseId})`,
    })
    .from(legs)
    .innerJoin(rescueCases, eq(rescueCases.id, legs.caseId))
    .where(
      and(
        eq(legs.fieldPartnerId, rc.subject.userId),
        inArray(legs.status, ['planned', 'under_way', 'delayed']),
      ),
    )
    .orderBy(asc(legs.plannedStart));
  return rows
    .filter((r) => rc.subject.compartments.has(r.compartmentId))
    .map(({ compartmentId: _c, ...r }) => ({
      ...r,
      plannedStart: r.plannedStart?.toISOString() ?? null,
      plannedEnd: r.plannedEnd?.toISOString() ?? null,
      checkInDueAt: r.checkInDueAt?.toISOString() ?? null,
      pickedUpAt: r.pickedUpAt?.toISOString() ?? null,
    }));
}

/** A partner's report on a leg: pick-up, hand-off, routine check-in, delay or problem. */
export async function reportOnLeg(rc: RescueContext, legId: string, report: PartnerReport, note?: string) {
  await refuseRoleWithoutGrant(rc, RESCUE_ACTIONS.partnerUpdate, { type: 'rescue_leg', compartmentId: null });
  const [leg] = await rc.db.select().from(legs).where(eq(legs.id, legId));
  const [caseRow] = leg ? await rc.db.select().from(rescueCases).where(eq(rescueCases.id, leg.caseId)) : [];
  if (!leg || !caseRow || !rc.subject.compartments.has(leg.compartmentId)) {
    throw AppError.notFound('No such leg.');
  }
  await guard(rc, RESCUE_ACTIONS.partnerUpdate, {
    type: 'rescue_leg',
    code: `${caseRow.code}:${leg.position}`,
    compartmentId: leg.compartmentId,
    assigneeId: leg.fieldPartnerId,
  });
  const now = rc.now ?? new Date();
  const status = leg.status as LegStatus;
  if (status === 'completed' || status === 'compromised') {
    throw AppError.conflict(`This leg is ${status}; nothing more can be reported on it.`);
  }
  if (report === 'pick_up' && status !== 'planned' && status !== 'delayed') {
    throw AppError.conflict('The pick-up of this leg was already confirmed.');
  }
  if (report === 'pick_up') {
    const [earlier] = await rc.db
      .select({ position: legs.position })
      .from(legs)
      .where(and(eq(legs.caseId, leg.caseId), lt(legs.position, leg.position), ne(legs.status, 'completed')))
      .limit(1);
    if (earlier) throw AppError.conflict(`Leg ${earlier.position} has not been handed off yet.`);
  }
  if (report === 'hand_off' && !leg.pickedUpAt) {
    throw AppError.conflict('Confirm the pick-up before the hand-off.');
  }
  const nextDue = new Date(now.getTime() + CHECK_IN_INTERVAL_HOURS * HOUR);
  const patch: Partial<typeof legs.$inferInsert> =
    report === 'pick_up'
      ? { status: 'under_way', pickedUpAt: now, checkInDueAt: nextDue }
      : report === 'hand_off'
        ? { status: 'completed', handedOffAt: now, checkInDueAt: null }
        : report === 'delay'
          ? { status: 'delayed', checkInDueAt: nextDue }
          : { checkInDueAt: nextDue };
  await rc.db.transaction(async (tx) => {
    const id = uuid();
    const noteEnc = note
      ? (await rc.keys.openDataKey(tx, caseRow.dataKeyId)).encrypt(`check_in:${id}:note`, note)
      : null;
    await tx.insert(checkIns).values({
      id,
      caseId: leg.caseId,
      legId: leg.id,
      compartmentId: leg.compartmentId,
      kind: report,
      noteEnc,
      byUserId: rc.subject.userId,
      at: now,
    });
    await tx
      .update(legs)
      .set({ ...patch, updatedAt: now })
      .where(eq(legs.id, leg.id));
    if (report === 'problem') {
      await tx.insert(rescueAlerts).values({
        id: uuid(),
        caseId: leg.caseId,
        legId: leg.id,
        compartmentId: leg.compartmentId,
        kind: 'partner_problem',
        raisedAt: now,
      });
    }
    // The first pick-up puts a case in hiding on its way.
    if (report === 'pick_up' && caseRow.status === 'in_hiding') {
      await tx
        .update(rescueCases)
        .set({ status: 'on_route', statusChangedAt: now, updatedAt: now })
        .where(eq(rescueCases.id, caseRow.id));
      await tx.insert(caseEvents).values({
        id: uuid(),
        caseId: caseRow.id,
        compartmentId: caseRow.compartmentId,
        kind: 'status_changed',
        fromStatus: 'in_hiding',
        toStatus: 'on_route',
        byUserId: rc.subject.userId,
        at: now,
      });
    }
  });
  return {
    status: (patch.status ?? status) as LegStatus,
    checkInDueAt: patch.checkInDueAt?.toISOString() ?? null,
  };
}

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

/** Field partners who are members of the caller's compartments, for assigning legs. */
export async function listPartners(rc: RescueContext) {
  const memberOf = [...rc.subject.compartments];
  if (!memberOf.length) return [];
  await guard(rc, RESCUE_ACTIONS.write, { type: 'field_partner', compartmentId: memberOf[0] });
  const rows = await rc.db
    .selectDistinct({
      id: users.id,
      name: users.name,
      compartmentId: compartmentMembers.compartmentId,
      compromisedAt: partnerFlags.compromisedAt,
    })
    .from(compartmentMembers)
    .innerJoin(users, eq(users.id, compartmentMembers.userId))
    .leftJoin(partnerFlags, eq(partnerFlags.userId, users.id))
    .where(
      and(
        inArray(compartmentMembers.compartmentId, memberOf),
        eq(users.role, 'field_partner'),
        isNull(users.frozenAt),
      ),
    )
    .orderBy(asc(users.name));
  return rows.map(({ compromisedAt, ...r }) => ({ ...r, compromised: compromisedAt !== null }));
}
