import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNIT_MINOR, MAX_AMOUNT_MINOR } from '../../giving.schema';
import { coveredFee, GIVING_CURRENCIES } from '../../money';
import { MAX_GIFT_MINOR, ONE_RESCUE_USD_MINOR, presetAmounts, readAmount } from './donate-amounts';
import { splitFieldMessage } from './donate-api';
import { money, presetLabel } from './donate-format';
import { pageLanguage, STRINGS, translator } from './donate-strings';

const HERE = path.dirname(fileURLToPath(import.meta.url));

describe('donate page: amounts', () => {
  it('reads typed amounts exactly in each currency, and refuses what would need rounding', () => {
    expect(readAmount('50', 'USD')).toEqual({ ok: true, amountMinor: 5_000 });
    expect(readAmount('1,234.56', 'USD')).toEqual({ ok: true, amountMinor: 123_456 });
    expect(readAmount('$75.5', 'USD')).toEqual({ ok: true, amountMinor: 7_550 });
    expect(readAmount('50,000', 'KRW')).toEqual({ ok: true, amountMinor: 50_000 });
    expect(readAmount('₩1,000,000', 'KRW')).toEqual({ ok: true, amountMinor: 1_000_000 });
    expect(readAmount('20.00', 'GBP')).toEqual({ ok: true, amountMinor: 2_000 });
    expect(readAmount('12.5', 'KRW')).toEqual({ ok: false, problem: 'decimals' });
    expect(readAmount('10.005', 'EUR')).toEqual({ ok: false, problem: 'decimalPlaces' });
    expect(readAmount('50000.00', 'KRW')).toEqual({ ok: true, amountMinor: 50_000 });
    expect(readAmount('', 'USD')).toEqual({ ok: false, problem: 'required' });
    expect(readAmount('ten', 'USD')).toEqual({ ok: false, problem: 'invalid' });
    expect(readAmount('1.000,50', 'EUR')).toEqual({ ok: false, problem: 'invalid' });
    expect(readAmount('-5', 'USD')).toEqual({ ok: false, problem: 'invalid' });
    expect(readAmount('0', 'USD')).toEqual({ ok: false, problem: 'tooSmall' });
    expect(readAmount('0.50', 'USD')).toEqual({ ok: false, problem: 'tooSmall' });
    expect(readAmount('999', 'KRW')).toEqual({ ok: false, problem: 'tooSmall' });
    expect(readAmount('10000000001', 'USD')).toEqual({ ok: false, problem: 'tooLarge' });
  });

  it('property: a whole amount written as the page formats it reads back to the same minor units', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GIVING_CURRENCIES),
        fc.integer({ min: 100_000, max: 1_000_000_000 }),
        fc.constantFrom('en', 'ko'),
        (currency, minor, language) => {
          const shown = money(minor, currency, language as 'en' | 'ko');
          expect(readAmount(shown, currency)).toEqual({ ok: true, amountMinor: minor });
        },
      ),
    );
  });

  it('offers presets per currency in minor units, labelling one rescue at the unit’s price', () => {
    expect(presetAmounts('once', 'USD')).toEqual([
      { amountMinor: 2_500, oneRescue: false },
      { amountMinor: 5_000, oneRescue: false },
      { amountMinor: 10_000, oneRescue: false },
      { amountMinor: 25_000, oneRescue: false },
      { amountMinor: 250_000, oneRescue: true },
    ]);
    expect(presetAmounts('once', 'KRW').map((p) => p.amountMinor)).toEqual([
      30_000, 50_000, 100_000, 300_000, 3_000_000,
    ]);
    expect(presetAmounts('once', 'KRW').some((p) => p.oneRescue)).toBe(false);
    // A unit campaign in KRW at ₩3,500,000 a rescue offers exactly that price as its largest preset.
    expect(presetAmounts('once', 'KRW', 3_500_000).at(-1)).toEqual({
      amountMinor: 3_500_000,
      oneRescue: true,
    });
    expect(presetAmounts('monthly', 'USD').some((p) => p.oneRescue)).toBe(false);
    for (const currency of GIVING_CURRENCIES)
      for (const frequency of ['once', 'monthly'] as const)
        for (const p of presetAmounts(frequency, currency))
          expect(Number.isSafeInteger(p.amountMinor)).toBe(true);
  });

  it('keeps the figures copied from the server equal to the server’s', () => {
    expect(ONE_RESCUE_USD_MINOR).toBe(DEFAULT_UNIT_MINOR);
    expect(MAX_GIFT_MINOR).toBe(MAX_AMOUNT_MINOR);
  });

  it('shows presets without empty decimals, exactly', () => {
    expect(presetLabel(2_500, 'USD', 'en')).toBe('$25');
    expect(presetLabel(250_000, 'USD', 'en')).toBe('$2,500');
    expect(presetLabel(50_000, 'KRW', 'ko')).toBe('₩50,000');
    expect(presetLabel(2_550, 'EUR', 'en')).toBe('€25.50');
    expect(money(7_497, 'USD', 'en')).toBe('$74.97');
  });

  it('shows the same covered fee the server adds (one rule in giving/money.ts)', () => {
    expect(coveredFee(10_000, 'USD')).toBe(330);
    // ₩51,493 less 2.9% (₩1,493, no fixed part without a minor unit) leaves the whole ₩50,000.
    expect(coveredFee(50_000, 'KRW')).toBe(1_493);
  });
});

describe('donate page: words', () => {
  it('has every English key in Korean, none empty, with the same placeholders', () => {
    const en = STRINGS.en;
    const ko = STRINGS.ko;
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(ko[key].trim(), key).not.toBe('');
      expect(names(ko[key]), key).toEqual(names(en[key]));
    }
  });

  it('asks only for keys that exist', () => {
    const missing: string[] = [];
    for (const file of fs.readdirSync(HERE).filter((f) => f.endsWith('.tsx'))) {
      const source = fs.readFileSync(path.join(HERE, file), 'utf8');
      for (const m of source.matchAll(/\bt\(\s*'(\w+)'/g))
        if (!Object.hasOwn(STRINGS.en, m[1] ?? '')) missing.push(`${file}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  it('fills placeholders', () => {
    expect(translator('en')('give', { total: '$50.00' })).toBe('Give $50.00');
    expect(translator('ko')('give', { total: '₩50,000' })).toBe('₩50,000 후원하기');
  });

  it('takes the shell’s stored language first, then the browser’s, then English', () => {
    expect(pageLanguage('ko', ['en-US'])).toBe('ko');
    expect(pageLanguage(null, ['ko-KR', 'en'])).toBe('ko');
    expect(pageLanguage('fr', ['fr-FR', 'en-GB'])).toBe('en');
    expect(pageLanguage(null, ['ja'])).toBe('en');
  });

  it('reads the field out of the server’s 400 message', () => {
    expect(splitFieldMessage('donor.email: must be an email address')).toEqual({
      field: 'donor.email',
      reason: 'must be an email address',
    });
    expect(splitFieldMessage('Cross-site request refused.')).toEqual({
      field: '',
      reason: 'Cross-site request refused.',
    });
  });
});
