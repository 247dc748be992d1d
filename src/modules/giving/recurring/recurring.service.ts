import { and, asc, desc, eq, exists, inArray, lte, notInArray, type SQL, sql } from 'drizzle-orm';
import { authorize, type Subject } from '../../../platform/access/policy';
import { appendAudit } from '../../../platform/audit/audit.service';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { Logger } from '../../../platform/log/logger';
import type { Mailer } from '../../../platform/mail/mailer';
import { getSupporterContact } from '../../people';
import { type Providers, SandboxProvider } from '../donations/payment-provider';
import { receiveWebhook } from '../donations/webhook.service';
import { GIVING_ACTIONS } from '../giving.policy';
import type { RecurringStatus } from '../giving.schema';
import { campaigns, funds, gifts, recurringGifts } from '../giving.table';
import { coveredFee, type GivingCurrency } from '../money';
import { nextChargeDay } from './recurring.schedule';
import { insertChargeGift, lockRecurringGift, type RecurringGiftRow } from './recurring-charge';

/*
 * Monthly gifts: the charging job (the sandbox's charges; Stripe charges by itself), and the changes a
 * donor (from the portal) or staff make: pause, resume, cancel, change the amount. Every charge is a gift
 * of its own, settled through the same signed-event path as a one-time gift (`receiveWebhook`), so the
 * ledger, receipts and dunning all come from one place (donations/webhook.service.ts, recurring.hook.ts).
 */

// ── presenting ──────────────────────────────────────────────────────────────────────────────────────

export type RecurringChange = 'pause' | 'resume' | 'cancel';

/** Which state each change leads to, and from which states it is allowed. */
const TRANSITIONS: Record<RecurringChange, { to: RecurringStatus; from: readonly RecurringStatus[] }> = {
  pause: { to: 'paused', from: ['active'] },
  resume: { to: 'active', from: ['paused'] },
  cancel: { to: 'cancelled', from: ['active', 'paused'] },
};
const AMOUNT_CHANGEABLE: readonly RecurringStatus[] = ['active', 'paused'];

export function presentRecurringGift(row: RecurringGiftRow, fundName: string | null) {
  const status = row.status as RecurringStatus;
  return {
    id: row.id,
    status,
    amountMinor: row.amountMinor,
    feeMinor: row.feeMinor,
    currency: row.currency,
    fundName,
    provider: row.provider,
    dayOfMonth: row.dayOfMonth,
    nextChargeAt: row.nextChargeAt?.toISOString() ?? null,
    failedAttempts: row.failedAttempts,
    lastFailureAt: row.lastFailureAt?.toISOString() ?? null,
    pausedAt: row.pausedAt?.toISOString() ?? null,
    cancelledAt: row.cancelledAt?.toISOString() ?? null,
    cancelledBy: row.cancelledBy,
    createdAt: row.createdAt.toISOString(),
    // What may be done now, so the page shows only the buttons that work.
    can: {
      pause: TRANSITIONS.pause.from.includes(status),
      resume: TRANSITIONS.resume.from.includes(status),
      cancel: TRANSITIONS.cancel.from.includes(status),
      changeAmount: AMOUNT_CHANGEABLE.includes(status),
    },
  };
}
export type RecurringGiftView = ReturnType<typeof presentRecurringGift>;

async function presentMany(db: Db, rows: RecurringGiftRow[]) {
  const fundIds = [...new Set(rows.map((r) => r.fundId))];
  const names = fundIds.length
    ? await db.select({ id: funds.id, name: funds.name }).from(funds).where(inArray(funds.id, fundIds))
    : [];
  const byId = new Map(names.map((f) => [f.id, f.name]));
  return rows.map((r) => presentRecurringGift(r, byId.get(r.fundId) ?? null));
}

// ── the charging job ────────────────────────────────────────────────────────────────────────────────

export interface ChargeRun {
  charged: number;
  settled: number;
  failed: number;
  /** Schedules that could not be charged (logged; tried again on the next run). */
  skipped: number;
}

