import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMoney,
  allocate,
  CURRENCIES,
  feeCover,
  formatAmount,
  MAX_MINOR,
  type Money,
  MoneyError,
  minorUnitExponent,
  money,
  normaliseCurrency,
  parseAmount,
  sumMoney,
  toDecimalString,
  toMinor,
} from './money';

const GIVING = ['USD', 'KRW', 'CAD', 'EUR', 'GBP', 'AUD', 'JPY', 'CNY', 'THB'];
const currency = fc.constantFrom(...GIVING, 'BHD');
const minor = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MoneyError) return e.message;
    throw e;
  }
  throw new Error('expected a MoneyError');
}

describe('minorUnitExponent', () => {
  it('knows zero-, two- and three-decimal currencies', () => {
    expect(
      ['USD', 'KRW', 'JPY', 'CAD', 'EUR', 'GBP', 'AUD', 'CNY', 'THB', 'BHD'].map((c) => minorUnitExponent(c)),
    ).toEqual([2, 0, 0, 2, 2, 2, 2, 2, 2, 3]);
  });

  it('refuses an unknown or lower-case code with a clear message', () => {
    expect(refusal(() => minorUnitExponent('XYZ'))).toBe('currency: "XYZ" is not a supported currency code');
    expect(refusal(() => minorUnitExponent('usd'))).toBe('currency: "usd" is not a supported currency code');
    expect(normaliseCurrency(' krw ')).toBe('KRW');
    expect(CURRENCIES).toContain('KRW');
    expect(refusal(() => money(1n, 'ABC'))).toMatch(/not a supported/);
  });
});

describe('parseAmount', () => {
  it('reads amounts as people write them', () => {
    expect(parseAmount('1,234.56', 'USD')).toBe(123456n);
    expect(parseAmount('1234.5', 'USD')).toBe(123450n);
    expect(parseAmount('12', 'USD')).toBe(1200n);
    expect(parseAmount('  0.07 ', 'EUR')).toBe(7n);
    expect(parseAmount('1,000', 'KRW')).toBe(1000n);
    expect(parseAmount('50000', 'KRW')).toBe(50000n);
    expect(parseAmount('1.234', 'BHD')).toBe(1234n);
    expect(parseAmount('$1,234.56', 'USD')).toBe(123456n);
    expect(parseAmount('US$5', 'USD')).toBe(500n);
    expect(parseAmount('₩10,000', 'KRW')).toBe(10000n);
    expect(parseAmount('CA$3.10', 'CAD')).toBe(310n);
    expect(parseAmount('THB 20.00', 'THB')).toBe(2000n);
    expect(parseAmount('20.00 EUR', 'EUR')).toBe(2000n);
  });

  it('accepts padding zeros beyond the currency’s decimals, the value being exact', () => {
    expect(parseAmount('1000.00', 'KRW')).toBe(1000n);
    expect(parseAmount('12.340', 'USD')).toBe(1234n);
  });

  it('refuses more decimals than the currency has', () => {
    expect(refusal(() => parseAmount('1000.5', 'KRW'))).toBe(
      'amount: KRW has no minor unit; "1000.5" has decimals',
    );
    expect(refusal(() => parseAmount('1.005', 'USD'))).toBe(
      'amount: USD has 2 decimal places; "1.005" has 3',
    );
  });

  it('refuses negatives unless asked, and zero when asked', () => {
    expect(refusal(() => parseAmount('-5.00', 'USD'))).toBe('amount: must not be negative ("-5.00")');
    expect(parseAmount('-5.00', 'USD', { allowNegative: true })).toBe(-500n);
    expect(parseAmount('-$5.00', 'USD', { allowNegative: true })).toBe(-500n);
    expect(parseAmount('-0', 'USD')).toBe(0n);
    expect(refusal(() => parseAmount('0.00', 'USD', { allowZero: false }))).toBe(
      'amount: must be more than zero',
    );
  });

  it('refuses garbage, other currencies’ symbols and ambiguous separators', () => {
    expect(refusal(() => parseAmount('', 'USD'))).toBe('amount: is empty');
    expect(refusal(() => parseAmount('twelve', 'USD'))).toBe('amount: "twelve" is not an amount in USD');
    expect(refusal(() => parseAmount('€12', 'USD'))).toBe('amount: "€12" is not an amount in USD');
    expect(refusal(() => parseAmount('1e3', 'USD'))).toMatch(/not an amount/);
    expect(refusal(() => parseAmount('0x10', 'USD'))).toMatch(/not an amount/);
    expect(refusal(() => parseAmount('.5', 'USD'))).toMatch(/not an amount/);
    expect(refusal(() => parseAmount('12.', 'USD'))).toMatch(/not an amount/);
    expect(refusal(() => parseAmount('1 000', 'USD'))).toMatch(/not an amount/);
    expect(refusal(() => parseAmount('1,5', 'EUR'))).toBe(
      'amount: "1,5" is not a number (use "." for decimals and "," only between groups of three digits)',
    );
    expect(refusal(() => parseAmount('1.234,56', 'EUR'))).toMatch(/is not a number/);
    expect(refusal(() => parseAmount('--5', 'USD', { allowNegative: true }))).toMatch(/not an amount/);
    expect(refusal(() => parseAmount('5', 'XYZ'))).toMatch(/^currency: /);
  });

  it('names the field it was given and refuses what a bigint column cannot hold', () => {
    expect(refusal(() => parseAmount('x', 'USD', { field: 'Total Amount' }))).toMatch(/^Total Amount: /);
    expect(parseAmount(MAX_MINOR.toString(), 'KRW')).toBe(MAX_MINOR);
    expect(refusal(() => parseAmount((MAX_MINOR + 1n).toString(), 'KRW'))).toMatch(/too large/);
  });
});

