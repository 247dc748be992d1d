import crypto from 'node:crypto';
import { createOTP } from '@better-auth/utils/otp';
import { symmetricDecrypt, verifyPassword } from 'better-auth/crypto';
import { and, desc, eq, gt, inArray, isNull, lte, sql } from 'drizzle-orm';
import { STEP_UP_WINDOW_MS } from '../access/policy';
import { appendAudit } from '../audit/audit.service';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import type { Mailer } from '../mail/mailer';
import type { Actor } from './actor';
import type { Auth } from './auth';
import { accounts, apiTokens, passkeys, sessions, spentStepUpCodes, twoFactors, users } from './auth.table';
import type { SignInThrottle } from './throttle';

export interface SessionView {
  id: string;
  current: boolean;
  createdAt: string;
  lastActiveAt: string;
  expiresAt: string;
  userAgent: string | null;
  ipAddress: string | null;
}

export async function listMySessions(db: Db, actor: Actor, now = new Date()): Promise<SessionView[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(eq(sessions.userId, actor.userId))
    .orderBy(desc(sessions.createdAt));
  return rows
    .filter((s) => s.expiresAt > now)
    .map((s) => ({
      id: s.id,
      current: s.id === actor.sessionId,
      createdAt: s.createdAt.toISOString(),
      lastActiveAt: s.lastActiveAt.toISOString(),
      expiresAt: s.expiresAt.toISOString(),
      userAgent: s.userAgent,
      ipAddress: s.ipAddress,
    }));
}

export async function revokeMySession(db: Db, actor: Actor, sessionId: string, requestId: string | null) {
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, actor.userId)))
      .returning({ id: sessions.id });
    if (!gone.length) throw AppError.notFound('No such session.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'session.revoke',
      resourceType: 'session',
      resourceCode: sessionId,
      outcome: 'succeeded',
      requestId,
    });
  });
}

export interface PasskeyView {
  id: string;
  name: string | null;
  deviceType: string;
  backedUp: boolean;
  createdAt: string | null;
}

export async function listMyPasskeys(db: Db, actor: Actor): Promise<PasskeyView[]> {
  const rows = await db
    .select()
    .from(passkeys)
    .where(eq(passkeys.userId, actor.userId))
    .orderBy(desc(passkeys.createdAt));
  return rows.map((p) => ({
    id: p.id,
    name: p.name,
    deviceType: p.deviceType,
    backedUp: p.backedUp,
    createdAt: p.createdAt?.toISOString() ?? null,
  }));
}

export async function removeMyPasskey(db: Db, actor: Actor, passkeyId: string, requestId: string | null) {
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, actor.userId)))
      .returning({ id: passkeys.id });
    if (!gone.length) throw AppError.notFound('No such passkey.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'passkey.remove',
      resourceType: 'passkey',
      resourceCode: passkeyId,
      outcome: 'succeeded',
      requestId,
    });
  });
}

export interface BurnResult {
  sessions: number;
  passkeys: number;
  recoveryCodeSets: number;
  apiTokens: number;
}

/**
 * The burn switch: in one transaction, every session, passkey, authenticator secret with its recovery codes,
 * and API token of the account is destroyed and the account frozen. Security leads are told, by an email
 * that names the account but nothing it works on.
 */
export async function burnAccount(
  db: Db,
  mail: Mailer,
  actor: Actor,
  targetUserId: string,
  requestId: string | null,
  now = new Date(),
): Promise<BurnResult> {
  const self = targetUserId === actor.userId;
  if (!self && !['administrator', 'security_lead'].includes(actor.role)) {
    await appendAudit(db, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'account.burn',
      resourceType: 'account',
      resourceCode: targetUserId,
      outcome: 'denied',
      requestId,
    });
    throw AppError.forbidden('Only a security lead or an administrator can burn another account.');
  }
  const result = await db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.id, targetUserId)).for('update');
    if (!target) throw AppError.notFound('No such account.');
    const s = await tx
      .delete(sessions)
      .where(eq(sessions.userId, targetUserId))
      .returning({ id: sessions.id });
    const p = await tx
      .delete(passkeys)
      .where(eq(passkeys.userId, targetUserId))
      .returning({ id: passkeys.id });
    const t = await tx
      .delete(twoFactors)
      .where(eq(twoFactors.userId, targetUserId))
      .returning({ id: twoFactors.id });
    const a = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.userId, targetUserId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    await tx
      .update(users)
      .set({ frozenAt: now, frozenBy: actor.userId, twoFactorEnabled: false, updatedAt: now })
      .where(eq(users.id, targetUserId));
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: self ? 'account.burn_self' : 'account.burn',
      resourceType: 'account',
      resourceCode: targetUserId,
      outcome: 'succeeded',
      requestId,
    });
    const leads = await tx
      .select({ email: users.email })
      .from(users)
      .where(and(inArray(users.role, ['security_lead', 'administrator']), isNull(users.frozenAt)));
    for (const lead of leads) {
      await mail.enqueue(tx, {
        to: lead.email,
        subject: 'Passage: an account was frozen with the burn switch',
        text: [
          // Role and account id, not the name: a field partner's identity is S4 and email is no place for it.
          `A ${target.role.replaceAll('_', ' ')} account (${target.id}) was frozen ${self ? 'by its owner' : 'by a security lead or administrator'} at ${now.toISOString()}.`,
          'Every session, passkey, authenticator and API token of it has been revoked.',
          'Review the audit log in the console, then issue a re-enrolment link when it is safe.',
        ].join('\n'),
      });
    }
    return { sessions: s.length, passkeys: p.length, recoveryCodeSets: t.length, apiTokens: a.length };
  });
  mail.deliverSoon();
  return result;
}

