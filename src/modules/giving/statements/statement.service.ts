import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { authorize } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Mailer } from '../../../platform/mail/mailer';
import { toDecimalString } from '../../../platform/money/money';
import { supporterDirectory } from '../../people';
import type { GivingContext } from '../giving.context';
import { GIVING_ACTIONS, GIVING_REPORT_ACTIONS } from '../giving.policy';
import { yearEndStatements } from '../giving.table';
import { formatMoney, type GivingCurrency } from '../money';
import { usAcknowledgment } from '../receipts/receipt';
import { type ReceiptIssuer, receiptIssuer } from '../receipts/receipt-issuer';

/*
 * Year-end statements: for one supporter and one calendar year, every gift that counted (settled, or
 * settled and later refunded), with its receipt number and what was refunded, and what was kept per
 * currency. Rebuilt from the ledger whenever it is asked for; `year_end_statements` only records that
 * the year's statement was sent (once per supporter and year) and the totals it carried.
 *
 * A gift belongs to the year of the date its receipt gives (received on, else settled; UTC): a cheque
 * dated 28 December and posted in January is a gift of the year it was written, as the donor's receipt
 * says. (Reports count by the settlement day, the ledger's own date.)
 */

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

export interface StatementGift {
  giftId: string;
  /** YYYY-MM-DD (UTC), as the receipt gives it. */
  date: string;
  fund: string;
  currency: GivingCurrency;
  /** What was given (with a covered fee). */
  amountMinor: number;
  refundedMinor: number;
  /** What the organisation kept: amount less refunds, from the ledger. */
  keptMinor: number;
  fairMarketValueMinor: number;
  receiptNumber: string | null;
}

export interface Statement {
  supporterId: string;
  name: string;
  email: string | null;
  year: number;
  gifts: StatementGift[];
  /** Per currency, never converted. */
  totals: { currency: GivingCurrency; keptMinor: number }[];
}

const yearBounds = (year: number) => ({
  start: `${year}-01-01T00:00:00Z`,
  end: `${year + 1}-01-01T00:00:00Z`,
});

/** The supporter's statement for the year, or null when no gift of theirs counted that year. */
export async function buildStatement(db: Db, supporterId: string, year: number): Promise<Statement | null> {
  const { start, end } = yearBounds(year);
  const rows = rowsOf<{
    gift_id: string;
    day: string;
    fund: string | null;
    currency: GivingCurrency;
    amount: string;
    refunded: string;
    kept: string;
    fmv: string;
    receipt_number: string | null;
    name: string | null;
    email: string | null;
  }>(
    await db.execute(sql`
      with mine as (
        select g.* from gifts g
        where g.supporter_id = ${supporterId} and g.status in ('settled', 'refunded')
          and coalesce(g.received_on, g.settled_at) >= ${start}::timestamptz
          and coalesce(g.received_on, g.settled_at) < ${end}::timestamptz
      ),
      per_fund as (
        select e.gift_id, e.fund_id, sum(e.amount_minor) as net
        from ledger_entries e join mine m on m.id = e.gift_id group by e.gift_id, e.fund_id
      )
      select m.id as gift_id, to_char(coalesce(m.received_on, m.settled_at) at time zone 'UTC', 'YYYY-MM-DD') as day,
        coalesce(
          (select string_agg(f.name, ', ' order by f.name) from per_fund p join funds f on f.id = p.fund_id
            where p.gift_id = m.id and p.net > 0),
          (select f.name from funds f where f.id = m.fund_id)
        ) as fund,
        m.currency, (m.amount_minor + m.fee_minor)::text as amount, m.refunded_minor::text as refunded,
        coalesce((select sum(p.net) from per_fund p where p.gift_id = m.id), 0)::text as kept,
        m.fair_market_value_minor::text as fmv, r.number as receipt_number, s.display_name as name, s.email
      from mine m
      left join receipts r on r.gift_id = m.id
      left join ${supporterDirectory()} s on s.id = m.supporter_id
      order by coalesce(m.received_on, m.settled_at), m.id`),
  );
  const first = rows[0];
  if (!first) return null;
  const gifts: StatementGift[] = rows.map((r) => ({
    giftId: r.gift_id,
    date: r.day,
    fund: r.fund ?? '',
    currency: r.currency,
    amountMinor: Number(r.amount),
    refundedMinor: Number(r.refunded),
    keptMinor: Number(r.kept),
    fairMarketValueMinor: Number(r.fmv),
    receiptNumber: r.receipt_number,
  }));
  const totals = new Map<GivingCurrency, number>();
  for (const g of gifts) totals.set(g.currency, (totals.get(g.currency) ?? 0) + g.keptMinor);
  return {
    supporterId,
    name: first.name ?? 'friend',
    email: first.email,
    year,
    gifts,
    totals: [...totals]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, keptMinor]) => ({ currency, keptMinor })),
  };
}

