import crypto from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Mailer } from '../../../platform/mail/mailer';
import { allow, type GiftRow, type GivingContext, giftTotal, rowsOf } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import { fundBalances, gifts, ledgerEntries } from '../giving.table';
import { issueReceipt } from '../receipts/receipt.service';
import { refundParts, settlementParts, splitProblems } from './gift-splits';

/*
 * The ledger: the one place that writes entries and balances. A gift settles here (`settleLocked`: a posted
 * batch, a processor's event, the seeder, a paid pledge invoice), is refunded here (`refundLockedTo`) and
 * corrected through `post`; `checkLedger` asserts its invariants.
 */

// ── the ledger ──────────────────────────────────────────────────────────────────────────────────────

export async function post(
  tx: Db,
  entry: {
    groupId: string;
    giftId: string;
    fundId: string;
    campaignId: string | null;
    kind: 'gift' | 'refund' | 'correction';
    amountMinor: number;
    currency: string;
    createdBy: string | null;
  },
) {
  // The entry and its fund's balance in one statement (a data-modifying CTE): one round trip fewer per
  // entry, and the balance row's lock is taken as late as it can be (bench/gifts.bench.mjs).
  await tx.execute(sql`
    with entry as (
      insert into ${ledgerEntries}
        (id, group_id, gift_id, fund_id, campaign_id, kind, amount_minor, currency, created_by)
      values (${crypto.randomUUID()}, ${entry.groupId}, ${entry.giftId}, ${entry.fundId}, ${entry.campaignId},
              ${entry.kind}, ${entry.amountMinor}, ${entry.currency}, ${entry.createdBy})
    )
    insert into ${fundBalances} (fund_id, currency, balance_minor, updated_at)
    values (${entry.fundId}, ${entry.currency}, ${entry.amountMinor}, now())
    on conflict (fund_id, currency)
    do update set balance_minor = ${fundBalances}.balance_minor + excluded.balance_minor, updated_at = now()`);
}

/**
 * Settles a locked pending gift: status, receipt, then one `gift` entry per fund (split, gift-splits.ts) and
 * the balances. The balances come last on purpose: a fund's balance row is the one row every gift to that fund
 * updates, and its lock is held from that update to the commit, so nothing else should happen in between
 * (callers keep their own work before this call too). bench/gifts.bench.mjs measures it.
 */
export async function settleLocked(
  tx: Db,
  mail: Mailer | null,
  gift: GiftRow,
  by: string | null,
  now = new Date(),
) {
  const parts = await settlementParts(tx, gift);
  const [settled] = await tx
    .update(gifts)
    .set({ status: 'settled', settledAt: now, updatedAt: now })
    .where(and(eq(gifts.id, gift.id), inArray(gifts.status, ['pending', 'failed'])))
    .returning();
  if (!settled) throw AppError.conflict('This gift is already settled.');
  await issueReceipt(tx, mail, settled);
  const groupId = crypto.randomUUID();
  for (const part of parts)
    await post(tx, {
      groupId,
      giftId: gift.id,
      fundId: part.fundId,
      campaignId: gift.campaignId,
      kind: 'gift',
      amountMinor: part.amountMinor,
      currency: gift.currency,
      createdBy: by,
    });
}

/**
 * Brings a gift's refunded total up to `refundedTotal` with opposite entries (never above the gift): one
 * group, spread over the funds that hold the gift in proportion (gift-splits.ts; one entry for one fund).
 */
export async function refundLockedTo(tx: Db, gift: GiftRow, refundedTotal: number, by: string | null) {
  const target = Math.min(refundedTotal, giftTotal(gift));
  const delta = target - gift.refundedMinor;
  if (delta <= 0) return 0;
  const groupId = crypto.randomUUID();
  for (const part of await refundParts(tx, gift, delta))
    await post(tx, {
      groupId,
      giftId: gift.id,
      fundId: part.fundId,
      campaignId: gift.campaignId,
      kind: 'refund',
      amountMinor: part.amountMinor,
      currency: gift.currency,
      createdBy: by,
    });
  await tx
    .update(gifts)
    .set({
      refundedMinor: target,
      status: target === giftTotal(gift) ? 'refunded' : 'settled',
      updatedAt: new Date(),
    })
    .where(eq(gifts.id, gift.id));
  return delta;
}

