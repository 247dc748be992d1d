import { sql } from 'drizzle-orm';
import { authorize, type Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { idList, isoText, type TimelineQuery, type TimelineSource, timelineWindow } from '../../people';
import type { GivingSummary } from '../giving.constants';
import { GIVING_ACTIONS } from '../giving.policy';

/*
 * What Giving adds to a supporter's timeline and page (people owns both; Giving registers this source from
 * giving.module.ts, so people never reads giving's tables). Gift data is S2 for `gift.read` holders: a
 * caller without it gets no giving events and no summary, whatever people lets them read.
 */

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

/** A sum from the database (bigint arrives as text) as a number, refusing what a number cannot hold exactly. */
function exactMinor(value: string | number | null): number {
  const n = Number(value ?? 0);
  if (!Number.isSafeInteger(n)) throw new Error(`amount ${value} is beyond exact arithmetic`);
  return n;
}

const canRead = (subject: Subject) => authorize(subject, GIVING_ACTIONS.read).allowed;

/**
 * The supporter's giving, newest first, one page (`timelineWindow`): gifts settled (amount with a covered
 * fee, fund, method), failed, and each refund (from the ledger, so a partial refund shows what went back);
 * receipts issued; monthly gifts started, paused, resumed, amount changed (from the audit log, which the
 * monthly-gift service writes for every change by the donor or staff), cancelled (by whom) or lapsed after
 * failed charges; year-end statements; donor updates; sponsor pledges made.
 */
export async function givingTimelineFor(db: Db, query: TimelineQuery) {
  if (!canRead(query.subject)) return [];
  const ids = idList(query.supporterIds);
  const union = sql`
    select g.settled_at as at, 'gift:' || g.id || ':settled' as key, 'gift.settled' as kind, g.id as ref_id,
      jsonb_build_object('amountMinor', g.amount_minor + g.fee_minor, 'currency', g.currency,
        'fund', f.name, 'method', g.method, 'source', g.source,
        'monthly', g.recurring_gift_id is not null,
        'receivedOn', ${isoText(sql`g.received_on`)}) as facts
    from gifts g join funds f on f.id = g.fund_id
    where g.supporter_id in (${ids}) and g.settled_at is not null
    union all
    select g.updated_at, 'gift:' || g.id || ':failed', 'gift.failed', g.id,
      jsonb_build_object('amountMinor', g.amount_minor + g.fee_minor, 'currency', g.currency,
        'method', g.method, 'monthly', g.recurring_gift_id is not null)
    from gifts g where g.supporter_id in (${ids}) and g.status = 'failed'
    union all
    select min(e.created_at), 'refund:' || e.group_id, 'gift.refunded', e.gift_id,
      jsonb_build_object('amountMinor', -sum(e.amount_minor), 'currency', min(e.currency))
    from ledger_entries e join gifts g on g.id = e.gift_id
    where g.supporter_id in (${ids}) and e.kind = 'refund'
    group by e.group_id, e.gift_id
    union all
    select r.issued_at, 'receipt:' || r.id, 'receipt.issued', r.gift_id,
      jsonb_build_object('number', r.number, 'amountMinor', r.amount_minor, 'currency', r.currency)
    from receipts r join gifts g on g.id = r.gift_id
    where g.supporter_id in (${ids})
    union all
    select m.created_at, 'monthly:' || m.id || ':started', 'monthly_gift.started', m.id,
      jsonb_build_object('amountMinor', m.amount_minor + m.fee_minor, 'currency', m.currency,
        'dayOfMonth', m.day_of_month)
    from recurring_gifts m where m.supporter_id in (${ids})
    union all
    select a.at, 'monthly:' || m.id || ':' || lpad(a.seq::text, 20, '0'),
      case a.action when 'recurring_gift.pause' then 'monthly_gift.paused'
        when 'recurring_gift.resume' then 'monthly_gift.resumed'
        else 'monthly_gift.amount_changed' end,
      m.id,
      jsonb_build_object('currency', m.currency,
        'by', case when a.actor_role = 'supporter' then 'donor' else 'staff' end)
    from recurring_gifts m join audit_log a on a.resource_code = m.id and a.resource_type = 'recurring_gift'
    where m.supporter_id in (${ids}) and a.outcome = 'succeeded'
      and a.action in ('recurring_gift.pause', 'recurring_gift.resume', 'recurring_gift.change_amount')
    union all
    select m.cancelled_at, 'monthly:' || m.id || ':cancelled', 'monthly_gift.cancelled', m.id,
      jsonb_build_object('amountMinor', m.amount_minor + m.fee_minor, 'currency', m.currency,
        'by', m.cancelled_by)
    from recurring_gifts m where m.supporter_id in (${ids}) and m.cancelled_at is not null
    union all
    select m.updated_at, 'monthly:' || m.id || ':lapsed', 'monthly_gift.lapsed', m.id,
      jsonb_build_object('amountMinor', m.amount_minor + m.fee_minor, 'currency', m.currency,
        'failedAttempts', m.failed_attempts)
    from recurring_gifts m where m.supporter_id in (${ids}) and m.status = 'lapsed'
    union all
    select y.issued_at, 'statement:' || y.id, 'statement.issued', y.id,
      jsonb_build_object('year', y.year, 'totals', y.totals)
    from year_end_statements y where y.supporter_id in (${ids})
    union all
    select u.created_at, 'update:' || u.id, 'donor_update.sent', u.id,
      jsonb_build_object('period', u.period, 'rescues', u.rescues)
    from donor_updates u where u.supporter_id in (${ids})
    union all
    select p.created_at, 'pledge:' || p.id, 'pledge.made', p.id,
      jsonb_build_object('name', p.name, 'pledgeKind', p.kind, 'currency', p.currency, 'capMinor', p.cap_minor)
    from sponsor_pledges p where p.supporter_id in (${ids})`;
  return timelineWindow(db, 'giving', union, query);
}

export type { GivingSummary } from '../giving.constants';

/** The supporter's giving at a glance, for their page; null for a caller who may not read gifts. */
export async function givingSummaryFor(
  db: Db,
  query: Pick<TimelineQuery, 'supporterIds' | 'subject'>,
): Promise<GivingSummary | null> {
  if (!canRead(query.subject)) return null;
  const ids = idList(query.supporterIds);
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  const totals = rowsOf<{ currency: string; given: string; refunded: string; kept: string }>(
    await db.execute(sql`
      select e.currency,
        coalesce(sum(e.amount_minor) filter (where e.kind = 'gift'), 0)::text as given,
        coalesce(-sum(e.amount_minor) filter (where e.kind = 'refund'), 0)::text as refunded,
        sum(e.amount_minor)::text as kept
      from ledger_entries e join gifts g on g.id = e.gift_id
      where g.supporter_id in (${ids})
      group by e.currency order by e.currency`),
  );
  const [counts] = rowsOf<{ n: number | string; first: unknown; last: unknown }>(
    await db.execute(sql`
      select count(*) as n, min(settled_at) as first, max(settled_at) as last
      from gifts where supporter_id in (${ids}) and settled_at is not null`),
  );
  const monthly = rowsOf<{
    id: string;
    status: string;
    amount: number | string;
    currency: string;
    day_of_month: number;
    next_charge_at: unknown;
  }>(
    await db.execute(sql`
      select id, status, amount_minor + fee_minor as amount, currency, day_of_month, next_charge_at
      from recurring_gifts where supporter_id in (${ids}) order by created_at desc limit 20`),
  );
  const recent = rowsOf<{
    id: string;
    status: string;
    amount: number | string;
    refunded_minor: number | string;
    currency: string;
    fund: string;
    method: string;
    at: unknown;
  }>(
    await db.execute(sql`
      select g.id, g.status, g.amount_minor + g.fee_minor as amount, g.refunded_minor, g.currency,
        f.name as fund, g.method, coalesce(g.settled_at, g.created_at) as at
      from gifts g join funds f on f.id = g.fund_id
      where g.supporter_id in (${ids})
      order by coalesce(g.settled_at, g.created_at) desc, g.id desc limit 10`),
  );
  return {
    totals: totals.map((t) => ({
      currency: t.currency,
      givenMinor: exactMinor(t.given),
      refundedMinor: exactMinor(t.refunded),
      keptMinor: exactMinor(t.kept),
    })),
    settledGifts: Number(counts?.n ?? 0),
    firstGiftAt: iso(counts?.first),
    lastGiftAt: iso(counts?.last),
    monthly: monthly.map((m) => ({
      id: m.id,
      status: m.status,
      amountMinor: exactMinor(m.amount),
      currency: m.currency,
      dayOfMonth: m.day_of_month,
      nextChargeAt: iso(m.next_charge_at),
    })),
    recent: recent.map((g) => ({
      id: g.id,
      status: g.status,
      amountMinor: exactMinor(g.amount),
      refundedMinor: exactMinor(g.refunded_minor),
      currency: g.currency,
      fund: g.fund,
      method: g.method,
      at: iso(g.at) ?? '',
    })),
  };
}

/** Registered with people from giving.module.ts. */
export const givingTimelineSource: TimelineSource = {
  name: 'giving',
  events: givingTimelineFor,
  summary: givingSummaryFor,
};
