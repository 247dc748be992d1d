import { sql } from 'drizzle-orm';
import { authorize } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import { AppError } from '../../../platform/errors';
import { supporterDirectory } from '../../people';
import type { GivingContext } from '../giving.context';
import { GIVING_REPORT_ACTIONS } from '../giving.policy';
import type { ReportGroup } from './report.schema';

/*
 * Giving reports, computed from the ledger whenever they are asked for (never stored), in each currency
 * as given (never converted).
 *
 * How a gift is counted, everywhere here:
 * - it belongs to the calendar day, month and year (UTC) on which it **settled** (`gifts.settled_at`,
 *   through `gifts_settled_idx`); pending and failed gifts never count;
 * - it counts for what it **kept**: the sum of its ledger entries as they stand now, so a refund lowers the
 *   gift it refunds (a fully refunded gift counts for nothing and its donor did not give), and a
 *   correction moves the gift's money from one fund to the other (the pair of entries);
 * - a donor **gave** in a year when at least one of their gifts settled that year kept more than nothing.
 *
 * Every query is one set-based statement over the ledger and the gifts of the range; none loops over
 * donors. Donor lists join the supporter's name and email (read-only) from `people`'s table in the same
 * statement, because asking `people` once per donor would be a loop.
 */

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** A sum of minor units as the database returns it (text), as a safe whole number. */
function minor(text: string | null | undefined): number {
  const n = Number(text ?? 0);
  if (!Number.isSafeInteger(n)) throw new Error('a report total is beyond exact integer range');
  return n;
}