/** A TOTP code stays valid for up to 90 s (its period and the drift allowed); a spent one is refused that long. */
export const CODE_REPLAY_WINDOW_MS = 90_000;

/**
 * What is kept of a spent code: the SHA-256 of the user and code. No secret is needed: a spent code is refused
 * for its whole life anyway, and worthless once its window has passed.
 */
function spentCodeHash(userId: string, code: string): string {
  return crypto.createHash('sha256').update(`passage step-up code v1\0${userId}\0${code}`).digest('hex');
}

async function codeSpent(db: Db, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const [row] = await db
    .select({ userId: spentStepUpCodes.userId })
    .from(spentStepUpCodes)
    .where(
      and(
        eq(spentStepUpCodes.userId, userId),
        eq(spentStepUpCodes.codeHash, codeHash),
        gt(spentStepUpCodes.expiresAt, now),
      ),
    );
  return row !== undefined;
}

/**
 * Spends a code, in the database so every process sees it: true when this call spent it, false when another
 * request (on any process) spent it first. A row whose window has passed is taken over (the same six digits
 * come round again).
 */
async function spendCode(db: Db, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const spent = await db
    .insert(spentStepUpCodes)
    .values({ userId, codeHash, expiresAt: new Date(now.getTime() + CODE_REPLAY_WINDOW_MS) })
    .onConflictDoUpdate({
      target: [spentStepUpCodes.userId, spentStepUpCodes.codeHash],
      set: { expiresAt: sql`excluded.expires_at` },
      setWhere: lte(spentStepUpCodes.expiresAt, now),
    })
    .returning({ userId: spentStepUpCodes.userId });
  return spent.length > 0;
}

/**
 * Step-up: the signed-in person proves again who they are (password and authenticator code) and the
 * session may open S4 fields and exports for the next five minutes. A passkey step-up goes through
 * a passkey sign-in, which marks the new session the same way.
 */
export async function stepUpWithPassword(
  db: Db,
  auth: Auth,
  throttle: SignInThrottle,
  actor: Actor,
  input: { password: string; code: string },
  requestId: string | null,
  now = new Date(),
): Promise<{ stepUpUntil: string }> {
  // An API token has no session to mark (and is never stepped up): do not pretend, nor check the secrets.
  if (actor.sessionId.startsWith('api-token:')) {
    throw AppError.forbidden('Step up from a signed-in session, not with an API token.');
  }
  // Guessing is counted per account, like sign-in failures: a locked account's step-up checks nothing.
  if (await throttle.isStepUpLocked(actor.userId, now)) {
    await appendAudit(db, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'session.step_up_locked',
      resourceType: 'session',
      resourceCode: actor.sessionId,
      outcome: 'denied',
      requestId,
    });
    throw new AppError('rate_limited', 'Too many failed attempts. Try again in 15 minutes.');
  }
  const [account] = await db
    .select({ hash: accounts.password })
    .from(accounts)
    .where(and(eq(accounts.userId, actor.userId), eq(accounts.providerId, 'credential')));
  const [factor] = await db.select().from(twoFactors).where(eq(twoFactors.userId, actor.userId));
  let ok = false;
  const codeHash = spentCodeHash(actor.userId, input.code);
  if (await codeSpent(db, actor.userId, codeHash, now)) {
    // A code already spent on a step-up proves nothing: whoever watched it being typed could replay it.
  } else if (account?.hash && factor?.verified) {
    const context = await auth.$context;
    const secret = await symmetricDecrypt({ key: context.secretConfig, data: factor.secret });
    const [passwordOk, codeOk] = await Promise.all([
      verifyPassword({ hash: account.hash, password: input.password }),
      createOTP(secret, { period: 30, digits: 6 }).verify(input.code),
    ]);
    // Spent only when it worked; a request that spent the same code a moment before wins, and this one fails.
    ok = passwordOk && codeOk && (await spendCode(db, actor.userId, codeHash, now));
  }
  await appendAudit(db, {
    actorId: actor.userId,
    actorRole: actor.role,
    action: 'session.step_up',
    resourceType: 'session',
    resourceCode: actor.sessionId,
    outcome: ok ? 'succeeded' : 'failed',
    requestId,
  });
  if (!ok) {
    await throttle.recordStepUpFailure(actor.userId, now);
    throw AppError.unauthenticated('Re-authentication failed. Check your password and code.');
  }
  await throttle.recordStepUpSuccess(actor.userId);
  await db.update(sessions).set({ stepUpAt: now }).where(eq(sessions.id, actor.sessionId));
  return { stepUpUntil: new Date(now.getTime() + STEP_UP_WINDOW_MS).toISOString() };
}
