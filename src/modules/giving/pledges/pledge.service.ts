import crypto from 'node:crypto';
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { authorize } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { getSupporterContact } from '../../people';
import { recordSettledOfflineGift } from '../batches/batch.service';
import type { GivingContext } from '../giving.context';
import { MAX_AMOUNT_MINOR } from '../giving.schema';
import { campaigns, funds, pledgeInvoices, pledgeReadings, sponsorPledges } from '../giving.table';
import type { GivingCurrency } from '../money';
import { PLEDGE_ACTIONS } from './pledge.policy';
import type { PledgeInput, ReadingInput } from './pledge.schema';
import { type InvoiceFacts, invoicePdf, invoiceText, type PledgeCount } from './pledge-invoice';
import { type ParsedReading, parseReadingsCsv, type ReadingsCsvProblem } from './pledge-readings-csv';

/*
 * Sponsor and matching pledges (README "Sponsor and matching pledges"). What a pledge has raised is
 * computed, never stored: from its readings (per unit) or from the ledger (matching), capped; what is due
 * is that less what was invoiced (issued or paid, not void). Paying an invoice is an offline gift from the
 * sponsor, settled and receipted like any other, so the money reaches the ledger one way only.
 */

export type PledgeRow = typeof sponsorPledges.$inferSelect;
export type InvoiceRow = typeof pledgeInvoices.$inferSelect;

/** A CSV of readings with bad lines: every problem, by line and column; nothing was written. */
export class ReadingsCsvError extends AppError {
  constructor(readonly problems: ReadingsCsvProblem[]) {
    const first = problems[0];
    super(
      'validation_failed',
      `csv: ${problems.length} bad line${problems.length === 1 ? '' : 's'}, nothing imported${
        first ? ` (line ${first.line}${first.column ? `, ${first.column}` : ''}: ${first.reason})` : ''
      }`,
      400,
    );
  }
}

