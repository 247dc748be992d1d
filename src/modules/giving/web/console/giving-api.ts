import { allocate, MoneyError, parseAmount } from '../../../../platform/money/money';
import type { LedgerEntry } from '../../giving.responses';

/*
 * The shapes the giving routes answer with, the query keys and the lists the forms offer. The types are the
 * routes' response schemas as sent (giving.responses.ts, imported as types only: no Zod in the bundle); the
 * lists are giving.constants.ts, the very ones the server validates against. Gift and donor data are S2:
 * they live in the query cache of a signed-in development or administrator session only, and never in the
 * browser's storage. Of a rescue case, only its code ever appears here.
 */

export {
  BATCH_ACTIONS,
  CREDIT_KINDS as CREDIT_KIND_LIST,
  type CreditKind,
  DEFAULT_UNIT_MINOR,
  GIFT_ACTIONS,
  GIFT_STATUSES as GIFT_STATUS_LIST,
  GIVING_CURRENCIES,
  type GiftStatus,
  type GivingCurrency,
  OFFLINE_METHODS as OFFLINE_METHOD_LIST,
  type OfflineMethod,
  RECURRING_STATUSES as RECURRING_STATUS_LIST,
  type RecurringStatus,
} from '../../giving.constants';
export type {
  Allocations,
  BatchDetail,
  BatchList,
  BatchSummary,
  CampaignList,
  CampaignProgress,
  Fund,
  FundList,
  Gift,
  GiftDetail,
  GiftList,
  LedgerCheck,
  LedgerEntry,
  MonthlyGiftList,
  StaffMonthlyGift as RecurringGift,
} from '../../giving.responses';

export type StaffRecurringChange = 'pause' | 'cancel';

/** A person found by the supporter picker (people's `GET /api/people`). */
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
