import { formatAmount } from '../../../../platform/money/money';
import { type GivingCurrency, minorDigits } from '../../money';
import type { Language } from './donate-strings';

/** "$2,500.00" or "₩50,000", in the page's language (platform/money: exact, never through a float). */
export function money(amountMinor: number, currency: string, language: Language): string {
  return formatAmount(BigInt(amountMinor), currency, language);
}

/** A preset as a button shows it: "$25" rather than "$25.00" when it is whole, still exact. */
export function presetLabel(amountMinor: number, currency: GivingCurrency, language: Language): string {
  const scale = 10n ** BigInt(minorDigits(currency));
  const minor = BigInt(amountMinor);
  if (minor % scale !== 0n) return money(amountMinor, currency, language);
  const whole = new Intl.NumberFormat(language, {
    style: 'currency',
    currency,
    minimumFractionDigits: 0,
    maximumFractionDigits: 0,
  });
  // A decimal string is formatted exactly (Intl.NumberFormat v3); the types only know numbers.
  return whole.format((minor / scale).toString() as unknown as number);
}

export function count(n: number, language: Language): string {
  return new Intl.NumberFormat(language).format(n);
}
