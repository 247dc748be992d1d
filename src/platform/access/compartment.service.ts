import crypto from 'node:crypto';
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit.service';
import type { Actor, StaffActor } from '../auth/actor';
import { users } from '../auth/auth.table';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { compartmentMembers, compartments } from './compartment.table';
import { type Subject, subjectOf } from './policy';
import { isStaffRole } from './roles';

/** Who may create compartments and grant or revoke membership. Granting never lets them read: it is audited. */
export const COMPARTMENT_KEEPERS = ['administrator', 'security_lead'] as const;

export interface CompartmentView {
  id: string;
  code: string;
  name: string;
  purpose: string;
  members: number;
  createdAt: string;
}

/** The caller with their compartment memberships, for `authorize`. */
export async function loadSubject(db: Db, actor: Actor): Promise<Subject> {
  const rows = await db
    .select({ id: compartmentMembers.compartmentId })
    .from(compartmentMembers)
    .where(eq(compartmentMembers.userId, actor.userId));
  return subjectOf(
    actor,
    rows.map((r) => r.id),
  );
}

/**
 * Hands the caller's identity and compartments to PostgreSQL for row-level security policies on S3/S4
 * tables (`current_setting('passage.compartments')`), for the rest of the transaction only.
 */
export async function bindSubject(tx: Db, subject: Subject): Promise<void> {
  // The list travels comma-separated: an id holding a comma (or empty) would name other compartments.
  for (const id of subject.compartments) {
    if (id === '' || id.includes(',')) throw new Error('a compartment id cannot be empty or contain a comma');
  }
  await tx.execute(sql`select set_config('passage.user_id', ${subject.userId}, true),
    set_config('passage.compartments', ${[...subject.compartments].join(',')}, true)`);
}

export async function listCompartments(db: Db): Promise<CompartmentView[]> {
  const rows = await db
    .select({
      id: compartments.id,
      code: compartments.code,
      name: compartments.name,
      purpose: compartments.purpose,
      createdAt: compartments.createdAt,
      members: count(compartmentMembers.userId),
    })
    .from(compartments)
    .leftJoin(compartmentMembers, eq(compartmentMembers.compartmentId, compartments.id))
    .where(isNull(compartments.archivedAt))
    .groupBy(compartments.id)
    .orderBy(asc(compartments.name));
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

export async function createCompartment(
  db: Db,
  actor: StaffActor,
  input: { code: string; name: string; purpose?: string },
  requestId: string | null,
): Promise<CompartmentView> {
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: compartments.id })
      .from(compartments)
      .where(eq(compartments.code, input.code));
    if (clash) throw AppError.conflict('code: a compartment with this code already exists');
    const [row] = await tx
      .insert(compartments)
      .values({
        id: crypto.randomUUID(),
        code: input.code,
        name: input.name,
        purpose: input.purpose ?? '',
        createdBy: actor.userId,
      })
      .returning();
    if (!row) throw new Error('compartment not written');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'compartment.create',
      resourceType: 'compartment',
      resourceCode: row.code,
      outcome: 'succeeded',
      requestId,
    });
    return { ...row, members: 0, createdAt: row.createdAt.toISOString() };
  });
}

async function compartmentById(db: Db, id: string) {
  const [row] = await db
    .select()
    .from(compartments)
    .where(and(eq(compartments.id, id), isNull(compartments.archivedAt)));
  if (!row) throw AppError.notFound('No such compartment.');
  return row;
}

export async function listMembers(db: Db, compartmentId: string) {
  await compartmentById(db, compartmentId);
  const rows = await db
    .select({
      userId: users.id,
      name: users.name,
      role: users.role,
      grantedAt: compartmentMembers.grantedAt,
    })
    .from(compartmentMembers)
    .innerJoin(users, eq(users.id, compartmentMembers.userId))
    .where(eq(compartmentMembers.compartmentId, compartmentId))
    .orderBy(asc(users.name));
  return rows.map((r) => ({ ...r, grantedAt: r.grantedAt.toISOString() }));
}

/** Grants membership explicitly, audited. Only staff accounts that are not frozen can be members. */
export async function grantMembership(
  db: Db,
  actor: StaffActor,
  compartmentId: string,
  userId: string,
  requestId: string | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    const compartment = await compartmentById(tx, compartmentId);
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user || !isStaffRole(user.role)) throw AppError.notFound('No such staff account.');
    if (user.frozenAt) throw AppError.conflict('This account is frozen.');
    const inserted = await tx
      .insert(compartmentMembers)
      .values({ compartmentId, userId, grantedBy: actor.userId })
      .onConflictDoNothing()
      .returning({ userId: compartmentMembers.userId });
    if (!inserted.length) throw AppError.conflict('Already a member.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: userId === actor.userId ? 'compartment.grant_self' : 'compartment.grant',
      resourceType: 'compartment',
      resourceCode: `${compartment.code}:${userId}`,
      outcome: 'succeeded',
      requestId,
    });
  });
}

export async function revokeMembership(
  db: Db,
  actor: StaffActor,
  compartmentId: string,
  userId: string,
  requestId: string | null,
): Promise<void> {
  await db.transaction(async (tx) => {
    const compartment = await compartmentById(tx, compartmentId);
    const gone = await tx
      .delete(compartmentMembers)
      .where(and(eq(compartmentMembers.compartmentId, compartmentId), eq(compartmentMembers.userId, userId)))
      .returning({ userId: compartmentMembers.userId });
    if (!gone.length) throw AppError.notFound('Not a member.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'compartment.revoke',
      resourceType: 'compartment',
      resourceCode: `${compartment.code}:${userId}`,
      outcome: 'succeeded',
      requestId,
    });
  });
}

/** The compartments the caller belongs to (id, code, name): for choosing where a new record goes. */
export async function myCompartments(db: Db, userId: string) {
  return db
    .select({ id: compartments.id, code: compartments.code, name: compartments.name })
    .from(compartmentMembers)
    .innerJoin(compartments, eq(compartments.id, compartmentMembers.compartmentId))
    .where(and(eq(compartmentMembers.userId, userId), isNull(compartments.archivedAt)))
    .orderBy(asc(compartments.name));
}
