import crypto from 'node:crypto';
import { and, asc, desc, eq, ilike, inArray, isNull, like, or, type SQL, sql } from 'drizzle-orm';
import { authorize, type Subject } from '../../platform/access/policy';
import { appendAudit } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { PEOPLE_ACTIONS } from './people.policy';
import {
  CONSENT_CHANNELS,
  type ConsentChannel,
  type ConsentInput,
  keys,
  type SearchQuery,
  type SupporterInput,
  type SupporterPatch,
} from './people.schema';
import { supporterConsents, supporterNotes, supporters, supporterTags } from './people.table';

/** What every people command needs: the database or a transaction, the caller, the request id. */
export interface PeopleContext {
  db: Db;
  subject: Subject;
  requestId: string | null;
}

export type SupporterRow = typeof supporters.$inferSelect;

/**
 * Other modules keep records that belong to a supporter (Giving's gifts). When two supporters are merged,
 * each registered handler moves its rows to the survivor, in the merge's transaction.
 */
export type SupporterMergeHandler = (db: Db, move: { fromId: string; toId: string }) => Promise<void>;
const mergeHandlers: SupporterMergeHandler[] = [];
export function onSupportersMerged(handler: SupporterMergeHandler): void {
  if (!mergeHandlers.includes(handler)) mergeHandlers.push(handler);
}