function allow(gc: GivingContext, action: string): void {
  if (!authorize(gc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
}

async function audit(gc: GivingContext, action: string, type: string, id: string): Promise<void> {
  await appendAudit(gc.db, {
    actorId: gc.subject.userId,
    actorRole: gc.subject.role,
    action,
    resourceType: type,
    resourceCode: id,
    outcome: 'succeeded',
    requestId: gc.requestId,
  });
}

const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;
const day = (d: Date) => d.toISOString().slice(0, 10);
const startOfDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

async function pledgeOrThrow(db: Db, id: string, lock = false): Promise<PledgeRow> {
  const q = db.select().from(sponsorPledges).where(eq(sponsorPledges.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw AppError.notFound('No pledge with this id.');
  return row;
}

async function invoiceOrThrow(db: Db, id: string, lock = false): Promise<InvoiceRow> {
  const q = db.select().from(pledgeInvoices).where(eq(pledgeInvoices.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw AppError.notFound('No invoice with this id.');
  return row;
}

// ── what a pledge has raised ────────────────────────────────────────────────────────────────────────

/**
 * What a pledge counted before `asOf` (everything when null), and what that comes to before its cap.
 *
 * Per unit: the readings' total × rate ÷ per-units, in integers and rounded DOWN to the minor unit (the
 * sponsor never pays a fraction of a cent or won that the metric did not earn), over the total rather
 * than reading by reading, so splitting a month into days loses nothing.
 *
 * Matching: ratio × what eligible gifts still hold in the ledger: gifts settled inside the window (start
 * included, end excluded) and before `asOf`, in the pledge's currency, to its campaign (else its fund),
 * not from the sponsor, and not themselves a sponsor's paid invoice. Their entries are summed, so a refund
 * (even after the window) reduces what is matched, and a split gift counts with its part in the fund.
 */
export async function pledgeCount(
  db: Db,
  p: PledgeRow,
  asOf: Date | null,
): Promise<{ counted: PledgeCount; computedMinor: bigint }> {
  if (p.kind === 'per_unit') {
    const [row] = rowsOf<{ units: string }>(
      await db.execute(sql`
        select coalesce(sum(value), 0)::text as units from pledge_readings
        where pledge_id = ${p.id} ${asOf ? sql`and read_on < ${asOf.toISOString()}::timestamptz` : sql``}`),
    );
    const units = BigInt(row?.units ?? '0');
    const computed = (BigInt(p.rateMinor ?? 0) * units) / BigInt(p.perUnits ?? 1);
    return {
      counted: {
        kind: 'per_unit',
        units: Number(units),
        metric: p.metric ?? 'units',
        rateMinor: p.rateMinor ?? 0,
        perUnits: p.perUnits ?? 1,
      },
      computedMinor: computed,
    };
  }
  const ends = [p.endsAt, asOf].filter((d): d is Date => d !== null);
  const end = ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
  const [row] = rowsOf<{ eligible: string }>(
    await db.execute(sql`
      select coalesce(sum(e.amount_minor), 0)::text as eligible
      from ledger_entries e join gifts g on g.id = e.gift_id
      where g.settled_at >= ${p.startsAt.toISOString()}::timestamptz
        ${end ? sql`and g.settled_at < ${end.toISOString()}::timestamptz` : sql``}
        and e.currency = ${p.currency}
        and g.supporter_id <> ${p.supporterId}
        and not exists (select 1 from pledge_invoices i where i.gift_id = g.id)
        and ${p.campaignId ? sql`e.campaign_id = ${p.campaignId}` : sql`e.fund_id = ${p.fundId}`}`),
  );
  const eligible = BigInt(row?.eligible ?? '0');
  const positive = eligible > 0n ? eligible : 0n;
  return {
    counted: { kind: 'matching', eligibleMinor: Number(positive), ratio: p.matchRatio ?? 1 },
    computedMinor: positive * BigInt(p.matchRatio ?? 1),
  };
}

/**
 * Raised (computed, capped: a pledge without a cap counts up to MAX_AMOUNT_MINOR), invoiced (issued or
 * paid), paid, and due (raised less invoiced, never below zero: a refund after an invoice lowers what is
 * matched, and what was invoiced stays invoiced).
 */
export async function pledgeAmounts(db: Db, p: PledgeRow, asOf: Date | null = null) {
  const { counted, computedMinor } = await pledgeCount(db, p, asOf);
  const cap = BigInt(p.capMinor ?? MAX_AMOUNT_MINOR);
  const raisedMinor = Number(computedMinor < cap ? computedMinor : cap);
  const sums = rowsOf<{ status: string; total: string }>(
    await db.execute(sql`
      select status, coalesce(sum(amount_minor), 0)::text as total from pledge_invoices
      where pledge_id = ${p.id} group by status`),
  );
  const sumOf = (status: string) => Number(sums.find((s) => s.status === status)?.total ?? 0);
  const invoicedMinor = sumOf('issued') + sumOf('paid');
  return {
    counted,
    computedMinor: computedMinor > BigInt(MAX_AMOUNT_MINOR) ? MAX_AMOUNT_MINOR : Number(computedMinor),
    raisedMinor,
    capReached: p.capMinor !== null && computedMinor >= cap,
    invoicedMinor,
    paidMinor: sumOf('paid'),
    dueMinor: Math.max(0, raisedMinor - invoicedMinor),
  };
}

// ── pledges ─────────────────────────────────────────────────────────────────────────────────────────

async function designationOf(db: Db, p: PledgeRow) {
  const [fund] = await db
    .select({ code: funds.code, name: funds.name })
    .from(funds)
    .where(eq(funds.id, p.fundId));
  const [campaign] = p.campaignId
    ? await db
        .select({ code: campaigns.code, name: campaigns.name })
        .from(campaigns)
        .where(eq(campaigns.id, p.campaignId))
    : [];
  return { fund: fund ?? null, campaign: campaign ?? null };
}

async function presentPledge(db: Db, p: PledgeRow) {
  // One after another: in a transaction the queries share its connection (pg 9 refuses overlapping ones).
  const sponsor = await getSupporterContact(db, p.supporterId);
  const designation = await designationOf(db, p);
  const amounts = await pledgeAmounts(db, p);
  return {
    id: p.id,
    kind: p.kind as 'per_unit' | 'matching',
    name: p.name,
    status: p.status,
    sponsor: { id: p.supporterId, name: sponsor?.displayName ?? null, email: sponsor?.email ?? null },
    currency: p.currency as GivingCurrency,
    fund: designation.fund,
    campaign: designation.campaign,
    metric: p.metric,
    rateMinor: p.rateMinor,
    perUnits: p.perUnits,
    matchRatio: p.matchRatio,
    capMinor: p.capMinor,
    startsAt: p.startsAt.toISOString(),
    endsAt: p.endsAt?.toISOString() ?? null,
    createdAt: p.createdAt.toISOString(),
    ...amounts,
  };
}

export async function createPledge(gc: GivingContext, input: PledgeInput) {
  allow(gc, PLEDGE_ACTIONS.write);
  const sponsor = await getSupporterContact(gc.db, input.sponsorId);
  if (!sponsor) throw AppError.invalid('sponsorId: no supporter with this id');
  const [fund] = await gc.db.select({ id: funds.id }).from(funds).where(eq(funds.code, input.fund));
  if (!fund) throw AppError.invalid(`fund: no fund with the code ${input.fund}`);
  const [campaign] = input.campaign
    ? await gc.db.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.code, input.campaign))
    : [];
  if (input.campaign && !campaign)
    throw AppError.invalid(`campaign: no campaign with the code ${input.campaign}`);
  const perUnit = input.kind === 'per_unit';
  const [row] = await gc.db
    .insert(sponsorPledges)
    .values({
      id: crypto.randomUUID(),
      // A merged sponsor's survivor (getSupporterContact follows the merge).
      supporterId: sponsor.id,
      kind: input.kind,
      name: input.name,
      currency: input.currency,
      fundId: fund.id,
      campaignId: campaign?.id ?? null,
      metric: perUnit ? (input.metric ?? null) : null,
      rateMinor: perUnit ? (input.rateMinor ?? null) : null,
      perUnits: perUnit ? input.perUnits : null,
      matchRatio: perUnit ? null : input.matchRatio,
      capMinor: input.capMinor ?? null,
      startsAt: input.startsAt,
      endsAt: input.endsAt ?? null,
      status: 'active',
      createdBy: gc.subject.userId,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit(gc, 'pledge.create', 'sponsor_pledge', row.id);
  return presentPledge(gc.db, row);
}

export async function listPledges(gc: GivingContext) {
  allow(gc, PLEDGE_ACTIONS.read);
  const rows = await gc.db.select().from(sponsorPledges).orderBy(desc(sponsorPledges.createdAt)).limit(500);
  const pledges = [];
  for (const p of rows) pledges.push(await presentPledge(gc.db, p));
  return { pledges };
}

function presentInvoice(i: InvoiceRow) {
  return {
    id: i.id,
    number: i.number,
    periodStart: i.periodStart.toISOString(),
    periodEnd: i.periodEnd.toISOString(),
    amountMinor: i.amountMinor,
    currency: i.currency as GivingCurrency,
    status: i.status as 'issued' | 'paid' | 'void',
    giftId: i.giftId,
    emailed: i.outboxId !== null,
    issuedAt: i.issuedAt.toISOString(),
  };
}

export async function getPledge(gc: GivingContext, id: string) {
  allow(gc, PLEDGE_ACTIONS.read);
  const p = await pledgeOrThrow(gc.db, id);
  const readings = await gc.db
    .select()
    .from(pledgeReadings)
    .where(eq(pledgeReadings.pledgeId, id))
    .orderBy(desc(pledgeReadings.readOn), desc(pledgeReadings.createdAt))
    .limit(1_000);
  const invoices = await gc.db
    .select()
    .from(pledgeInvoices)
    .where(eq(pledgeInvoices.pledgeId, id))
    .orderBy(desc(pledgeInvoices.issuedAt), desc(pledgeInvoices.number));
  return {
    pledge: await presentPledge(gc.db, p),
    readings: readings.map((r) => ({
      id: r.id,
      readOn: day(r.readOn),
      value: r.value,
      source: r.source as 'manual' | 'import',
      note: r.note,
    })),
    invoices: invoices.map(presentInvoice),
    nextPeriodStart: (await nextPeriodStart(gc.db, p)).toISOString(),
  };
}

// ── readings ────────────────────────────────────────────────────────────────────────────────────────

/** Why a reading's day is refused for this pledge, or null. */
function readingDayProblem(p: PledgeRow, readOn: Date, now: Date): string | null {
  if (readOn < startOfDay(p.startsAt)) return `is before the pledge starts (${day(p.startsAt)})`;
  if (p.endsAt && readOn >= p.endsAt)
    return `is after the pledge ends (${day(new Date(p.endsAt.getTime() - 1))})`;
  if (readOn > now) return 'must not be in the future';
  return null;
}

function perUnitOrThrow(p: PledgeRow) {
  if (p.kind !== 'per_unit')
    throw AppError.conflict('Only a per-unit pledge takes readings: a matching pledge counts gifts.');
}

export async function addReading(gc: GivingContext, pledgeId: string, input: ReadingInput) {
  allow(gc, PLEDGE_ACTIONS.write);
  const p = await pledgeOrThrow(gc.db, pledgeId);
  perUnitOrThrow(p);
  const readOn = startOfDay(input.readOn);
  const problem = readingDayProblem(p, readOn, new Date());
  if (problem) throw AppError.invalid(`readOn: ${problem}`);
  const [row] = await gc.db
    .insert(pledgeReadings)
    .values({
      id: crypto.randomUUID(),
      pledgeId,
      readOn,
      value: input.value,
      source: 'manual',
      note: input.note || null,
      createdBy: gc.subject.userId,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit(gc, 'pledge.reading', 'sponsor_pledge', pledgeId);
  return getPledge(gc, pledgeId);
}

/** Readings from a small CSV (`date,value[,note]`): all or nothing, every bad line reported. */
export async function importReadings(gc: GivingContext, pledgeId: string, csv: string) {
  allow(gc, PLEDGE_ACTIONS.write);
  const p = await pledgeOrThrow(gc.db, pledgeId);
  perUnitOrThrow(p);
  const { readings, problems } = parseReadingsCsv(csv);
  const now = new Date();
  for (const r of readings) {
    const problem = readingDayProblem(p, r.readOn, now);
    if (problem) problems.push({ line: r.line, column: 'date', reason: problem });
  }
  if (problems.length) throw new ReadingsCsvError(problems.sort((a, b) => a.line - b.line));
  await insertReadings(gc, pledgeId, readings);
  await audit(gc, 'pledge.readings_import', 'sponsor_pledge', pledgeId);
  return { imported: readings.length, units: readings.reduce((s, r) => s + r.value, 0) };
}

async function insertReadings(gc: GivingContext, pledgeId: string, readings: ParsedReading[]) {
  for (let i = 0; i < readings.length; i += 500)
    await gc.db.insert(pledgeReadings).values(
      readings.slice(i, i + 500).map((r) => ({
        id: crypto.randomUUID(),
        pledgeId,
        readOn: r.readOn,
        value: r.value,
        source: 'import',
        note: r.note,
        createdBy: gc.subject.userId,
      })),
    );
}

// ── invoices ────────────────────────────────────────────────────────────────────────────────────────

/** Where the next invoice's period starts: the end of the last invoice not void, else the pledge's start. */
async function nextPeriodStart(db: Db, p: PledgeRow): Promise<Date> {
  const [last] = await db
    .select({ periodEnd: pledgeInvoices.periodEnd })
    .from(pledgeInvoices)
    .where(and(eq(pledgeInvoices.pledgeId, p.id), ne(pledgeInvoices.status, 'void')))
    .orderBy(desc(pledgeInvoices.periodEnd))
    .limit(1);
  return last?.periodEnd ?? p.startsAt;
}

/** INV-2026-000012: the year of issue and a number that counts up within it (one at a time). */
async function nextInvoiceNumber(tx: Db, year: number): Promise<string> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('passage:pledge_invoice_number'))`);
  const prefix = `INV-${year}-`;
  const [row] = rowsOf<{ last: string | null }>(
    await tx.execute(sql`select max(number) as last from pledge_invoices where number like ${`${prefix}%`}`),
  );
  const next = row?.last ? Number(row.last.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(next).padStart(6, '0')}`;
}

async function invoiceFacts(db: Db, p: PledgeRow, invoice: InvoiceRow, counted: PledgeCount) {
  const sponsor = await getSupporterContact(db, p.supporterId);
  const designation = await designationOf(db, p);
  // What was invoiced before this one (issued earlier, not void): the invoice reads the same when reprinted.
  const [before] = rowsOf<{ total: string }>(
    await db.execute(sql`
      select coalesce(sum(amount_minor), 0)::text as total from pledge_invoices
      where pledge_id = ${p.id} and status <> 'void' and id <> ${invoice.id}
        and (issued_at, number) < (${invoice.issuedAt.toISOString()}::timestamptz, ${invoice.number})`),
  );
  const invoicedBeforeMinor = Number(before?.total ?? 0);
  const facts: InvoiceFacts = {
    number: invoice.number,
    sponsorName: sponsor?.displayName ?? 'Sponsor',
    pledgeName: p.name,
    designation: designation.campaign
      ? `${designation.fund?.name ?? 'our work'}, campaign ${designation.campaign.name}`
      : (designation.fund?.name ?? 'our work'),
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    currency: invoice.currency as GivingCurrency,
    counted,
    raisedMinor: invoicedBeforeMinor + invoice.amountMinor,
    capMinor: p.capMinor,
    invoicedBeforeMinor,
    amountMinor: invoice.amountMinor,
  };
  return { facts, email: sponsor?.email ?? null };
}

/**
 * Issues an invoice for what is due up to `periodEnd` (exclusive; now or the pledge's end by default),
 * from where the last invoice ended, and emails it to the sponsor through the outbox. Refused (409) when
 * nothing is due. The pledge row is locked, so two invoices for one pledge cannot count the same money.
 */
export async function issueInvoice(
  gc: GivingContext,
  pledgeId: string,
  input: { periodEnd?: Date | undefined },
) {
  allow(gc, PLEDGE_ACTIONS.write);
  const p = await pledgeOrThrow(gc.db, pledgeId, true);
  const now = new Date();
  const periodStart = await nextPeriodStart(gc.db, p);
  const periodEnd = input.periodEnd ?? (p.endsAt && p.endsAt < now ? p.endsAt : now);
  if (periodEnd > now) throw AppError.invalid('periodEnd: must not be in the future');
  if (p.endsAt && periodEnd > p.endsAt)
    throw AppError.invalid(`periodEnd: must be at most the pledge's end (${day(p.endsAt)})`);
  if (periodEnd <= periodStart)
    throw AppError.invalid(`periodEnd: must be after the period's start (${periodStart.toISOString()})`);
  const amounts = await pledgeAmounts(gc.db, p, periodEnd);
  if (amounts.dueMinor <= 0)
    throw AppError.conflict('Nothing is due for this period: no invoice was issued.');
  const [invoice] = await gc.db
    .insert(pledgeInvoices)
    .values({
      id: crypto.randomUUID(),
      pledgeId,
      number: await nextInvoiceNumber(gc.db, now.getUTCFullYear()),
      periodStart,
      periodEnd,
      amountMinor: amounts.dueMinor,
      currency: p.currency,
      status: 'issued',
      issuedBy: gc.subject.userId,
      issuedAt: now,
    })
    .returning();
  if (!invoice) throw new Error('insert returned no row');
  const { facts, email } = await invoiceFacts(gc.db, p, invoice, amounts.counted);
  if (email) {
    const outboxId = await gc.mail.enqueue(gc.db, { to: email, ...invoiceText(facts) });
    await gc.db.update(pledgeInvoices).set({ outboxId }).where(eq(pledgeInvoices.id, invoice.id));
    invoice.outboxId = outboxId;
  }
  await audit(gc, 'pledge_invoice.issue', 'pledge_invoice', invoice.id);
  return presentInvoice(invoice);
}

/**
 * The sponsor paid: an offline gift from the sponsor to the pledge's fund and campaign, settled at once
 * (its ledger entry, the balance, a mailed receipt). Once only: a paid or void invoice answers 409.
 */
export async function markInvoicePaid(
  gc: GivingContext,
  invoiceId: string,
  input: { receivedOn: Date; method: string },
) {
  allow(gc, PLEDGE_ACTIONS.write);
  const invoice = await invoiceOrThrow(gc.db, invoiceId, true);
  if (invoice.status !== 'issued')
    throw AppError.conflict(`This invoice is ${invoice.status === 'paid' ? 'already paid' : 'void'}.`);
  if (input.receivedOn.getTime() > Date.now())
    throw AppError.invalid('receivedOn: must not be in the future');
  const p = await pledgeOrThrow(gc.db, invoice.pledgeId);
  const gift = await recordSettledOfflineGift(gc.db, gc.mail, {
    supporterId: p.supporterId,
    amountMinor: invoice.amountMinor,
    currency: invoice.currency as GivingCurrency,
    fundId: p.fundId,
    campaignId: p.campaignId,
    method: input.method,
    receivedOn: input.receivedOn,
    createdBy: gc.subject.userId,
  });
  const [paid] = await gc.db
    .update(pledgeInvoices)
    .set({ status: 'paid', giftId: gift.id })
    .where(and(eq(pledgeInvoices.id, invoice.id), eq(pledgeInvoices.status, 'issued')))
    .returning();
  if (!paid) throw AppError.conflict('This invoice is already paid.');
  await audit(gc, 'pledge_invoice.paid', 'pledge_invoice', invoice.id);
  return presentInvoice(paid);
}

/** Cancels an unpaid invoice: its amount is due again, and its period can be invoiced again. */
export async function voidInvoice(gc: GivingContext, invoiceId: string) {
  allow(gc, PLEDGE_ACTIONS.write);
  const invoice = await invoiceOrThrow(gc.db, invoiceId, true);
  if (invoice.status !== 'issued')
    throw AppError.conflict(
      invoice.status === 'paid'
        ? 'A paid invoice cannot be voided: refund its gift instead.'
        : 'This invoice is already void.',
    );
  const [voided] = await gc.db
    .update(pledgeInvoices)
    .set({ status: 'void' })
    .where(eq(pledgeInvoices.id, invoice.id))
    .returning();
  await audit(gc, 'pledge_invoice.void', 'pledge_invoice', invoice.id);
  return presentInvoice(voided ?? invoice);
}

/** The invoice as a PDF, rebuilt from its row (amount, period, number) and the pledge's count then. */
export async function invoicePdfFor(gc: GivingContext, invoiceId: string) {
  allow(gc, PLEDGE_ACTIONS.read);
  const invoice = await invoiceOrThrow(gc.db, invoiceId);
  const p = await pledgeOrThrow(gc.db, invoice.pledgeId);
  const { counted } = await pledgeCount(gc.db, p, invoice.periodEnd);
  const { facts } = await invoiceFacts(gc.db, p, invoice, counted);
  return { number: invoice.number, pdf: await invoicePdf(facts) };
}

/** People's merge: a merged sponsor's pledges follow it to the survivor. */
export async function movePledgesToSurvivor(db: Db, move: { fromId: string; toId: string }) {
  await db
    .update(sponsorPledges)
    .set({ supporterId: move.toId })
    .where(eq(sponsorPledges.supporterId, move.fromId));
}
