import crypto from 'node:crypto';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { allocate } from '../../../platform/money/money';
import { funds, giftSplits, gifts, ledgerEntries } from '../giving.table';

/*
 * A gift split across funds ("$100: $70 to rescues, $30 where most needed"). The splits are the donor's
 * designation, written once when the gift is made; the ledger stays the truth of where the money is:
 *
 * - settling a split gift writes one `gift` entry per split, in one group;
 * - a refund (whole or part) is spread over what each fund still holds of the gift, in proportion, with
 *   the largest-remainder rule (platform/money `allocate`), so no fund gives back more than it holds;
 * - a correction moves what every other fund still holds of the gift to the new fund.
 *
 * Refunds and corrections read the gift's entries, not its splits, so a gift to one fund is the same case
 * with one part: these helpers serve every gift.
 */

export type GiftRow = typeof gifts.$inferSelect;

/** One ledger line of an operation: which fund, how much (negative for a refund or a reversal). */
export interface FundPart {
  fundId: string;
  amountMinor: number;
}

export interface SplitRequest {
  fund: string;
  amountMinor: number;
}

const total = (g: Pick<GiftRow, 'amountMinor' | 'feeMinor'>) => g.amountMinor + g.feeMinor;

/**
 * Records a new (pending) gift's splits: 2–5 distinct funds adding up exactly to its amount. A covered fee
 * is spread over the splits in proportion (largest remainder), so the splits add up to what is charged.
 * The gift's own `fund_id` becomes its primary fund: `primaryFund` (which must be one of the splits) or the
 * first split's. Throws a 400 naming the field; the caller's transaction then writes nothing.
 */
export async function recordGiftSplits(
  tx: Db,
  gift: GiftRow,
  splits: readonly SplitRequest[],
  primaryFund?: string,
): Promise<GiftRow> {
  const codes = splits.map((s) => s.fund);
  const twice = codes.find((c, i) => codes.indexOf(c) !== i);
  if (twice) throw AppError.invalid(`splits: each fund may appear once (${twice} twice)`);
  const added = splits.reduce((s, x) => s + x.amountMinor, 0);
  if (added !== gift.amountMinor)
    throw AppError.invalid(
      `splits: must add up to the gift's amount of ${gift.amountMinor} minor units (they add up to ${added})`,
    );
  if (primaryFund !== undefined && !codes.includes(primaryFund))
    throw AppError.invalid("fund: must be one of the splits' funds");
  const rows = await tx
    .select({ id: funds.id, code: funds.code })
    .from(funds)
    .where(inArray(funds.code, codes));
  const idOf = new Map(rows.map((r) => [r.code, r.id]));
  const missing = codes.findIndex((c) => !idOf.has(c));
  if (missing >= 0) throw AppError.invalid(`splits.${missing}.fund: no fund with the code ${codes[missing]}`);
  const fees =
    gift.feeMinor > 0
      ? allocate(
          BigInt(gift.feeMinor),
          splits.map((s) => s.amountMinor),
        ).map(Number)
      : splits.map(() => 0);
  await tx.insert(giftSplits).values(
    splits.map((s, i) => ({
      id: crypto.randomUUID(),
      giftId: gift.id,
      fundId: idOf.get(s.fund) as string,
      amountMinor: s.amountMinor + (fees[i] ?? 0),
    })),
  );
  const primaryId = idOf.get(primaryFund ?? (codes[0] as string)) as string;
  if (primaryId === gift.fundId) return gift;
  const [updated] = await tx
    .update(gifts)
    .set({ fundId: primaryId, updatedAt: new Date() })
    .where(eq(gifts.id, gift.id))
    .returning();
  return updated ?? gift;
}

/** A gift's splits (empty for a gift to one fund), with their funds' codes and names. */
export async function giftSplitsOf(db: Db, giftId: string) {
  return db
    .select({
      fundId: giftSplits.fundId,
      fundCode: funds.code,
      fundName: funds.name,
      amountMinor: giftSplits.amountMinor,
    })
    .from(giftSplits)
    .innerJoin(funds, eq(funds.id, giftSplits.fundId))
    .where(eq(giftSplits.giftId, giftId))
    .orderBy(asc(funds.code));
}

