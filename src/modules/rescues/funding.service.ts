import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { CODE_NAME_PATTERN } from './code-name';
import { fundingAllocations, rescueCases } from './rescue.table';
import { runAsSystem } from './rescue-access';

/**
 * Giving allocates funded units (one unit = one person's rescue) to a case by its code. The call carries
 * no donor and no gift, only an opaque `sourceRef` of Giving's choosing that makes a retry harmless.
 */
export async function allocateFunding(
  root: Db,
  input: { caseCode: string; units: number; sourceRef: string },
) {
  if (!CODE_NAME_PATTERN.test(input.caseCode)) throw AppError.invalid('caseCode: not a case code');
  if (!Number.isInteger(input.units) || input.units < 1) {
    throw AppError.invalid('units: must be a positive whole number');
  }
  return runAsSystem(root, async (db) => {
    const [row] = await db
      .select({ id: rescueCases.id })
      .from(rescueCases)
      .where(eq(rescueCases.code, input.caseCode));
    if (!row) throw AppError.notFound('No rescue case with this code.');
    const inserted = await db
      .insert(fundingAllocations)
      .values({ id: crypto.randomUUID(), caseId: row.id, units: input.units, sourceRef: input.sourceRef })
      .onConflictDoNothing({ target: fundingAllocations.sourceRef })
      .returning({ id: fundingAllocations.id });
    return { allocated: inserted.length > 0 };
  });
}

/** Funded units against the units a case needs (one per traveller), by code. */
export async function fundingForCase(root: Db, caseCode: string) {
  const [row] = await runAsSystem(root, (db) =>
    db
      .select({
        // Qualified by hand: Drizzle renders a one-table select's columns unqualified, which inside these
        // subqueries would compare the subquery's own columns (and always answer 0).
        needed: sql<number>`(select count(*)::int from travellers t where t.case_id = rescue_cases.id)`,
        funded: sql<number>`(select coalesce(sum(f.units), 0)::int from funding_allocations f where f.case_id = rescue_cases.id)`,
      })
      .from(rescueCases)
      .where(eq(rescueCases.code, caseCode)),
  );
  if (!row) throw AppError.notFound('No rescue case with this code.');
  return { unitsNeeded: row.needed, unitsFunded: row.funded };
}

/**
 * Cases still needing funding, oldest first, by code only: what Giving may allocate new units to.
 * Only cases already on their way, so a donor's gift is never tied to a case that is merely planned.
 */
export async function casesNeedingFunding(root: Db, limit = 50) {
  const rows = await runAsSystem(root, (db) =>
    db.execute(sql`
    select c.code,
      (select count(*)::int from travellers t where t.case_id = c.id) as needed,
      (select coalesce(sum(f.units), 0)::int from funding_allocations f where f.case_id = c.id) as funded
    from rescue_cases c
    where c.status not in ('withdrawn', 'repatriated', 'closed')
    order by c.opened_at
    limit ${limit * 4}`),
  );
  const list = ((rows as unknown as { rows?: unknown[] }).rows ?? (rows as unknown as unknown[])) as {
    code: string;
    needed: number;
    funded: number;
  }[];
  return list
    .filter((r) => r.funded < r.needed)
    .slice(0, limit)
    .map((r) => ({ caseCode: r.code, unitsOpen: r.needed - r.funded }));
}