/**
 * The US acknowledgment for the year's gifts in dollars (IRS Publication 1771 accepts one annual statement
 * for several gifts): one sentence when no gift bought anything, else the receipt's wording gift by gift.
 */
export function statementAcknowledgment(s: Statement, org: string): string[] {
  const usd = s.gifts.filter((g) => g.currency === 'USD' && g.keptMinor > 0);
  const money = (m: number) => formatMoney(m, 'USD');
  const perGift = usd
    .map((g) => ({ g, lines: usAcknowledgment({ ...g, amountMinor: g.keptMinor }, org, money) }))
    .filter((x) => x.lines.length > 0);
  if (perGift.length === 0) return [];
  if (usd.every((g) => g.fairMarketValueMinor === 0))
    return ['No goods or services were provided in exchange for any of these contributions.'];
  return perGift.map(({ g, lines }) => `${g.date} (${g.receiptNumber ?? 'no receipt'}): ${lines.join(' ')}`);
}

/** The statement's text (the email), in English; amounts in each currency's own format. */
export function statementText(
  s: Statement,
  issuer: ReceiptIssuer = receiptIssuer(),
): { subject: string; text: string } {
  const lines = [
    `Dear ${s.name},`,
    '',
    `Thank you for your gifts in ${s.year}. This is your giving statement for the year.`,
    '',
  ];
  for (const g of s.gifts) {
    const refund =
      g.refundedMinor > 0
        ? `, ${formatMoney(g.refundedMinor, g.currency)} refunded, kept ${formatMoney(g.keptMinor, g.currency)}`
        : '';
    lines.push(
      `${g.date}  ${formatMoney(g.amountMinor, g.currency)} to ${g.fund}${refund}  (receipt ${g.receiptNumber ?? '—'})`,
    );
  }
  lines.push('', `Total given in ${s.year}:`);
  for (const t of s.totals) lines.push(`  ${formatMoney(t.keptMinor, t.currency)}`);
  for (const line of statementAcknowledgment(s, issuer.name)) lines.push('', line);
  lines.push('', 'With gratitude,', issuer.name);
  return { subject: `Your ${s.year} giving statement`, text: lines.join('\n') };
}

