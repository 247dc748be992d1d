import { useTranslation } from 'react-i18next';
import { formatAmount } from '../../platform/money/money';

/**
 * Minor units in the reader's language, exact (platform/money): "$1,234.56", "₩50,000", "−$50.00". A
 * negative amount (a refund's opposite entry) reads with a true minus sign (U+2212), not a hyphen.
 */
export function formatSignedMoney(minor: number | bigint, currency: string, locale: string): string {
  const negative = minor < 0;
  const text = formatAmount(negative ? -BigInt(minor) : BigInt(minor), currency, locale);
  return negative ? `\u2212${text}` : text;
}

/** `money(minor, currency)` in the reader's current language. */
export function useMoney(): (minor: number | bigint, currency: string) => string {
  const { i18n } = useTranslation();
  return (minor, currency) => formatSignedMoney(minor, currency, i18n.language);
}

/** An amount as text in the reader's language (see `useMoney`). */
export function Money({ minor, currency }: { minor: number | bigint; currency: string }) {
  return <>{useMoney()(minor, currency)}</>;
}
