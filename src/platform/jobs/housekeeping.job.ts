import { isNotNull, lt, or } from 'drizzle-orm';
import { sessions, setupTokens, spentStepUpCodes, verifications } from '../auth/auth.table';
import type { Db } from '../db/client';
import type { JobDefinition } from './jobs';

export interface HousekeepingResult {
  expiredSessions: number;
  expiredVerifications: number;
  spentSetupTokens: number;
  expiredStepUpCodes: number;
}

/**
 * Removes what has expired: sessions, verification tokens, spent or stale setup links, and spent step-up codes
 * past their window (a check ignores those already).
 */
export async function runHousekeeping(db: Db, now = new Date()): Promise<HousekeepingResult> {
  return db.transaction(async (tx) => {
    const s = await tx.delete(sessions).where(lt(sessions.expiresAt, now)).returning({ id: sessions.id });
    const v = await tx
      .delete(verifications)
      .where(lt(verifications.expiresAt, now))
      .returning({ id: verifications.id });
    const t = await tx
      .delete(setupTokens)
      .where(or(lt(setupTokens.expiresAt, now), isNotNull(setupTokens.usedAt)))
      .returning({ id: setupTokens.id });
    const c = await tx
      .delete(spentStepUpCodes)
      .where(lt(spentStepUpCodes.expiresAt, now))
      .returning({ userId: spentStepUpCodes.userId });
    return {
      expiredSessions: s.length,
      expiredVerifications: v.length,
      spentSetupTokens: t.length,
      expiredStepUpCodes: c.length,
    };
  });
}

export const housekeepingJob = (db: Db): JobDefinition => ({
  name: 'housekeeping',
  schedule: '15 3 * * *',
  run: () => runHousekeeping(db),
});
