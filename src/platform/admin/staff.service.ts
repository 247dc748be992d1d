import { and, asc, count, eq, isNull, max, ne } from 'drizzle-orm';
import { isStaffRole, STAFF_ROLES, type StaffRole } from '../access/roles';
import { appendAudit } from '../audit/audit.service';
import type { StaffActor } from '../auth/actor';
import { apiTokenGrants, passkeys, users } from '../auth/auth.table';
import type { SignInThrottle } from '../auth/throttle';
import type { Db } from '../db/client';
import { AppError } from '../errors';

export interface StaffView {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  secondFactor: boolean;
  frozen: boolean;
  /** Locked by failed sign-ins (the account itself, not one address of it). */
  locked: boolean;
  /** An administrator allowed API tokens for this account (needed by roles that read S4 data). */
  apiTokensAllowed: boolean;
  createdAt: string;
}

/** Staff accounts only: supporters live in their own space and are never listed with staff. */
export async function listStaff(db: Db, throttle: SignInThrottle): Promise<StaffView[]> {
  const rows = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      twoFactorEnabled: users.twoFactorEnabled,
      frozenAt: users.frozenAt,
      createdAt: users.createdAt,
      passkeys: count(passkeys.id),
      grant: max(apiTokenGrants.userId),
    })
    .from(users)
    .leftJoin(passkeys, eq(passkeys.userId, users.id))
    .leftJoin(apiTokenGrants, eq(apiTokenGrants.userId, users.id))
    .groupBy(users.id)
    .orderBy(asc(users.name));
  return Promise.all(
    rows
      .filter((r) => isStaffRole(r.role))
      .map(async (r) => ({
        id: r.id,
        name: r.name,
        email: r.email,
        role: r.role as StaffRole,
        secondFactor: r.twoFactorEnabled || r.passkeys > 0,
        frozen: r.frozenAt !== null,
        locked: await throttle.isAccountLocked(r.email),
        apiTokensAllowed: r.grant !== null,
        createdAt: r.createdAt.toISOString(),
      })),
  );
}

/**
 * An administrator or security lead unlocks a staff account locked by failed sign-ins (someone who knows the
 * email can lock it from several addresses): its count, every address's lock for it and its step-up lock.
 * Audited; a frozen account stays frozen (that is the burn switch, undone only by re-enrolment).
 */
export async function unlockStaffAccount(
  db: Db,
  throttle: SignInThrottle,
  actor: StaffActor,
  userId: string,
  requestId: string | null,
): Promise<void> {
  const [user] = await db
    .select({ email: users.email, role: users.role })
    .from(users)
    .where(eq(users.id, userId));
  if (!user || !isStaffRole(user.role)) throw AppError.notFound('No such staff member.');
  await throttle.clear(user.email, userId);
  await appendAudit(db, {
    actorId: actor.userId,
    actorRole: actor.role,
    action: 'account.unlock',
    resourceType: 'user',
    resourceCode: userId,
    outcome: 'succeeded',
    requestId,
  });
}

/**
 * Changes a staff member's role. A supporter can never be given a staff role, and the last administrator who
 * is not frozen stays one.
 */
export async function changeStaffRole(
  db: Db,
  actor: StaffActor,
  userId: string,
  role: StaffRole,
  requestId: string | null,
): Promise<void> {
  if (!(STAFF_ROLES as readonly string[]).includes(role)) throw AppError.invalid('role: unknown role');
  await db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!target || !isStaffRole(target.role)) throw AppError.notFound('No such staff account.');
    if (target.role === 'administrator' && role !== 'administrator') {
      const [others] = await tx
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.role, 'administrator'), ne(users.id, userId), isNull(users.frozenAt)));
      if ((others?.n ?? 0) === 0) {
        throw AppError.conflict('This is the last administrator: make someone else administrator first.');
      }
    }
    await tx.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: `account.role_change.${role}`,
      resourceType: 'account',
      resourceCode: userId,
      outcome: 'succeeded',
      requestId,
    });
  });
}
