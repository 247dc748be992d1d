// A case's life after it is opened: status moves (each an event in its timeline), the handover to
// resettlement, retention extended, and shredding when retention ends.
import crypto from 'node:crypto';
import { and, asc, eq, inArray, isNull, lte } from 'drizzle-orm';
import { appendAudit } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { RESCUE_ACTIONS } from './rescue.policy';
import { type CaseStatus, TRANSITIONS } from './rescue.schema';
import {
  caseEvents,
  checkIns,
  incidentNotes,
  incidents,
  rescueCases,
  resettlementHandovers,
  travellers,
} from './rescue.table';
import { type CaseRow, caseForAction, type RescueContext, runAsSystem } from './rescue-access';

const uuid = () => crypto.randomUUID();

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
