import crypto from 'node:crypto';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import { appendAudit } from '../audit/audit.service';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import type { Actor } from './actor.types';
import { apiTokens, users } from './auth.table';
import { hashToken } from './token-hash';

/** Personal API tokens start with this, so a leaked one is easy to recognise and scan for. */
export const API_TOKEN_PREFIX = 'psg_';
export const API_TOKEN_MAX_DAYS = 90;

export interface ApiTokenView {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
}

const view = (t: typeof apiTokens.$inferSelect): ApiTokenView => ({
  id: t.id,
  name: t.name,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revoked: t.revokedAt !== null,
});

/** Creates a token for the caller; the secret is returned once and only its hash is kept. */
export async function createApiToken(
  db: Db,
  actor: Actor,
  input: { name: string; days: number },
  requestId: string | null,
  now = new Date(),
): Promise<{ token: string; apiToken: ApiTokenView }> {
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

export async function revokeApiToken(
  db: Db,
  actor: Actor,
  id: string,
  requestId: string | null,
  now = new Date(),
) {
  await db.transaction(async (tx) => {
    const rows = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, actor.userId), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    if (!rows.length) throw AppError.notFound('No such token.');
    await appendAudit(tx, {
      actorId: actor.userId,
      actorRole: actor.role,
      action: 'api_token.revoke',
      resourceType: 'api_token',
      resourceCode: id,
      outcome: 'succeeded',
      requestId,
    });
  });
}

/** The account behind a bearer token, or null for an unknown, revoked or expired token or a frozen account. */
export async function accountForApiToken(db: Db, token: string, now = new Date()) {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
  const [row] = await db
    .select({ tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, user: users })
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
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  }
  return { tokenId: row.tokenId, user: row.user };
}