/** "Rescue fund and Where most needed", for a receipt; null for a gift to one fund. */
export async function splitFundNames(db: Db, giftId: string): Promise<string | null> {
  const rows = await giftSplitsOf(db, giftId);
  if (rows.length === 0) return null;
  const names = rows.map((r) => r.fundName);
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What a settlement credits: one part per split, or the whole gift to its fund. */
export async function settlementParts(tx: Db, gift: GiftRow): Promise<FundPart[]> {
  const splits = await tx
    .select({ fundId: giftSplits.fundId, amountMinor: giftSplits.amountMinor })
    .from(giftSplits)
    .where(eq(giftSplits.giftId, gift.id))
    .orderBy(asc(giftSplits.fundId));
  return splits.length ? splits : [{ fundId: gift.fundId, amountMinor: total(gift) }];
}

/** What each fund holds of a gift now (its entries summed per fund), funds in a stable order. */
async function heldByFund(tx: Db, giftId: string): Promise<FundPart[]> {
  const rows = await tx
    .select({
      fundId: ledgerEntries.fundId,
      amountMinor: sql<string>`sum(${ledgerEntries.amountMinor})::text`,
    })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.giftId, giftId))
    .groupBy(ledgerEntries.fundId)
    .orderBy(asc(ledgerEntries.fundId));
  return rows.map((r) => ({ fundId: r.fundId, amountMinor: Number(r.amountMinor) }));
}

/**
 * A refund of `delta` minor units, as negative parts spread over what each fund holds of the gift, in
 * proportion (largest remainder): a fund never gives back more than it holds, and the parts add up to
 * exactly `delta`. `delta` is at most what the gift kept (the callers cap it).
 */
export async function refundParts(tx: Db, gift: GiftRow, delta: number): Promise<FundPart[]> {
  const held = (await heldByFund(tx, gift.id)).filter((h) => h.amountMinor > 0);
  if (held.length === 0) return [{ fundId: gift.fundId, amountMinor: -delta }];
  const shares = allocate(
    BigInt(delta),
    held.map((h) => h.amountMinor),
  );
  return held
    .map((h, i) => ({ fundId: h.fundId, amountMinor: -Number(shares[i] ?? 0n) }))
    .filter((p) => p.amountMinor !== 0);
}

/**
 * A correction to `toFundId`: what every other fund holds of the gift leaves it, and the sum arrives in
 * the new fund. For a split gift, every split's remainder moves (the simplest honest rule: a correction
 * says "this gift belongs to that fund"). A 400 when the new fund already holds all of it.
 */
export async function correctionParts(tx: Db, gift: GiftRow, toFundId: string): Promise<FundPart[]> {
  const leaving = (await heldByFund(tx, gift.id)).filter((h) => h.fundId !== toFundId && h.amountMinor > 0);
  const moved = leaving.reduce((s, h) => s + h.amountMinor, 0);
  if (moved === 0) throw AppError.invalid('fund: the gift is already in this fund');
  return [
    ...leaving.map((h) => ({ fundId: h.fundId, amountMinor: -h.amountMinor })),
    { fundId: toFundId, amountMinor: moved },
  ];
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/**
 * The splits' invariants, for the ledger check: a split gift's splits add up to what was charged; once
 * settled, its `gift` entries are exactly its splits (fund by fund); and no fund holds less than nothing of
 * any gift (a refund or a correction never takes back more than a fund received).
 */
export async function splitProblems(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const sums = rowsOf<{ gift_id: string; splits: string; charged: string }>(
    await db.execute(sql`
      select s.gift_id, sum(s.amount_minor)::text as splits, (g.amount_minor + g.fee_minor)::text as charged
      from gift_splits s join gifts g on g.id = s.gift_id
      group by s.gift_id, g.amount_minor, g.fee_minor
      having sum(s.amount_minor) <> g.amount_minor + g.fee_minor`),
  );
  for (const s of sums) problems.push(`gift ${s.gift_id}: splits add up to ${s.splits}, not ${s.charged}`);
  const unlike = rowsOf<{ gift_id: string; fund_id: string; split: string | null; entered: string | null }>(
    await db.execute(sql`
      select coalesce(s.gift_id, e.gift_id) as gift_id, coalesce(s.fund_id, e.fund_id) as fund_id,
        s.amount_minor::text as split, e.total::text as entered
      from (select s.* from gift_splits s join gifts g on g.id = s.gift_id where g.status in ('settled', 'refunded')) s
      full outer join (
        select e.gift_id, e.fund_id, sum(e.amount_minor) as total from ledger_entries e
        where e.kind = 'gift' and exists (select 1 from gift_splits x where x.gift_id = e.gift_id)
        group by e.gift_id, e.fund_id) e
        on e.gift_id = s.gift_id and e.fund_id = s.fund_id
      where s.amount_minor is distinct from e.total`),
  );
  for (const u of unlike)
    problems.push(
      `gift ${u.gift_id}: fund ${u.fund_id} was credited ${u.entered ?? 0} at settlement, its split is ${u.split ?? 0}`,
    );
  const negative = rowsOf<{ gift_id: string; fund_id: string; held: string }>(
    await db.execute(sql`
      select gift_id, fund_id, sum(amount_minor)::text as held from ledger_entries
      group by gift_id, fund_id having sum(amount_minor) < 0`),
  );
  for (const n of negative) problems.push(`gift ${n.gift_id}: fund ${n.fund_id} holds ${n.held} of it`);
  return problems;
}
