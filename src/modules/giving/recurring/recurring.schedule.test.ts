import { describe, expect, it } from 'vitest';
import {
  chargeDayFor,
  LAPSE_AFTER_FAILURES,
  nextChargeDay,
  periodStart,
  RETRY_DELAYS_DAYS,
  retryAt,
} from './recurring.schedule';

describe('monthly schedule arithmetic', () => {
  it('charges on today’s day of the month, clamped to the 28th so every month has it', () => {
    expect(chargeDayFor(new Date('2026-03-15T18:00:00Z'))).toBe(15);
    expect(chargeDayFor(new Date('2026-01-31T10:00:00Z'))).toBe(28);
    expect(nextChargeDay(28, new Date('2026-01-31T10:00:00Z')).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
    expect(nextChargeDay(15, new Date('2026-12-15T00:05:00Z')).toISOString()).toBe(
      '2027-01-15T00:00:00.000Z',
    );
  });

  it('keeps a retried charge on its schedule: the next charge is the month after its period', () => {
    // Due 28 March, retried 31 March and 7 April: the April charge is still on the 28th.
    expect(periodStart(28, new Date('2026-04-07T00:10:00Z')).toISOString()).toBe('2026-03-28T00:00:00.000Z');
    expect(nextChargeDay(28, new Date('2026-04-07T00:10:00Z')).toISOString()).toBe(
      '2026-04-28T00:00:00.000Z',
    );
    // Resuming on the 10th of a gift that charges on the 15th: this month's charge still comes.
    expect(nextChargeDay(15, new Date('2026-05-10T12:00:00Z')).toISOString()).toBe(
      '2026-05-15T00:00:00.000Z',
    );
  });

  it('retries after 3 days, then 7, then lapses; the retries fit inside the shortest month', () => {
    const failed = new Date('2026-03-01T00:05:00Z');
    expect(retryAt(1, failed)?.toISOString()).toBe('2026-03-04T00:05:00.000Z');
    expect(retryAt(2, failed)?.toISOString()).toBe('2026-03-08T00:05:00.000Z');
    expect(retryAt(3, failed)).toBeNull();
    expect(LAPSE_AFTER_FAILURES).toBe(3);
    expect(RETRY_DELAYS_DAYS.reduce((a, b) => a + b, 0)).toBeLessThan(28);
  });
});
