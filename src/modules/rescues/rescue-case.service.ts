import crypto from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { compartments } from '../../platform/access/compartment.table';
import { allowedActions, present } from '../../platform/access/policy';
import { appendAudit } from '../../platform/audit/audit.service';
import type { OpenDataKey } from '../../platform/crypto/key-ring';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { generateCodeName } from './code-name';
import { RESCUE_ACTIONS } from './rescue.policy';
import {
  ACTIVE_STATUSES,
  type CaseStatus,
  DEFAULT_BUDGET_PER_PERSON_MINOR,
  DEFAULT_RETENTION_DAYS,
  type OpenCaseInput,
  TRANSITIONS,
  type TravellerInput,
} from './rescue.schema';
import {
  caseCosts,
  caseEvents,
  checkIns,
  fundingAllocations,
  incidentNotes,
  incidents,
  legs,
  rescueCases,
  resettlementHandovers,
  travellers,
} from './rescue.table';
import {
  type CaseRow,
  caseForAction,
  caseResource,
  guard,
  type RescueContext,
  refuseRoleWithoutGrant,
  runAsSystem,
} from './rescue-access';
import { planLegsFromTemplate } from './route.service';

const uuid = () => crypto.randomUUID();

/** The S4 fields of a traveller, each encrypted under the case's data key with its own field name. */
export const TRAVELLER_S4_FIELDS = [
  'name',
  'currentRegion',
  'familyInNorthKorea',
  'contactMethod',
  'healthNotes',
] as const;
type TravellerS4Field = (typeof TRAVELLER_S4_FIELDS)[number];
const S4_COLUMN: Record<TravellerS4Field, keyof typeof travellers.$inferInsert> = {
  name: 'nameEnc',
  currentRegion: 'currentRegionEnc',
  familyInNorthKorea: 'familyInNorthKoreaEnc',
  contactMethod: 'contactMethodEnc',
  healthNotes: 'healthNotesEnc',
};
export const travellerField = (travellerId: string, field: string) => `traveller:${travellerId}:${field}`;

function travellerRow(
  caseRow: Pick<CaseRow, 'id' | 'compartmentId'>,
  position: number,
  t: TravellerInput,
  key: OpenDataKey,
) {
  const id = uuid();
  const row: typeof travellers.$inferInsert = {
    id,
    caseId: caseRow.id,
    compartmentId: caseRow.compartmentId,
    position,
    category: t.category,
    sex: t.sex,
    birthYear: t.birthYear ?? null,
    ageBand: t.ageBand,
    travellingWithFamily: t.travellingWithFamily,
    reunifyingWithFamily: t.reunifyingWithFamily,
    reunifyWithCaseCode: t.reunifyWithCaseCode ?? null,
    traffickedInChina: t.traffickedInChina,
    yearsInChina: t.yearsInChina === 'declined' ? null : t.yearsInChina,
    yearsInChinaDeclined: t.yearsInChina === 'declined',
    healthNeeds: t.healthNeeds,
  };
  for (const field of TRAVELLER_S4_FIELDS) {
    const value = t[field];
    if (value)
      (row as Record<string, unknown>)[S4_COLUMN[field]] = key.encrypt(travellerField(id, field), value);
  }
  return row;
}

async function uniqueCode(db: Db): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = generateCodeName();
    const [clash] = await db
      .select({ id: rescueCases.id })
      .from(rescueCases)
      .where(eq(rescueCases.code, code));
    if (!clash) return code;
  }
  throw new Error('no free code name after 20 attempts');
}

