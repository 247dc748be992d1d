import crypto from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { accounts, setupTokens, users } from './auth.table';
import { hashToken, newLinkToken } from './token-hash';

/** How long a setup link printed at start stays valid. */
export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

export async function hasAnyUser(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) > 0;
}

/**
 * Issues a fresh one-time setup token while no account exists; earlier unused tokens stop working.
 * Returns null once the installation has its administrator.
 */
export async function issueSetupToken(db: Db, now = new Date()): Promise<string | null> {
  return db.transaction(async (tx) => {
    if (await hasAnyUser(tx)) return null;
    const token = newLinkToken();
    await tx.delete(setupTokens).where(isNull(setupTokens.usedAt));
    await tx.insert(setupTokens).values({
      id: crypto.randomUUID(),
      tokenHash: hashToken(token),
      expiresAt: new Date(now.getTime() + SETUP_TOKEN_TTL_MS),
    });
    return token;
  });
}

export interface CreateFirstAdministratorInput {
  token: string;
  name: string;
  email: string;
  password: string;
}

/** Spends the setup token and creates the first administrator, all or nothing. */
export async function createFirstAdministrator(
  db: Db,
  input: CreateFirstAdministratorInput,
  now = new Date(),
): Promise<{ userId: string }> {
  // Hash outside the transaction: scrypt is slow and must not hold the single embedded connection.
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [token] = await tx
      .select()
      .from(setupTokens)
      .where(
        and(
          eq(setupTokens.tokenHash, hashToken(input.token)),
          isNull(setupTokens.usedAt),
          gt(setupTokens.expiresAt, now),
        ),
      )
      .for('update');
    if (!token)
      throw new AppError(
        'setup_link_invalid',
        'This setup link is invalid, used or expired. Restart Passage for a new one.',
      );
    if (await hasAnyUser(tx)) throw AppError.conflict('Passage already has an administrator.');
    const userId = crypto.randomUUID();
    await tx.insert(users).values({
      id: userId,
      name: input.name,
      email: input.email.toLowerCase(),
      emailVerified: true,
      role: 'administrator',
    });
    await tx.insert(accounts).values({
      id: crypto.randomUUID(),
      accountId: userId,
      providerId: 'credential',
      userId,
      password: passwordHash,
    });
    await tx.update(setupTokens).set({ usedAt: now }).where(eq(setupTokens.id, token.id));
    return { userId };
  });
}