/** A statement's amounts written with the currency code, for the PDF table ("USD 300.00", "KRW 50,000"). */
export function codeAmount(minor: number, currency: string): string {
  const [whole, fraction] = toDecimalString(minor, currency).split('.');
  const grouped = (whole ?? '0').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${fraction ? `${grouped}.${fraction}` : grouped}`;
}

// ── sending the year's statements ───────────────────────────────────────────────────────────────────

export interface StatementRun {
  year: number;
  dryRun: boolean;
  /** Supporters whose gifts that year kept something. */
  donors: number;
  withoutEmail: number;
  alreadySent: number;
  /** Sent in this run (or, in a dry run, that would be). */
  sent: number;
}

/** Who gave in the year (a gift kept something), with whether they have an email and a statement already. */
function donorsOfYear(year: number) {
  const { start, end } = yearBounds(year);
  return sql`
    select d.supporter_id, s.email, exists (
      select 1 from year_end_statements y where y.supporter_id = d.supporter_id and y.year = ${year}
    ) as sent
    from (
      select g.supporter_id from gifts g join ledger_entries e on e.gift_id = g.id
      where g.status in ('settled', 'refunded')
        and coalesce(g.received_on, g.settled_at) >= ${start}::timestamptz
        and coalesce(g.received_on, g.settled_at) < ${end}::timestamptz
      group by g.supporter_id having sum(e.amount_minor) > 0
    ) d
    left join ${supporterDirectory()} s on s.id = d.supporter_id`;
}

/** How far the year's statements have gone (staff see it before and after sending). */
export async function statementProgress(
  gc: GivingContext,
  year: number,
): Promise<{ year: number; donors: number; withoutEmail: number; sent: number; missing: number }> {
  if (!authorize(gc.subject, GIVING_ACTIONS.read).allowed)
    throw AppError.forbidden('You do not have access to this.');
  const [row] = rowsOf<{ donors: number; without_email: number; sent: number }>(
    await gc.db.execute(sql`
      with d as (${donorsOfYear(year)})
      select count(*)::int as donors, count(*) filter (where email is null)::int as without_email,
        count(*) filter (where sent and email is not null)::int as sent
      from d`),
  );
  const donors = row?.donors ?? 0;
  const sent = row?.sent ?? 0;
  const withoutEmail = row?.without_email ?? 0;
  return { year, donors, withoutEmail, sent, missing: Math.max(0, donors - withoutEmail - sent) };
}

/**
 * Sends the year's statement to every supporter who gave that year and has an email, once each: a
 * second run sends only the missing ones (the unique supporter+year row is claimed in the same
 * transaction as the mail is queued, so two runs at once cannot both send). One transaction per supporter,
 * so a run stopped half-way keeps what it sent. No access check: the route and the CLI check.
 */
export async function sendYearEndStatements(
  db: Db,
  mail: Mailer | null,
  year: number,
  options: { dryRun?: boolean; publicUrl?: string } = {},
): Promise<StatementRun> {
  const rows = rowsOf<{ supporter_id: string; email: string | null; sent: boolean }>(
    await db.execute(sql`${donorsOfYear(year)} order by d.supporter_id`),
  );
  const run: StatementRun = {
    year,
    dryRun: options.dryRun ?? false,
    donors: rows.length,
    withoutEmail: rows.filter((r) => !r.email).length,
    alreadySent: rows.filter((r) => r.email && r.sent).length,
    sent: 0,
  };
  const due = rows.filter((r) => r.email && !r.sent);
  if (run.dryRun) return { ...run, sent: due.length };
  for (const r of due) {
    const sent = await db.transaction(async (tx) => {
      const statement = await buildStatement(tx, r.supporter_id, year);
      if (!statement?.email) return false;
      const [claimed] = await tx
        .insert(yearEndStatements)
        .values({
          id: crypto.randomUUID(),
          supporterId: statement.supporterId,
          year,
          totals: JSON.stringify(Object.fromEntries(statement.totals.map((t) => [t.currency, t.keptMinor]))),
        })
        .onConflictDoNothing()
        .returning({ id: yearEndStatements.id });
      if (!claimed) return false;
      if (!mail) return true;
      const message = statementText(statement);
      const pdfNote = options.publicUrl
        ? `\n\nA printable PDF of this statement is in your donor portal: ${options.publicUrl}/my`
        : '';
      const outboxId = await mail.enqueue(tx, {
        to: statement.email,
        subject: message.subject,
        text: message.text + pdfNote,
      });
      await tx
        .update(yearEndStatements)
        .set({ outboxId })
        .where(and(eq(yearEndStatements.id, claimed.id), eq(yearEndStatements.year, year)));
      return true;
    });
    if (sent) run.sent += 1;
  }
  mail?.deliverSoon();
  return run;
}

/** Audits a staff request to send the year's statements (who asked, for which year). */
export async function auditStatementSend(gc: GivingContext, year: number): Promise<void> {
  if (!authorize(gc.subject, GIVING_REPORT_ACTIONS.sendStatements).allowed)
    throw AppError.forbidden('You do not have access to this.');
  await appendAudit(gc.db, {
    actorId: gc.subject.userId,
    actorRole: gc.subject.role,
    action: GIVING_REPORT_ACTIONS.sendStatements,
    resourceType: 'year_end_statements',
    resourceCode: String(year),
    outcome: 'succeeded',
    requestId: gc.requestId,
  });
}
