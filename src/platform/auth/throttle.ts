import crypto from 'node:crypto';
import { and, count, eq, gte, inArray, like, or, sql } from 'drizzle-orm';
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

/**
 * Failures slow the place they come from before they lock the person: a wrong password from one address
 * locks that address for that account (a per-device delay), while the account itself locks only when its
 * failures come from several addresses, or pass a much higher count. So someone who knows a colleague's email
 * can no longer lock them out from one laptop, and an administrator can unlock an account at once.
 */
export interface ThrottlePolicy {
  /** Failures of one account from one address within the window before that address is locked for it. */
  addressAccountFailures: number;
  /** Failures of one account within the window before the whole account is locked… */
  accountFailures: number;
  /** …when they came from at least this many addresses (one address alone never locks an account)… */
  accountAddresses: number;
  /** …or this many failures, whatever their addresses. */
  accountHardFailures: number;
  /** Failures from one address within the window, whichever accounts, before the address is locked. */
  addressFailures: number;
  windowMinutes: number;
  lockMinutes: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = {
  addressAccountFailures: 5,
  accountFailures: 5,
  accountAddresses: 3,
  accountHardFailures: 20,
  addressFailures: 20,
  windowMinutes: 15,
  lockMinutes: 15,
};

/** A count that never locks by itself (the account's lock is decided after counting its addresses). */
const NO_LIMIT = 2_147_483_647;

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

  /** The counter of one account from one address: `pair:<account hmac>:<address>`. */
  private pairKey(email: string, ip: string): string {
    return `${this.pairPrefix(email)}${ip}`;
  }

  private pairPrefix(email: string): string {
    return `pair:${this.accountKey(email).slice('account:'.length)}:`;
  }

  private keys({ ip, email }: Who): string[] {
    const keys: string[] = [];
    if (email) keys.push(this.accountKey(email));
    if (ip) keys.push(`address:${ip}`);
    if (email && ip) keys.push(this.pairKey(email, ip));
    return keys;
  }

  async isLocked(who: Who, now = new Date()): Promise<boolean> {
    const keys = this.keys(who);
    if (!keys.length) return false;
    const rows = await this.db.select().from(signInThrottle).where(inArray(signInThrottle.key, keys));
    return rows.some((r) => r.lockedUntil && r.lockedUntil > now);
  }

  /** Whether the account itself is locked (not one address of it): what the staff list shows. */
  async isAccountLocked(email: string, now = new Date()): Promise<boolean> {
    const [row] = await this.db
      .select()
      .from(signInThrottle)
      .where(eq(signInThrottle.key, this.accountKey(email)));
    return Boolean(row?.lockedUntil && row.lockedUntil > now);
  }

  async recordFailure({ ip, email }: Who, now = new Date()): Promise<void> {
    if (ip) await this.bump(`address:${ip}`, this.policy.addressFailures, now);
    if (!email) return;
    if (ip) await this.bump(this.pairKey(email, ip), this.policy.addressAccountFailures, now);
    await this.bump(this.accountKey(email), NO_LIMIT, now);
    // The account locks when its failures within the window came from enough addresses, or are many.
    const windowStart = new Date(now.getTime() - this.policy.windowMinutes * 60_000);
    const [account] = await this.db
      .select()
      .from(signInThrottle)
      .where(eq(signInThrottle.key, this.accountKey(email)));
    if (!account) return;
    const [addresses] = await this.db
      .select({ n: count() })
      .from(signInThrottle)
      .where(
        and(
          like(signInThrottle.key, `${this.pairPrefix(email)}%`),
          gte(signInThrottle.windowStartedAt, windowStart),
        ),
      );
    const spread = (addresses?.n ?? 0) >= this.policy.accountAddresses;
    if (
      (account.failures >= this.policy.accountFailures && spread) ||
      account.failures >= this.policy.accountHardFailures
    ) {
      await this.db
        .update(signInThrottle)
        .set({ lockedUntil: new Date(now.getTime() + this.policy.lockMinutes * 60_000) })
        .where(eq(signInThrottle.key, this.accountKey(email)));
    }
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

  /** A sign-in that worked clears the account's count and that address's count for it. */
  async recordSuccess({ email, ip = null }: { email: string; ip?: string | null }): Promise<void> {
    const keys = [this.accountKey(email), ...(ip ? [this.pairKey(email, ip)] : [])];
    await this.db.delete(signInThrottle).where(inArray(signInThrottle.key, keys));
  }

  /**
   * An administrator's unlock (audited by the caller), or a re-enrolment: the account's count and lock, every
   * address's lock for it and, with the account id, its step-up lock. Address locks of other accounts stay.
   */
  async clear(email: string, userId?: string): Promise<void> {
    await this.db
      .delete(signInThrottle)
      .where(
        or(
          inArray(signInThrottle.key, [this.accountKey(email), ...(userId ? [this.stepUpKey(userId)] : [])]),
          like(signInThrottle.key, `${this.pairPrefix(email)}%`),
        ),
      );
  }
}
