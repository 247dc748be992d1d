import crypto from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { compartments } from '../../platform/access/compartment.table';
import { allowedActions, authorize, present } from '../../platform/access/policy';
import { appendAudit } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { generateCodeName } from './code-name';
import { caseKeyOrNull, openLeg } from './leg-seal';
import { RESCUE_ACTIONS } from './rescue.policy';
import {
  ACTIVE_STATUSES,
  type CaseStatus,
  DEFAULT_BUDGET_PER_PERSON_MINOR,
  DEFAULT_RETENTION_DAYS,
  type OpenCaseInput,
  TRANSITIONS,
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
  travellers,
} from './rescue.table';
import {
  caseForAction,
  caseResource,
  guard,
  type RescueContext,
  refuseRoleWithoutGrant,
} from './rescue-access';
import { planLegsFromTemplate } from './route-template.service';
import { travellerField, travellerRow } from './traveller.service';

const uuid = () => crypto.randomUUID();

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
        key,
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
  // The route is S4: its places, window and notes are sealed under the case's key (the read is audited
  // above); a shredded case's legs show no place.
  const readsRoute = authorize(rc.subject, intake, resource, now).allowed;
  const legKey = readsRoute && legRows.length ? await caseKeyOrNull(rc.keys, rc.db, row.dataKeyId) : null;
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
    legs: legRows.map((l) => {
      // The route (places, window, notes) only for those who plan the rescue; for other readers (a
      // resettlement worker) these fields are absent, and their ciphertext is never opened.
      const plain = readsRoute ? openLeg(legKey, l) : null;
      return {
        id: l.id,
        position: l.position,
        kind: l.kind,
        ...(plain
          ? {
              fromPlace: plain.fromPlace,
              toPlace: plain.toPlace,
              plannedStart: iso(plain.plannedStart),
              plannedEnd: iso(plain.plannedEnd),
              notes: plain.notes,
            }
          : {}),
        fieldPartnerId: l.fieldPartnerId,
        status: l.status,
        budgetMinor: l.budgetMinor,
        currency: l.currency,
        pickedUpAt: iso(l.pickedUpAt),
        handedOffAt: iso(l.handedOffAt),
        checkInDueAt: iso(l.checkInDueAt),
        overdue:
          ['under_way', 'delayed'].includes(l.status) && l.checkInDueAt !== null && l.checkInDueAt < now,
      };
    }),
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