export async function openRescueCase(rc: RescueContext, input: OpenCaseInput): Promise<{ code: string }> {
  const now = rc.now ?? new Date();
  await refuseRoleWithoutGrant(rc, RESCUE_ACTIONS.open, { type: 'rescue_case', compartmentId: null });
  const [compartment] = await rc.db
    .select()
    .from(compartments)
    .where(eq(compartments.id, input.compartmentId));
  if (!compartment || !rc.subject.compartments.has(compartment.id)) {
    throw AppError.invalid('compartmentId: not a compartment you are a member of');
  }
  await guard(rc, RESCUE_ACTIONS.open, { type: 'rescue_case', code: null, compartmentId: compartment.id });
  const code = await rc.db.transaction(async (tx) => {
    const id = uuid();
    const caseCode = await uniqueCode(tx);
    const dataKeyId = await rc.keys.createDataKey(tx, 'rescue_case', id);
    const key = await rc.keys.openDataKey(tx, dataKeyId);
    const caseRow = {
      id,
      code: caseCode,
      compartmentId: compartment.id,
      dataKeyId,
      status: 'in_hiding',
      statusChangedAt: now,
      destination: input.destination ?? null,
      routeTemplateId: input.routeTemplateId ?? null,
      budgetPerPersonMinor: input.budgetPerPersonMinor ?? DEFAULT_BUDGET_PER_PERSON_MINOR,
      budgetCurrency: input.budgetCurrency ?? 'USD',
      openedBy: rc.subject.userId,
      openedAt: now,
      retentionDays: input.retentionDays ?? DEFAULT_RETENTION_DAYS,
    };
    await tx.insert(rescueCases).values(caseRow);
    await tx.insert(travellers).values(input.travellers.map((t, i) => travellerRow(caseRow, i + 1, t, key)));
    await tx.insert(caseEvents).values({
      id: uuid(),
      caseId: id,
      compartmentId: compartment.id,
      kind: 'opened',
      toStatus: 'in_hiding',
      byUserId: rc.subject.userId,
      at: now,
    });
    if (input.routeTemplateId) {
      await planLegsFromTemplate(
        tx,
        caseRow,
        input.routeTemplateId,
        input.routeStart ? new Date(input.routeStart) : now,
      );
    }
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: 'rescue_case.opened',
      resourceType: 'rescue_case',
      resourceCode: caseCode,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
    return caseCode;
  });
  return { code };
}

export async function addTraveller(rc: RescueContext, code: string, input: TravellerInput) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  if (row.shreddedAt) throw AppError.conflict('This case has been shredded.');
  return rc.db.transaction(async (tx) => {
    const [max] = await tx
      .select({ n: sql<number>`coalesce(max(${travellers.position}), 0)::int` })
      .from(travellers)
      .where(eq(travellers.caseId, row.id));
    const key = await rc.keys.openDataKey(tx, row.dataKeyId);
    const position = (max?.n ?? 0) + 1;
    await tx.insert(travellers).values(travellerRow(row, position, input, key));
    return { position };
  });
}

/** Sets or clears S4 fields of one traveller. Values are encrypted; nothing of them is logged or audited. */
export async function updateTravellerIdentity(
  rc: RescueContext,
  code: string,
  position: number,
  fields: Partial<Record<TravellerS4Field, string | null>>,
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  if (row.shreddedAt) throw AppError.conflict('This case has been shredded.');
  const [t] = await rc.db
    .select({ id: travellers.id })
    .from(travellers)
    .where(and(eq(travellers.caseId, row.id), eq(travellers.position, position)));
  if (!t) throw AppError.notFound(`Traveller ${position} does not exist in this case.`);
  const key = await rc.keys.openDataKey(rc.db, row.dataKeyId);
  const set: Record<string, string | null> = {};
  for (const field of TRAVELLER_S4_FIELDS) {
    const value = fields[field];
    if (value === undefined) continue;
    set[S4_COLUMN[field]] =
      value === null || value === '' ? null : key.encrypt(travellerField(t.id, field), value);
  }
  if (Object.keys(set).length) {
    await rc.db
      .update(travellers)
      .set({ ...set, updatedAt: rc.now ?? new Date() })
      .where(eq(travellers.id, t.id));
  }
}

export interface CaseListFilter {
  status?: CaseStatus;
  flagged?: boolean;
  limit: number;
  /** Keyset paging: codes after this one, in code order. */
  after?: string;
}

