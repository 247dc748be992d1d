/**
 * Money: the one place that knows currencies.
 *
 * Amounts are whole numbers of minor units (cents; won, which have no minor unit) held as `bigint`, the
 * way they are stored (`amount_minor bigint` + `currency char(3)`). Nothing here ever puts an amount in a
 * float: parsing reads digits, formatting hands Intl.NumberFormat an exact decimal string, and every
 * division is integer division with its rounding stated next to it.
 *
 * Minor-unit exponents are ISO 4217's, written out below rather than taken from Intl (ICU's CLDR data
 * differs from ISO for a few currencies, and a processor may differ again: that is the provider's concern).
 */

export type CurrencyCode = string;

/** A sum of money: minor units and the currency they count. */
export interface Money {
  readonly minor: bigint;
  readonly currency: CurrencyCode;
}

export type MoneyErrorId = 'invalid_amount' | 'unknown_currency' | 'currency_mismatch' | 'invalid_argument';

/**
 * A refused amount or operation. `message` is `<field>: <reason>` (the API's 400 shape); `reason` alone is
 * what an import report shows next to its own column name.
 */
export class MoneyError extends Error {
  override name = 'MoneyError';
  constructor(
    readonly id: MoneyErrorId,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

// ISO 4217 minor units. Two unless listed as 0 or 3; the table is the list of currencies we accept.
const ZERO = [
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
].concat(['XAF', 'XOF', 'XPF']);
const THREE = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];
const TWO = [
  'AED',
  'AFN',
  'ALL',
  'AMD',
  'ANG',
  'AOA',
  'ARS',
  'AUD',
  'AWG',
  'AZN',
  'BAM',
  'BBD',
  'BDT',
  'BGN',
  'BMD',
  'BND',
  'BOB',
  'BRL',
  'BSD',
  'BTN',
  'BWP',
  'BYN',
  'BZD',
  'CAD',
  'CDF',
  'CHF',
  'CNY',
  'COP',
  'CRC',
  'CUP',
  'CVE',
  'CZK',
  'DKK',
  'DOP',
  'DZD',
  'EGP',
  'ERN',
  'ETB',
  'EUR',
  'FJD',
  'FKP',
  'GBP',
  'GEL',
  'GHS',
  'GIP',
  'GMD',
  'GTQ',
  'GYD',
  'HKD',
  'HNL',
  'HTG',
  'HUF',
  'IDR',
  'ILS',
  'INR',
  'IRR',
  'JMD',
  'KES',
  'KGS',
  'KHR',
  'KPW',
  'KYD',
  'KZT',
  'LAK',
  'LBP',
  'LKR',
  'LRD',
  'LSL',
  'MAD',
  'MDL',
  'MGA',
  'MKD',
  'MMK',
  'MNT',
  'MOP',
  'MRU',
  'MUR',
  'MVR',
  'MWK',
  'MXN',
  'MYR',
  'MZN',
  'NAD',
  'NGN',
  'NIO',
  'NOK',
  'NPR',
  'NZD',
  'PAB',
  'PEN',
  'PGK',
  'PHP',
  'PKR',
  'PLN',
  'QAR',
  'RON',
  'RSD',
  'RUB',
  'SAR',
  'SBD',
  'SCR',
  'SDG',
  'SEK',
  'SGD',
  'SHP',
  'SLE',
  'SOS',
  'SRD',
  'SSP',
  'STN',
  'SYP',
  'SZL',
  'THB',
  'TJS',
  'TMT',
  'TOP',
  'TRY',
  'TTD',
  'TWD',
  'TZS',
  'UAH',
  'USD',
  'UYU',
  'UZS',
  'VES',
  'WST',
  'XCD',
  'YER',
  'ZAR',
  'ZMW',
  'ZWG',
];

const EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...ZERO.map((c) => [c, 0] as const),
  ...TWO.map((c) => [c, 2] as const),
  ...THREE.map((c) => [c, 3] as const),
]);

/** Every currency code this helper accepts, sorted. */
export const CURRENCIES: readonly CurrencyCode[] = [...EXPONENTS.keys()].sort();

/** The largest amount a `bigint` column holds. */
export const MAX_MINOR = 2n ** 63n - 1n;

export function isCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

/** Digits after the decimal point: USD 2, KRW 0, BHD 3. Throws `unknown_currency` for anything else. */
export function minorUnitExponent(currency: CurrencyCode, field = 'currency'): number {
  const e = EXPONENTS.get(currency);
  if (e === undefined) {
    throw new MoneyError('unknown_currency', field, `${quote(currency)} is not a supported currency code`);
  }
  return e;
}

/** The currency code, upper-cased and checked (`' krw '` -> `'KRW'`). */
export function normaliseCurrency(input: string, field = 'currency'): CurrencyCode {
  const code = input.trim().toUpperCase();
  minorUnitExponent(code, field);
  return code;
}

export function money(minor: bigint, currency: CurrencyCode): Money {
  minorUnitExponent(currency);
  return { minor, currency };
}