export async function lockGift(tx: Db, id: string): Promise<GiftRow | undefined> {
  const [row] = await tx.select().from(gifts).where(eq(gifts.id, id)).for('update');
  return row;
}

// ── ledger invariants ───────────────────────────────────────────────────────────────────────────────

/**
 * The ledger's invariants (Open Collective's checks): every fund balance equals the sum of its entries;
 * every receipt points to a gift that was settled; no gift settled twice; a gift's entries add up to what
 * it kept (charged less refunded); only settled or refunded gifts have entries.
 */
export async function checkLedger(db: Db) {
  const problems: string[] = [];
  const balances = rowsOf<{ fund_id: string; currency: string; kept: string | null; summed: string | null }>(
    await db.execute(sql`
      select coalesce(b.fund_id, e.fund_id) as fund_id, coalesce(b.currency, e.currency) as currency,
        b.balance_minor::text as kept, e.total::text as summed
      from fund_balances b
      full outer join (select fund_id, currency, sum(amount_minor) as total from ledger_entries group by fund_id, currency) e
        on e.fund_id = b.fund_id and e.currency = b.currency
      where b.balance_minor is distinct from e.total and not (b.balance_minor = 0 and e.total is null)`),
  );
  for (const b of balances)
    problems.push(
      `fund ${b.fund_id} ${b.currency}: balance ${b.kept ?? 'missing'} but entries sum to ${b.summed ?? 0}`,
    );
  const orphanReceipts = rowsOf<{ number: string; status: string | null }>(
    await db.execute(sql`
      select r.number, g.status from receipts r left join gifts g on g.id = r.gift_id
      where g.id is null or g.settled_at is null or g.status not in ('settled', 'refunded')`),
  );
  for (const r of orphanReceipts)
    problems.push(`receipt ${r.number} points to a gift that is ${r.status ?? 'missing'}`);
  const twice = rowsOf<{ gift_id: string; n: number }>(
    await db.execute(sql`
      select gift_id, count(distinct group_id)::int as n from ledger_entries where kind = 'gift'
      group by gift_id having count(distinct group_id) > 1`),
  );
  for (const t of twice) problems.push(`gift ${t.gift_id} settled ${t.n} times`);
  const mismatched = rowsOf<{ id: string; status: string; expected: string; summed: string }>(
    await db.execute(sql`
      select g.id, g.status, (case when g.status in ('settled', 'refunded') then g.amount_minor + g.fee_minor - g.refunded_minor else 0 end)::text as expected,
        coalesce(e.total, 0)::text as summed
      from gifts g left join (select gift_id, sum(amount_minor) as total from ledger_entries group by gift_id) e on e.gift_id = g.id
      where coalesce(e.total, 0) <> (case when g.status in ('settled', 'refunded') then g.amount_minor + g.fee_minor - g.refunded_minor else 0 end)`),
  );
  for (const m of mismatched)
    problems.push(`gift ${m.id} (${m.status}): entries sum to ${m.summed}, expected ${m.expected}`);
  const unsettled = rowsOf<{ id: string }>(
    await db.execute(sql`
      select g.id from gifts g where g.status in ('settled', 'refunded')
      and not exists (select 1 from ledger_entries e where e.gift_id = g.id and e.kind = 'gift')`),
  );
  for (const u of unsettled) problems.push(`gift ${u.id} is settled without a gift entry`);
  problems.push(...(await splitProblems(db)));
  const [counts] = rowsOf<{ gifts: number; entries: number; receipts: number }>(
    await db.execute(
      sql`select (select count(*)::int from gifts) as gifts, (select count(*)::int from ledger_entries) as entries, (select count(*)::int from receipts) as receipts`,
    ),
  );
  return { ok: problems.length === 0, problems, counts: counts ?? { gifts: 0, entries: 0, receipts: 0 } };
}

export async function runLedgerCheck(gc: GivingContext) {
  allow(gc, GIVING_ACTIONS.check);
  return checkLedger(gc.db);
}
