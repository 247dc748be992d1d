import { MoneyError, parseAmount } from '../../../../platform/money/money';
import { GIVING_CURRENCIES, type GivingCurrency } from '../../money';

/*
 * The shapes the pledge routes answer with (pledges/pledge.service.ts) and the query keys. Sponsor data is
 * S2: it lives in the query cache of a signed-in development or administrator session only.
 */

export { GIVING_CURRENCIES, type GivingCurrency };
export const PLEDGE_KIND_LIST = ['per_unit', 'matching'] as const;
export type PledgeKind = (typeof PLEDGE_KIND_LIST)[number];
// The same list as giving.schema.ts OFFLINE_METHODS (repeated so the pages do not carry zod).
export const PAYMENT_METHOD_LIST = ['wire', 'cheque', 'cash', 'daf', 'stock'] as const;

export type PledgeCount =
  | { kind: 'per_unit'; units: number; metric: string; rateMinor: number; perUnits: number }
  | { kind: 'matching'; eligibleMinor: number; ratio: number };

export interface Pledge {
  id: string;
  kind: PledgeKind;
  name: string;
  status: string;
  sponsor: { id: string; name: string | null; email: string | null };
  currency: GivingCurrency;
  fund: { code: string; name: string } | null;
  campaign: { code: string; name: string } | null;
  metric: string | null;
  rateMinor: number | null;
  perUnits: number | null;
  matchRatio: number | null;
  capMinor: number | null;
  startsAt: string;
  endsAt: string | null;
  counted: PledgeCount;
  computedMinor: number;
  raisedMinor: number;
  capReached: boolean;
  invoicedMinor: number;
  paidMinor: number;
  dueMinor: number;
}

export interface Invoice {
  id: string;
  number: string;
  periodStart: string;
  periodEnd: string;
  amountMinor: number;
  currency: GivingCurrency;
  status: 'issued' | 'paid' | 'void';
  giftId: string | null;
  emailed: boolean;
  issuedAt: string;
}

export interface PledgeDetail {
  pledge: Pledge;
  readings: { id: string; readOn: string; value: number; source: 'manual' | 'import'; note: string | null }[];
  invoices: Invoice[];
  nextPeriodStart: string;
}

export interface CsvProblem {
  line: number;
  column: 'date' | 'value' | 'note' | null;
  reason: string;
}

export interface SupporterHit {
  id: string;
  kind: string;
  displayName: string;
  email: string | null;
  postcode: string | null;
}

export const pledgeKeys = {
  all: ['pledges'] as const,
  list: () => ['pledges', 'list'] as const,
  one: (id: string) => ['pledges', 'one', id] as const,
  funds: () => ['pledges', 'funds'] as const,
  campaigns: () => ['pledges', 'campaigns'] as const,
  supporters: (q: string) => ['pledges', 'supporters', q] as const,
};

/** A decimal amount as typed ("0.25", "1,000", "₩500,000") to minor units, or null with why. */
export function toMinor(
  text: string,
  currency: GivingCurrency,
): { minor: number | null; error: string | null } {
  try {
    const minor = parseAmount(text, currency, { allowZero: false });
    return { minor: Number(minor), error: null };
  } catch (error) {
    return { minor: null, error: error instanceof MoneyError ? error.reason : String(error) };
  }
}

/** `2026-03-01T00:00:00.000Z` → `2026-03-01`. */
export const dayOf = (iso: string) => iso.slice(0, 10);
/** The last day of a period whose end is exclusive. */
export const lastDayOf = (isoEnd: string) =>
  new Date(new Date(isoEnd).getTime() - 1).toISOString().slice(0, 10);