/**
 * Charges every sandbox monthly gift that is due, one schedule per transaction. The schedule row is taken
 * with `FOR UPDATE SKIP LOCKED`, so two runs at once never charge the same schedule; its charge gift's
 * processor reference is derived from the due time (unique per provider), so a due time is charged at most
 * once even if a schedule were somehow read twice. The charge's signed event is applied in the same
 * transaction: the gift, its ledger entry, its receipt and the schedule's next date commit together.
 */
export async function chargeDueRecurringGifts(
  db: Db,
  mail: Mailer,
  providers: Providers,
  publicUrl: string,
  options: { now?: Date; limit?: number; logger?: Logger } = {},
): Promise<ChargeRun> {
  const run: ChargeRun = { charged: 0, settled: 0, failed: 0, skipped: 0 };
  // No sandbox (production): no sandbox monthly gifts can exist to charge.
  const sandbox = providers.sandbox instanceof SandboxProvider ? providers.sandbox : null;
  if (!sandbox) return run;
  const now = options.now ?? new Date();
  const passedOver: string[] = [];
  while (run.charged + run.skipped < (options.limit ?? 500)) {
    let current: string | null = null;
    try {
      const outcome = await db.transaction(async (tx) => {
        const where: SQL[] = [
          eq(recurringGifts.provider, 'sandbox'),
          eq(recurringGifts.status, 'active'),
          lte(recurringGifts.nextChargeAt, now),
        ];
        if (passedOver.length) where.push(notInArray(recurringGifts.id, passedOver));
        const [schedule] = await tx
          .select()
          .from(recurringGifts)
          .where(and(...where))
          .orderBy(asc(recurringGifts.nextChargeAt), asc(recurringGifts.id))
          .limit(1)
          .for('update', { skipLocked: true });
        if (!schedule) return null;
        current = schedule.id;
        if (!schedule.providerRef || !schedule.nextChargeAt)
          throw new Error('an active sandbox monthly gift without a saved payment method');
        const gift = await insertChargeGift(
          tx,
          schedule,
          { providerRef: `sbx_pay_${schedule.id}_${schedule.nextChargeAt.getTime()}` },
          now,
        );
        if (!gift) throw new Error('this due date was charged already');
        const charge = sandbox.chargeSavedMethod(
          schedule.providerRef,
          gift.id,
          gift.amountMinor + gift.feeMinor,
        );
        const { outcome } = await receiveWebhook(tx, mail, sandbox, charge.body, charge.headers, publicUrl);
        return outcome;
      });
      if (outcome === null) break;
      run.charged += 1;
      if (outcome === 'settled') run.settled += 1;
      if (outcome === 'failed') run.failed += 1;
    } catch (error) {
      if (!current) throw error;
      // One broken schedule must not hold up the others: it is left for the next run and for a person.
      passedOver.push(current);
      run.skipped += 1;
      options.logger?.error({ err: error, recurringGiftId: current }, 'monthly gift not charged');
    }
  }
  mail.deliverSoon();
  return run;
}

// ── changes: pause, resume, cancel, amount ──────────────────────────────────────────────────────────

export interface RecurringActor {
  /** The account making the change (audit), its role, and whether it is the donor or staff. */
  userId: string;
  role: string;
  by: 'donor' | 'staff';
  requestId: string | null;
}

async function auditChange(db: Db, actor: RecurringActor, action: string, id: string) {
  await appendAudit(db, {
    actorId: actor.userId,
    actorRole: actor.role,
    action,
    resourceType: 'recurring_gift',
    resourceCode: id,
    outcome: 'succeeded',
    requestId: actor.requestId,
  });
}

function subscriptionsOf(providers: Providers, schedule: RecurringGiftRow) {
  if (schedule.provider === 'sandbox') return null;
  const control = providers[schedule.provider as keyof Providers]?.subscriptions;
  if (!control || !schedule.providerRef)
    throw AppError.conflict(
      `This monthly gift is kept by ${schedule.provider}, which is not configured here: change it there.`,
    );
  return { control, ref: schedule.providerRef };
}

const PAST: Record<RecurringChange, string> = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' };

