import { MoneyError, parseAmount } from '../../../../platform/money/money';
import { GIVING_CURRENCIES, type GivingCurrency, type OfflineMethod } from '../../giving.constants';

/*
 * The shapes the pledge routes answer with (pledge.responses.ts, imported as types only: no Zod in the
 * bundle) and the query keys. Sponsor data is S2: it lives in the query cache of a signed-in development or
 * administrator session only.
 */

export { PLEDGE_KINDS as PLEDGE_KIND_LIST, type PledgeKind } from '../../pledges/pledge.constants';
export type {
  CsvProblem,
  Invoice,
  Pledge,
  PledgeCount,
  PledgeDetail,
  PledgeList,
} from '../../pledges/pledge.responses';
export { GIVING_CURRENCIES, type GivingCurrency };
/** The payment methods the form offers, wire first (a sponsor usually wires): giving's offline methods. */
export const PAYMENT_METHOD_LIST = [
  'wire',
  'cheque',
  'cash',
  'daf',
  'stock',
] as const satisfies readonly OfflineMethod[];

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
