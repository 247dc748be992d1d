import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../platform/db/client';
import { resettlementHandovers } from './rescue.table';

/**
 * The resettlement module's door: clients handed over and not yet taken in. Each carries a client code and
 * de-identified facts only; there is no way back from a client code to a rescue case.
 */
export async function pendingHandovers(db: Db, limit = 100) {
  const rows = await db
    .select()
    .from(resettlementHandovers)
    .where(isNull(resettlementHandovers.claimedAt))
    .orderBy(asc(resettlementHandovers.handedOverAt))
    .limit(limit);
  return rows.map((r) => ({ ...r, handedOverAt: r.handedOverAt.toISOString(), claimedAt: null }));
}

/** Marks a handed-over client as taken in by resettlement; false if it was already claimed. */
export async function claimHandover(db: Db, clientCode: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .update(resettlementHandovers)
    .set({ claimedAt: now })
    .where(and(eq(resettlementHandovers.clientCode, clientCode), isNull(resettlementHandovers.claimedAt)))
    .returning({ clientCode: resettlementHandovers.clientCode });
  return rows.length > 0;
}
