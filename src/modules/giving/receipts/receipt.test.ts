import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveredFee } from '../money';
import { receiptText } from './receipt';

describe('receipts', () => {
  const base = {
    number: 'R-2026-ABCDEF12',
    donorName: 'Dana Donor',
    fundName: 'Where most needed',
    receivedOn: new Date('2026-05-01T00:00:00Z'),
  };
  it('gives the written acknowledgment for US$250 or more, and not below', () => {
    expect(
      receiptText({ ...base, amountMinor: 25_000, currency: 'USD', fairMarketValueMinor: 0 }).text,
    ).toContain('No goods or services were provided');
    expect(
      receiptText({ ...base, amountMinor: 24_999, currency: 'USD', fairMarketValueMinor: 0 }).text,
    ).not.toContain('No goods or services');
  });
  it('discloses the deductible part when a payment over $75 bought goods or services', () => {
    const text = receiptText({
      ...base,
      amountMinor: 15_000,
      currency: 'USD',
      fairMarketValueMinor: 6_000,
    }).text;
    expect(text).toContain(
      'limited to the excess of the money you gave ($150.00) over the value of the goods or services Passage provided ($60.00): $90.00',
    );
    expect(
      receiptText({ ...base, amountMinor: 7_500, currency: 'USD', fairMarketValueMinor: 2_000 }).text,
    ).not.toContain('deductible');
  });
  it('property: a covered fee leaves at least the gift after the processor’s fee, in whole minor units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.constantFrom('USD', 'KRW') as fc.Arbitrary<'USD' | 'KRW'>,
        (amount, currency) => {
          const fee = coveredFee(amount, currency);
          const gross = BigInt(amount + fee);
          const processorFee = (2n * 29n * gross + 1000n) / 2000n + (currency === 'KRW' ? 0n : 30n);
          expect(gross - processorFee >= BigInt(amount)).toBe(true);
        },
      ),
    );
  });
});