/** Cases in the caller's compartments only; the filter is part of the query, so others are never read. */
export async function listRescueCases(rc: RescueContext, filter: CaseListFilter) {
  const memberOf = [...rc.subject.compartments];
  if (!memberOf.length) return { cases: [], nextAfter: null };
  await guard(rc, RESCUE_ACTIONS.list, { type: 'rescue_case', compartmentId: memberOf[0] });
  const where = [inArray(rescueCases.compartmentId, memberOf)];
  if (filter.status) where.push(eq(rescueCases.status, filter.status));
  if (filter.flagged) where.push(sql`${rescueCases.flaggedAt} is not null`);
  if (filter.after) where.push(sql`${rescueCases.code} > ${filter.after}`);
  const rows = await rc.db
    .select({
      code: rescueCases.code,
      status: rescueCases.status,
      statusChangedAt: rescueCases.statusChangedAt,
      destination: rescueCases.destination,
      flagged: sql<boolean>`${rescueCases.flaggedAt} is not null`,
      openedAt: rescueCases.openedAt,
      // Aliased and qualified by hand: in a one-table select Drizzle renders columns unqualified, and
      // "case_id" = "id" inside the subquery would compare the subquery's own columns (always 0).
      travellers: sql<number>`(select count(*)::int from travellers t where t.case_id = rescue_cases.id)`,
      overdueLegs: sql<number>`(select count(*)::int from legs l where l.case_id = rescue_cases.id
        and l.status in ('under_way', 'delayed') and l.check_in_due_at < ${rc.now ?? new Date()})`,
    })
    .from(rescueCases)
    .where(and(...where))
    .orderBy(asc(rescueCases.code))
    .limit(filter.limit + 1);
  const page = rows.slice(0, filter.limit);
  return {
    cases: page.map((r) => ({
      ...r,
      statusChangedAt: r.statusChangedAt.toISOString(),
      openedAt: r.openedAt.toISOString(),
    })),
    nextAfter: rows.length > filter.limit ? (page.at(-1)?.code ?? null) : null,
  };
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** The case page: everything but identities. Intake answers only for roles that plan rescues. */
export async function getRescueCase(rc: RescueContext, code: string) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.read);
  const resource = caseResource(row);
  // One after another: the scoped transaction's queries share its connection (pg 9 refuses overlapping ones).
  const travellerRows = await rc.db
    .select()
    .from(travellers)
    .where(eq(travellers.caseId, row.id))
    .orderBy(asc(travellers.position));
  const legRows = await rc.db.select().from(legs).where(eq(legs.caseId, row.id)).orderBy(asc(legs.position));
  const incidentRows = await rc.db
    .select()
    .from(incidents)
    .where(eq(incidents.caseId, row.id))
    .orderBy(desc(incidents.openedAt));
  const costRows = await rc.db
    .select()
    .from(caseCosts)
    .where(eq(caseCosts.caseId, row.id))
    .orderBy(desc(caseCosts.spentOn));
  const eventRows = await rc.db
    .select()
    .from(caseEvents)
    .where(eq(caseEvents.caseId, row.id))
    .orderBy(asc(caseEvents.at));
  const [funded] = await rc.db
    .select({ units: sql<number>`coalesce(sum(${fundingAllocations.units}), 0)::int` })
    .from(fundingAllocations)
    .where(eq(fundingAllocations.caseId, row.id));
  const spentByCurrency = new Map<string, number>();
  for (const c of costRows)
    spentByCurrency.set(c.currency, (spentByCurrency.get(c.currency) ?? 0) + c.amountMinor);
  const intake = RESCUE_ACTIONS.readIntake;
  const now = rc.now ?? new Date();
  return {
    code: row.code,
    status: row.status as CaseStatus,
    statusChangedAt: row.statusChangedAt.toISOString(),
    nextStatuses: TRANSITIONS[row.status as CaseStatus].filter((s) => s !== 'handed_over'),
    destination: row.destination,
    flagged: row.flaggedAt !== null,
    flagReason: row.flagReason,
    openedAt: row.openedAt.toISOString(),
    arrivedAt: iso(row.arrivedAt),
    handedOverAt: iso(row.handedOverAt),
    closedAt: iso(row.closedAt),
    retention: {
      days: row.retentionDays,
      shredDueAt: iso(row.shredDueAt),
      shreddedAt: iso(row.shreddedAt),
      daysLeft: row.shredDueAt
        ? Math.max(0, Math.ceil((row.shredDueAt.getTime() - now.getTime()) / 86_400_000))
        : null,
    },
    travellers: travellerRows.map((t) =>
      present(
        rc.subject,
        resource,
        {
          position: t.position,
          category: t.category,
          sex: t.sex,
          ageBand: t.ageBand,
          birthYear: t.birthYear,
          travellingWithFamily: t.travellingWithFamily,
          reunifyingWithFamily: t.reunifyingWithFamily,
          reunifyWithCaseCode: t.reunifyWithCaseCode,
          traffickedInChina: t.traffickedInChina,
          yearsInChina: t.yearsInChinaDeclined ? ('declined' as const) : t.yearsInChina,
          healthNeeds: t.healthNeeds,
          hasIdentity: t.nameEnc !== null,
          hasPhoto: t.photoEnc !== null,
          clientCode: t.clientCode,
        },
        {
          position: null,
          category: null,
          sex: null,
          ageBand: null,
          birthYear: null,
          travellingWithFamily: intake,
          reunifyingWithFamily: intake,
          reunifyWithCaseCode: intake,
          traffickedInChina: intake,
          yearsInChina: intake,
          healthNeeds: intake,
          hasIdentity: null,
          hasPhoto: null,
          clientCode: null,
        },
      ),
    ),
    legs: legRows.map((l) => ({
      id: l.id,
      position: l.position,
      kind: l.kind,
      fromPlace: l.fromPlace,
      toPlace: l.toPlace,
      fieldPartnerId: l.fieldPartnerId,
      plannedStart: iso(l.plannedStart),
      plannedEnd: iso(l.plannedEnd),
      status: l.status,
      budgetMinor: l.budgetMinor,
      currency: l.currency,
      pickedUpAt: iso(l.pickedUpAt),
      handedOffAt: iso(l.handedOffAt),
      checkInDueAt: iso(l.checkInDueAt),
      overdue: ['under_way', 'delayed'].includes(l.status) && l.checkInDueAt !== null && l.checkInDueAt < now,
    })),
    incidents: incidentRows.map((i) => ({
      id: i.id,
      legId: i.legId,
      kind: i.kind,
      severity: i.severity,
      status: i.status,
      openedAt: i.openedAt.toISOString(),
      resolvedAt: iso(i.resolvedAt),
    })),
    costs: {
      budgetPerPersonMinor: row.budgetPerPersonMinor,
      budgetCurrency: row.budgetCurrency,
      budgetTotalMinor: row.budgetPerPersonMinor * travellerRows.length,
      spent: [...spentByCurrency].map(([currency, amountMinor]) => ({ currency, amountMinor })),
      items: costRows.map((c) => ({
        id: c.id,
        legId: c.legId,
        category: c.category,
        amountMinor: c.amountMinor,
        currency: c.currency,
        spentOn: c.spentOn.toISOString(),
      })),
      fundedUnits: funded?.units ?? 0,
      unitsNeeded: travellerRows.length,
    },
    timeline: eventRows.map((e) => ({
      kind: e.kind,
      fromStatus: e.fromStatus,
      toStatus: e.toStatus,
      at: e.at.toISOString(),
      hasNote: e.noteEnc !== null,
    })),
    // What the caller may do here, step-up aside (the UI asks for it when needed).
    allowedActions: allowedActions({ ...rc.subject, stepUpAt: now }, resource, Object.values(RESCUE_ACTIONS)),
  };
}

