import crypto from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { compartmentMembers } from '../../platform/access/compartment.table';
import { users } from '../../platform/auth/auth.table';
import type { OpenDataKey } from '../../platform/crypto/key-ring';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { caseKeyOrNull, openLeg, sealLeg } from './leg-seal';
import { RESCUE_ACTIONS } from './rescue.policy';
import { CHECK_IN_INTERVAL_HOURS, type LegInput, type LegStatus } from './rescue.schema';
import { caseEvents, checkIns, legs, partnerFlags, rescueAlerts, rescueCases } from './rescue.table';
import {
  type CaseRow,
  caseForAction,
  guard,
  type RescueContext,
  refuseRoleWithoutGrant,
} from './rescue-access';

const uuid = () => crypto.randomUUID();
const HOUR = 3_600_000;

/**
 * A leg's partner must be an active field partner who is a member of the case's compartment and not flagged
 * compromised. Anyone else (an unknown id, a partner of another compartment, a staff member who is no field
 * partner, a frozen account) gets the same 400 and message after the same one query, so the answer says
 * nothing about accounts outside the compartment. A flagged partner of the compartment is named as such:
 * the caller can already see the flag in the partner picker.
 */
async function assertPartner(db: Db, compartmentId: string, userId: string) {
  const [row] = await db
    .select({ flaggedAt: partnerFlags.compromisedAt, clearedAt: partnerFlags.clearedAt })
    .from(compartmentMembers)
    .innerJoin(users, eq(users.id, compartmentMembers.userId))
    .leftJoin(partnerFlags, eq(partnerFlags.userId, users.id))
    .where(
      and(
        eq(compartmentMembers.userId, userId),
        eq(compartmentMembers.compartmentId, compartmentId),
        eq(users.role, 'field_partner'),
        isNull(users.frozenAt),
      ),
    );
  if (!row) throw AppError.invalid("fieldPartnerId: not a field partner of this case's compartment");
  if (row.flaggedAt && !row.clearedAt) {
    throw AppError.invalid('fieldPartnerId: this field partner is flagged compromised');
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
    const key = await rc.keys.openDataKey(tx, row.dataKeyId);
    const [last] = await tx
      .select()
      .from(legs)
      .where(eq(legs.caseId, row.id))
      .orderBy(desc(legs.position))
      .limit(1);
    const lastEnd = last ? openLeg(key, last).plannedEnd : null;
    // Legs follow one another: a new leg cannot start before the previous one is planned to end.
    if (last && lastEnd && input.plannedStart && new Date(input.plannedStart) < lastEnd) {
      throw AppError.invalid(`plannedStart: must not be before leg ${last.position} ends`);
    }
    const id = uuid();
    await tx.insert(legs).values({
      id,
      caseId: row.id,
      compartmentId: row.compartmentId,
      position: (last?.position ?? 0) + 1,
      kind: input.kind,
      ...sealLeg(key, id, {
        fromPlace: input.fromPlace,
        toPlace: input.toPlace,
        plannedStart: input.plannedStart ? new Date(input.plannedStart) : null,
        plannedEnd: input.plannedEnd ? new Date(input.plannedEnd) : null,
        notes: input.notes ?? null,
      }),
      fieldPartnerId: input.fieldPartnerId ?? null,
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

/** A leg of the case, or 404 (also for a leg of another case). */
export async function legOf(rc: RescueContext, row: CaseRow, legId: string) {
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
  const key = await rc.keys.openDataKey(rc.db, row.dataKeyId);
  const current = openLeg(key, leg);
  checkWindow(
    input.plannedStart ?? current.plannedStart?.toISOString(),
    input.plannedEnd ?? current.plannedEnd?.toISOString(),
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
      ...sealLeg(key, leg.id, {
        ...(input.fromPlace ? { fromPlace: input.fromPlace } : {}),
        ...(input.toPlace ? { toPlace: input.toPlace } : {}),
        ...(input.plannedStart !== undefined
          ? { plannedStart: input.plannedStart ? new Date(input.plannedStart) : null }
          : {}),
        ...(input.plannedEnd !== undefined
          ? { plannedEnd: input.plannedEnd ? new Date(input.plannedEnd) : null }
          : {}),
        ...(input.notes !== undefined ? { notes: input.notes } : {}),
      }),
      ...(input.fieldPartnerId !== undefined ? { fieldPartnerId: input.fieldPartnerId } : {}),
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
      dataKeyId: rescueCases.dataKeyId,
      position: legs.position,
      fromPlaceEnc: legs.fromPlaceEnc,
      toPlaceEnc: legs.toPlaceEnc,
      plannedStartEnc: legs.plannedStartEnc,
      plannedEndEnc: legs.plannedEndEnc,
      notesEnc: legs.notesEnc,
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
    );
  const mine = rows.filter((r) => rc.subject.compartments.has(r.compartmentId));
  // The partner's own legs only: their places and window are opened with each case's key (the notes stay
  // sealed: they are the coordinator's), then ordered by start as the page shows them.
  const opened = new Map<string, OpenDataKey | null>();
  const out = [];
  for (const r of mine) {
    if (!opened.has(r.dataKeyId)) opened.set(r.dataKeyId, await caseKeyOrNull(rc.keys, rc.db, r.dataKeyId));
    const plain = openLeg(opened.get(r.dataKeyId) ?? null, r);
    out.push({
      id: r.id,
      code: r.code,
      position: r.position,
      fromPlace: plain.fromPlace,
      toPlace: plain.toPlace,
      plannedStart: plain.plannedStart?.toISOString() ?? null,
      plannedEnd: plain.plannedEnd?.toISOString() ?? null,
      status: r.status,
      checkInDueAt: r.checkInDueAt?.toISOString() ?? null,
      pickedUpAt: r.pickedUpAt?.toISOString() ?? null,
      travellers: r.travellers,
    });
  }
  return out.sort(
    (a, b) =>
      (a.plannedStart ?? '\uffff').localeCompare(b.plannedStart ?? '\uffff') ||
      a.code.localeCompare(b.code) ||
      a.position - b.position,
  );
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
      clearedAt: partnerFlags.clearedAt,
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
  return rows.map(({ compromisedAt, clearedAt, ...r }) => ({
    ...r,
    compromised: compromisedAt !== null && clearedAt === null,
  }));
}
