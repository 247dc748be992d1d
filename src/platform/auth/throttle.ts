import crypto from 'node:crypto';
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { signInThrottle } from './auth.table';

/** better-auth paths whose failures count towards lockout. */
export const THROTTLED_PATHS = new Set([
  '/sign-in/email',
  '/sign-in/magic-link',
  '/two-factor/verify-totp',
  '/two-factor/verify-backup-code',
  '/passkey/verify-authentication',
]);

export interface ThrottlePolicy {
  /** Failures of one account within the window before it is locked. */
  accountFailures: number;
  /** Failures from one address within the window before it is locked. */
  addressFailures: number;
  windowMinutes: number;
  lockMinutes: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  accountFailures: 5,
  addressFailures: 20,
  windowMinutes: 15,
  lockMinutes: 15,
};

interface Who {
  ip: string | null;
  email: string | null;
}

/**
 * The throttle's HMAC key, derived from the server's secret (HKDF-SHA256 with its own label), so someone who
 * reads the database but not the secret cannot test guessed emails against the account counters.
 */
export function throttlePepper(serverSecret: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', serverSecret, 'passage', 'passage.sign-in-throttle', 32));
}

/**
 * Lockout after repeated failures, per account and per address, kept in the database so every process
 * sees the same counts. Locks expire by themselves; a success clears the account's count.
 */
export class SignInThrottle {
  constructor(
    private readonly db: Db,
    readonly policy: ThrottlePolicy = DEFAULT_THROTTLE,
    /**
     * Keys the account hash, so the table cannot be read back into the emails (or passwords) people typed:
     * derived from the server's secret (`throttlePepper`), never a constant in the source.
     */
    private readonly pepper: Buffer,
  ) {}

  /** The counter key of whatever was typed as the email: an HMAC, never the text itself. */
  accountKey(email: string): string {
    return `account:${crypto.createHmac('sha256', this.pepper).update(email.trim().toLowerCase()).digest('hex')}`;
  }

  private keys({ ip, email }: Who): { key: string; limit: number }[] {
    const keys: { key: string; limit: number }[] = [];
    if (email) keys.push({ key: this.accountKey(email), limit: this.policy.accountFailures });
    if (ip) keys.push({ key: `address:${ip}`, limit: this.policy.addressFailures });
    return keys;
  }

  async isLocked(who: Who, now = new Date()): Promise<boolean> {
    const keys = this.keys(who).map((k) => k.key);
    if (!keys.length) return false;
    const rows = await this.db.select().from(signInThrottle).where(inArray(signInThrottle.key, keys));
    return rows.some((r) => r.lockedUntil && r.lockedUntil > now);
  }

  async recordFailure(who: Who, now = new Date()): Promise<void> {
    for (const { key, limit } of this.keys(who)) await this.bump(key, limit, now);
  }

  /** Counts one failure under `key`, locking it at `limit`; one statement, so concurrent failures add up. */
  private async bump(key: string, limit: number, now: Date): Promise<void> {
    const windowStart = new Date(now.getTime() - this.policy.windowMinutes * 60_000);
    const lockUntil = new Date(now.getTime() + this.policy.lockMinutes * 60_000);
    await this.db
      .insert(signInThrottle)
      .values({ key, failures: 1, windowStartedAt: now, lockedUntil: limit <= 1 ? lockUntil : null })
      .onConflictDoUpdate({
        target: signInThrottle.key,
        set: {
          failures: sql`case when ${signInThrottle.windowStartedAt} < ${windowStart} then 1 else ${signInThrottle.failures} + 1 end`,
          windowStartedAt: sql`case when ${signInThrottle.windowStartedAt} < ${windowStart} then ${now} else ${signInThrottle.windowStartedAt} end`,
          lockedUntil: sql`case when (case when ${signInThrottle.windowStartedAt} < ${windowStart} then 1 else ${signInThrottle.failures} + 1 end) >= ${limit} then ${lockUntil}::timestamptz else ${signInThrottle.lockedUntil} end`,
        },
      });
  }

  /**
   * Step-up failures of one account (a wrong password or code from a signed-in session), counted and
   * locked as sign-in failures are: five within the window lock that account's step-up for the lock time,
   * whichever session or address they come from, so a stolen session cannot guess codes by rotating
   * addresses. Keyed by the account id (the person is signed in; nothing typed is stored).
   */
  stepUpKey(userId: string): string {
    return `step-up:${userId}`;
  }

  async isStepUpLocked(userId: string, now = new Date()): Promise<boolean> {
    const [row] = await this.db
      .select()
      .from(signInThrottle)
      .where(inArray(signInThrottle.key, [this.stepUpKey(userId)]));
    return Boolean(row?.lockedUntil && row.lockedUntil > now);
  }

  async recordStepUpFailure(userId: string, now = new Date()): Promise<void> {
    await this.bump(this.stepUpKey(userId), this.policy.accountFailures, now);
  }

  async recordStepUpSuccess(userId: string): Promise<void> {
    await this.db.delete(signInThrottle).where(inArray(signInThrottle.key, [this.stepUpKey(userId)]));
  }

  async recordSuccess({ email }: { email: string }): Promise<void> {
    await this.db.delete(signInThrottle).where(inArray(signInThrottle.key, [this.accountKey(email)]));
  }

  /** An administrator's unlock (also done by unfreezing an account). */
  async clear(email: string): Promise<void> {
    await this.recordSuccess({ email });
  }
}
