import { MoneyError, parseAmount, toDecimalString } from '../../../../platform/money/money';
import { type GivingCurrency, minorDigits } from '../../money';

/*
 * Amounts on the donate page, always integers of minor units (won for KRW, cents otherwise). Presets are
 * written in major units here for the reader and turned into minor units once, exactly.
 */

export type Frequency = 'once' | 'monthly';

const MAJOR_PRESETS: Record<Frequency, Record<GivingCurrency, readonly number[]>> = {
  once: {
    USD: [25, 50, 100, 250, 2_500],
    KRW: [30_000, 50_000, 100_000, 300_000, 3_000_000],
    CAD: [35, 70, 140, 350, 3_500],
    EUR: [25, 50, 100, 250, 2_300],
    GBP: [20, 40, 80, 200, 2_000],
    AUD: [40, 80, 150, 400, 3_800],
  },
  monthly: {
    USD: [10, 25, 50, 100, 250],
    KRW: [10_000, 30_000, 50_000, 100_000, 300_000],
    CAD: [15, 35, 70, 140, 350],
    EUR: [10, 25, 50, 100, 250],
    GBP: [10, 20, 40, 80, 200],
    AUD: [15, 40, 80, 150, 400],
  },
};

/** The smallest gift the page offers (processors refuse cents-sized charges): 1 in major units, ₩1,000. */
const MINIMUM_MAJOR: Record<GivingCurrency, number> = {
  USD: 1,
  KRW: 1_000,
  CAD: 1,
  EUR: 1,
  GBP: 1,
  AUD: 1,
};

// The server's figures, copied because giving.schema.ts pulls zod into the page; a test keeps them equal.
/** MAX_AMOUNT_MINOR: the largest gift the server takes. */
export const MAX_GIFT_MINOR = 1_000_000_000_000;
/** DEFAULT_UNIT_MINOR: one rescue, US$2,500, unless a campaign says otherwise. */
export const ONE_RESCUE_USD_MINOR = 250_000;

function toMinorUnits(major: number, currency: GivingCurrency): number {
  return major * 10 ** minorDigits(currency);
}

export interface Preset {
  amountMinor: number;
  /** The price of one rescue in this currency (the campaign's unit, or US$2,500): labelled so. */
  oneRescue: boolean;
}

/**
 * The preset amounts for a frequency and currency. `unitMinor` is the price of one rescue in `currency`
 * when it is known (a unit campaign in that currency; US$2,500 otherwise): a one-time preset of exactly
 * that amount is labelled "one rescue", and a unit campaign's price is offered when it is not a preset.
 */
export function presetAmounts(
  frequency: Frequency,
  currency: GivingCurrency,
  unitMinor: number | null = currency === 'USD' ? ONE_RESCUE_USD_MINOR : null,
): Preset[] {
  const amounts = MAJOR_PRESETS[frequency][currency].map((m) => toMinorUnits(m, currency));
  if (frequency === 'once' && unitMinor !== null && !amounts.includes(unitMinor)) {
    amounts.pop();
    amounts.push(unitMinor);
  }
  return amounts.map((amountMinor) => ({
    amountMinor,
    oneRescue: frequency === 'once' && amountMinor === unitMinor,
  }));
}

export function minimumMinor(currency: GivingCurrency): number {
  return toMinorUnits(MINIMUM_MAJOR[currency], currency);
}

/** An example amount as the donor would type it: "50.00" or "50,000". */
export function exampleAmount(currency: GivingCurrency): string {
  return minorDigits(currency) === 0 ? '50,000' : '50.00';
}

export type AmountProblem = 'required' | 'invalid' | 'decimals' | 'decimalPlaces' | 'tooSmall' | 'tooLarge';
export type AmountReading = { ok: true; amountMinor: number } | { ok: false; problem: AmountProblem };

/**
 * A typed amount to minor units, exactly (platform/money's parser: "1,234.56" USD is 123456 cents,
 * "50,000" KRW is 50000 won; "12.5" KRW is refused, never rounded).
 */
export function readAmount(input: string, currency: GivingCurrency): AmountReading {
  if (!input.trim()) return { ok: false, problem: 'required' };
  let minor: bigint;
  try {
    minor = parseAmount(input, currency, { allowZero: false });
  } catch (error) {
    if (!(error instanceof MoneyError)) throw error;
    const decimals = /\.(\d+)\s*$/.exec(input.trim())?.[1] ?? '';
    const digits = minorDigits(currency);
    if (decimals.length > digits && /[^0]/.test(decimals.slice(digits)))
      return { ok: false, problem: digits === 0 ? 'decimals' : 'decimalPlaces' };
    if (/zero/.test(error.reason)) return { ok: false, problem: 'tooSmall' };
    return { ok: false, problem: 'invalid' };
  }
  if (minor > BigInt(MAX_GIFT_MINOR)) return { ok: false, problem: 'tooLarge' };
  if (minor < BigInt(minimumMinor(currency))) return { ok: false, problem: 'tooSmall' };
  return { ok: true, amountMinor: Number(minor) };
}

/** A preset written back into the "other amount" box when the donor switches to typing: "25.00". */
export function plainAmount(amountMinor: number, currency: GivingCurrency): string {
  return toDecimalString(amountMinor, currency);
}
