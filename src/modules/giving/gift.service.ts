import crypto from 'node:crypto';
import { and, asc, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import { authorize, type Subject } from '../../platform/access/policy';
import { appendAudit } from '../../platform/audit/audit.service';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import type { Mailer } from '../../platform/mail/mailer';
import { findSupporterByEmail, getSupporterContact, insertConsent, insertSupporter } from '../people';
import { allocateFunding } from '../rescues';
import { allocationCampaignId } from './allocations/donor-updates';
import { describeGifts, describeSoftCredits } from './console/giving-console.service';
import type { PaymentProvider, ProviderEvent } from './donations/payment-provider';
import { GIVING_ACTIONS } from './giving.policy';
import {
  type BatchGiftInput,
  type CampaignInput,
  DEFAULT_UNIT_MINOR,
  type DonationInput,
  type FundInput,
} from './giving.schema';
import {
  campaigns,
  fundBalances,
  funds,
  giftBatches,
  gifts,
  ledgerEntries,
  providerEvents,
  receipts,
  softCredits,
  unitAllocations,
} from './giving.table';
import {
  correctionParts,
  giftSplitsOf,
  recordGiftSplits,
  refundParts,
  settlementParts,
  splitFundNames,
  splitProblems,
} from './ledger/gift-splits';
import { coveredFee, type GivingCurrency } from './money';
import { type ReceiptFacts, receiptText } from './receipts/receipt';
import { donorAddressLine } from './receipts/receipt-kr';
import { receiptPdf } from './receipts/receipt-pdf';
import {
  endUnstartedRecurringGift,
  giftForProcessorCharge,
  openRecurringGift,
  recordPaymentMethod,
  recurringChargeFailed,
  recurringChargeSettled,
  recurringEndedByProcessor,
} from './recurring/recurring-charge';

export interface GivingContext {
  db: Db;
  subject: Subject;
  requestId: string | null;
  mail: Mailer;
}

export type GiftRow = typeof gifts.$inferSelect;

function allow(gc: GivingContext, action: string): void {
  if (!authorize(gc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
}

async function audit(gc: GivingContext, action: string, type: string, code: string): Promise<void> {
  await appendAudit(gc.db, {
    actorId: gc.subject.userId,
    actorRole: gc.subject.role,
    action,
    resourceType: type,
    resourceCode: code,
    outcome: 'succeeded',
    requestId: gc.requestId,
  });
}

const total = (g: Pick<GiftRow, 'amountMinor' | 'feeMinor'>) => g.amountMinor + g.feeMinor;
const rowsOf = <T>(result: unknown): T[] => (result as { rows: T[] }).rows;

// ── funds and campaigns ─────────────────────────────────────────────────────────────────────────────

export async function fundByCode(db: Db, code: string) {
  const [row] = await db.select().from(funds).where(eq(funds.code, code));
  if (!row) throw AppError.invalid(`fund: no fund with the code ${code}`);
  return row;
}

export async function campaignByCode(db: Db, code: string) {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.code, code));
  if (!row) throw AppError.notFound(`No campaign with the code ${code}.`);
  return row;
}

/** Inserts a fund without an access check (the seeder). */
export async function insertFund(db: Db, input: FundInput) {
  const [existing] = await db.select({ id: funds.id }).from(funds).where(eq(funds.code, input.code));
  if (existing) throw AppError.conflict(`A fund with the code ${input.code} exists.`);
  const [row] = await db
    .insert(funds)
    .values({
      id: crypto.randomUUID(),
      code: input.code,
      name: input.name,
      restricted: input.restricted,
      description: input.description ?? null,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function createFund(gc: GivingContext, input: FundInput) {
  allow(gc, GIVING_ACTIONS.manage);
  const row = await insertFund(gc.db, input);
  await audit(gc, 'fund.create', 'fund', row.code);
  return row;
}

export async function listFunds(gc: GivingContext) {
  allow(gc, GIVING_ACTIONS.read);
  const rows = await gc.db.select().from(funds).orderBy(asc(funds.code));
  const balances = await gc.db.select().from(fundBalances);
  return {
    funds: rows.map((f) => ({
      ...f,
      balances: balances
        .filter((b) => b.fundId === f.id)
        .map((b) => ({ currency: b.currency, balanceMinor: b.balanceMinor })),
    })),
  };
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

// ── the ledger ──────────────────────────────────────────────────────────────────────────────────────

async function post(
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
async function settleLocked(tx: Db, mail: Mailer | null, gift: GiftRow, by: string | null, now = new Date()) {
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
async function refundLockedTo(tx: Db, gift: GiftRow, refundedTotal: number, by: string | null) {
  const target = Math.min(refundedTotal, total(gift));
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
      status: target === total(gift) ? 'refunded' : 'settled',
      updatedAt: new Date(),
    })
    .where(eq(gifts.id, gift.id));
  return delta;
}

async function lockGift(tx: Db, id: string): Promise<GiftRow | undefined> {
  const [row] = await tx.select().from(gifts).where(eq(gifts.id, id)).for('update');
  return row;
}

// ── receipts ────────────────────────────────────────────────────────────────────────────────────────

async function receiptFacts(db: Db, gift: GiftRow, number: string, issuedOn?: Date) {
  const donor = await getSupporterContact(db, gift.supporterId);
  const [fund] = await db.select({ name: funds.name }).from(funds).where(eq(funds.id, gift.fundId));
  const facts: ReceiptFacts = {
    number,
    donorName: donor?.displayName ?? 'friend',
    amountMinor: total(gift),
    currency: gift.currency as GivingCurrency,
    fairMarketValueMinor: gift.fairMarketValueMinor,
    fundName: (await splitFundNames(db, gift.id)) ?? fund?.name ?? 'our work',
    receivedOn: gift.receivedOn ?? gift.settledAt ?? new Date(),
    tribute: gift.tributeKind && gift.tributeName ? { kind: gift.tributeKind, name: gift.tributeName } : null,
    method: gift.method,
    // The Korean donation receipt prints the donor's address.
    ...(gift.currency === 'KRW' ? { donorAddress: await donorAddressLine(db, gift.supporterId) } : {}),
    ...(issuedOn ? { issuedOn } : {}),
  };
  return { facts, email: donor?.email ?? null };
}

/** A receipt's printed number: the settlement's year and the gift id's first eight digits (the import uses it too). */
export function receiptNumber(gift: Pick<GiftRow, 'id' | 'settledAt'>): string {
  return `R-${(gift.settledAt ?? new Date()).getUTCFullYear()}-${gift.id.slice(0, 8).toUpperCase()}`;
}

async function issueReceipt(tx: Db, mail: Mailer | null, gift: GiftRow) {
  const number = receiptNumber(gift);
  const { facts, email } = await receiptFacts(tx, gift, number);
  const outboxId = email && mail ? await mail.enqueue(tx, { to: email, ...receiptText(facts) }) : null;
  await tx
    .insert(receipts)
    .values({
      id: crypto.randomUUID(),
      giftId: gift.id,
      number,
      amountMinor: total(gift),
      currency: gift.currency,
      outboxId,
    })
    .onConflictDoNothing();
}

/** The PDF of a gift's receipt, for staff to print or send (only a settled gift has one). */
export async function receiptPdfForGift(gc: GivingContext, giftId: string) {
  allow(gc, GIVING_ACTIONS.read);
  const [gift] = await gc.db.select().from(gifts).where(eq(gifts.id, giftId));
  const [receipt] = gift ? await gc.db.select().from(receipts).where(eq(receipts.giftId, giftId)) : [];
  if (!gift || !receipt) throw AppError.notFound('No receipt for this gift.');
  const { facts } = await receiptFacts(gc.db, gift, receipt.number, receipt.issuedAt);
  return { number: receipt.number, pdf: await receiptPdf(facts) };
}

/**
 * The PDF of a supporter's own receipt, for the donor portal: the gift must be theirs (otherwise, as for a
 * gift without a receipt, 404: a donor cannot tell someone else's gift exists). No staff access check.
 */
export async function receiptPdfForSupporter(db: Db, supporterId: string, giftId: string) {
  const [gift] = await db
    .select()
    .from(gifts)
    .where(and(eq(gifts.id, giftId), eq(gifts.supporterId, supporterId)));
  const [receipt] = gift ? await db.select().from(receipts).where(eq(receipts.giftId, giftId)) : [];
  if (!gift || !receipt) throw AppError.notFound('No receipt for this gift.');
  const { facts } = await receiptFacts(db, gift, receipt.number, receipt.issuedAt);
  return { number: receipt.number, pdf: await receiptPdf(facts) };
}

// ── online gifts: donations and processor events ────────────────────────────────────────────────────

// "Cover the fees" lives in ./money (browser safe: the donate page shows the exact amount it adds).
export { coveredFee, PROCESSOR_RATE } from './money';

export async function startDonation(
  db: Db,
  mail: Mailer,
  provider: PaymentProvider,
  input: DonationInput,
  publicUrl: string,
) {
  const gift = await db.transaction(async (tx) => {
    const campaign = input.campaign ? await campaignByCode(tx, input.campaign) : null;
    const now = new Date();
    if (campaign && (campaign.startsAt > now || (campaign.endsAt && campaign.endsAt <= now)))
      throw AppError.invalid('campaign: is not open for gifts now');
    const fund = input.fund
      ? await fundByCode(tx, input.fund)
      : campaign
        ? (await tx.select().from(funds).where(eq(funds.id, campaign.fundId)))[0]
        : await fundByCode(tx, 'most-needed');
    if (!fund) throw AppError.invalid('fund: no fund to give to');
    let donor = await findSupporterByEmail(tx, input.donor.email);
    donor ??= await insertSupporter(
      tx,
      {
        kind: 'individual',
        firstName: input.donor.firstName,
        lastName: input.donor.lastName,
        email: input.donor.email,
        postcode: input.donor.postcode,
      },
      null,
    );
    if (input.donor.emailConsent)
      await insertConsent(tx, donor.id, { channel: 'email', granted: true, method: 'donate_form' }, null);
    const feeMinor = input.coverFees ? coveredFee(input.amountMinor, input.currency) : 0;
    // A monthly gift: its schedule (recurring-charge.ts), of which this gift is the first charge.
    const monthly =
      input.frequency === 'monthly'
        ? await openRecurringGift(tx, {
            supporterId: donor.id,
            amountMinor: input.amountMinor,
            feeMinor,
            currency: input.currency,
            fundId: fund.id,
            campaignId: campaign?.id ?? null,
            provider: provider.name,
            tributeKind: input.tribute?.kind ?? null,
            tributeName: input.tribute?.name ?? null,
            anonymous: input.anonymous,
          })
        : null;
    const [row] = await tx
      .insert(gifts)
      .values({
        id: crypto.randomUUID(),
        supporterId: donor.id,
        amountMinor: input.amountMinor,
        feeMinor,
        recurringGiftId: monthly?.id ?? null,
        currency: input.currency,
        fundId: fund.id,
        campaignId: campaign?.id ?? null,
        status: 'pending',
        source: 'online',
        method: 'card',
        provider: provider.name,
        tributeKind: input.tribute?.kind ?? null,
        tributeName: input.tribute?.name ?? null,
        anonymous: input.anonymous,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    if (input.splits) await recordGiftSplits(tx, row, input.splits, input.fund);
    if (input.softCredit)
      await tx.insert(softCredits).values({
        id: crypto.randomUUID(),
        giftId: row.id,
        creditKind: input.softCredit.kind,
        creditRef: input.softCredit.ref,
      });
    return { row, fundName: fund.name };
  });
  let checkout: Awaited<ReturnType<PaymentProvider['createCheckout']>>;
  try {
    checkout = await provider.createCheckout({
      giftId: gift.row.id,
      amountMinor: total(gift.row),
      currency: gift.row.currency,
      description: `Gift to ${gift.fundName}`,
      donorEmail: input.donor.email,
      successUrl: `${publicUrl}/give/thank-you?gift=${gift.row.id}`,
      cancelUrl: `${publicUrl}/give?cancelled=1`,
      testCard: input.testCard,
      monthly: gift.row.recurringGiftId ? { recurringGiftId: gift.row.recurringGiftId } : undefined,
    });
  } catch (error) {
    await db.update(gifts).set({ status: 'failed', updatedAt: new Date() }).where(eq(gifts.id, gift.row.id));
    if (gift.row.recurringGiftId) await endUnstartedRecurringGift(db, gift.row.recurringGiftId);
    throw error;
  }
  await db.update(gifts).set({ providerRef: checkout.providerRef }).where(eq(gifts.id, gift.row.id));
  if (checkout.kind === 'redirect')
    return { giftId: gift.row.id, status: 'pending' as const, checkoutUrl: checkout.url };
  if (gift.row.recurringGiftId && checkout.paymentMethodRef)
    await recordPaymentMethod(db, gift.row.recurringGiftId, checkout.paymentMethodRef);
  // The sandbox processor "sends" its signed event; it goes through the same verification as any webhook.
  await receiveWebhook(db, mail, provider, checkout.webhook.body, checkout.webhook.headers, publicUrl);
  const [after] = await db.select({ status: gifts.status }).from(gifts).where(eq(gifts.id, gift.row.id));
  return {
    giftId: gift.row.id,
    status: (after?.status ?? 'pending') as 'pending' | 'settled' | 'failed',
    checkoutUrl: null,
  };
}

/** Verifies a processor's webhook (throws SignatureError) and applies its event once. */
export async function receiveWebhook(
  db: Db,
  mail: Mailer,
  provider: PaymentProvider,
  rawBody: string,
  headers: Record<string, string | string[] | undefined>,
  /** For the links in a monthly gift's dunning emails (the donor portal). */
  publicUrl: string | null = null,
) {
  const verified = provider.verify(rawBody, headers);
  // What the payload left out (a Stripe invoice's PaymentIntent), asked of the processor before applying.
  const event = provider.completeEvent ? await provider.completeEvent(verified) : verified;
  return applyProviderEvent(db, mail, provider.name, event, publicUrl);
}

export type EventOutcome =
  | 'duplicate'
  | 'settled'
  | 'failed'
  | 'refunded'
  | 'deferred'
  | 'ignored'
  /** A processor ended a monthly gift's subscription. */
  | 'ended';

/**
 * Applies a verified event exactly once (a unique index on provider + event id), with the gift row locked:
 * a settlement of a settled gift changes nothing; a refund that arrives before its settlement is kept as
 * `deferred` and applied by the settlement; refunds carry the cumulative refunded amount, so their order
 * does not matter either.
 */
export async function applyProviderEvent(
  db: Db,
  mail: Mailer,
  provider: string,
  event: ProviderEvent,
  publicUrl: string | null = null,
): Promise<{ outcome: EventOutcome }> {
  const outcome = await db.transaction(async (tx): Promise<EventOutcome> => {
    let giftId = event.giftId;
    const paymentRef = event.paymentRef ?? null;
    // Events naming one payment take turns: a refund that names only the payment and its settlement arriving
    // together must not miss each other (the refund deferred after the settlement looked for deferred ones).
    if (paymentRef)
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${provider}:${paymentRef}`}))`);
    if (!giftId && paymentRef) {
      // A refund may name only the processor's payment: its settlement recorded which gift that was.
      const [settledEvent] = await tx
        .select({ giftId: providerEvents.giftId })
        .from(providerEvents)
        .where(
          and(
            eq(providerEvents.provider, provider),
            eq(providerEvents.paymentRef, paymentRef),
            eq(providerEvents.kind, 'settled'),
          ),
        )
        .limit(1);
      giftId = settledEvent?.giftId ?? null;
    }
    // A monthly charge the processor made by itself has no gift yet: one per charge (recurring-charge.ts).
    if (!giftId && event.charge) giftId = await giftForProcessorCharge(tx, provider, event);
    const [recorded] = await tx
      .insert(providerEvents)
      .values({
        id: crypto.randomUUID(),
        provider,
        eventId: event.id,
        giftId,
        paymentRef,
        kind: event.kind,
        amountMinor: event.amountMinor,
        // Applied unless marked otherwise below: the usual outcome costs no second statement.
        state: 'applied',
        appliedAt: new Date(),
      })
      .onConflictDoNothing({ target: [providerEvents.provider, providerEvents.eventId] })
      .returning({ id: providerEvents.id });
    if (!recorded) return 'duplicate';
    const mark = (state: 'applied' | 'deferred' | 'ignored') =>
      tx
        .update(providerEvents)
        .set({ state, appliedAt: state === 'applied' ? new Date() : null })
        .where(eq(providerEvents.id, recorded.id));
    if (!giftId && paymentRef && event.kind === 'refunded') {
      // Its settlement has not arrived yet: kept until it does.
      await mark('deferred');
      return 'deferred';
    }
    if (event.kind === 'ended') {
      const ended = await recurringEndedByProcessor(tx, mail, provider, event, publicUrl);
      await mark(ended ? 'applied' : 'ignored');
      return ended ? 'ended' : 'ignored';
    }
    const gift = giftId && event.kind !== 'ignored' ? await lockGift(tx, giftId) : undefined;
    if (!gift || gift.provider !== provider) {
      await mark('ignored');
      return 'ignored';
    }
    if (event.kind === 'settled') {
      if (gift.status !== 'pending' && gift.status !== 'failed') {
        await mark('ignored');
        return 'ignored';
      }
      if (event.amountMinor !== null && event.amountMinor !== total(gift)) {
        // The processor charged something else than the gift: leave it for a person to look at.
        await mark('ignored');
        return 'ignored';
      }
      // Everything but the settlement itself first, so the fund balance's lock is held only to the commit.
      if (gift.recurringGiftId) await recurringChargeSettled(tx, gift.recurringGiftId, event);
      const deferred = await tx
        .select()
        .from(providerEvents)
        .where(
          and(
            eq(providerEvents.provider, provider),
            eq(providerEvents.state, 'deferred'),
            paymentRef
              ? or(eq(providerEvents.giftId, gift.id), eq(providerEvents.paymentRef, paymentRef))
              : eq(providerEvents.giftId, gift.id),
          ),
        );
      await settleLocked(tx, mail, gift, null);
      const refundedTotal = Math.max(0, ...deferred.map((d) => d.amountMinor ?? 0));
      if (deferred.length) {
        const settled = await lockGift(tx, gift.id);
        if (settled) await refundLockedTo(tx, settled, refundedTotal, null);
        await tx
          .update(providerEvents)
          .set({ state: 'applied', appliedAt: new Date() })
          .where(
            inArray(
              providerEvents.id,
              deferred.map((d) => d.id),
            ),
          );
      }
      return 'settled';
    }
    if (event.kind === 'failed') {
      if (gift.status !== 'pending') {
        // A processor's own retry of a failed monthly charge failed again: the donor hears of each try.
        if (gift.status === 'failed' && gift.recurringGiftId)
          await recurringChargeFailed(tx, mail, gift.recurringGiftId, provider, event, publicUrl);
        await mark('ignored');
        return 'ignored';
      }
      await tx.update(gifts).set({ status: 'failed', updatedAt: new Date() }).where(eq(gifts.id, gift.id));
      if (gift.recurringGiftId)
        await recurringChargeFailed(tx, mail, gift.recurringGiftId, provider, event, publicUrl);
      return 'failed';
    }
    // refunded
    if (gift.status === 'pending' || gift.status === 'failed') {
      await mark('deferred');
      return 'deferred';
    }
    await refundLockedTo(tx, gift, event.amountMinor ?? total(gift), null);
    return 'refunded';
  });
  mail.deliverSoon();
  return { outcome };
}

// ── staff: gifts, refunds, corrections ──────────────────────────────────────────────────────────────

export async function listGifts(
  gc: GivingContext,
  query: { supporterId?: string; status?: string; limit: number; afterId?: string },
) {
  allow(gc, GIVING_ACTIONS.read);
  const where: SQL[] = [];
  if (query.supporterId) where.push(eq(gifts.supporterId, query.supporterId));
  if (query.status) where.push(eq(gifts.status, query.status));
  // The page after a gift (a CSV export reads every page): compared with the stored time itself, since a
  // JavaScript date would cut its microseconds off and skip or repeat gifts of the same millisecond.
  if (query.afterId)
    where.push(
      sql`(${gifts.createdAt}, ${gifts.id}) < (select g.created_at, g.id from gifts g where g.id = ${query.afterId})`,
    );
  const rows = await gc.db
    .select()
    .from(gifts)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(gifts.createdAt), desc(gifts.id))
    .limit(query.limit);
  return { gifts: await describeGifts(gc.db, rows) };
}

export async function getGift(gc: GivingContext, id: string) {
  allow(gc, GIVING_ACTIONS.read);
  const [gift] = await gc.db.select().from(gifts).where(eq(gifts.id, id));
  if (!gift) throw AppError.notFound('No gift with this id.');
  // One after another: the transaction's queries share its connection (pg 9 refuses overlapping ones).
  const entries = await gc.db
    .select()
    .from(ledgerEntries)
    .where(eq(ledgerEntries.giftId, id))
    .orderBy(asc(ledgerEntries.createdAt));
  const receipt = await gc.db.select().from(receipts).where(eq(receipts.giftId, id));
  const credits = await gc.db.select().from(softCredits).where(eq(softCredits.giftId, id));
  const [described] = await describeGifts(gc.db, [gift]);
  return {
    gift: described ?? gift,
    entries,
    receipt: receipt[0] ?? null,
    softCredits: await describeSoftCredits(gc.db, credits),
    splits: await giftSplitsOf(gc.db, id),
  };
}

/**
 * Refunds an offline gift (all of what remains, or part) with a new opposite entry. An online gift is
 * refunded at the processor, whose verified event writes the entry: two paths would refund twice.
 */
export async function refundGift(gc: GivingContext, id: string, amountMinor?: number) {
  allow(gc, GIVING_ACTIONS.refund);
  const gift = await lockGift(gc.db, id);
  if (!gift) throw AppError.notFound('No gift with this id.');
  if (gift.source !== 'offline')
    throw AppError.conflict(
      'Refund an online gift at its payment processor; the refund is recorded from its event.',
    );
  if (gift.status !== 'settled')
    throw AppError.conflict(`Only a settled gift can be refunded (this one is ${gift.status}).`);
  const remaining = total(gift) - gift.refundedMinor;
  const amount = amountMinor ?? remaining;
  if (amount > remaining)
    throw AppError.invalid(`amountMinor: must be at most ${remaining}, what remains of the gift`);
  await refundLockedTo(gc.db, gift, gift.refundedMinor + amount, gc.subject.userId);
  await audit(gc, 'gift.refund', 'gift', gift.id);
  return getGift(gc, id);
}

/** Moves what remains of a settled gift to another fund: a correction group of two opposite entries. */
export async function correctGiftFund(gc: GivingContext, id: string, fundCode: string) {
  allow(gc, GIVING_ACTIONS.record);
  const gift = await lockGift(gc.db, id);
  if (!gift) throw AppError.notFound('No gift with this id.');
  if (gift.status !== 'settled')
    throw AppError.conflict(`Only a settled gift can be corrected (this one is ${gift.status}).`);
  const to = await fundByCode(gc.db, fundCode);
  // What every other fund holds of the gift moves (all of a split gift's splits): gift-splits.ts.
  const parts = await correctionParts(gc.db, gift, to.id);
  const groupId = crypto.randomUUID();
  const base = {
    groupId,
    giftId: gift.id,
    campaignId: gift.campaignId,
    kind: 'correction' as const,
    currency: gift.currency,
    createdBy: gc.subject.userId,
  };
  for (const part of parts) await post(gc.db, { ...base, ...part });
  await gc.db.update(gifts).set({ fundId: to.id, updatedAt: new Date() }).where(eq(gifts.id, gift.id));
  await audit(gc, 'gift.correct', 'gift', gift.id);
  return getGift(gc, id);
}

// ── staff: offline gifts in batches ─────────────────────────────────────────────────────────────────

export async function createBatch(
  gc: GivingContext,
  input: { name: string; currency: GivingCurrency; controlTotalMinor: number },
) {
  allow(gc, GIVING_ACTIONS.record);
  const [row] = await gc.db
    .insert(giftBatches)
    .values({ id: crypto.randomUUID(), ...input, status: 'open', createdBy: gc.subject.userId })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await audit(gc, 'gift_batch.create', 'gift_batch', row.id);
  return row;
}

async function batchOrThrow(db: Db, id: string, lock = false) {
  const q = db.select().from(giftBatches).where(eq(giftBatches.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw AppError.notFound('No batch with this id.');
  return row;
}

export async function addBatchGift(gc: GivingContext, batchId: string, input: BatchGiftInput) {
  allow(gc, GIVING_ACTIONS.record);
  const batch = await batchOrThrow(gc.db, batchId, true);
  if (batch.status !== 'open') throw AppError.conflict('This batch is posted: start a new one.');
  const donor = await getSupporterContact(gc.db, input.supporterId);
  if (!donor) throw AppError.invalid('supporterId: no supporter with this id');
  const fund = await fundByCode(gc.db, input.fund);
  const campaign = input.campaign ? await campaignByCode(gc.db, input.campaign) : null;
  const [row] = await gc.db
    .insert(gifts)
    .values({
      id: crypto.randomUUID(),
      supporterId: donor.id,
      amountMinor: input.amountMinor,
      currency: batch.currency,
      fundId: fund.id,
      campaignId: campaign?.id ?? null,
      status: 'pending',
      source: 'offline',
      method: input.method,
      batchId,
      fairMarketValueMinor: input.fairMarketValueMinor,
      receivedOn: input.receivedOn,
      createdBy: gc.subject.userId,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  // A refused split answers 400 and the route's transaction takes the gift back with it.
  if (input.splits) await recordGiftSplits(gc.db, row, input.splits, input.fund);
  for (const credit of input.softCredits)
    await gc.db
      .insert(softCredits)
      .values({ id: crypto.randomUUID(), giftId: row.id, creditKind: credit.kind, creditRef: credit.ref });
  await audit(gc, 'gift.record', 'gift', row.id);
  return row;
}

export async function getBatch(gc: GivingContext, id: string) {
  allow(gc, GIVING_ACTIONS.read);
  const batch = await batchOrThrow(gc.db, id);
  const rows = await gc.db.select().from(gifts).where(eq(gifts.batchId, id)).orderBy(asc(gifts.createdAt));
  return {
    batch,
    gifts: await describeGifts(gc.db, rows),
    enteredMinor: rows.reduce((s, g) => s + g.amountMinor, 0),
  };
}

/** Posts a batch: only when its gifts add up to the control total; then every gift settles, at once. */
export async function postBatch(gc: GivingContext, id: string) {
  allow(gc, GIVING_ACTIONS.record);
  const batch = await batchOrThrow(gc.db, id, true);
  if (batch.status !== 'open') throw AppError.conflict('This batch is already posted.');
  const rows = await gc.db.select().from(gifts).where(eq(gifts.batchId, id)).for('update');
  const entered = rows.reduce((s, g) => s + g.amountMinor, 0);
  if (rows.length === 0 || entered !== batch.controlTotalMinor)
    throw AppError.conflict(
      `The batch's gifts add up to ${entered}, not its control total of ${batch.controlTotalMinor} (minor units): it cannot be posted.`,
    );
  for (const gift of rows) await settleLocked(gc.db, gc.mail, gift, gc.subject.userId);
  await gc.db
    .update(giftBatches)
    .set({ status: 'posted', postedBy: gc.subject.userId, postedAt: new Date() })
    .where(eq(giftBatches.id, id));
  await audit(gc, 'gift_batch.post', 'gift_batch', id);
  return getBatch(gc, id);
}

/**
 * A settled offline gift in one step, without an access check: the demo seeder only (receipts are recorded
 * without mail).
 */
export async function seedSettledGift(
  db: Db,
  input: {
    supporterId: string;
    amountMinor: number;
    currency: GivingCurrency;
    fundId: string;
    campaignId: string | null;
    method: string;
    receivedOn: Date;
  },
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(gifts)
      .values({ id: crypto.randomUUID(), ...input, status: 'pending', source: 'offline' })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await settleLocked(tx, null, row, null, input.receivedOn);
    return row.id;
  });
}

/**
 * A settled offline gift in one step, for a giving command that saw the money arrive itself (a sponsor's
 * paid invoice, pledges/): its entry, the balance and a mailed receipt, as for a posted batch's gifts. No
 * access check (the caller checked its own action); runs in the caller's transaction.
 */
export async function recordSettledOfflineGift(
  db: Db,
  mail: Mailer,
  input: {
    supporterId: string;
    amountMinor: number;
    currency: GivingCurrency;
    fundId: string;
    campaignId: string | null;
    method: string;
    receivedOn: Date;
    createdBy: string;
  },
): Promise<GiftRow> {
  const [row] = await db
    .insert(gifts)
    .values({ id: crypto.randomUUID(), ...input, status: 'pending', source: 'offline' })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await settleLocked(db, mail, row, input.createdBy);
  const [settled] = await db.select().from(gifts).where(eq(gifts.id, row.id));
  return settled ?? row;
}

// ── units to rescue cases, by code ──────────────────────────────────────────────────────────────────

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

/** People's merge: a duplicate supporter's gifts and soft credits follow it to the survivor. */
export async function moveGiftsToSurvivor(db: Db, move: { fromId: string; toId: string }) {
  await db
    .update(gifts)
    .set({ supporterId: move.toId, updatedAt: new Date() })
    .where(eq(gifts.supporterId, move.fromId));
  await db
    .update(softCredits)
    .set({ creditRef: move.toId })
    .where(
      and(
        eq(softCredits.creditRef, move.fromId),
        inArray(softCredits.creditKind, ['fundraiser', 'solicitor']),
      ),
    );
}
