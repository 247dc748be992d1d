import { asc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client';
import { supporters } from './people.table';

/*
 * What other modules may read of a supporter, without naming people's tables: a name and an email to join
 * beside their own rows, a postcode for a receipt, the live records for demo data. No access check here:
 * each caller checks its own (Giving's reports and statements check `gift.read`).
 */

/**
 * The supporter directory as a subquery to join by id, in one statement with the caller's own rows (a
 * report over 100,000 gifts stays one query): `left join ${supporterDirectory()} s on s.id = g.supporter_id`.
 * Columns `id`, `display_name`, `email`, of every record, merged ones included (a merged record keeps its
 * name). PostgreSQL folds the subquery into the join, so the plan is that of a join on `supporters` itself.
 */
export function supporterDirectory(): SQL {
  return sql`(select ${supporters.id} as id, ${supporters.displayName} as display_name, ${supporters.email} as email from ${supporters})`;
}

/** A supporter's postcode as recorded on that record (people keeps no street address), or null. */
export async function supporterPostcode(db: Db, supporterId: string): Promise<string | null> {
  const [row] = await db
    .select({ postcode: supporters.postcode })
    .from(supporters)
    .where(eq(supporters.id, supporterId));
  return row?.postcode ?? null;
}

/** The ids of live (unmerged) supporters, oldest first, at most `limit`. */
export async function liveSupporterIds(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: supporters.id })
    .from(supporters)
    .where(isNull(supporters.mergedIntoId))
    .orderBy(asc(supporters.createdAt), asc(supporters.id))
    .limit(limit);
  return rows.map((r) => r.id);
}
