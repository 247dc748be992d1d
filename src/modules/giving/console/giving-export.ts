import type { FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import { type CsvColumn, csvFileName, inPages, sendCsv } from '../../../platform/export';
import type { AppContext } from '../../../platform/http/context';
import { requireExportStepUp, staffCaller, staffCsv } from '../../../platform/http/request-work';
import { type CurrencyCode, toDecimalString } from '../../../platform/money/money';
import { providersFor } from '../donations/payment-provider';
import type { GivingContext } from '../giving.context';
import { GIVING_ACTIONS } from '../giving.policy';
import type { RecurringStatus } from '../giving.schema';
import type { presentRun } from '../import/gift-import.service';
import { listGifts } from '../ledger/gift.service';
import type { getPledge, listPledges } from '../pledges/pledge.service';
import { listRecurringGifts } from '../recurring/recurring.service';
import type { DescribedGift, listAllocations, listBatches } from './giving-console.service';

/*
 * CSV exports of the staff console's giving lists (`?format=csv` on each list's own route, with that
 * route's permission). Amounts are decimal strings in the currency's minor-unit precision beside a
 * currency column (KRW has no decimals), dates are ISO 8601, and a rescue case appears by its code only.
 * Lists of donors (gifts, monthly gifts, pledges) are audited when exported, by list and filters, never
 * their contents. Card numbers never reach our servers, so none can appear here.
 */

/** The audit action of a donor-level export (who took which list, and when). */
export const GIVING_EXPORT_AUDIT_ACTION = 'giving.export_donors';
/** Rows per page when an export walks a whole list. */
export const EXPORT_PAGE = 500;
/**
 * The most rows an export of a list the screen shows in full (batches, units given, import runs) takes:
 * far beyond what an organisation has, yet a bound.
 */
export const EXPORT_LIMIT = 10_000;

const decimal = (amountMinor: number | null | undefined, currency: string) =>
  amountMinor === null || amountMinor === undefined
    ? null
    : toDecimalString(amountMinor, currency as CurrencyCode);

/** The caller's giving context on a transaction, once their session is known. */
async function exporter(ctx: AppContext, request: FastifyRequest) {
  const caller = await staffCaller(ctx)(request);
  return (db: Db): GivingContext => ({ ...caller, db });
}

/**
 * Checks the list's own permission and a fresh step-up (a file of donors leaves with whoever holds it),
 * then records that this caller exported the list (by name and
 * filters: ids and codes only, never a searched name): before the first byte, so a refused export answers
 * the list's own 403 and writes nothing, and a file that left is always on record.
 */
export async function auditDonorExport(gc: GivingContext, action: string, list: string): Promise<void> {
  if (!authorize(gc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
  requireExportStepUp(gc.subject);
  await appendAudit(gc.db, {
    actorId: gc.subject.userId,
    actorRole: gc.subject.role,
    action: GIVING_EXPORT_AUDIT_ACTION,
    resourceType: 'giving_export',
    resourceCode: list,
    outcome: 'succeeded',
    requestId: gc.requestId,
  });
}

/** `gifts:status.settled:supporter.<id>`: the list and its filters, as an audit code. */
function listCode(list: string, filters: Record<string, string | undefined>): string {
  return [list, ...Object.entries(filters).flatMap(([k, v]) => (v ? [`${k}.${v}`] : []))].join(':');
}

// ── gifts ────────────────────────────────────────────────────────────────────────────────────────────

/** A gift as the gift list shows it: the date, who gave, the amount with a covered fee, fund, campaign. */
export const GIFT_COLUMNS: CsvColumn<DescribedGift>[] = [
  { header: 'gift_id', value: (g) => g.id },
  { header: 'date', value: (g) => g.receivedOn ?? g.createdAt },
  { header: 'supporter_id', value: (g) => g.supporterId },
  { header: 'supporter_name', value: (g) => g.supporterName },
  'currency',
  { header: 'amount', value: (g) => decimal(g.amountMinor + g.feeMinor, g.currency) },
  { header: 'fee_covered', value: (g) => decimal(g.feeMinor, g.currency) },
  { header: 'refunded', value: (g) => decimal(g.refundedMinor, g.currency) },
  { header: 'fund_code', value: (g) => g.fundCode },
  { header: 'fund_name', value: (g) => g.fundName },
  { header: 'campaign_code', value: (g) => g.campaignCode },
  { header: 'campaign_name', value: (g) => g.campaignName },
  'method',
  'source',
  'status',
  { header: 'settled_at', value: (g) => g.settledAt },
  { header: 'batch_id', value: (g) => g.batchId },
  'anonymous',
];

/**
 * `GET /api/giving/gifts?format=csv`: every gift the filters match, newest first, read 500 at a time
 * while the file is written (each page in its own short transaction, so a long export never holds one
 * open), not capped at the screen's 200.
 */
export function answerGiftsCsv(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  filters: { supporterId?: string | undefined; status?: string | undefined },
) {
  const where = {
    ...(filters.supporterId ? { supporterId: filters.supporterId } : {}),
    ...(filters.status ? { status: filters.status } : {}),
  };
  return staffCsv(ctx)<DescribedGift>(request, reply, {
    name: 'gifts',
    columns: GIFT_COLUMNS,
    audit: (gc) =>
      auditDonorExport(
        gc,
        GIVING_ACTIONS.read,
        listCode('gifts', { status: filters.status, supporter: filters.supporterId }),
      ),
    page: async (gc, after) =>
      (await listGifts(gc, { ...where, limit: EXPORT_PAGE, ...(after ? { afterId: after.id } : {}) })).gifts,
    pageSize: EXPORT_PAGE,
  });
}

/** `GET /api/giving/batches/:id?format=csv`: one batch's gifts (audited: they name donors). */
export async function answerBatchGiftsCsv(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  read: (gc: GivingContext) => Promise<{ batch: { id: string }; gifts: DescribedGift[] }>,
) {
  const as = await exporter(ctx, request);
  const { gifts } = await ctx.database.db.transaction(async (tx) => {
    const batch = await read(as(tx));
    await auditDonorExport(as(tx), GIVING_ACTIONS.read, listCode('batch_gifts', { batch: batch.batch.id }));
    return batch;
  });
  return sendCsv(reply, csvFileName('batch-gifts'), gifts, GIFT_COLUMNS);
}

// ── monthly gifts ────────────────────────────────────────────────────────────────────────────────────

type RecurringLine = Awaited<ReturnType<typeof listRecurringGifts>>['recurringGifts'][number];

const RECURRING_COLUMNS: CsvColumn<RecurringLine>[] = [
  { header: 'monthly_gift_id', value: (r) => r.id },
  { header: 'supporter_id', value: (r) => r.supporterId },
  { header: 'supporter_name', value: (r) => r.supporterName },
  'currency',
  { header: 'amount_per_month', value: (r) => decimal(r.amountMinor + r.feeMinor, r.currency) },
  { header: 'fee_covered', value: (r) => decimal(r.feeMinor, r.currency) },
  { header: 'fund_name', value: (r) => r.fundName },
  { header: 'campaign_code', value: (r) => r.campaignCode },
  { header: 'campaign_name', value: (r) => r.campaignName },
  'status',
  { header: 'day_of_month', value: (r) => r.dayOfMonth },
  { header: 'next_charge_at', value: (r) => r.nextChargeAt },
  { header: 'failed_attempts', value: (r) => r.failedAttempts },
  { header: 'paused_at', value: (r) => r.pausedAt },
  { header: 'cancelled_at', value: (r) => r.cancelledAt },
  'provider',
  { header: 'created_at', value: (r) => r.createdAt },
];

/** `GET /api/giving/recurring?format=csv`: every monthly gift the filters match, newest first, in pages. */
export async function answerRecurringCsv(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  filters: { supporterId?: string | undefined; status?: RecurringStatus | undefined },
) {
  const as = await exporter(ctx, request);
  const db = ctx.database.db;
  await db.transaction((tx) =>
    auditDonorExport(
      as(tx),
      GIVING_ACTIONS.read,
      listCode('monthly_gifts', { status: filters.status, supporter: filters.supporterId }),
    ),
  );
  const rows = inPages<RecurringLine>(
    async (after) =>
      (
        await db.transaction((tx) =>
          listRecurringGifts(
            { ...as(tx), providers: providersFor(ctx) },
            { ...filters, limit: EXPORT_PAGE, afterId: after?.id },
          ),
        )
      ).recurringGifts,
    EXPORT_PAGE,
  );
  return sendCsv(reply, csvFileName('monthly-gifts'), rows, RECURRING_COLUMNS);
}

// ── pledges ──────────────────────────────────────────────────────────────────────────────────────────

type PledgeLine = Awaited<ReturnType<typeof listPledges>>['pledges'][number];

const PLEDGE_COLUMNS: CsvColumn<PledgeLine>[] = [
  { header: 'pledge_id', value: (p) => p.id },
  'name',
  'kind',
  'status',
  { header: 'sponsor_id', value: (p) => p.sponsor.id },
  { header: 'sponsor_name', value: (p) => p.sponsor.name },
  'currency',
  { header: 'raised', value: (p) => decimal(p.raisedMinor, p.currency) },
  { header: 'invoiced', value: (p) => decimal(p.invoicedMinor, p.currency) },
  { header: 'paid', value: (p) => decimal(p.paidMinor, p.currency) },
  { header: 'due', value: (p) => decimal(p.dueMinor, p.currency) },
  { header: 'cap', value: (p) => decimal(p.capMinor, p.currency) },
  { header: 'cap_reached', value: (p) => p.capReached },
  { header: 'rate', value: (p) => decimal(p.rateMinor, p.currency) },
  { header: 'per_units', value: (p) => p.perUnits },
  'metric',
  { header: 'match_ratio', value: (p) => p.matchRatio },
  { header: 'fund_code', value: (p) => p.fund?.code },
  { header: 'campaign_code', value: (p) => p.campaign?.code },
  { header: 'starts_at', value: (p) => p.startsAt },
  { header: 'ends_at', value: (p) => p.endsAt },
];

/** `GET /api/giving/pledges?format=csv` (sponsors are donors: audited). */
export async function answerPledgesCsv(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  read: (gc: GivingContext) => ReturnType<typeof listPledges>,
  readAction: string,
) {
  const as = await exporter(ctx, request);
  const { pledges } = await ctx.database.db.transaction(async (tx) => {
    const list = await read(as(tx));
    await auditDonorExport(as(tx), readAction, 'pledges');
    return list;
  });
  return sendCsv(reply, csvFileName('pledges'), pledges, PLEDGE_COLUMNS);
}

type InvoiceLine = Awaited<ReturnType<typeof getPledge>>['invoices'][number];

const INVOICE_COLUMNS: CsvColumn<InvoiceLine>[] = [
  'number',
  { header: 'period_start', value: (i) => i.periodStart },
  { header: 'period_end', value: (i) => i.periodEnd },
  'currency',
  { header: 'amount', value: (i) => decimal(i.amountMinor, i.currency) },
  'status',
  { header: 'gift_id', value: (i) => i.giftId },
  'emailed',
  { header: 'issued_at', value: (i) => i.issuedAt },
];

/** `GET /api/giving/pledges/:id?format=csv`: the pledge's invoices (audited: one sponsor's). */
export async function answerPledgeInvoicesCsv(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  read: (gc: GivingContext) => ReturnType<typeof getPledge>,
  readAction: string,
) {
  const as = await exporter(ctx, request);
  const { pledge, invoices } = await ctx.database.db.transaction(async (tx) => {
    const one = await read(as(tx));
    await auditDonorExport(as(tx), readAction, listCode('pledge_invoices', { pledge: one.pledge.id }));
    return one;
  });
  return sendCsv(reply, csvFileName(`pledge-invoices-${pledge.id.slice(0, 8)}`), invoices, INVOICE_COLUMNS);
}

// ── lists without donors: batches, campaigns, funds, units given, import runs ──────────────────────────

type BatchLine = Awaited<ReturnType<typeof listBatches>>['batches'][number];

export function sendBatchesCsv(reply: FastifyReply, batches: BatchLine[]) {
  return sendCsv(reply, csvFileName('batches'), batches, [
    { header: 'batch_id', value: (b) => b.id },
    'name',
    'status',
    'currency',
    'gifts',
    { header: 'entered', value: (b) => decimal(b.enteredMinor, b.currency) },
    { header: 'control_total', value: (b) => decimal(b.controlTotalMinor, b.currency) },
    { header: 'difference', value: (b) => decimal(b.controlTotalMinor - b.enteredMinor, b.currency) },
    { header: 'opened_at', value: (b) => b.createdAt },
    { header: 'posted_at', value: (b) => b.postedAt },
  ]);
}

interface CampaignLine {
  code: string;
  name: string;
  goalKind: 'money' | 'units';
  currency: string;
  raisedMinor: number;
  goalMinor: number | null;
  goalUnits: number | null;
  unitMinor: number | null;
  unitsFunded: number | null;
  otherCurrencies: { currency: string; raisedMinor: number }[];
  startsAt: string;
  endsAt: string | null;
}

/**
 * Campaigns with progress: one line per campaign in its own currency, then one per other currency it
 * was given in (never converted), marked by `row`.
 */
export function sendCampaignsCsv(reply: FastifyReply, campaigns: CampaignLine[]) {
  type Line = CampaignLine & { row: 'campaign' | 'other_currency' };
  const lines: Line[] = campaigns.flatMap((c) => [
    { ...c, row: 'campaign' as const },
    ...c.otherCurrencies.map((o) => ({
      ...c,
      row: 'other_currency' as const,
      currency: o.currency,
      raisedMinor: o.raisedMinor,
      goalMinor: null,
      goalUnits: null,
      unitMinor: null,
      unitsFunded: null,
    })),
  ]);
  return sendCsv<Line>(reply, csvFileName('campaigns'), lines, [
    'code',
    'name',
    'row',
    { header: 'goal_kind', value: (c) => c.goalKind },
    'currency',
    { header: 'raised', value: (c) => decimal(c.raisedMinor, c.currency) },
    { header: 'goal', value: (c) => decimal(c.goalMinor, c.currency) },
    { header: 'goal_units', value: (c) => c.goalUnits },
    { header: 'unit_amount', value: (c) => decimal(c.unitMinor, c.currency) },
    { header: 'units_funded', value: (c) => c.unitsFunded },
    { header: 'starts_at', value: (c) => c.startsAt },
    { header: 'ends_at', value: (c) => c.endsAt },
  ]);
}

interface FundLine {
  code: string;
  name: string;
  restricted: boolean;
  balances: { currency: string; balanceMinor: number }[];
}

/** Funds with balances: one line per fund and currency (a fund with no money yet: one line, no currency). */
export function sendFundsCsv(reply: FastifyReply, funds: FundLine[]) {
  interface Line {
    code: string;
    name: string;
    restricted: boolean;
    currency: string | null;
    balanceMinor: number | null;
  }
  const lines: Line[] = funds.flatMap((f): Line[] =>
    f.balances.length
      ? f.balances.map((b) => ({ ...f, currency: b.currency, balanceMinor: b.balanceMinor }))
      : [{ ...f, currency: null, balanceMinor: null }],
  );
  return sendCsv<Line>(reply, csvFileName('funds'), lines, [
    'code',
    'name',
    'restricted',
    'currency',
    { header: 'balance', value: (f) => (f.currency ? decimal(f.balanceMinor, f.currency) : null) },
  ]);
}

type AllocationList = Awaited<ReturnType<typeof listAllocations>>;

/** Units given to rescue cases: the case's code and nothing else about it (SECURITY.md rule 10). */
export function sendAllocationsCsv(reply: FastifyReply, list: AllocationList) {
  return sendCsv(reply, csvFileName('units-given'), list.allocations, [
    { header: 'case_code', value: (a) => a.caseCode },
    'units',
    { header: 'unit_amount', value: () => decimal(list.unitMinor, list.currency) },
    { header: 'currency', value: () => list.currency },
    { header: 'campaign_code', value: (a) => a.campaignCode },
    { header: 'campaign_name', value: (a) => a.campaignName },
    { header: 'given_at', value: (a) => a.createdAt },
  ]);
}

type ImportRunLine = ReturnType<typeof presentRun>;

export function sendImportRunsCsv(reply: FastifyReply, runs: ImportRunLine[]) {
  return sendCsv(reply, csvFileName('import-runs'), runs, [
    { header: 'run_id', value: (r) => r.id },
    { header: 'file_name', value: (r) => r.fileName },
    'layout',
    'status',
    { header: 'total_rows', value: (r) => r.totalRows },
    { header: 'good_rows', value: (r) => r.goodRows },
    { header: 'bad_rows', value: (r) => r.badRows },
    { header: 'skip_bad_rows', value: (r) => r.skipBadRows },
    { header: 'gifts_created', value: (r) => r.giftsCreated },
    { header: 'supporters_created', value: (r) => r.supportersCreated },
    'failure',
    { header: 'created_at', value: (r) => r.createdAt },
    { header: 'finished_at', value: (r) => r.finishedAt },
  ]);
}