/**
 * A stored or serialised amount back to `bigint`: pg returns bigint columns as strings, JSON carries
 * numbers. Refuses fractions and unsafe numbers instead of rounding them.
 */
export function toMinor(value: bigint | number | string, field = 'amount'): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new MoneyError('invalid_amount', field, `must be a whole number of minor units, not ${value}`);
    }
    return BigInt(value);
  }
  if (!/^-?\d+$/.test(value)) {
    throw new MoneyError(
      'invalid_amount',
      field,
      `must be a whole number of minor units, not ${quote(value)}`,
    );
  }
  return BigInt(value);
}

export interface ParseAmountOptions {
  /** Name used in error messages. Default `amount`. */
  field?: string;
  /** Accept a leading minus (refunds, corrections). Default false. */
  allowNegative?: boolean;
  /** Accept zero. Default true. */
  allowZero?: boolean;
}

const NUMBER = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/;

/**
 * A decimal amount as people write it, to minor units: `'1,234.56'` USD -> `123456n`, `'₩1,000'` KRW ->
 * `1000n`, `'$12'` USD -> `1200n`.
 *
 * Accepts a `.` decimal point, `,` thousands separators in groups of three, a leading `-` when allowed, and
 * the currency's own symbol or code as English or Korean formatting writes it (`$`, `US$`, `CA$`, `₩`,
 * `THB`), so the output of `formatAmount` parses back. Refuses everything else with a message that quotes
 * the input. More decimals than the currency has are refused unless they are zeros (`'1000.00'` KRW is 1000
 * won: spreadsheets pad to two places, and the value is still exact).
 */
export function parseAmount(input: string, currency: CurrencyCode, options: ParseAmountOptions = {}): bigint {
  const field = options.field ?? 'amount';
  const exponent = minorUnitExponent(currency, 'currency');
  const fail = (reason: string): never => {
    throw new MoneyError('invalid_amount', field, reason);
  };
  let s = input.replace(/[\u00a0\u202f]/g, ' ').trim();
  if (s === '') fail('is empty');

  let negative = false;
  const takeSign = () => {
    if (!negative && (s.startsWith('-') || s.startsWith('\u2212'))) {
      negative = true;
      s = s.slice(1).trim();
    }
  };
  takeSign();
  const affix = currencyAffixes(currency).find((a) => s.startsWith(a) || s.endsWith(a));
  if (affix !== undefined) {
    s = (s.startsWith(affix) ? s.slice(affix.length) : s.slice(0, -affix.length)).trim();
    takeSign();
  }

  const m = NUMBER.exec(s);
  if (!m) {
    if (/^[\d.,]+$/.test(s) && s.includes(',')) {
      fail(
        `${quote(input)} is not a number (use "." for decimals and "," only between groups of three digits)`,
      );
    }
    fail(`${quote(input)} is not an amount in ${currency}`);
  }
  const whole = (m as RegExpExecArray)[1] as string;
  let fraction = (m as RegExpExecArray)[2] ?? '';
  if (fraction.length > exponent) {
    if (/[^0]/.test(fraction.slice(exponent))) {
      fail(
        exponent === 0
          ? `${currency} has no minor unit; ${quote(input)} has decimals`
          : `${currency} has ${exponent} decimal places; ${quote(input)} has ${fraction.length}`,
      );
    }
    fraction = fraction.slice(0, exponent);
  }
  const minor =
    BigInt(whole.replaceAll(',', '')) * 10n ** BigInt(exponent) +
    BigInt(fraction.padEnd(exponent, '0') || '0');

  if (minor > MAX_MINOR) fail(`${quote(input)} is too large`);
  if (minor === 0n && options.allowZero === false) fail('must be more than zero');
  if (negative && minor !== 0n) {
    if (!options.allowNegative) fail(`must not be negative (${quote(input)})`);
    return -minor;
  }
  return minor;
}

/**
 * Minor units as a plain decimal: `123456n` USD -> `'1234.56'`, `1000n` KRW -> `'1000'`, `-5n` USD ->
 * `'-0.05'`. No grouping, no symbol. A safe whole `number` (a bigint column in number mode) is accepted too.
 */
export function toDecimalString(amount: bigint | number, currency: CurrencyCode): string {
  const exponent = minorUnitExponent(currency);
  const minor = toMinor(amount);
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString();
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, '0');
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * Minor units for people to read, in their locale (`en`, `ko`): `123456n` USD en -> `'$1,234.56'`,
 * `1000n` KRW ko -> `'₩1,000'`. Intl gets an exact decimal string, never a float, and the currency's ISO
 * exponent as its digits.
 */
export function formatAmount(minor: bigint | number, currency: CurrencyCode, locale = 'en'): string {
  const key = `${locale}|${currency}`;
  let f = formatters.get(key);
  if (!f) {
    const digits = minorUnitExponent(currency);
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, f);
  }
  // A decimal string is formatted exactly (ECMA-402 "Intl.NumberFormat v3"); the types only know numbers.
  return f.format(toDecimalString(minor, currency) as unknown as number);
}

