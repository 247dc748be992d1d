import crypto from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { allow, audit, type GivingContext, rowsOf } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import { type CampaignInput, DEFAULT_UNIT_MINOR } from '../giving.schema';
import { campaigns, funds } from '../giving.table';

// Campaigns: a goal in money or units with a start and an end; their progress is read from the ledger.

export async function campaignByCode(db: Db, code: string) {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.code, code));
  if (!row) throw AppError.notFound(`No campaign with the code ${code}.`);
  return row;
}

/** Inserts a campaign without an access check (the seeder). */
export async function insertCampaign(db: Db, input: CampaignInput) {
  const [fund] = await db.select({ id: funds.id }).from(funds).where(eq(funds.id, input.fundId));
  if (!fund) throw AppError.invalid('fundId: no fund with this id');
  const [existing] = await db
    .select({ id: campaigns.id })
    .from(campaigns)
    .where(eq(campaigns.code, input.code));
  if (existing) throw AppError.conflict(`A campaign with the code ${input.code} exists.`);
  const [row] = await db
    .insert(campaigns)
    .values({
      id: crypto.randomUUID(),
      code: input.code,
      name: input.name,
      goalKind: input.goalKind,
      currency: input.currency,
      goalMinor: input.goalKind === 'money' ? (input.goalMinor ?? null) : null,
      goalUnits: input.goalKind === 'units' ? (input.goalUnits ?? null) : null,
      unitMinor: input.goalKind === 'units' ? (input.unitMinor ?? DEFAULT_UNIT_MINOR) : null,
      fundId: input.fundId,
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function createCampaign(gc: GivingContext, input: CampaignInput) {
  allow(gc, GIVING_ACTIONS.manage);
  const row = await insertCampaign(gc.db, input);
  await audit(gc, 'campaign.create', 'campaign', row.code);
  return row;
}

/**
 * Progress from the ledger (settled gifts less refunds, in the campaign's currency). Gifts in other
 * currencies are listed beside it, not converted. Aggregates only: safe for the public widget.
 */
export async function campaignProgress(db: Db, code: string) {
  const c = await campaignByCode(db, code);
  const sums = rowsOf<{ currency: string; total: string; gifts: number }>(
    await db.execute(sql`
      select currency, coalesce(sum(amount_minor), 0)::text as total, count(distinct gift_id)::int as gifts
      from ledger_entries where campaign_id = ${c.id} group by currency order by currency`),
  );
  const own = sums.find((s) => s.currency === c.currency);
  const raisedMinor = Number(own?.total ?? 0);
  return {
    code: c.code,
    name: c.name,
    goalKind: c.goalKind as 'money' | 'units',
    currency: c.currency,
    raisedMinor,
    goalMinor: c.goalMinor,
    goalUnits: c.goalUnits,
    unitMinor: c.unitMinor,
    unitsFunded: c.goalKind === 'units' && c.unitMinor ? Math.floor(raisedMinor / c.unitMinor) : null,
    otherCurrencies: sums
      .filter((s) => s.currency !== c.currency)
      .map((s) => ({ currency: s.currency, raisedMinor: Number(s.total) })),
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt?.toISOString() ?? null,
  };
}

export async function listCampaigns(gc: GivingContext) {
  allow(gc, GIVING_ACTIONS.read);
  const rows = await gc.db.select({ code: campaigns.code }).from(campaigns).orderBy(asc(campaigns.code));
  // One after another: the transaction's queries share its connection (pg 9 refuses overlapping ones).
  const progress = [];
  for (const r of rows) progress.push(await campaignProgress(gc.db, r.code));
  return { campaigns: progress };
}
