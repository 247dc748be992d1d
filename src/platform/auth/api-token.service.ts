import crypto from 'node:crypto';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { steppedUp } from '../access/policy';
import { isStaffRole, S4_ROLES, type StaffRole } from '../access/roles';
import { appendAudit } from '../audit/audit.service';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import type { Actor } from './actor.types';
import { apiTokenGrants, apiTokens, users } from './auth.table';
import { hashToken } from './token-hash';

/** Personal API tokens start with this, so a leaked one is easy to recognise and scan for. */
export const API_TOKEN_PREFIX = 'psg_';
export const API_TOKEN_MAX_DAYS = 90;
/** The longest life of a token of a role that reads S4 data, once an administrator allows it. */
export const API_TOKEN_S4_MAX_DAYS = 7;

/**
 * What a token may call: the first segment of the path after `/api/` (`giving` for `/api/giving/…`).
 * Everything else (sign-in, setup, invitations, `/api/session`, the OpenAPI map) is never open to a token.
 */
export const API_TOKEN_SCOPES = [
  'giving',
  'people',
  'rescues',
  'field',
  'admin',
  'audit',
  'outbox',
  'me',
] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];
export const API_TOKEN_ACCESS = ['read', 'write'] as const;
export type ApiTokenAccess = (typeof API_TOKEN_ACCESS)[number];

/** Methods a read-only token may use. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ApiTokenView {
  id: string;
  name: string;
  access: ApiTokenAccess;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

/** A token in the administrators' list: never its secret or hash; its owner by id, name and role. */
export interface AdminApiTokenView extends ApiTokenView {
  owner: { id: string; name: string; role: string };
  revokedBy: string | null;
}

const view = (t: typeof apiTokens.$inferSelect): ApiTokenView => ({
  id: t.id,
  name: t.name,
  access: t.access === 'write' ? 'write' : 'read',
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revoked: t.revokedAt !== null,
});

/** A role whose work opens S4 data: its tokens need an administrator's leave and live at most 7 days. */
export function readsS4(role: string): boolean {
  return isStaffRole(role) && S4_ROLES.includes(role as StaffRole);
}

async function hasTokenGrant(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: apiTokenGrants.userId })
    .from(apiTokenGrants)
    .where(eq(apiTokenGrants.userId, userId));
  return row !== undefined;
}

/**
 * Creates a token for the caller; the secret is returned once and only its hash is kept. The caller must
 * have stepped up within the window (a token outlives the session that made it); a role that reads S4 data
 * needs an administrator's leave for this account and gets at most 7 days.
 */
