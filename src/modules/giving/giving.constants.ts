/*
 * Giving's vocabulary as plain constants: no Zod, no Node, so the web pages import the very same lists the
 * server validates against (giving.schema.ts builds its schemas from them, as rescues does).
 */

/** The currencies Giving takes (platform/money knows their minor units: KRW has none). */
export const GIVING_CURRENCIES = ['USD', 'KRW', 'CAD', 'EUR', 'GBP', 'AUD'] as const;
export type GivingCurrency = (typeof GIVING_CURRENCIES)[number];

export const GIFT_STATUSES = ['pending', 'settled', 'failed', 'refunded'] as const;
export type GiftStatus = (typeof GIFT_STATUSES)[number];
export const GIFT_SOURCES = ['online', 'offline'] as const;
export const OFFLINE_METHODS = ['cheque', 'wire', 'cash', 'daf', 'stock'] as const;
export type OfflineMethod = (typeof OFFLINE_METHODS)[number];
export const CREDIT_KINDS = ['fundraiser', 'team', 'solicitor'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];
export const TRIBUTE_KINDS = ['in_honour', 'in_memory'] as const;
export const PROVIDERS = ['sandbox', 'stripe'] as const;
export type ProviderName = (typeof PROVIDERS)[number];
export const GIFT_FREQUENCIES = ['once', 'monthly'] as const;
/** A ledger entry's kind: a refund or a correction is a new entry, never an edit. */
export const ENTRY_KINDS = ['gift', 'refund', 'correction'] as const;
export const BATCH_STATUSES = ['open', 'posted'] as const;
export const GOAL_KINDS = ['money', 'units'] as const;
/** A monthly gift's states (recurring_gifts.status). */
export const RECURRING_STATUSES = ['pending', 'active', 'paused', 'cancelled', 'lapsed'] as const;
export type RecurringStatus = (typeof RECURRING_STATUSES)[number];

/** One unit = one person's rescue: US$2,500 unless a campaign says otherwise. */
export const DEFAULT_UNIT_MINOR = 250_000;
/** Upper bound of one gift: 10^12 minor units (US$10 billion; ₩1 trillion). Keeps sums far below 2^53. */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

/*
 * What the caller may do, as giving's reads answer it in `allowedActions` (computed by the routes from
 * giving.policy.ts and the object's state), so the pages show only the buttons that work.
 */
/** A list: add to it (a fund, a campaign, a batch), or give units (the allocations). */
export const LIST_ACTIONS = ['create'] as const;
/** A gift: refund it (an offline settled gift), move it to another fund (a settled gift). */
export const GIFT_ACTIONS = ['refund', 'move'] as const;
/** A batch: enter gifts into it and post it (while open). */
export const BATCH_ACTIONS = ['enter', 'post'] as const;
/** A monthly gift, from the console: pause it, cancel it (resuming is the donor's call). */
export const MONTHLY_ACTIONS = ['pause', 'cancel'] as const;
export type ListAction = (typeof LIST_ACTIONS)[number];
export type GiftAction = (typeof GIFT_ACTIONS)[number];
export type BatchAction = (typeof BATCH_ACTIONS)[number];
export type MonthlyAction = (typeof MONTHLY_ACTIONS)[number];

/** A supporter's giving at a glance, for their page (`GET /api/people/:id/summary` answers it as `giving`). */
export interface GivingSummary {
  /** Per currency, from the ledger: what was given (with covered fees), what went back, what was kept. */
  totals: { currency: string; givenMinor: number; refundedMinor: number; keptMinor: number }[];
  settledGifts: number;
  firstGiftAt: string | null;
  lastGiftAt: string | null;
  monthly: {
    id: string;
    status: string;
    amountMinor: number;
    currency: string;
    dayOfMonth: number;
    nextChargeAt: string | null;
  }[];
  /** The ten newest gifts, any status. */
  recent: {
    id: string;
    status: string;
    amountMinor: number;
    refundedMinor: number;
    currency: string;
    fund: string;
    method: string;
    at: string;
  }[];
}