/** Identities and free-text notes of a case: step-up required, every opening audited. */
export async function revealRescueCase(rc: RescueContext, code: string) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.readS4);
  if (row.shreddedAt) throw AppError.gone('The identities of this case were shredded.');
  const key = await rc.keys.openDataKey(rc.db, row.dataKeyId);
  const dec = (field: string, value: string | null) => (value === null ? null : key.decrypt(field, value));
  // One after another: the scoped transaction's queries share its connection (pg 9 refuses overlapping ones).
  const travellerRows = await rc.db
    .select()
    .from(travellers)
    .where(eq(travellers.caseId, row.id))
    .orderBy(asc(travellers.position));
  const incidentRows = await rc.db.select().from(incidents).where(eq(incidents.caseId, row.id));
  const noteRows = await rc.db
    .select({
      id: incidentNotes.id,
      incidentId: incidentNotes.incidentId,
      noteEnc: incidentNotes.noteEnc,
      at: incidentNotes.at,
    })
    .from(incidentNotes)
    .innerJoin(incidents, eq(incidents.id, incidentNotes.incidentId))
    .where(eq(incidents.caseId, row.id))
    .orderBy(asc(incidentNotes.at));
  const checkInRows = await rc.db
    .select()
    .from(checkIns)
    .where(eq(checkIns.caseId, row.id))
    .orderBy(asc(checkIns.at));
  const eventRows = await rc.db
    .select()
    .from(caseEvents)
    .where(eq(caseEvents.caseId, row.id))
    .orderBy(asc(caseEvents.at));
  return {
    code: row.code,
    travellers: travellerRows.map((t) => ({
      position: t.position,
      name: dec(travellerField(t.id, 'name'), t.nameEnc),
      currentRegion: dec(travellerField(t.id, 'currentRegion'), t.currentRegionEnc),
      familyInNorthKorea: dec(travellerField(t.id, 'familyInNorthKorea'), t.familyInNorthKoreaEnc),
      contactMethod: dec(travellerField(t.id, 'contactMethod'), t.contactMethodEnc),
      healthNotes: dec(travellerField(t.id, 'healthNotes'), t.healthNotesEnc),
      hasPhoto: t.photoEnc !== null,
    })),
    incidents: incidentRows.map((i) => ({
      id: i.id,
      description: dec(`incident:${i.id}:description`, i.descriptionEnc),
      notes: noteRows
        .filter((n) => n.incidentId === i.id)
        .map((n) => ({ at: n.at.toISOString(), note: dec(`incident_note:${n.id}:note`, n.noteEnc) })),
    })),
    checkIns: checkInRows.map((c) => ({
      legId: c.legId,
      kind: c.kind,
      at: c.at.toISOString(),
      note: dec(`check_in:${c.id}:note`, c.noteEnc),
    })),
    timelineNotes: eventRows
      .filter((e) => e.noteEnc !== null)
      .map((e) => ({
        kind: e.kind,
        at: e.at.toISOString(),
        note: dec(`case_event:${e.id}:note`, e.noteEnc),
      })),
  };
}