export async function createApiToken(
  db: Db,
  actor: Actor,
  input: { name: string; days: number; access: ApiTokenAccess; scopes: readonly ApiTokenScope[] },
  requestId: string | null,
  now = new Date(),
): Promise<{ token: string; apiToken: ApiTokenView }> {
  if (actor.sessionId.startsWith('api-token:'))
    throw AppError.forbidden('An API token cannot create tokens.');
  if (!steppedUp(actor, now))
    throw AppError.stepUpRequired('Confirm it is you (step-up) to create an API token.');
  if (readsS4(actor.role)) {
    if (!(await hasTokenGrant(db, actor.userId))) {
      await appendAudit(db, {
        actorId: actor.userId,
        actorRole: actor.role,
        action: 'api_token.create',
        resourceType: 'api_token',
        resourceCode: null,
        outcome: 'denied',
        requestId,
      });
      throw AppError.forbidden(
        'Your role opens S4 data: an administrator must allow API tokens for your account first.',
      );
    }
    if (input.days > API_TOKEN_S4_MAX_DAYS)
      throw AppError.invalid(`days: must be 1 to ${API_TOKEN_S4_MAX_DAYS} days for your role`);
  }
  const token = `${API_TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiTokens)
      .values({
        id: crypto.randomUUID(),
        userId: actor.userId,
        name: input.name,
        tokenHash: hashToken(token),
        expiresAt: new Date(now.getTime() + input.days * 86_400_000),
        access: input.access,
        scopes: [...new Set(input.scopes)],
      })
      .returning();
    if (!row) throw new Error('token not written');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'api_token.create',
      resourceType: 'api_token',
      resourceCode: row.id,
      outcome: 'succeeded',
      requestId,
    });
    return { token, apiToken: view(row) };
  });
}

export async function listApiTokens(db: Db, actor: Actor): Promise<ApiTokenView[]> {
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, actor.userId))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map(view);
}

/** Every token of every account, newest first, for administrators and security leads: no secrets. */
export async function listAllApiTokens(db: Db): Promise<AdminApiTokenView[]> {
  const rows = await db
    .select({ token: apiTokens, owner: { id: users.id, name: users.name, role: users.role } })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(desc(apiTokens.createdAt))
    .limit(1000);
  return rows.map((r) => ({ ...view(r.token), owner: r.owner, revokedBy: r.token.revokedBy }));
}

/**
 * Revokes a token: the owner's own (`ownerOnly`), or any token for an administrator or security lead (the
 * route checks the role). A token not found, or not the caller's, answers 404 alike.
 */
export async function revokeApiToken(
  db: Db,
  actor: Actor,
  id: string,
  requestId: string | null,
  now = new Date(),
  { ownerOnly = true }: { ownerOnly?: boolean } = {},
) {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(apiTokens)
      .set({ revokedAt: now, revokedBy: actor.userId })
      .where(
        and(
          eq(apiTokens.id, id),
          ownerOnly ? eq(apiTokens.userId, actor.userId) : undefined,
          isNull(apiTokens.revokedAt),
        ),
      )
      .returning({ id: apiTokens.id });
    if (!rows.length) throw AppError.notFound('No such token.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: ownerOnly ? 'api_token.revoke' : 'api_token.revoke_other',
      resourceType: 'api_token',
      resourceCode: id,
      outcome: 'succeeded',
      requestId,
    });
  });
}

/**
 * An administrator allows (or stops allowing) API tokens for one account of a role that reads S4 data.
 * Audited; stopping revokes the account's live tokens in the same transaction.
 */
export async function setApiTokenGrant(
  db: Db,
  actor: Actor,
  userId: string,
  allowed: boolean,
  requestId: string | null,
  now = new Date(),
): Promise<{ allowed: boolean; revoked: number }> {
  return db.transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, role: users.role })
      .from(users)
      .where(eq(users.id, userId));
    if (!user || !isStaffRole(user.role)) throw AppError.notFound('No such staff member.');
    let revoked = 0;
    if (allowed) {
      await tx.insert(apiTokenGrants).values({ userId, grantedBy: actor.userId }).onConflictDoNothing();
    } else {
      await tx.delete(apiTokenGrants).where(eq(apiTokenGrants.userId, userId));
      const rows = await tx
        .update(apiTokens)
        .set({ revokedAt: now, revokedBy: actor.userId })
        .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning({ id: apiTokens.id });
      revoked = rows.length;
    }
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: allowed ? 'api_token.allow' : 'api_token.disallow',
      resourceType: 'user',
      resourceCode: userId,
      outcome: 'succeeded',
      requestId,
    });
    return { allowed, revoked };
  });
}

/** Whether a token of this access and these scopes may make this request (method and path). */
export function tokenAllows(
  token: { access: string; scopes: readonly string[] },
  method: string,
  url: string,
): boolean {
  if (token.access !== 'write' && !READ_METHODS.has(method.toUpperCase())) return false;
  const m = /^\/api\/([a-z][a-z0-9-]*)(?:[/?]|$)/.exec(url);
  return m?.[1] !== undefined && token.scopes.includes(m[1]);
}

/**
 * The account behind a bearer token, or null for an unknown, revoked or expired token, a frozen account,
 * or an account of a role that reads S4 data without an administrator's leave (its role may have changed
 * since the token was made, or the leave been withdrawn).
 */
export async function accountForApiToken(db: Db, token: string, now = new Date()) {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
  const [row] = await db
    .select({
      tokenId: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      access: apiTokens.access,
      scopes: apiTokens.scopes,
      user: users,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hashToken(token)),
        isNull(apiTokens.revokedAt),
        gt(apiTokens.expiresAt, now),
      ),
    );
  if (!row || row.user.frozenAt) return null;
  if (readsS4(row.user.role) && !(await hasTokenGrant(db, row.user.id))) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  }
  return { tokenId: row.tokenId, access: row.access, scopes: row.scopes, user: row.user };
}
