/*
 * When a monthly gift charges, as plain date arithmetic (UTC; no database). A monthly gift charges on its
 * day of the month (1–28, so every month has it) at 00:00 UTC; the charging job runs every few minutes
 * and takes whatever is due. A failed charge is tried again after RETRY_DELAYS_DAYS (3, then 7 days); when
 * the last retry fails too, the gift lapses.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days from a failed charge to its next try: the first retry after 3 days, the second after 7 more. */
export const RETRY_DELAYS_DAYS: readonly number[] = [3, 7];

/** A gift lapses at this many failed charges in a row (the first try and every retry). */
export const LAPSE_AFTER_FAILURES = RETRY_DELAYS_DAYS.length + 1;

/** The latest day a monthly gift may charge on: every month has a 28th. */
export const LAST_CHARGE_DAY = 28;

/** The day of the month a monthly gift started today charges on: today's, clamped to the 28th. */
export function chargeDayFor(now: Date): number {
  return Math.min(now.getUTCDate(), LAST_CHARGE_DAY);
}

function onDay(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

/** The latest charge day of the schedule at or before `at` (the start of the current period). */
export function periodStart(dayOfMonth: number, at: Date): Date {
  const thisMonth = onDay(at.getUTCFullYear(), at.getUTCMonth(), dayOfMonth);
  return thisMonth.getTime() <= at.getTime()
    ? thisMonth
    : onDay(at.getUTCFullYear(), at.getUTCMonth() - 1, dayOfMonth);
}

/**
 * The next charge day after `at`: the schedule's day in the month after the current period. After a
 * settled charge this keeps the schedule even when a retry settled days after its charge day (retries add
 * up to at most 10 days, less than the shortest month); on resuming a paused gift it charges nothing for
 * the past.
 */
export function nextChargeDay(dayOfMonth: number, at: Date): Date {
  const start = periodStart(dayOfMonth, at);
  return onDay(start.getUTCFullYear(), start.getUTCMonth() + 1, dayOfMonth);
}

/** When to try again after the `failures`-th failure in a row; null when the gift lapses instead. */
export function retryAt(failures: number, failedAt: Date): Date | null {
  const days = RETRY_DELAYS_DAYS[failures - 1];
  return days === undefined ? null : new Date(failedAt.getTime() + days * DAY_MS);
}