function allow(pc: PeopleContext, action: string): void {
  if (!authorize(pc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
}

async function audit(pc: PeopleContext, action: string, supporterId: string): Promise<void> {
  await appendAudit(pc.db, {
    actorId: pc.subject.userId,
    actorRole: pc.subject.role,
    action,
    resourceType: 'supporter',
    resourceCode: supporterId,
    outcome: 'succeeded',
    requestId: pc.requestId,
  });
}

function nameOf(input: {
  displayName?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
}) {
  return input.displayName || [input.firstName, input.lastName].filter(Boolean).join(' ');
}

async function loadLive(db: Db, id: string): Promise<SupporterRow> {
  const [row] = await db.select().from(supporters).where(eq(supporters.id, id));
  if (!row) throw AppError.notFound('No supporter with this id.');
  if (row.mergedIntoId) throw AppError.gone(`This supporter was merged into ${row.mergedIntoId}.`);
  return row;
}

/** Inserts a supporter without an access check: for Giving's public donate path and the seeder. */
export async function insertSupporter(
  db: Db,
  input: SupporterInput,
  createdBy: string | null,
): Promise<SupporterRow> {
  if (input.householdId) {
    const household = await loadLive(db, input.householdId);
    if (household.kind !== 'household') throw AppError.invalid('householdId: is not a household');
  }
  const displayName = nameOf(input);
  const [row] = await db
    .insert(supporters)
    .values({
      id: crypto.randomUUID(),
      kind: input.kind,
      organisationType: input.organisationType ?? null,
      displayName,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      email: input.email ?? null,
      emailKey: keys.email(input.email),
      phone: input.phone ?? null,
      phoneKey: keys.phone(input.phone),
      postcode: input.postcode ?? null,
      postcodeKey: keys.postcode(input.postcode),
      nameKey: keys.name(displayName),
      householdId: input.householdId ?? null,
      createdBy,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

/** The live supporter with this email, if any (the oldest when there are duplicates). */
export async function findSupporterByEmail(db: Db, email: string): Promise<SupporterRow | null> {
  const [row] = await db
    .select()
    .from(supporters)
    .where(and(eq(supporters.emailKey, keys.email(email) ?? ''), isNull(supporters.mergedIntoId)))
    .orderBy(asc(supporters.createdAt))
    .limit(1);
  return row ?? null;
}

/** Name and email of a live (or merged: its survivor's) supporter, for receipts. No access check. */
export async function getSupporterContact(db: Db, id: string) {
  let [row] = await db.select().from(supporters).where(eq(supporters.id, id));
  for (let hops = 0; row?.mergedIntoId && hops < 10; hops++)
    [row] = await db.select().from(supporters).where(eq(supporters.id, row.mergedIntoId));
  return row ? { id: row.id, displayName: row.displayName, email: row.email } : null;
}

export async function createSupporter(pc: PeopleContext, input: SupporterInput) {
  allow(pc, PEOPLE_ACTIONS.write);
  const row = await insertSupporter(pc.db, input, pc.subject.userId);
  await audit(pc, 'supporter.create', row.id);
  return presentSupporter(row);
}

export function presentSupporter(row: SupporterRow) {
  return {
    id: row.id,
    kind: row.kind,
    organisationType: row.organisationType,
    displayName: row.displayName,
    firstName: row.firstName,
    lastName: row.lastName,
    email: row.email,
    phone: row.phone,
    postcode: row.postcode,
    householdId: row.householdId,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The current consent per channel: the newest statement, or `unknown` when there is none. */
export async function currentConsent(db: Db, supporterId: string) {
  const rows = await db
    .select()
    .from(supporterConsents)
    .where(eq(supporterConsents.supporterId, supporterId))
    .orderBy(desc(supporterConsents.recordedAt), desc(supporterConsents.id));
  const out = {} as Record<
    ConsentChannel,
    { status: 'granted' | 'withdrawn' | 'unknown'; method: string | null; statedAt: string | null }
  >;
  for (const channel of CONSENT_CHANNELS) {
    const latest = rows.find((r) => r.channel === channel);
    out[channel] = latest
      ? {
          status: latest.granted ? 'granted' : 'withdrawn',
          method: latest.method,
          statedAt: latest.statedAt.toISOString(),
        }
      : { status: 'unknown', method: null, statedAt: null };
  }
  return out;
}

/** May we write to this supporter on this channel? Only with a recorded, unrevoked consent. */
export async function hasConsent(db: Db, supporterId: string, channel: ConsentChannel): Promise<boolean> {
  return (await currentConsent(db, supporterId))[channel].status === 'granted';
}

export async function getSupporter(pc: PeopleContext, id: string) {
  allow(pc, PEOPLE_ACTIONS.read);
  const row = await loadLive(pc.db, id);
  // One after another: a transaction is one connection, and node-postgres will stop queueing overlapping queries.
  const tags = await pc.db
    .select({ tag: supporterTags.tag })
    .from(supporterTags)
    .where(eq(supporterTags.supporterId, id))
    .orderBy(asc(supporterTags.tag));
  const notes = await pc.db
    .select()
    .from(supporterNotes)
    .where(eq(supporterNotes.supporterId, id))
    .orderBy(desc(supporterNotes.createdAt));
  const consent = await currentConsent(pc.db, id);
  const history = await pc.db
    .select()
    .from(supporterConsents)
    .where(eq(supporterConsents.supporterId, id))
    .orderBy(desc(supporterConsents.recordedAt), desc(supporterConsents.id));
  return {
    ...presentSupporter(row),
    tags: tags.map((t) => t.tag),
    notes: notes.map((n) => ({
      id: n.id,
      body: n.body,
      createdBy: n.createdBy,
      createdAt: n.createdAt.toISOString(),
    })),
    consent,
    /** Every statement, newest recorded first: the first of a channel is its current consent. */
    consentHistory: history.map((c) => ({
      id: c.id,
      channel: c.channel,
      granted: c.granted,
      method: c.method,
      statedAt: c.statedAt.toISOString(),
      recordedAt: c.recordedAt.toISOString(),
    })),
  };
}

export async function updateSupporter(pc: PeopleContext, id: string, patch: SupporterPatch) {
  allow(pc, PEOPLE_ACTIONS.write);
  const row = await loadLive(pc.db, id);
  const next = { ...row, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  // An individual's name follows their first and last names; a household or organisation keeps its own.
  const fromNames =
    row.kind === 'individual' && (patch.firstName !== undefined || patch.lastName !== undefined);
  const displayName =
    patch.displayName ||
    (fromNames
      ? nameOf({ firstName: next.firstName ?? undefined, lastName: next.lastName ?? undefined })
      : row.displayName);
  if (!displayName) throw AppError.invalid('displayName: is required (or a first or last name)');
  const [updated] = await pc.db
    .update(supporters)
    .set({
      displayName,
      firstName: next.firstName,
      lastName: next.lastName,
      email: next.email,
      emailKey: keys.email(next.email),
      phone: next.phone,
      phoneKey: keys.phone(next.phone),
      postcode: next.postcode,
      postcodeKey: keys.postcode(next.postcode),
      nameKey: keys.name(displayName),
      updatedAt: new Date(),
    })
    .where(eq(supporters.id, id))
    .returning();
  await audit(pc, 'supporter.update', id);
  return presentSupporter(updated ?? row);
}

/** Name, email or postcode; live records only; optionally by tag. */
export async function searchSupporters(
  pc: PeopleContext,
  query: SearchQuery & {
    /** The page after this supporter, in the list's order (a CSV export reads every page). */
    afterId?: string | undefined;
  },
) {
  allow(pc, PEOPLE_ACTIONS.read);
  const where: SQL[] = [isNull(supporters.mergedIntoId)];
  if (query.afterId)
    where.push(
      sql`(${supporters.nameKey}, ${supporters.id}) > (select s.name_key, s.id from supporters s where s.id = ${query.afterId})`,
    );
  if (query.q) {
    const escaped = query.q.replace(/[\\%_]/g, (c) => `\\${c}`);
    // An email matches from its start, so the list narrows while it is typed ("hana@ex…").
    const conditions = [
      ilike(supporters.displayName, `%${escaped}%`),
      like(supporters.emailKey, `${escaped.toLowerCase()}%`),
    ];
    const postcode = keys.postcode(query.q);
    if (postcode) conditions.push(eq(supporters.postcodeKey, postcode));
    const either = or(...conditions);
    if (either) where.push(either);
  }
  if (query.tag)
    where.push(
      inArray(
        supporters.id,
        pc.db
          .select({ id: supporterTags.supporterId })
          .from(supporterTags)
          .where(eq(supporterTags.tag, query.tag)),
      ),
    );
  const rows = await pc.db
    .select()
    .from(supporters)
    .where(and(...where))
    .orderBy(asc(supporters.nameKey), asc(supporters.id))
    .limit(query.limit);
  return { supporters: rows.map(presentSupporter) };
}

export async function recordConsent(pc: PeopleContext, id: string, input: ConsentInput) {
  allow(pc, PEOPLE_ACTIONS.write);
  await loadLive(pc.db, id);
  await insertConsent(pc.db, id, input, pc.subject.userId);
  await audit(pc, input.granted ? 'supporter.consent_granted' : 'supporter.consent_withdrawn', id);
  return currentConsent(pc.db, id);
}

/** Records a consent statement without an access check (the donate form, the seeder). */
export async function insertConsent(
  db: Db,
  supporterId: string,
  input: ConsentInput,
  recordedBy: string | null,
) {
  await db.insert(supporterConsents).values({
    id: crypto.randomUUID(),
    supporterId,
    channel: input.channel,
    granted: input.granted,
    method: input.method,
    statedAt: input.statedAt ?? new Date(),
    recordedBy,
  });
}

export async function addTag(pc: PeopleContext, id: string, tag: string) {
  allow(pc, PEOPLE_ACTIONS.write);
  await loadLive(pc.db, id);
  await pc.db.insert(supporterTags).values({ supporterId: id, tag }).onConflictDoNothing();
  await audit(pc, 'supporter.tag', id);
  return { ok: true as const };
}

export async function removeTag(pc: PeopleContext, id: string, tag: string) {
  allow(pc, PEOPLE_ACTIONS.write);
  await loadLive(pc.db, id);
  await pc.db.delete(supporterTags).where(and(eq(supporterTags.supporterId, id), eq(supporterTags.tag, tag)));
  await audit(pc, 'supporter.untag', id);
  return { ok: true as const };
}

export async function addNote(pc: PeopleContext, id: string, body: string) {
  allow(pc, PEOPLE_ACTIONS.write);
  await loadLive(pc.db, id);
  const noteId = crypto.randomUUID();
  await pc.db
    .insert(supporterNotes)
    .values({ id: noteId, supporterId: id, body, createdBy: pc.subject.userId });
  await audit(pc, 'supporter.note', id);
  return { id: noteId };
}

export type DuplicateReason = 'same_email' | 'same_name_and_postcode' | 'same_phone';

/**
 * Pairs of live supporters that look like one person: same email, same name and postcode, or same phone.
 * Each pair once (lower id first), with every reason that matched.
 */
export async function findDuplicates(
  pc: PeopleContext,
  options: { supporterId?: string; limit?: number } = {},
) {
  allow(pc, PEOPLE_ACTIONS.read);
  const limit = options.limit ?? 100;
  const only = options.supporterId
    ? sql`and (a.id = ${options.supporterId} or b.id = ${options.supporterId})`
    : sql``;
  const result = await pc.db.execute(sql`
    select a.id as a_id, b.id as b_id,
      (a.email_key is not null and a.email_key = b.email_key) as same_email,
      (a.postcode_key is not null and a.name_key = b.name_key and a.postcode_key = b.postcode_key) as same_name_postcode,
      (a.phone_key is not null and a.phone_key = b.phone_key) as same_phone
    from supporters a
    join supporters b on a.id < b.id
      and ((a.email_key is not null and a.email_key = b.email_key)
        or (a.postcode_key is not null and a.name_key = b.name_key and a.postcode_key = b.postcode_key)
        or (a.phone_key is not null and a.phone_key = b.phone_key))
    where a.merged_into_id is null and b.merged_into_id is null ${only}
    order by a.id, b.id
    limit ${limit}`);
  const rows = (
    result as unknown as {
      rows: {
        a_id: string;
        b_id: string;
        same_email: boolean;
        same_name_postcode: boolean;
        same_phone: boolean;
      }[];
    }
  ).rows;
  const people = rows.length
    ? await pc.db
        .select()
        .from(supporters)
        .where(inArray(supporters.id, [...new Set(rows.flatMap((r) => [r.a_id, r.b_id]))]))
    : [];
  const byId = new Map(people.map((p) => [p.id, presentSupporter(p)]));
  return {
    pairs: rows.map((r) => ({
      ids: [r.a_id, r.b_id] as [string, string],
      /** Both records as they stand, so a person can judge the pair and choose the survivor. */
      supporters: [byId.get(r.a_id), byId.get(r.b_id)].filter((p) => p !== undefined),
      reasons: [
        ...(r.same_email ? (['same_email'] as const) : []),
        ...(r.same_name_postcode ? (['same_name_and_postcode'] as const) : []),
        ...(r.same_phone ? (['same_phone'] as const) : []),
      ] as DuplicateReason[],
    })),
  };
}

/**
 * Merges `duplicateId` into `survivorId`: tags, notes, consent statements and every other module's rows
 * (gifts) move to the survivor; empty fields of the survivor are filled from the duplicate; the duplicate
 * stays as a tombstone pointing at the survivor. One transaction, audited on both records.
 */
export async function mergeSupporters(pc: PeopleContext, duplicateId: string, survivorId: string) {
  allow(pc, PEOPLE_ACTIONS.merge);
  if (duplicateId === survivorId) throw AppError.invalid('survivorId: must be another supporter');
  return pc.db.transaction(async (tx) => {
    // Both rows locked in id order, so two merges of the same pair cannot interleave.
    const locked = await tx
      .select()
      .from(supporters)
      .where(inArray(supporters.id, [duplicateId, survivorId]))
      .orderBy(asc(supporters.id))
      .for('update');
    const duplicate = locked.find((r) => r.id === duplicateId);
    const survivor = locked.find((r) => r.id === survivorId);
    if (!duplicate || !survivor) throw AppError.notFound('No supporter with this id.');
    if (duplicate.mergedIntoId || survivor.mergedIntoId)
      throw AppError.conflict('One of these supporters was already merged.');
    await tx
      .update(supporters)
      .set({
        email: survivor.email ?? duplicate.email,
        emailKey: survivor.emailKey ?? duplicate.emailKey,
        phone: survivor.phone ?? duplicate.phone,
        phoneKey: survivor.phoneKey ?? duplicate.phoneKey,
        postcode: survivor.postcode ?? duplicate.postcode,
        postcodeKey: survivor.postcodeKey ?? duplicate.postcodeKey,
        firstName: survivor.firstName ?? duplicate.firstName,
        lastName: survivor.lastName ?? duplicate.lastName,
        householdId: survivor.householdId ?? duplicate.householdId,
        updatedAt: new Date(),
      })
      .where(eq(supporters.id, survivorId));
    await tx.execute(sql`
      insert into supporter_tags (supporter_id, tag, created_at)
      select ${survivorId}, tag, created_at from supporter_tags where supporter_id = ${duplicateId}
      on conflict do nothing`);
    await tx.delete(supporterTags).where(eq(supporterTags.supporterId, duplicateId));
    await tx
      .update(supporterNotes)
      .set({ supporterId: survivorId })
      .where(eq(supporterNotes.supporterId, duplicateId));
    await tx
      .update(supporterConsents)
      .set({ supporterId: survivorId })
      .where(eq(supporterConsents.supporterId, duplicateId));
    await tx
      .update(supporters)
      .set({ householdId: survivorId })
      .where(eq(supporters.householdId, duplicateId));
    for (const handler of mergeHandlers) await handler(tx, { fromId: duplicateId, toId: survivorId });
    await tx
      .update(supporters)
      .set({ mergedIntoId: survivorId, mergedAt: new Date(), updatedAt: new Date() })
      .where(eq(supporters.id, duplicateId));
    const inTx = { ...pc, db: tx };
    await audit(inTx, 'supporter.merged_away', duplicateId);
    await audit(inTx, 'supporter.merged_into', survivorId);
    return { survivorId, mergedId: duplicateId };
  });
}
