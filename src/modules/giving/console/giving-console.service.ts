import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { authorize } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { getSupporterContact } from '../../people';
import type { GiftRow, GivingContext } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import { DEFAULT_UNIT_MINOR } from '../giving.schema';
import { campaigns, fundBalances, funds, giftBatches, unitAllocations } from '../giving.table';

/*
 * What the staff console's giving pages read besides the gift routes themselves: the batches, the units
 * given to cases, and the names that make a gift readable (supporter, fund, campaign). Reads only; every
 * write stays in the seams that own it (ledger/, batches/, allocations/). Case codes are the only thing about a rescue case that appears here.
 */

function allowRead(gc: GivingContext): void {
  if (!authorize(gc.subject, GIVING_ACTIONS.read).allowed)
    throw AppError.forbidden('You do not have access to this.');
}

const RESCUE_FUND_CODE = 'rescue-fund';

/** A gift with the names staff read it by: who gave, to which fund, for which campaign. */
export type DescribedGift = GiftRow & {
  supporterName: string | null;
  fundCode: string | null;
  fundName: string | null;
  campaignCode: string | null;
  campaignName: string | null;
};

/**
 * Adds the supporter's display name (through people's door, following a merge), the fund's and the
 * campaign's code and name to each gift. One query per table, one lookup per distinct supporter.
 */
export async function describeGifts(db: Db, rows: GiftRow[]): Promise<DescribedGift[]> {
  if (rows.length === 0) return [];
  const fundIds = [...new Set(rows.map((g) => g.fundId))];
  const campaignIds = [...new Set(rows.flatMap((g) => (g.campaignId ? [g.campaignId] : [])))];
  const supporterIds = [...new Set(rows.map((g) => g.supporterId))];
  // One after another: in a transaction the queries share its connection (pg 9 refuses overlapping ones).
  const fundRows = await db
    .select({ id: funds.id, code: funds.code, name: funds.name })
    .from(funds)
    .where(inArray(funds.id, fundIds));
  const campaignRows = campaignIds.length
    ? await db
        .select({ id: campaigns.id, code: campaigns.code, name: campaigns.name })
        .from(campaigns)
        .where(inArray(campaigns.id, campaignIds))
    : [];
  const names = new Map<string, string>();
  // Sequential: a transaction's connection runs one query at a time anyway.
  for (const id of supporterIds) {
    const contact = await getSupporterContact(db, id);
    if (contact) names.set(id, contact.displayName);
  }
  const fundOf = new Map(fundRows.map((f) => [f.id, f]));
  const campaignOf = new Map(campaignRows.map((c) => [c.id, c]));
  return rows.map((g) => {
    const fund = fundOf.get(g.fundId);
    const campaign = g.campaignId ? campaignOf.get(g.campaignId) : undefined;
    return {
      ...g,
      supporterName: names.get(g.supporterId) ?? null,
      fundCode: fund?.code ?? null,
      fundName: fund?.name ?? null,
      campaignCode: campaign?.code ?? null,
      campaignName: campaign?.name ?? null,
    };
  });
}

/**
 * The soft credits of a gift with a readable name where the credit names a supporter (a fundraiser or a
 * solicitor: `credit_ref` is their supporter id); a team's reference is shown as it is.
 */
export async function describeSoftCredits<T extends { creditKind: string; creditRef: string }>(
  db: Db,
  credits: T[],
): Promise<(T & { creditName: string | null })[]> {
  const out: (T & { creditName: string | null })[] = [];
  for (const c of credits) {
    const named =
      c.creditKind !== 'team' && /^[0-9a-f-]{36}$/i.test(c.creditRef)
        ? await getSupporterContact(db, c.creditRef)
        : null;
    out.push({ ...c, creditName: named?.displayName ?? null });
  }
  return out;
}

/** Batches, open ones first (the work still to do), then posted, newest first within each. */
export async function listBatches(gc: GivingContext, query: { limit: number }) {
  allowRead(gc);
  const rows = await gc.db
    // Qualified by hand: Drizzle renders a one-table select's columns unqualified, which inside these
    // subqueries would name the gift's own id.
    .select({
      id: giftBatches.id,
      name: giftBatches.name,
      currency: giftBatches.currency,
      controlTotalMinor: giftBatches.controlTotalMinor,
      status: giftBatches.status,
      createdAt: giftBatches.createdAt,
      postedAt: giftBatches.postedAt,
      gifts: sql<number>`(select count(*)::int from gifts g where g.batch_id = "gift_batches"."id")`,
      enteredMinor: sql<string>`(select coalesce(sum(g.amount_minor), 0)::text from gifts g where g.batch_id = "gift_batches"."id")`,
    })
    .from(giftBatches)
    .orderBy(
      sql`case when ${giftBatches.status} = 'open' then 0 else 1 end`,
      desc(giftBatches.createdAt),
      desc(giftBatches.id),
    )
    .limit(query.limit);
  // A sum of bigints comes back as text (it can pass 2^53 in SQL); one batch's gifts stay far below it.
  return {
    batches: rows.map((b) => ({ ...b, gifts: Number(b.gifts), enteredMinor: Number(b.enteredMinor) })),
  };
}

/**
 * Units given to rescue cases (by code only, with the campaign named for them) and how many funded units
 * the rescue fund still has to give: whole US$2,500s of its USD balance less the units already given, the
 * same sum `allocateUnits` checks.
 */
export async function listAllocations(gc: GivingContext, query: { limit: number }) {
  allowRead(gc);
  const [fund] = await gc.db.select({ id: funds.id }).from(funds).where(eq(funds.code, RESCUE_FUND_CODE));
  if (!fund) return { unitMinor: DEFAULT_UNIT_MINOR, currency: 'USD', unitsAvailable: 0, allocations: [] };
  const [balance] = await gc.db
    .select({ balanceMinor: fundBalances.balanceMinor })
    .from(fundBalances)
    .where(and(eq(fundBalances.fundId, fund.id), eq(fundBalances.currency, 'USD')));
  const [given] = await gc.db
    .select({ units: sql<number>`coalesce(sum(${unitAllocations.units}), 0)::int` })
    .from(unitAllocations)
    .where(eq(unitAllocations.fundId, fund.id));
  const rows = await gc.db
    .select({
      id: unitAllocations.id,
      caseCode: unitAllocations.caseCode,
      units: unitAllocations.units,
      // The campaign whose units these were (its donors hear when the case is safe), if one was named.
      campaignCode: campaigns.code,
      campaignName: campaigns.name,
      createdAt: unitAllocations.createdAt,
    })
    .from(unitAllocations)
    .leftJoin(campaigns, eq(campaigns.id, unitAllocations.campaignId))
    .orderBy(desc(unitAllocations.createdAt), asc(unitAllocations.id))
    .limit(query.limit);
  const available = Math.floor((balance?.balanceMinor ?? 0) / DEFAULT_UNIT_MINOR) - Number(given?.units ?? 0);
  return {
    unitMinor: DEFAULT_UNIT_MINOR,
    currency: 'USD',
    unitsAvailable: Math.max(0, available),
    allocations: rows,
  };
}
