import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness/databases';
import { signInThrottle } from './auth.table';
import { DEFAULT_THROTTLE, SignInThrottle, throttlePepper } from './throttle';

const T0 = new Date('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describeEachDatabase('SignInThrottle', (getDb) => {
  let throttle: SignInThrottle;
  beforeEach(async () => {
    await getDb().db.delete(signInThrottle);
    throttle = new SignInThrottle(
      getDb().db,
      undefined,
      throttlePepper('a-test-secret-of-at-least-32-characters!'),
    );
  });

  it('uses the documented policy: 5 per address and account, 5 per account from 3 addresses or 20 from any, 20 per address, 15-minute window and lock', () => {
    expect(DEFAULT_THROTTLE).toEqual({
      addressAccountFailures: 5,
      accountFailures: 5,
      accountAddresses: 3,
      accountHardFailures: 20,
      addressFailures: 20,
      windowMinutes: 15,
      lockMinutes: 15,
    });
  });

  it('locks only the address for the account after 5 failures from one address: the account still signs in from elsewhere', async () => {
    const who = { ip: '192.0.2.40', email: 'a@example.org' };
    for (let i = 0; i < 4; i++) await throttle.recordFailure(who, at(i));
    expect(await throttle.isLocked(who, at(4))).toBe(false);
    await throttle.recordFailure(who, at(4));
    expect(await throttle.isLocked(who, at(4))).toBe(true);
    expect(await throttle.isLocked({ ip: '192.0.2.41', email: 'a@example.org' }, at(4))).toBe(false);
    expect(await throttle.isLocked({ ip: '192.0.2.40', email: 'other@example.org' }, at(4))).toBe(false);
    expect(await throttle.isAccountLocked('a@example.org', at(4))).toBe(false);
  });

  it('locks the account after 5 failures from 3 addresses, not from 2, and after 20 from anywhere', async () => {
    const two = ['192.0.2.50', '192.0.2.51'];
    for (let i = 0; i < 8; i++)
      await throttle.recordFailure({ ip: two[i % 2] ?? null, email: 'spread@example.org' }, at(0));
    expect(await throttle.isAccountLocked('spread@example.org', at(0))).toBe(false);
    await throttle.recordFailure({ ip: '192.0.2.52', email: 'spread@example.org' }, at(0));
    expect(await throttle.isAccountLocked('spread@example.org', at(0))).toBe(true);
    expect(await throttle.isLocked({ ip: '192.0.2.99', email: 'spread@example.org' }, at(1))).toBe(true);
    const noAddress = { ip: null, email: 'many@example.org' };
    for (let i = 0; i < 19; i++) await throttle.recordFailure(noAddress, at(0));
    expect(await throttle.isAccountLocked('many@example.org', at(0))).toBe(false);
    await throttle.recordFailure(noAddress, at(0));
    expect(await throttle.isAccountLocked('many@example.org', at(0))).toBe(true);
  });

  it('unlocks on an administrator\u2019s clear: the account, every address of it, its step-up; other accounts keep theirs', async () => {
    for (let i = 0; i < 5; i++)
      await throttle.recordFailure({ ip: `10.1.0.${i}`, email: 'g@example.org' }, at(0));
    for (let i = 0; i < 5; i++)
      await throttle.recordFailure({ ip: '10.1.0.9', email: 'h@example.org' }, at(0));
    await throttle.recordStepUpFailure('user-g', at(0));
    expect(await throttle.isLocked({ ip: '10.1.0.1', email: 'g@example.org' }, at(1))).toBe(true);
    await throttle.clear('g@example.org', 'user-g');
    expect(await throttle.isLocked({ ip: '10.1.0.1', email: 'g@example.org' }, at(1))).toBe(false);
    const left = (await getDb().db.select().from(signInThrottle)).map((r) => r.key);
    expect(
      left.filter((k) => k.startsWith('pair:') || k.startsWith('step-up:') || k.startsWith('account:')),
    ).toEqual(
      expect.not.arrayContaining([throttle.accountKey('g@example.org'), throttle.stepUpKey('user-g')]),
    );
    expect(await throttle.isLocked({ ip: '10.1.0.9', email: 'h@example.org' }, at(1))).toBe(true);
  });

  it('counts an account by its email whatever the case, and locks it from any address', async () => {
    for (let i = 0; i < 5; i++)
      await throttle.recordFailure({ ip: `10.0.0.${i}`, email: 'B@Example.org' }, at(0));
    expect(await throttle.isLocked({ ip: '10.9.9.9', email: 'b@example.org' }, at(1))).toBe(true);
  });

  it('unlocks by itself 15 minutes after the lock', async () => {
    const who = { ip: null, email: 'c@example.org' };
    for (let i = 0; i < 5; i++)
      await throttle.recordFailure({ ip: `10.2.0.${i}`, email: 'c@example.org' }, at(0));
    expect(await throttle.isLocked(who, at(14.9))).toBe(true);
    expect(await throttle.isLocked(who, at(15.1))).toBe(false);
  });

  it('starts a new count when failures are more than 15 minutes apart', async () => {
    const who = { ip: null, email: 'd@example.org' };
    for (let i = 0; i < 4; i++) await throttle.recordFailure(who, at(0));
    await throttle.recordFailure(who, at(16));
    expect(await throttle.isLocked(who, at(16))).toBe(false);
    const [row] = await getDb()
      .db.select()
      .from(signInThrottle)
      .where(eq(signInThrottle.key, throttle.accountKey('d@example.org')));
    expect(row?.failures).toBe(1);
  });

  it('locks an address after 20 failures across different accounts', async () => {
    for (let i = 0; i < 19; i++)
      await throttle.recordFailure({ ip: '192.0.2.7', email: `u${i}@example.org` }, at(0));
    expect(await throttle.isLocked({ ip: '192.0.2.7', email: 'new@example.org' }, at(0))).toBe(false);
    await throttle.recordFailure({ ip: '192.0.2.7', email: 'u19@example.org' }, at(0));
    expect(await throttle.isLocked({ ip: '192.0.2.7', email: 'new@example.org' }, at(0))).toBe(true);
    expect(await throttle.isLocked({ ip: '192.0.2.8', email: 'new@example.org' }, at(0))).toBe(false);
  });

  it('clears the account count on success but not the address count', async () => {
    const who = { ip: '192.0.2.9', email: 'e@example.org' };
    for (let i = 0; i < 4; i++) await throttle.recordFailure(who, at(0));
    await throttle.recordSuccess({ email: 'E@example.org', ip: '192.0.2.9' });
    const rows = await getDb().db.select().from(signInThrottle);
    expect(rows.map((r) => r.key)).toEqual(['address:192.0.2.9']);
  });

  it('loses no count when failures arrive concurrently', async () => {
    const who = { ip: null, email: 'f@example.org' };
    await Promise.all(Array.from({ length: 20 }, () => throttle.recordFailure(who, at(0))));
    expect(await throttle.isLocked(who, at(1))).toBe(true);
  });

  it('stores no typed email: an account is counted under an HMAC of it', async () => {
    await throttle.recordFailure({ ip: null, email: 'Typed.Secret@Example.org' }, at(0));
    const rows = await getDb().db.select().from(signInThrottle);
    expect(rows.map((r) => r.key)).toEqual([throttle.accountKey('typed.secret@example.org')]);
    expect(JSON.stringify(rows).toLowerCase()).not.toContain('typed.secret');
  });

  it('never locks a caller with neither address nor email', async () => {
    await throttle.recordFailure({ ip: null, email: null }, at(0));
    expect(await throttle.isLocked({ ip: null, email: null }, at(0))).toBe(false);
    expect(await getDb().db.select().from(signInThrottle)).toEqual([]);
  });
});

it('keys account counters with a key derived from the server secret, not one written in the source', () => {
  const db = null as unknown as ConstructorParameters<typeof SignInThrottle>[0];
  const a = new SignInThrottle(
    db,
    DEFAULT_THROTTLE,
    throttlePepper('first-server-secret-of-32-characters-or-more'),
  );
  const b = new SignInThrottle(
    db,
    DEFAULT_THROTTLE,
    throttlePepper('other-server-secret-of-32-characters-or-more'),
  );
  const email = 'Coordinator@Example.org ';
  expect(a.accountKey(email)).toMatch(/^account:[0-9a-f]{64}$/);
  expect(a.accountKey(email)).toBe(a.accountKey('coordinator@example.org'));
  expect(a.accountKey(email)).not.toBe(b.accountKey(email));
  // The constant the counters were once keyed with (anyone could recompute them from a stolen table).
  const fromSource = crypto
    .createHmac('sha256', 'passage-throttle')
    .update('coordinator@example.org')
    .digest('hex');
  expect(a.accountKey(email)).not.toBe(`account:${fromSource}`);
});
