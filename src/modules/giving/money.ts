import { feeCover, formatAmount, minorUnitExponent } from '../../platform/money/money';
import { GIVING_CURRENCIES, type GivingCurrency } from './giving.constants';

/*
 * The currencies Giving takes, over `platform/money` (which knows every ISO currency's minor unit: KRW has
 * none). Amounts are integers of minor units, never floats.
 */
export { GIVING_CURRENCIES, type GivingCurrency };

export function minorDigits(currency: GivingCurrency): number {
  return minorUnitExponent(currency);
}

/** "$2,500.00", "₩50,000". */
export function formatMoney(amountMinor: number | bigint, currency: GivingCurrency, locale = 'en'): string {
  return formatAmount(BigInt(amountMinor), currency, locale);
}

/** The processor's fee the donor may cover: 2.9% plus 30 minor units (no fixed part without a minor unit). */
export const PROCESSOR_RATE = '2.9%';

/**
 * "Cover the fees": what to add so that, after the processor's fee (2.9% + 30 cents, or + 0 for a
 * zero-decimal currency), the fund receives the whole gift. Integer arithmetic in platform/money. Browser
 * safe: the donate page shows the donor this exact amount before they give.
 */
export function coveredFee(amountMinor: number, currency: GivingCurrency): number {
  return Number(feeCover(BigInt(amountMinor), PROCESSOR_RATE, minorDigits(currency) === 0 ? 0n : 30n).cover);
}
