import { formatAmount, minorUnitExponent } from '../../platform/money/money';

/*
 * The currencies Giving takes, over `platform/money` (which knows every ISO currency's minor unit: KRW has
 * none). Amounts are integers of minor units, never floats.
 */
export const GIVING_CURRENCIES = ['USD', 'KRW', 'CAD', 'EUR', 'GBP', 'AUD'] as const;
export type GivingCurrency = (typeof GIVING_CURRENCIES)[number];

export function minorDigits(currency: GivingCurrency): number {
  return minorUnitExponent(currency);
}

/** "$2,500.00", "₩50,000". */
export function formatMoney(amountMinor: number | bigint, currency: GivingCurrency, locale = 'en'): string {
  return formatAmount(BigInt(amountMinor), currency, locale);
}
