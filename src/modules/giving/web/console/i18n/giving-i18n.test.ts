import { describe, expect, it } from 'vitest';
import { itChecksNamespaceBundles, translationLeaves } from '../../../../../../test/harness/i18n-namespace';
import {
  CREDIT_KINDS,
  DEFAULT_UNIT_MINOR,
  GIFT_STATUSES,
  OFFLINE_METHODS,
  RECURRING_STATUSES,
} from '../../../giving.schema';
import {
  CREDIT_KIND_LIST,
  GIFT_STATUS_LIST,
  OFFLINE_METHOD_LIST,
  parseMinor,
  parseMinorOrZero,
  RECURRING_STATUS_LIST,
  refundSpread,
  DEFAULT_UNIT_MINOR as WEB_UNIT,
} from '../giving-api';
import en from './en.json';
import ko from './ko.json';

const english = translationLeaves(en);

describe('giving console translations', () => {
  itChecksNamespaceBundles({ en, ko, testFileUrl: import.meta.url });

  it('names every status, method and credit kind the server knows, from the same lists', () => {
    expect(GIFT_STATUS_LIST).toEqual(GIFT_STATUSES);
    expect(OFFLINE_METHOD_LIST).toEqual(OFFLINE_METHODS);
    expect(CREDIT_KIND_LIST).toEqual(CREDIT_KINDS);
    expect(WEB_UNIT).toBe(DEFAULT_UNIT_MINOR);
    for (const s of GIFT_STATUSES) expect(english.has(`status.${s}`), s).toBe(true);
    for (const m of [...OFFLINE_METHODS, 'card']) expect(english.has(`method.${m}`), m).toBe(true);
    for (const k of CREDIT_KINDS) expect(english.has(`creditKind.${k}`), k).toBe(true);
    expect(RECURRING_STATUS_LIST).toEqual(RECURRING_STATUSES);
    for (const s of RECURRING_STATUSES) expect(english.has(`monthly.status.${s}`), s).toBe(true);
  });

  it('has the texts the monthly gifts page builds from a change and the split refund from a count', () => {
    for (const change of ['pause', 'cancel'])
      for (const key of [
        `${change}Confirm.title`,
        `${change}Confirm.body`,
        `${change}Confirm.confirm`,
        `${change}Done`,
      ])
        expect(english.has(`monthly.${key}`), key).toBe(true);
    expect(english.has('refund.effectSplit_one') && english.has('refund.effectSplit_other')).toBe(true);
  });
});

describe('a split gift’s refund, as the dialog shows it before it is made', () => {
  const entry = (fundId: string, amountMinor: number) => ({ fundId, amountMinor });

  it('spreads it over what each fund still holds, in proportion, adding up exactly', () => {
    // $4,000 given: $3,000 to the rescue fund, $1,000 where most needed; a $2,000 refund is 3:1.
    const given = [entry('b-rescue', 300_000), entry('a-needed', 100_000)];
    expect(refundSpread(given, 200_000)).toEqual([
      { fundId: 'a-needed', amountMinor: -50_000 },
      { fundId: 'b-rescue', amountMinor: -150_000 },
    ]);
    // After that refund each holds half what it did; one cent more goes by the largest remainder.
    const after = [...given, entry('b-rescue', -150_000), entry('a-needed', -50_000)];
    const parts = refundSpread(after, 1);
    expect(parts).toEqual([{ fundId: 'b-rescue', amountMinor: -1 }]);
    // Thirds of $100.00: no cent lost or made.
    const thirds = refundSpread([entry('x', 1), entry('y', 1), entry('z', 1)], 10_000);
    expect(thirds.map((p) => p.amountMinor)).toEqual([-3_334, -3_333, -3_333]);
  });

  it('leaves out funds that no longer hold anything of the gift (moved away by a correction)', () => {
    const moved = [entry('a', 50_000), entry('b', 50_000), entry('b', -50_000), entry('c', 50_000)];
    expect(refundSpread(moved, 100_000)).toEqual([
      { fundId: 'a', amountMinor: -50_000 },
      { fundId: 'c', amountMinor: -50_000 },
    ]);
    expect(refundSpread([], 100)).toEqual([]);
  });
});

describe('amounts typed into the giving pages', () => {
  it('reads them exactly in minor units, per currency, and refuses what is not an amount', () => {
    expect(parseMinor('1,250.50', 'USD')).toBe(125_050);
    expect(parseMinor('$50', 'USD')).toBe(5_000);
    expect(parseMinor('50,000', 'KRW')).toBe(50_000);
    expect(parseMinor('0.1', 'KRW')).toBeNull();
    expect(parseMinor('12.345', 'USD')).toBeNull();
    expect(parseMinor('0', 'USD')).toBeNull();
    expect(parseMinor('-5', 'USD')).toBeNull();
    expect(parseMinor('ten', 'USD')).toBeNull();
    expect(parseMinorOrZero('', 'USD')).toBe(0);
    expect(parseMinorOrZero('0', 'USD')).toBe(0);
    expect(parseMinorOrZero('75', 'USD')).toBe(7_500);
  });
});