describe('formatAmount and toDecimalString', () => {
  it('formats in English and Korean without floats', () => {
    expect(formatAmount(123456n, 'USD', 'en')).toBe('$1,234.56');
    expect(formatAmount(123456n, 'USD', 'ko')).toBe('US$1,234.56');
    expect(formatAmount(10000n, 'KRW', 'ko')).toBe('₩10,000');
    expect(formatAmount(10000n, 'KRW', 'en')).toBe('₩10,000');
    expect(formatAmount(-5n, 'EUR')).toBe('-€0.05');
    // Beyond 2^53: a float would have lost the last digits.
    expect(formatAmount(9007199254740993n, 'USD')).toBe('$90,071,992,547,409.93');
    expect(formatAmount(1234n, 'BHD')).toMatch(/1\.234$/);
  });

  it('writes plain decimals', () => {
    expect(toDecimalString(123456n, 'USD')).toBe('1234.56');
    expect(toDecimalString(5n, 'USD')).toBe('0.05');
    expect(toDecimalString(-5n, 'USD')).toBe('-0.05');
    expect(toDecimalString(1000n, 'KRW')).toBe('1000');
    expect(toDecimalString(123456, 'USD')).toBe('1234.56');
    expect(formatAmount(50000, 'KRW', 'ko')).toBe('₩50,000');
    expect(() => formatAmount(0.1, 'USD')).toThrow('amount: must be a whole number of minor units, not 0.1');
  });

  it('round-trips: parseAmount(formatAmount(m)) = m in en and ko, and through plain decimals', () => {
    fc.assert(
      fc.property(minor, currency, fc.constantFrom('en', 'ko'), (m, c, locale) => {
        const opts = { allowNegative: true };
        expect(parseAmount(formatAmount(m, c, locale), c, opts)).toBe(m);
        expect(parseAmount(toDecimalString(m, c), c, opts)).toBe(m);
      }),
    );
  });

  it('never shows a fraction for a zero-decimal currency', () => {
    fc.assert(
      fc.property(minor, fc.constantFrom('KRW', 'JPY'), fc.constantFrom('en', 'ko'), (m, c, locale) => {
        expect(formatAmount(m, c, locale)).not.toMatch(/\./);
        expect(toDecimalString(m, c)).toMatch(/^-?\d+$/);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 1, max: 99 }), (whole, cents) => {
        expect(() => parseAmount(`${whole}.${String(cents).padStart(2, '0')}`, 'KRW')).toThrow(
          /no minor unit/,
        );
      }),
    );
  });
});

describe('addMoney and sumMoney', () => {
  const moneyIn = (c: string) => minor.map((m): Money => ({ minor: m, currency: c }));

  it('refuses to mix currencies', () => {
    expect(refusal(() => addMoney(money(1n, 'USD'), money(1n, 'KRW')))).toBe(
      'currency: cannot add USD to KRW',
    );
    expect(refusal(() => sumMoney([money(1n, 'USD'), money(1n, 'CAD')], 'USD'))).toBe(
      'currency: cannot add CAD to a USD total',
    );
    expect(sumMoney([], 'KRW')).toEqual({ minor: 0n, currency: 'KRW' });
  });

  it('is associative and agrees with sumMoney', () => {
    fc.assert(
      fc.property(
        currency.chain((c) => fc.tuple(moneyIn(c), moneyIn(c), moneyIn(c))),
        ([a, b, c]) => {
          expect(addMoney(addMoney(a, b), c)).toEqual(addMoney(a, addMoney(b, c)));
          expect(sumMoney([a, b, c], a.currency)).toEqual(addMoney(addMoney(a, b), c));
        },
      ),
    );
  });
});