const affixCache = new Map<string, string[]>();

/** The currency's symbol as English and Korean write it, and its code, longest first (`US$` before `$`). */
function currencyAffixes(currency: CurrencyCode): string[] {
  let affixes = affixCache.get(currency);
  if (!affixes) {
    const found = new Set<string>([currency]);
    for (const locale of ['en', 'ko']) {
      const part = new Intl.NumberFormat(locale, { style: 'currency', currency })
        .formatToParts(1)
        .find((p) => p.type === 'currency');
      if (part) found.add(part.value);
    }
    affixes = [...found].sort((a, b) => b.length - a.length);
    affixCache.set(currency, affixes);
  }
  return affixes;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) {
    throw new MoneyError('currency_mismatch', 'currency', `cannot add ${a.currency} to ${b.currency}`);
  }
  return { minor: a.minor + b.minor, currency: a.currency };
}

/** The total of amounts in one currency; an empty list totals zero in `currency`. */
export function sumMoney(items: Iterable<Money>, currency: CurrencyCode): Money {
  minorUnitExponent(currency);
  let total = 0n;
  for (const item of items) {
    if (item.currency !== currency) {
      throw new MoneyError(
        'currency_mismatch',
        'currency',
        `cannot add ${item.currency} to a ${currency} total`,
      );
    }
    total += item.minor;
  }
  return { minor: total, currency };
}

/**
 * Splits `minor` in proportion to `weights` without losing or inventing a unit (largest remainder):
 * every share is its exact proportion rounded down, and the units left over go one each to the shares with
 * the largest remainders (ties to the earlier share). Each share is within one unit of its exact
 * proportion and the shares sum to `minor`. A negative amount is split as its opposite, then negated, so a
 * refund's allocation mirrors the gift's.
 */
export function allocate(minor: bigint, weights: readonly (bigint | number)[]): bigint[] {
  if (weights.length === 0) throw new MoneyError('invalid_argument', 'weights', 'must not be empty');
  const w = weights.map((x) => {
    const v = typeof x === 'bigint' ? x : Number.isSafeInteger(x) ? BigInt(x) : -1n;
    if (v < 0n) throw new MoneyError('invalid_argument', 'weights', `must be whole numbers >= 0, not ${x}`);
    return v;
  });
  const total = w.reduce((a, b) => a + b, 0n);
  if (total === 0n) throw new MoneyError('invalid_argument', 'weights', 'must not all be zero');
  if (minor < 0n) return allocate(-minor, w).map((s) => -s);

  const shares = w.map((x) => (minor * x) / total); // integer division: rounds down (minor >= 0)
  const remainders = w.map((x, i) => ({ i, r: (minor * x) % total }));
  let left = minor - shares.reduce((a, b) => a + b, 0n); // < weights.length
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    shares[i] = (shares[i] as bigint) + 1n;
    left--;
  }
  return shares;
}

/** A rate as an exact fraction: `'2.9%'` -> 29/1000. */
function parseRate(rate: string): { num: bigint; den: bigint } {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*%\s*$/.exec(rate);
  if (!m) throw new MoneyError('invalid_argument', 'rate', `${quote(rate)} is not a percentage like "2.9%"`);
  const fraction = m[2] ?? '';
  const num = BigInt((m[1] as string) + fraction);
  const den = 100n * 10n ** BigInt(fraction.length);
  if (num >= den) throw new MoneyError('invalid_argument', 'rate', `${quote(rate)} must be below 100%`);
  return { num, den };
}

export interface FeeCover {
  /** What the donor is charged. */
  gross: bigint;
  /** The processor's fee on `gross`. */
  fee: bigint;
  /** What the donor adds to cover the fee: `gross - minor`. */
  cover: bigint;
}

/**
 * "Cover the fees": the smallest charge whose net after the processor's fee is at least `minor`. The fee on
 * a charge g is `rate × g + fixed`, rounded half up to a whole minor unit (as card processors round);
 * `rate` is a percentage string (`'2.9%'`), `fixed` is in the currency's minor units (30n for 30 cents,
 * 0n for KRW). All integer arithmetic.
 */
export function feeCover(minor: bigint, rate: string, fixed: bigint): FeeCover {
  if (minor < 0n) throw new MoneyError('invalid_argument', 'amount', 'must not be negative');
  if (fixed < 0n) throw new MoneyError('invalid_argument', 'fixed', 'must not be negative');
  const { num, den } = parseRate(rate);
  const feeOn = (g: bigint) => (2n * (num * g) + den) / (2n * den) + fixed; // half up
  // Exact solution of g - (rate·g + fixed) >= minor, rounded up; rounding of the fee can move it by a unit.
  let gross = ceilDiv((minor + fixed) * den, den - num);
  while (gross - feeOn(gross) < minor) gross++;
  while (gross > minor && gross - 1n - feeOn(gross - 1n) >= minor) gross--;
  const fee = feeOn(gross);
  return { gross, fee, cover: gross - minor };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b; // a >= 0, b > 0
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