async function recordEvent(
  tx: Db,
  rc: RescueContext,
  row: CaseRow,
  event: {
    kind: string;
    fromStatus?: string | null;
    toStatus?: string | null;
    note?: string | null;
    at: Date;
  },
) {
  const id = uuid();
  const noteEnc = event.note
    ? (await rc.keys.openDataKey(tx, row.dataKeyId)).encrypt(`case_event:${id}:note`, event.note)
    : null;
  await tx.insert(caseEvents).values({
    id,
    caseId: row.id,
    compartmentId: row.compartmentId,
    kind: event.kind,
    fromStatus: event.fromStatus ?? null,
    toStatus: event.toStatus ?? null,
    noteEnc,
    byUserId: rc.subject.userId,
    at: event.at,
  });
}

/** Moves a case along its life; an impossible move is refused and nothing changes. */
export async function changeCaseStatus(
  rc: RescueContext,
  code: string,
  input: {
    to: CaseStatus;
    note?: string | undefined;
    destination?: 'south_korea' | 'united_states' | undefined;
  },
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  const now = rc.now ?? new Date();
  await rc.db.transaction(async (tx) => {
    const [current] = await tx.select().from(rescueCases).where(eq(rescueCases.id, row.id)).for('update');
    if (!current) throw AppError.notFound('No rescue case with this code.');
    const from = current.status as CaseStatus;
    if (input.to === 'handed_over') {
      throw AppError.conflict('to: use the handover command, which creates the resettlement clients');
    }
    if (!TRANSITIONS[from].includes(input.to)) {
      throw AppError.conflict(`to: a case cannot go from ${from} to ${input.to}`);
    }
    const destination = input.destination ?? current.destination;
    if (input.to === 'arrived' && !destination) {
      throw AppError.invalid('destination: say where the case arrived (south_korea or united_states)');
    }
    await tx
      .update(rescueCases)
      .set({
        status: input.to,
        statusChangedAt: now,
        destination,
        updatedAt: now,
        ...(input.to === 'arrived' ? { arrivedAt: now } : {}),
        ...(input.to === 'closed' ? { closedAt: now } : {}),
        // Cases that end without a handover are shredded on the same schedule from their end.
        ...(input.to === 'closed' && !current.shredDueAt
          ? { shredDueAt: new Date(now.getTime() + current.retentionDays * 86_400_000) }
          : {}),
      })
      .where(eq(rescueCases.id, row.id));
    await recordEvent(tx, rc, current, {
      kind: 'status_changed',
      fromStatus: from,
      toStatus: input.to,
      note: input.note,
      at: now,
    });
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: `rescue_case.status.${input.to}`,
      resourceType: 'rescue_case',
      resourceCode: row.code,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
  });
}

