import { allocate, MoneyError, parseAmount } from '../../../../platform/money/money';
import { GIVING_CURRENCIES, type GivingCurrency } from '../../money';

/*
 * The shapes the giving routes answer with (gift.service.ts, giving-console.service.ts), the query keys
 * and the lists the forms offer. Gift and donor data are S2: they live in the query cache of a signed-in
 * development or administrator session only, and never in the browser's storage. Of a rescue case, only
 * its code ever appears here.
 */

export { GIVING_CURRENCIES, type GivingCurrency };

// The same lists giving.schema.ts validates against (giving-i18n.test.ts keeps them equal); repeated
// here so that the pages do not carry zod.
export const GIFT_STATUS_LIST = ['pending', 'settled', 'failed', 'refunded'] as const;
export const OFFLINE_METHOD_LIST = ['cheque', 'wire', 'cash', 'daf', 'stock'] as const;
export const CREDIT_KIND_LIST = ['fundraiser', 'team', 'solicitor'] as const;
export const RECURRING_STATUS_LIST = ['pending', 'active', 'paused', 'cancelled', 'lapsed'] as const;
/** One unit = one person's rescue: US$2,500 unless a campaign says otherwise (giving.schema.ts). */
export const DEFAULT_UNIT_MINOR = 250_000;

export type GiftStatus = (typeof GIFT_STATUS_LIST)[number];
export type OfflineMethod = (typeof OFFLINE_METHOD_LIST)[number];
export type CreditKind = (typeof CREDIT_KIND_LIST)[number];
export type RecurringStatus = (typeof RECURRING_STATUS_LIST)[number];

export interface Gift {
  id: string;
  supporterId: string;
  supporterName: string | null;
  amountMinor: number;
  feeMinor: number;
  currency: GivingCurrency;
  fundId: string;
  fundCode: string | null;
  fundName: string | null;
  campaignId: string | null;
  campaignCode: string | null;
  campaignName: string | null;
  status: GiftStatus;
  source: 'online' | 'offline';
  method: string;
  batchId: string | null;
  anonymous: boolean;
  tributeKind: string | null;
  tributeName: string | null;
  fairMarketValueMinor: number;
  refundedMinor: number;
  receivedOn: string | null;
  settledAt: string | null;
  createdAt: string;
}

export interface LedgerEntry {
  id: string;
  groupId: string;
  fundId: string;
  kind: 'gift' | 'refund' | 'correction';
  amountMinor: number;
  currency: GivingCurrency;
  createdAt: string;
}

export interface GiftDetail {
  gift: Gift;
  entries: LedgerEntry[];
  receipt: { id: string; number: string; amountMinor: number; currency: string; issuedAt: string } | null;
  softCredits: { id: string; creditKind: CreditKind; creditRef: string; creditName: string | null }[];
  /** A split gift's designation over 2–5 funds (gift-splits.ts); empty for a gift to one fund. */
  splits?: { fundId: string; fundCode: string; fundName: string; amountMinor: number }[];
}

export interface Fund {
  id: string;
  code: string;
  name: string;
  restricted: boolean;
  description: string | null;
  balances: { currency: GivingCurrency; balanceMinor: number }[];
}

export interface CampaignProgress {
  code: string;
  name: string;
  goalKind: 'money' | 'units';
  currency: GivingCurrency;
  raisedMinor: number;
  goalMinor: number | null;
  goalUnits: number | null;
  unitMinor: number | null;
  unitsFunded: number | null;
  otherCurrencies: { currency: GivingCurrency; raisedMinor: number }[];
  startsAt: string;
  endsAt: string | null;
}

export interface BatchSummary {
  id: string;
  name: string;
  currency: GivingCurrency;
  controlTotalMinor: number;
  status: 'open' | 'posted';
  createdAt: string;
  postedAt: string | null;
  gifts: number;
  enteredMinor: number;
}

export interface BatchDetail {
  batch: Omit<BatchSummary, 'gifts' | 'enteredMinor'>;
  gifts: Gift[];
  enteredMinor: number;
}

export interface Allocations {
  unitMinor: number;
  currency: GivingCurrency;
  unitsAvailable: number;
  allocations: {
    id: string;
    caseCode: string;
    units: number;
    campaignCode: string | null;
    campaignName: string | null;
    createdAt: string;
  }[];
}

/** A monthly gift as the staff list answers it (recurring.service.ts `listRecurringGifts`). */
export interface RecurringGift {
  id: string;
  status: RecurringStatus;
  amountMinor: number;
  feeMinor: number;
  currency: GivingCurrency;
  fundName: string | null;
  campaignCode: string | null;
  campaignName: string | null;
  supporterId: string | null;
  supporterName: string | null;
  provider: string;
  dayOfMonth: number;
  nextChargeAt: string | null;
  failedAttempts: number;
  lastFailureAt: string | null;
  pausedAt: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  createdAt: string;
  /** What this caller may do from the console (the server decides: development pauses and cancels). */
  can: { pause: boolean; resume: boolean; cancel: boolean; changeAmount: boolean };
}