/**
 * Pauses, resumes or cancels a locked monthly gift. Asking for the state it is already in changes nothing
 * (a double click, a retried request); a change its state does not allow answers 409 with the reason.
 * A Stripe gift changes at Stripe first (pause_collection, cancel): if Stripe refuses, nothing changes here.
 */
async function applyChange(
  db: Db,
  providers: Providers,
  schedule: RecurringGiftRow,
  change: RecurringChange,
  actor: RecurringActor,
  now: Date,
) {
  const { to, from } = TRANSITIONS[change];
  if (schedule.status === to) return schedule;
  if (!from.includes(schedule.status as RecurringStatus))
    throw AppError.conflict(
      schedule.status === 'pending'
        ? `This monthly gift has not started yet (its first gift is not settled): it cannot be ${PAST[change]}.`
        : `This monthly gift is ${schedule.status}: it cannot be ${PAST[change]}.`,
    );
  const processor = subscriptionsOf(providers, schedule);
  if (processor) await processor.control[change](processor.ref);
  const set =
    change === 'pause'
      ? { status: to, pausedAt: now, nextChargeAt: null }
      : change === 'resume'
        ? // Nothing is charged for the paused months; failures before the pause are forgotten.
          {
            status: to,
            pausedAt: null,
            failedAttempts: 0,
            nextChargeAt: nextChargeDay(schedule.dayOfMonth, now),
          }
        : { status: to, cancelledAt: now, cancelledBy: actor.by, nextChargeAt: null };
  const [row] = await db
    .update(recurringGifts)
    .set({ ...set, updatedAt: now })
    .where(eq(recurringGifts.id, schedule.id))
    .returning();
  await auditChange(db, actor, `recurring_gift.${change}`, schedule.id);
  return row ?? schedule;
}

/** The new amount of the next charges; a covered fee is worked out again for it. */
async function applyAmount(
  db: Db,
  providers: Providers,
  schedule: RecurringGiftRow,
  amountMinor: number,
  actor: RecurringActor,
  now: Date,
) {
  if (!AMOUNT_CHANGEABLE.includes(schedule.status as RecurringStatus))
    throw AppError.conflict(`This monthly gift is ${schedule.status}: its amount cannot be changed.`);
  if (amountMinor === schedule.amountMinor) return schedule;
  const feeMinor = schedule.feeMinor > 0 ? coveredFee(amountMinor, schedule.currency as GivingCurrency) : 0;
  const processor = subscriptionsOf(providers, schedule);
  if (processor) await processor.control.changeAmount(processor.ref, amountMinor + feeMinor);
  const [row] = await db
    .update(recurringGifts)
    .set({ amountMinor, feeMinor, updatedAt: now })
    .where(eq(recurringGifts.id, schedule.id))
    .returning();
  await auditChange(db, actor, 'recurring_gift.change_amount', schedule.id);
  return row ?? schedule;
}

async function lockOwn(db: Db, id: string, supporterId: string | null) {
  const row = await lockRecurringGift(db, id);
  // Someone else's monthly gift does not exist, as far as a donor can tell.
  if (!row || (supporterId !== null && row.supporterId !== supporterId))
    throw AppError.notFound('No monthly gift with this id.');
  return row;
}

/** A donor's change from the portal: only to their own monthly gift (otherwise 404). Call in a transaction. */
export async function changeMyRecurringGift(
  db: Db,
  providers: Providers,
  supporterId: string,
  id: string,
  change: RecurringChange,
  actor: RecurringActor,
  now = new Date(),
) {
  const schedule = await lockOwn(db, id, supporterId);
  const row = await applyChange(db, providers, schedule, change, actor, now);
  return (await presentMany(db, [row]))[0];
}

export async function changeMyRecurringAmount(
  db: Db,
  providers: Providers,
  supporterId: string,
  id: string,
  amountMinor: number,
  actor: RecurringActor,
  now = new Date(),
) {
  const schedule = await lockOwn(db, id, supporterId);
  const row = await applyAmount(db, providers, schedule, amountMinor, actor, now);
  return (await presentMany(db, [row]))[0];
}

/**
 * A donor's monthly gifts, newest first: those that have given at least once. One whose first charge was
 * refused never started (the donor saw the refusal on the donate page) and is not shown.
 */