/**
 * Handover to resettlement: each traveller becomes a resettlement client under a new code, with only
 * de-identified facts. The retention clock for the case's S4 fields starts now.
 */
export async function handOverCase(rc: RescueContext, code: string) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.handover);
  const now = rc.now ?? new Date();
  return rc.db.transaction(async (tx) => {
    const [current] = await tx.select().from(rescueCases).where(eq(rescueCases.id, row.id)).for('update');
    if (current?.status !== 'arrived') {
      throw AppError.conflict(`Only an arrived case can be handed over (this one is ${current?.status}).`);
    }
    const people = await tx
      .select()
      .from(travellers)
      .where(eq(travellers.caseId, row.id))
      .orderBy(asc(travellers.position));
    const clientCodes: string[] = [];
    for (const t of people) {
      const clientCode = `CL-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
      clientCodes.push(clientCode);
      await tx.update(travellers).set({ clientCode, updatedAt: now }).where(eq(travellers.id, t.id));
      await tx.insert(resettlementHandovers).values({
        clientCode,
        category: t.category,
        sex: t.sex,
        ageBand: t.ageBand,
        destination: current.destination ?? 'south_korea',
        handedOverAt: now,
      });
    }
    const shredDueAt = new Date(now.getTime() + current.retentionDays * 86_400_000);
    await tx
      .update(rescueCases)
      .set({ status: 'handed_over', statusChangedAt: now, handedOverAt: now, shredDueAt, updatedAt: now })
      .where(eq(rescueCases.id, row.id));
    await recordEvent(tx, rc, current, {
      kind: 'status_changed',
      fromStatus: 'arrived',
      toStatus: 'handed_over',
      at: now,
    });
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: 'rescue_case.handed_over',
      resourceType: 'rescue_case',
      resourceCode: row.code,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
    return { clientCodes, shredDueAt: shredDueAt.toISOString() };
  });
}

export async function extendRetention(
  rc: RescueContext,
  code: string,
  input: { days: number; reason: string },
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.extendRetention);
  const now = rc.now ?? new Date();
  if (row.shreddedAt) throw AppError.conflict('This case has already been shredded.');
  if (!row.shredDueAt) throw AppError.conflict('The retention clock starts at handover or closing.');
  const shredDueAt = new Date(row.shredDueAt.getTime() + input.days * 86_400_000);
  await rc.db.transaction(async (tx) => {
    await tx.update(rescueCases).set({ shredDueAt, updatedAt: now }).where(eq(rescueCases.id, row.id));
    await recordEvent(tx, rc, row, { kind: 'retention_extended', note: input.reason, at: now });
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: 'rescue_case.retention_extended',
      resourceType: 'rescue_case',
      resourceCode: row.code,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
  });
  return { shredDueAt: shredDueAt.toISOString() };
}

/**
 * Crypto-shredding of every case whose retention ran out: its data key is destroyed (so every copy of its
 * S4 fields becomes unreadable) and the ciphertext is cleared. The de-identified row stays for statistics.
 */
export async function shredDueCases(
  db: Db,
  keys: RescueContext['keys'],
  now = new Date(),
): Promise<{ shredded: string[] }> {
  const due = await runAsSystem(db, (tx) =>
    tx
      .select()
      .from(rescueCases)
      .where(and(lte(rescueCases.shredDueAt, now), isNull(rescueCases.shreddedAt)))
      .limit(500),
  );
  const shredded: string[] = [];
  for (const row of due) {
    await runAsSystem(db, async (tx) => {
      await keys.shredDataKey(tx, row.dataKeyId, 'retention');
      await tx
        .update(travellers)
        .set({
          nameEnc: null,
          currentRegionEnc: null,
          familyInNorthKoreaEnc: null,
          contactMethodEnc: null,
          healthNotesEnc: null,
          photoEnc: null,
          photoType: null,
        })
        .where(eq(travellers.caseId, row.id));
      await tx.update(incidents).set({ descriptionEnc: null }).where(eq(incidents.caseId, row.id));
      await tx.update(checkIns).set({ noteEnc: null }).where(eq(checkIns.caseId, row.id));
      await tx.update(caseEvents).set({ noteEnc: null }).where(eq(caseEvents.caseId, row.id));
      await tx
        .delete(incidentNotes)
        .where(
          inArray(
            incidentNotes.incidentId,
            tx.select({ id: incidents.id }).from(incidents).where(eq(incidents.caseId, row.id)),
          ),
        );
      await tx.update(rescueCases).set({ shreddedAt: now, updatedAt: now }).where(eq(rescueCases.id, row.id));
      await tx.insert(caseEvents).values({
        id: uuid(),
        caseId: row.id,
        compartmentId: row.compartmentId,
        kind: 'shredded',
        at: now,
      });
      await appendAudit(tx, {
        actorId: null,
        actorRole: null,
        action: 'rescue_case.shredded',
        resourceType: 'rescue_case',
        resourceCode: row.code,
        outcome: 'succeeded',
        requestId: null,
      });
    });
    shredded.push(row.code);
  }
  return { shredded };
}

/** The coordinator's dashboard, over the caller's compartments only. */
export async function rescueDashboard(rc: RescueContext) {
  const memberOf = [...rc.subject.compartments];
  const empty = {
    byStatus: {},
    onRouteNow: 0,
    overdueLegs: [],
    openIncidents: 0,
    flaggedCases: 0,
    openAlerts: 0,
  };
  if (!memberOf.length) return empty;
  await guard(rc, RESCUE_ACTIONS.dashboard, { type: 'rescue_case', compartmentId: memberOf[0] });
  const now = rc.now ?? new Date();
  const inScope = sql.join(
    memberOf.map((id) => sql`${id}`),
    sql`, `,
  );
  const active = sql.join(
    ACTIVE_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  // The counts in one statement (one round trip instead of five); the compartment filter is in every part.
  const counted = (await rc.db.execute(sql`select
      (select coalesce(json_object_agg(s.status, s.n), '{}'::json) from (
        select status, count(*)::int as n from rescue_cases where compartment_id in (${inScope}) group by status
      ) s) as by_status,
      (select count(*)::int from travellers t join rescue_cases c on c.id = t.case_id
        where c.compartment_id in (${inScope}) and c.status in (${active})) as on_route,
      (select count(*)::int from incidents
        where compartment_id in (${inScope}) and status <> 'resolved') as open_incidents,
      (select count(*)::int from rescue_cases
        where compartment_id in (${inScope}) and flagged_at is not null) as flagged,
      (select count(*)::int from rescue_alerts
        where compartment_id in (${inScope}) and acknowledged_at is null) as open_alerts`)) as unknown as {
    rows: {
      by_status: Record<string, number> | string;
      on_route: number;
      open_incidents: number;
      flagged: number;
      open_alerts: number;
    }[];
  };
  const overdue = await rc.db
    .select({ code: rescueCases.code, legPosition: legs.position, checkInDueAt: legs.checkInDueAt })
    .from(legs)
    .innerJoin(rescueCases, eq(rescueCases.id, legs.caseId))
    .where(
      and(
        inArray(legs.compartmentId, memberOf),
        inArray(legs.status, ['under_way', 'delayed']),
        sql`${legs.checkInDueAt} < ${now}`,
      ),
    )
    .orderBy(asc(legs.checkInDueAt))
    .limit(50);
  const c = counted.rows[0];
  const byStatus = typeof c?.by_status === 'string' ? JSON.parse(c.by_status) : (c?.by_status ?? {});
  return {
    byStatus: byStatus as Record<string, number>,
    onRouteNow: c?.on_route ?? 0,
    overdueLegs: overdue.map((o) => ({
      code: o.code,
      legPosition: o.legPosition,
      checkInDueAt: iso(o.checkInDueAt),
    })),
    openIncidents: c?.open_incidents ?? 0,
    flaggedCases: c?.flagged ?? 0,
    openAlerts: c?.open_alerts ?? 0,
  };
}
