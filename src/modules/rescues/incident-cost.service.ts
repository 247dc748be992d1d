import crypto from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../../platform/audit/audit.service';
import { AppError } from '../../platform/errors';
import { RESCUE_ACTIONS } from './rescue.policy';
import type {
  COST_CATEGORIES,
  INCIDENT_KINDS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
} from './rescue.schema';
import { caseCosts, incidentNotes, incidents, legs } from './rescue.table';
import { caseForAction, type RescueContext } from './rescue-access';

const uuid = () => crypto.randomUUID();

async function legInCase(rc: RescueContext, caseId: string, legId: string | null | undefined) {
  if (!legId) return null;
  const [leg] = await rc.db
    .select({ id: legs.id })
    .from(legs)
    .where(and(eq(legs.id, legId), eq(legs.caseId, caseId)));
  if (!leg) throw AppError.invalid('legId: not a leg of this case');
  return leg.id;
}

/** An incident on a case (arrest, detention, illness, broker demands, route closed). Its description is S4. */
export async function openIncident(
  rc: RescueContext,
  code: string,
  input: {
    kind: (typeof INCIDENT_KINDS)[number];
    severity: (typeof INCIDENT_SEVERITIES)[number];
    legId?: string | null | undefined;
    description?: string | undefined;
  },
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  const legId = await legInCase(rc, row.id, input.legId);
  const now = rc.now ?? new Date();
  return rc.db.transaction(async (tx) => {
    const id = uuid();
    const key = await rc.keys.openDataKey(tx, row.dataKeyId);
    await tx.insert(incidents).values({
      id,
      caseId: row.id,
      legId,
      compartmentId: row.compartmentId,
      kind: input.kind,
      severity: input.severity,
      status: 'open',
      descriptionEnc: input.description ? key.encrypt(`incident:${id}:description`, input.description) : null,
      openedBy: rc.subject.userId,
      openedAt: now,
    });
    await appendAudit(tx, {
      actorId: rc.subject.userId,
      actorRole: rc.subject.role,
      action: `rescue_incident.opened.${input.kind}`,
      resourceType: 'rescue_case',
      resourceCode: row.code,
      outcome: 'succeeded',
      requestId: rc.requestId,
    });
    return { id };
  });
}

/** Follow-up on an incident: a note (S4) and/or a new status. */
export async function followUpIncident(
  rc: RescueContext,
  code: string,
  incidentId: string,
  input: { note?: string | undefined; status?: (typeof INCIDENT_STATUSES)[number] | undefined },
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  const [incident] = await rc.db
    .select()
    .from(incidents)
    .where(and(eq(incidents.id, incidentId), eq(incidents.caseId, row.id)));
  if (!incident) throw AppError.notFound('No such incident in this case.');
  // Any status may follow any other: a resolved incident can be reopened, because problems come back.
  const now = rc.now ?? new Date();
  await rc.db.transaction(async (tx) => {
    if (input.note) {
      const id = uuid();
      const key = await rc.keys.openDataKey(tx, row.dataKeyId);
      await tx.insert(incidentNotes).values({
        id,
        incidentId,
        compartmentId: row.compartmentId,
        noteEnc: key.encrypt(`incident_note:${id}:note`, input.note),
        byUserId: rc.subject.userId,
        at: now,
      });
    }
    if (input.status && input.status !== incident.status) {
      await tx
        .update(incidents)
        .set({ status: input.status, resolvedAt: input.status === 'resolved' ? now : null })
        .where(eq(incidents.id, incidentId));
    }
  });
}

/** An expense on a case, in any currency; amounts are whole minor units. */
export async function recordCost(
  rc: RescueContext,
  code: string,
  input: {
    category: (typeof COST_CATEGORIES)[number];
    amountMinor: number;
    currency: string;
    spentOn: string;
    legId?: string | null | undefined;
  },
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  const legId = await legInCase(rc, row.id, input.legId);
  const id = uuid();
  await rc.db.insert(caseCosts).values({
    id,
    caseId: row.id,
    legId,
    compartmentId: row.compartmentId,
    category: input.category,
    amountMinor: input.amountMinor,
    currency: input.currency,
    spentOn: new Date(input.spentOn),
    recordedBy: rc.subject.userId,
  });
  return { id };
}