export async function myRecurringGifts(db: Db, supporterId: string) {
  const rows = await db
    .select()
    .from(recurringGifts)
    .where(
      and(
        eq(recurringGifts.supporterId, supporterId),
        exists(
          db
            .select({ one: sql`1` })
            .from(gifts)
            .where(
              and(
                eq(gifts.recurringGiftId, recurringGifts.id),
                inArray(gifts.status, ['settled', 'refunded']),
              ),
            ),
        ),
      ),
    )
    .orderBy(desc(recurringGifts.createdAt), desc(recurringGifts.id));
  return presentMany(db, rows);
}

// ── staff ───────────────────────────────────────────────────────────────────────────────────────────

export interface StaffRecurringContext {
  db: Db;
  subject: Subject;
  requestId: string | null;
  providers: Providers;
}

function allow(rc: StaffRecurringContext, action: string) {
  if (!authorize(rc.subject, action).allowed) throw AppError.forbidden('You do not have access to this.');
}

export async function listRecurringGifts(
  rc: StaffRecurringContext,
  query: {
    supporterId?: string | undefined;
    status?: RecurringStatus | undefined;
    limit: number;
    /** The page after this monthly gift (a CSV export reads every page). */
    afterId?: string | undefined;
  },
) {
  allow(rc, GIVING_ACTIONS.read);
  const where: SQL[] = [];
  if (query.supporterId) where.push(eq(recurringGifts.supporterId, query.supporterId));
  if (query.status) where.push(eq(recurringGifts.status, query.status));
  if (query.afterId)
    where.push(
      sql`(${recurringGifts.createdAt}, ${recurringGifts.id}) < (select r.created_at, r.id from recurring_gifts r where r.id = ${query.afterId})`,
    );
  const rows = await rc.db
    .select()
    .from(recurringGifts)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(recurringGifts.createdAt), desc(recurringGifts.id))
    .limit(query.limit);
  const presented = await presentMany(rc.db, rows);
  const donors = new Map<string, string | null>();
  for (const r of rows)
    if (!donors.has(r.supporterId))
      donors.set(r.supporterId, (await getSupporterContact(rc.db, r.supporterId))?.displayName ?? null);
  const campaignIds = [...new Set(rows.flatMap((r) => (r.campaignId ? [r.campaignId] : [])))];
  const campaignOf = new Map(
    (campaignIds.length
      ? await rc.db
          .select({ id: campaigns.id, code: campaigns.code, name: campaigns.name })
          .from(campaigns)
          .where(inArray(campaigns.id, campaignIds))
      : []
    ).map((c) => [c.id, c]),
  );
  // What this caller may do from the console: staff pause and cancel (development only), never resume
  // or change the amount (the donor's own decisions, from the portal). The page shows only these buttons.
  const staffWrites = authorize(rc.subject, GIVING_ACTIONS.record).allowed;
  return {
    recurringGifts: presented.map((p, i) => {
      const campaign = campaignOf.get(rows[i]?.campaignId ?? '');
      return {
        ...p,
        supporterId: rows[i]?.supporterId ?? null,
        supporterName: donors.get(rows[i]?.supporterId ?? '') ?? null,
        campaignCode: campaign?.code ?? null,
        campaignName: campaign?.name ?? null,
        can: {
          pause: staffWrites && p.can.pause,
          resume: false,
          cancel: staffWrites && p.can.cancel,
          changeAmount: false,
        },
      };
    }),
  };
}

/** Staff pause or cancel a monthly gift (development; audited). Staff never resume: that is the donor's call. */
export async function changeRecurringGiftAsStaff(
  rc: StaffRecurringContext,
  id: string,
  change: Exclude<RecurringChange, 'resume'>,
  now = new Date(),
) {
  allow(rc, GIVING_ACTIONS.record);
  const schedule = await lockOwn(rc.db, id, null);
  const row = await applyChange(
    rc.db,
    rc.providers,
    schedule,
    change,
    { userId: rc.subject.userId, role: rc.subject.role, by: 'staff', requestId: rc.requestId },
    now,
  );
  return (await presentMany(rc.db, [row]))[0];
}