describe('allocate', () => {
  it('splits without losing a unit, largest remainder first', () => {
    expect(allocate(100n, [1, 1, 1])).toEqual([34n, 33n, 33n]);
    expect(allocate(5n, [3, 7])).toEqual([2n, 3n]); // 1.5 and 3.5: a tie goes to the earlier share
  });

  it('refuses empty, negative or all-zero weights', () => {
    expect(refusal(() => allocate(1n, []))).toBe('weights: must not be empty');
    expect(refusal(() => allocate(1n, [0, 0]))).toBe('weights: must not all be zero');
    expect(refusal(() => allocate(1n, [1, -1]))).toMatch(/whole numbers >= 0/);
    expect(refusal(() => allocate(1n, [0.5]))).toMatch(/whole numbers >= 0/);
  });

  it('sums to the total and keeps each share within one unit of its exact proportion', () => {
    fc.assert(
      fc.property(
        minor,
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 12 }),
        (m, ws) => {
          fc.pre(ws.some((w) => w > 0));
          const shares = allocate(m, ws);
          expect(shares.reduce((a, b) => a + b, 0n)).toBe(m);
          const W = BigInt(ws.reduce((a, b) => a + b, 0));
          shares.forEach((s, i) => {
            const exact = m * BigInt(ws[i] as number); // share ≈ exact / W
            const diff = s * W - exact;
            expect(diff < W && diff > -W).toBe(true);
            if (ws[i] === 0) expect(s).toBe(0n);
          });
        },
      ),
    );
  });

  it('gives equal weights shares that differ by at most one unit', () => {
    fc.assert(
      fc.property(minor, fc.integer({ min: 1, max: 20 }), (m, n) => {
        const shares = allocate(m, Array(n).fill(1));
        const sorted = [...shares].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect((sorted.at(-1) as bigint) - (sorted[0] as bigint) <= 1n).toBe(true);
      }),
    );
  });
});

describe('feeCover', () => {
  it('grosses up 2.9% + 30¢ on $100 to $103.30', () => {
    // 10000 + 30 = 10030; 10030 / 0.971 = 10329.55…; fee on 10330 = 299.57 -> 300 + 30 = 330.
    expect(feeCover(10000n, '2.9%', 30n)).toEqual({ gross: 10330n, fee: 330n, cover: 330n });
    expect(feeCover(50000n, '3.4%', 0n)).toEqual({ gross: 51760n, fee: 1760n, cover: 1760n });
    expect(feeCover(10000n, '0%', 0n)).toEqual({ gross: 10000n, fee: 0n, cover: 0n });
  });

  it('refuses rates that are not percentages below 100%', () => {
    expect(refusal(() => feeCover(100n, '0.029', 30n))).toBe('rate: "0.029" is not a percentage like "2.9%"');
    expect(refusal(() => feeCover(100n, '100%', 0n))).toBe('rate: "100%" must be below 100%');
    expect(refusal(() => feeCover(-1n, '1%', 0n))).toBe('amount: must not be negative');
  });

  it('is the smallest charge that leaves at least the gift after the fee', () => {
    const rate = fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 99 }))
      .map(([w, f]) => ({ text: `${w}.${String(f).padStart(2, '0')}%`, num: BigInt(w * 100 + f) }));
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        rate,
        fc.bigInt({ min: 0n, max: 500n }),
        (m, r, fixed) => {
          const fee = (g: bigint) => (2n * r.num * g + 10000n) / 20000n + fixed;
          const { gross, fee: f, cover } = feeCover(m, r.text, fixed);
          expect(f).toBe(fee(gross));
          expect(gross - f >= m).toBe(true);
          expect(cover).toBe(gross - m);
          if (gross > m) expect(gross - 1n - fee(gross - 1n) < m).toBe(true);
        },
      ),
    );
  });
});

describe('toMinor', () => {
  it('reads stored amounts and refuses fractions', () => {
    expect(toMinor('123456')).toBe(123456n);
    expect(toMinor(-5)).toBe(-5n);
    expect(toMinor(7n)).toBe(7n);
    expect(refusal(() => toMinor(1.5))).toBe('amount: must be a whole number of minor units, not 1.5');
    expect(refusal(() => toMinor('1.50'))).toMatch(/whole number/);
  });
});
