import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { AppError } from '../../../platform/errors';
import { allocateFunding } from '../../rescues';
import { fundByCode } from '../funds/fund.service';
import { allow, audit, type GivingContext, rowsOf } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import { DEFAULT_UNIT_MINOR } from '../giving.schema';
import { fundBalances, unitAllocations } from '../giving.table';
import { allocationCampaignId } from './donor-updates';

// Units to rescue cases, by code only: nothing about a donor crosses to `rescues`.

export const RESCUE_FUND_CODE = 'rescue-fund';

/**
 * Gives funded units of the rescue fund to a case, by its code. Units available = whole US$2,500s in the
 * rescue fund's USD balance less units already given. Nothing about any donor crosses to `rescues`.
 */
export async function allocateUnits(
  gc: GivingContext,
  input: { caseCode: string; units: number; campaign?: string | undefined },
) {
  allow(gc, GIVING_ACTIONS.allocate);
  const fund = await fundByCode(gc.db, RESCUE_FUND_CODE);
  // The campaign whose units these are: its donors get the delayed, de-identified updates (donor-updates.ts).
  const campaignId = input.campaign ? await allocationCampaignId(gc.db, input.campaign) : null;
  const [balance] = await gc.db
    .select()
    .from(fundBalances)
    .where(and(eq(fundBalances.fundId, fund.id), eq(fundBalances.currency, 'USD')))
    .for('update');
  const [given] = rowsOf<{ units: number }>(
    await gc.db.execute(
      sql`select coalesce(sum(units), 0)::int as units from unit_allocations where fund_id = ${fund.id}`,
    ),
  );
  const available = Math.floor((balance?.balanceMinor ?? 0) / DEFAULT_UNIT_MINOR) - (given?.units ?? 0);
  if (input.units > available)
    throw AppError.conflict(`The rescue fund has ${Math.max(0, available)} funded units to give.`);
  const id = crypto.randomUUID();
  await gc.db.insert(unitAllocations).values({
    id,
    caseCode: input.caseCode,
    units: input.units,
    fundId: fund.id,
    campaignId,
    createdBy: gc.subject.userId,
  });
  await allocateFunding(gc.db, { caseCode: input.caseCode, units: input.units, sourceRef: `giving:${id}` });
  await audit(gc, 'giving.allocate', 'unit_allocation', id);
  return { id, caseCode: input.caseCode, units: input.units, unitsLeft: available - input.units };
}