export type StaffRecurringChange = 'pause' | 'cancel';

export interface LedgerCheck {
  ok: boolean;
  problems: string[];
  counts: { gifts: number; entries: number; receipts: number };
}

export interface SupporterHit {
  id: string;
  kind: string;
  displayName: string;
  email: string | null;
  postcode: string | null;
}

export const givingKeys = {
  all: ['giving'] as const,
  gifts: (status: string) => ['giving', 'gifts', status] as const,
  gift: (id: string) => ['giving', 'gift', id] as const,
  funds: ['giving', 'funds'] as const,
  campaigns: ['giving', 'campaigns'] as const,
  batches: ['giving', 'batches'] as const,
  batch: (id: string) => ['giving', 'batch', id] as const,
  allocations: ['giving', 'allocations'] as const,
  recurring: (status: string) => ['giving', 'recurring', status] as const,
  check: ['giving', 'check'] as const,
  supporters: (q: string) => ['people', 'search', q] as const,
};

export const BASE = '/console/giving';
export const giftLink = (id: string) => `${BASE}/gifts/${encodeURIComponent(id)}`;
export const batchLink = (id: string) => `${BASE}/batches/${encodeURIComponent(id)}`;
export const giftPath = (id: string) => `/api/giving/gifts/${encodeURIComponent(id)}`;
export const batchPath = (id: string) => `/api/giving/batches/${encodeURIComponent(id)}`;
export const recurringPath = (id: string, change: StaffRecurringChange) =>
  `/api/giving/recurring/${encodeURIComponent(id)}/${change}`;
/** The people module's page for a supporter (src/modules/people/web). */
export const supporterLink = (id: string) => `/console/supporters/${encodeURIComponent(id)}`;

/** Where the public gives to a campaign, and the widget another helper serves for embedding. */
export const donateLink = (origin: string, code: string) =>
  `${origin}/give?campaign=${encodeURIComponent(code)}`;
export const widgetSnippet = (origin: string, code: string, title: string) =>
  `<iframe src="${origin}/widget/campaigns/${encodeURIComponent(code)}" title="${escapeAttribute(title)}" width="320" height="170" style="border:0" loading="lazy"></iframe>`;

/** A campaign's name goes into an HTML attribute that staff paste into another site. */
function escapeAttribute(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/**
 * A typed amount to minor units, exactly (platform/money: "1,234.56" USD is 123456; "50,000" KRW is
 * 50000). Null when it is not a positive amount in the currency.
 */
export function parseMinor(text: string, currency: string): number | null {
  try {
    const minor = parseAmount(text, currency, { allowZero: false });
    return minor > 0n && minor <= 1_000_000_000_000n ? Number(minor) : null;
  } catch (error) {
    if (error instanceof MoneyError) return null;
    throw error;
  }
}

/** Zero is allowed (a fair-market value of nothing received). */
export function parseMinorOrZero(text: string, currency: string): number | null {
  if (text.trim() === '') return 0;
  try {
    const minor = parseAmount(text, currency);
    return minor >= 0n && minor <= 1_000_000_000_000n ? Number(minor) : null;
  } catch (error) {
    if (error instanceof MoneyError) return null;
    throw error;
  }
}

/** A date-only value (from <input type="date">) as midnight UTC of that day. */
export function dayToIso(day: string): string {
  return new Date(`${day}T00:00:00.000Z`).toISOString();
}
export function todayDay(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * How a refund of `amountMinor` falls on a gift's funds, for saying so before it is made: spread over what
 * each fund still holds of the gift (its entries summed per fund), in proportion, by the largest-remainder
 * rule: the same rule as the server's `refundParts` (gift-splits.ts), funds in the same order (by id), so
 * the parts shown are the entries the refund then writes. Parts are negative; they add up to −amountMinor.
 */
export function refundSpread(
  entries: readonly Pick<LedgerEntry, 'fundId' | 'amountMinor'>[],
  amountMinor: number,
): { fundId: string; amountMinor: number }[] {
  const held = new Map<string, number>();
  for (const e of entries) held.set(e.fundId, (held.get(e.fundId) ?? 0) + e.amountMinor);
  const holding = [...held].filter(([, minor]) => minor > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (holding.length === 0 || amountMinor <= 0) return [];
  const shares = allocate(
    BigInt(amountMinor),
    holding.map(([, minor]) => minor),
  );
  return holding
    .map(([fundId], i) => ({ fundId, amountMinor: -Number(shares[i] ?? 0n) }))
    .filter((p) => p.amountMinor !== 0);
}