function allow(gc: GivingContext, action: string): void {
  if (!authorize(gc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
}

/** Donor lists carry names: who read which list, and when, goes to the audit log (never its contents). */
async function auditDonorList(gc: GivingContext, report: string): Promise<void> {
  await appendAudit(gc.db, {
    actorId: gc.subject.userId,
    actorRole: gc.subject.role,
    action: GIVING_REPORT_ACTIONS.donors,
    resourceType: 'giving_report',
    resourceCode: report,
    outcome: 'succeeded',
    requestId: gc.requestId,
  });
}

export interface DateRange {
  /** First day, YYYY-MM-DD (UTC), included. */
  from: string;
  /** Last day, YYYY-MM-DD (UTC), included. */
  to: string;
}

/** The range asked for, or this calendar year (UTC) for what is missing. */
export function rangeOrThisYear(
  query: { from?: string | undefined; to?: string | undefined },
  now = new Date(),
) {
  const year = now.getUTCFullYear();
  return { from: query.from ?? `${year}-01-01`, to: query.to ?? `${year}-12-31` };
}

/** [start, end) as timestamps: from midnight UTC of `from` to midnight UTC after `to`. */
function bounds(range: DateRange): { start: string; end: string } {
  const end = new Date(`${range.to}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return { start: `${range.from}T00:00:00Z`, end: end.toISOString() };
}

const yearStart = (year: number) => `${year}-01-01T00:00:00Z`;

/**
 * What each gift settled in [start, end) kept, per ledger entry's fund, campaign and currency: the one
 * place that defines "counted". A gift corrected to another fund shows +X−X = 0 in the old fund.
 */
function keptInRange(start: string, end: string) {
  return sql`
    select e.gift_id, g.supporter_id, g.settled_at, g.anonymous, e.fund_id, e.campaign_id, e.currency,
      sum(e.amount_minor) as net
    from gifts g join ledger_entries e on e.gift_id = g.id
    where g.status in ('settled', 'refunded') and g.settled_at >= ${start}::timestamptz
      and g.settled_at < ${end}::timestamptz
    group by e.gift_id, g.supporter_id, g.settled_at, g.anonymous, e.fund_id, e.campaign_id, e.currency`;
}

/** Every gift settled before `end` that kept more than nothing, with its year (UTC). */
function givingBefore(end: string) {
  return sql`
    select g.id as gift_id, g.supporter_id, g.settled_at, e.currency,
      extract(year from g.settled_at at time zone 'UTC')::int as year, sum(e.amount_minor) as net
    from gifts g join ledger_entries e on e.gift_id = g.id
    where g.status in ('settled', 'refunded') and g.settled_at < ${end}::timestamptz
    group by g.id, g.supporter_id, g.settled_at, e.currency
    having sum(e.amount_minor) > 0`;
}

// ── totals ──────────────────────────────────────────────────────────────────────────────────────────

export interface TotalsRow {
  /** The fund's or campaign's code, the month (YYYY-MM) or the currency; null: gifts with no campaign. */
  key: string | null;
  /** The fund's or campaign's name; the key again for months and currencies. */
  label: string | null;
  currency: string;
  amountMinor: number;
  /** Gifts that kept something in this group. */
  gifts: number;
  donors: number;
}

export interface TotalsReport extends DateRange {
  groupBy: ReportGroup;
  /** Calendar months are counted in this zone. */
  timeZone: 'UTC';
  rows: TotalsRow[];
  /** All groups together, per currency. */
  totals: Omit<TotalsRow, 'key' | 'label'>[];
}

const GROUP_KEY: Record<ReportGroup, ReturnType<typeof sql>> = {
  fund: sql`fund_id`,
  campaign: sql`campaign_id`,
  month: sql`to_char(settled_at at time zone 'UTC', 'YYYY-MM')`,
  currency: sql`currency`,
};

/** Totals by fund, campaign, month or currency over a range of settlement days (UTC), per currency. */
export async function givingTotals(
  gc: GivingContext,
  groupBy: ReportGroup,
  range: DateRange,
): Promise<TotalsReport> {
  allow(gc, GIVING_REPORT_ACTIONS.totals);
  const { start, end } = bounds(range);
  // grouping sets: the groups and the per-currency grand total in one pass (donors cannot be added up).
  const rows = rowsOf<{
    key: string | null;
    currency: string;
    total: string;
    gifts: number;
    donors: number;
    grand: number;
  }>(
    await gc.db.execute(sql`
      with kept as (${keptInRange(start, end)}),
      grouped as (select ${GROUP_KEY[groupBy]} as key, * from kept)
      select key, currency, sum(net)::text as total,
        count(distinct gift_id) filter (where net <> 0)::int as gifts,
        count(distinct supporter_id) filter (where net <> 0)::int as donors,
        grouping(key)::int as grand
      from grouped
      group by grouping sets ((key, currency), (currency))
      having sum(net) <> 0 or count(*) filter (where net <> 0) > 0
      order by grouping(key), currency`),
  );
  const labels = await groupLabels(gc, groupBy);
  const present = (r: (typeof rows)[number]) => ({
    currency: r.currency,
    amountMinor: minor(r.total),
    gifts: r.gifts,
    donors: r.donors,
  });
  // By currency, then by code or month; gifts with no campaign last.
  const order = (a: TotalsRow, b: TotalsRow) =>
    a.currency.localeCompare(b.currency) ||
    (a.key === null ? 1 : 0) - (b.key === null ? 1 : 0) ||
    (a.key ?? '').localeCompare(b.key ?? '');
  return {
    ...range,
    groupBy,
    timeZone: 'UTC',
    rows: rows
      .filter((r) => r.grand === 0)
      .map((r) => ({
        key: r.key === null ? null : (labels.get(r.key)?.code ?? r.key),
        label: r.key === null ? null : (labels.get(r.key)?.name ?? r.key),
        ...present(r),
      }))
      .sort(order),
    totals: rows.filter((r) => r.grand === 1).map(present),
  };
}

/** Codes and names of funds or campaigns (few rows: read once rather than joined per gift). */
async function groupLabels(gc: GivingContext, groupBy: ReportGroup) {
  const labels = new Map<string, { code: string; name: string }>();
  if (groupBy !== 'fund' && groupBy !== 'campaign') return labels;
  const table = groupBy === 'fund' ? sql`funds` : sql`campaigns`;
  for (const r of rowsOf<{ id: string; code: string; name: string }>(
    await gc.db.execute(sql`select id, code, name from ${table}`),
  ))
    labels.set(r.id, { code: r.code, name: r.name });
  return labels;
}

// ── LYBUNT and SYBUNT ───────────────────────────────────────────────────────────────────────────────

export type LapsedKind = 'lybunt' | 'sybunt';

export interface LapsedDonor {
  supporterId: string;
  name: string | null;
  email: string | null;
  /** The day of their latest gift (UTC), YYYY-MM-DD. */
  lastGiftOn: string;
  /** The last year they gave: the year before for LYBUNT, an earlier one for SYBUNT. */
  lastGivingYear: number;
  /** What they gave in that year, per currency (for LYBUNT: last year's total). */
  lastGivingYearTotals: { currency: string; amountMinor: number }[];
}

export interface LapsedReport {
  kind: LapsedKind;
  year: number;
  /** Donors in the whole list; `donors` holds the first `limit` of them, most recent gift first. */
  total: number;
  donors: LapsedDonor[];
}

/**
 * LYBUNT for `year`: gave in `year − 1` but not (yet) in `year`. SYBUNT: gave in some year before
 * `year − 1` but neither in `year − 1` nor in `year` (the LYBUNT donors are not repeated here).
 */
export async function lapsedDonors(
  gc: GivingContext,
  kind: LapsedKind,
  year: number,
  limit: number | null,
): Promise<LapsedReport> {
  allow(gc, GIVING_REPORT_ACTIONS.donors);
  const chosen =
    kind === 'lybunt'
      ? sql`bool_or(year = ${year - 1}) and not bool_or(year = ${year})`
      : sql`max(year) < ${year - 1}`;
  const rows = rowsOf<{
    supporter_id: string;
    name: string | null;
    email: string | null;
    last_gift_on: string;
    last_year: number;
    currency: string;
    total: string;
    listed: number;
  }>(
    await gc.db.execute(sql`
      with given as (${givingBefore(yearStart(year + 1))}),
      chosen as (
        select supporter_id, max(year) as last_year, max(settled_at) as last_gift_at,
          count(*) over ()::int as listed
        from given group by supporter_id
        having ${chosen}
        order by max(settled_at) desc, supporter_id
        ${limit === null ? sql`` : sql`limit ${limit}`}
      )
      select c.supporter_id, s.display_name as name, s.email,
        to_char(c.last_gift_at at time zone 'UTC', 'YYYY-MM-DD') as last_gift_on, c.last_year,
        g.currency, sum(g.net)::text as total, c.listed
      from chosen c
      join given g on g.supporter_id = c.supporter_id and g.year = c.last_year
      left join ${supporterDirectory()} s on s.id = c.supporter_id
      group by c.supporter_id, s.display_name, s.email, c.last_gift_at, c.last_year, g.currency, c.listed
      order by c.last_gift_at desc, c.supporter_id, g.currency`),
  );
  await auditDonorList(gc, `${kind}-${year}`);
  const donors = new Map<string, LapsedDonor>();
  for (const r of rows) {
    let d = donors.get(r.supporter_id);
    if (!d) {
      d = {
        supporterId: r.supporter_id,
        name: r.name,
        email: r.email,
        lastGiftOn: r.last_gift_on,
        lastGivingYear: r.last_year,
        lastGivingYearTotals: [],
      };
      donors.set(r.supporter_id, d);
    }
    d.lastGivingYearTotals.push({ currency: r.currency, amountMinor: minor(r.total) });
  }
  return { kind, year, total: rows[0]?.listed ?? 0, donors: [...donors.values()] };
}

// ── retention ───────────────────────────────────────────────────────────────────────────────────────

export interface RetentionYear {
  year: number;
  /** Donors who gave this year. */
  donors: number;
  /** Donors who gave the year before: the base of the retention rate. */
  lastYearDonors: number;
  /** Gave this year and never before. */
  new: number;
  /** Gave this year and the year before. */
  retained: number;
  /** Gave this year, not the year before, but in some earlier year. */
  recaptured: number;
  /** Gave the year before but not this year. */
  lapsed: number;
  /** retained ÷ lastYearDonors in percent, one decimal (null when nobody gave the year before). */
  retentionPercent: number | null;
}

/** Donor retention for the `years` calendar years ending with `year`. */
export async function donorRetention(
  gc: GivingContext,
  year: number,
  years: number,
): Promise<{ year: number; years: RetentionYear[] }> {
  allow(gc, GIVING_REPORT_ACTIONS.totals);
  const first = year - years + 1;
  const rows = rowsOf<
    Omit<RetentionYear, 'retentionPercent' | 'lastYearDonors'> & { last_year_donors: number }
  >(
    await gc.db.execute(sql`
      with given as (${givingBefore(yearStart(year + 1))}),
      donor_years as (select supporter_id, year from given group by supporter_id, year),
      flags as (
        select s.n as year, d.supporter_id,
          bool_or(d.year = s.n) as this_year,
          bool_or(d.year = s.n - 1) as last_year,
          bool_or(d.year < s.n - 1) as earlier
        from generate_series(${first}::int, ${year}::int) as s(n)
        join donor_years d on d.year <= s.n
        group by s.n, d.supporter_id
      )
      select year,
        count(*) filter (where this_year)::int as donors,
        count(*) filter (where last_year)::int as last_year_donors,
        count(*) filter (where this_year and not last_year and not earlier)::int as "new",
        count(*) filter (where this_year and last_year)::int as retained,
        count(*) filter (where this_year and not last_year and earlier)::int as recaptured,
        count(*) filter (where last_year and not this_year)::int as lapsed
      from flags group by year order by year`),
  );
  const byYear = new Map(rows.map((r) => [r.year, r]));
  const out: RetentionYear[] = [];
  for (let y = first; y <= year; y++) {
    const r = byYear.get(y);
    const base = r?.last_year_donors ?? 0;
    const retained = r?.retained ?? 0;
    out.push({
      year: y,
      donors: r?.donors ?? 0,
      lastYearDonors: base,
      new: r?.new ?? 0,
      retained,
      recaptured: r?.recaptured ?? 0,
      lapsed: r?.lapsed ?? 0,
      // Integer arithmetic to one decimal: round half up of retained × 1000 / base, then ÷ 10.
      retentionPercent: base === 0 ? null : Math.floor((retained * 2000 + base) / (2 * base)) / 10,
    });
  }
  return { year, years: out };
}

// ── top donors ──────────────────────────────────────────────────────────────────────────────────────

export interface TopDonor {
  currency: string;
  rank: number;
  supporterId: string;
  name: string | null;
  email: string | null;
  amountMinor: number;
  gifts: number;
  /** Gifts in the total that asked to hide the donor's name publicly: counted, and flagged here. */
  anonymousGifts: number;
  lastGiftOn: string;
}

/**
 * The donors with the largest totals over a range, per currency (amounts are never converted, so a
 * ranking only means something within one currency): the first `limit` in each, or in `currency`.
 */
export async function topDonors(
  gc: GivingContext,
  range: DateRange,
  options: { currency?: string | undefined; limit: number },
): Promise<DateRange & { donors: TopDonor[] }> {
  allow(gc, GIVING_REPORT_ACTIONS.donors);
  const { start, end } = bounds(range);
  const rows = rowsOf<{
    currency: string;
    rank: number;
    supporter_id: string;
    name: string | null;
    email: string | null;
    total: string;
    gifts: number;
    anonymous_gifts: number;
    last_gift_on: string;
  }>(
    await gc.db.execute(sql`
      with kept as (${keptInRange(start, end)}),
      per_gift as (
        select gift_id, supporter_id, currency, bool_or(anonymous) as anonymous, max(settled_at) as settled_at,
          sum(net) as net
        from kept ${options.currency ? sql`where currency = ${options.currency}` : sql``}
        group by gift_id, supporter_id, currency having sum(net) > 0
      ),
      per_donor as (
        select supporter_id, currency, sum(net) as total, count(*)::int as gifts,
          count(*) filter (where anonymous)::int as anonymous_gifts, max(settled_at) as last_gift_at,
          row_number() over (partition by currency order by sum(net) desc, supporter_id)::int as rank
        from per_gift group by supporter_id, currency
      )
      select p.currency, p.rank, p.supporter_id, s.display_name as name, s.email, p.total::text as total,
        p.gifts, p.anonymous_gifts, to_char(p.last_gift_at at time zone 'UTC', 'YYYY-MM-DD') as last_gift_on
      from per_donor p left join ${supporterDirectory()} s on s.id = p.supporter_id
      where p.rank <= ${options.limit}
      order by p.currency, p.rank`),
  );
  await auditDonorList(gc, `top-donors-${range.from}-${range.to}`);
  return {
    ...range,
    donors: rows.map((r) => ({
      currency: r.currency,
      rank: r.rank,
      supporterId: r.supporter_id,
      name: r.name,
      email: r.email,
      amountMinor: minor(r.total),
      gifts: r.gifts,
      anonymousGifts: r.anonymous_gifts,
      lastGiftOn: r.last_gift_on,
    })),
  };
}
