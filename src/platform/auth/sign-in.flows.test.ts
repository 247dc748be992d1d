import { eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  cookiesOf,
  createStaffMember,
  type StaffMember,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
  totpCode,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { auditLog } from '../audit/audit.table';
import { GENERIC_SIGN_IN_FAILURE } from './auth';
import { sessions, signInThrottle, users, verifications } from './auth.table';

const PASSWORD = 'meadow-anchor-violet-93';

describeEachDatabase('signing in', (getDb) => {
  let t: TestApp;
  let admin: string;
  let staff: StaffMember;
  let auditor: StaffMember;
  const consoleLines: string[] = [];
  const typedEmails = new Set<string>();
  const typedPasswords = new Set<string>();
  const db = () => getDb().db;
  let ipCounter = 0;
  /** A fresh client address, so per-address limits of one test do not leak into another. */
  const freshIp = () => `203.0.113.${++ipCounter}`;

  const signInRequest = (email: string, password: string, ip: string, extra: object = {}) => {
    typedEmails.add(email);
    typedPasswords.add(password);
    return t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email, password, ...extra },
      remoteAddress: ip,
    });
  };
  const verifyTotp = (cookie: string, code: string, ip: string, extra: object = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/two-factor/verify-totp',
      payload: { code, ...extra },
      headers: { cookie },
      remoteAddress: ip,
    });
  const session = (cookie: string) =>
    t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
  const failedAuditCount = async () =>
    (
      await db()
        .select({ n: sql<number>`count(*)::int` })
        .from(auditLog)
        .where(like(auditLog.action, 'auth.sign_in_failed%'))
    )[0]?.n ?? 0;

  beforeAll(async () => {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map(String).join(' '));
      });
    }
    t = await startTestApp(getDb());
    ({ cookie: admin } = await signInAsAdministrator(t));
    staff = await createStaffMember(t, admin, {
      email: 'jiwoo.han@example.org',
      name: 'Han Jiwoo',
      role: 'outreach',
      password: PASSWORD,
    });
    auditor = await createStaffMember(t, admin, {
      email: 'auditor@example.org',
      name: 'Oh Auditor',
      role: 'auditor',
      password: PASSWORD,
    });
  });
  beforeEach(async () => {
    await db().delete(signInThrottle);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  describe('with an authenticator app', () => {
    it('answers twoFactorRedirect and makes no session until the code', async () => {
      const before = await db().select().from(sessions).where(eq(sessions.userId, staff.userId));
      const r = await signInRequest(staff.email, PASSWORD, freshIp());
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ twoFactorRedirect: true });
      const cookie = cookiesOf(r);
      expect(cookie).not.toContain('session_token');
      expect((await session(cookie)).json()).toEqual({ user: null });
      const after = await db().select().from(sessions).where(eq(sessions.userId, staff.userId));
      expect(after.length).toBe(before.length);
    });

    it('refuses a wrong code with 401 and the generic message, still without a session', async () => {
      const ip = freshIp();
      const r = await signInRequest(staff.email, PASSWORD, ip);
      const cookie = cookiesOf(r);
      const right = totpCode(staff.totpSecret ?? '');
      const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
      const refused = await verifyTotp(cookie, wrong, ip);
      expect(refused.statusCode).toBe(401);
      expect(refused.json()).toEqual({ error: 'unauthenticated', message: GENERIC_SIGN_IN_FAILURE });
      expect((await session(cookiesOf(refused, cookie))).json()).toEqual({ user: null });
    });

    it('signs in with the right code, sets the session cookie and never returns the token in the body', async () => {
      const ip = freshIp();
      const r = await signInRequest(staff.email, PASSWORD, ip);
      const cookie = cookiesOf(r);
      const ok = await verifyTotp(cookie, totpCode(staff.totpSecret ?? ''), ip);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).not.toHaveProperty('token');
      const jar = cookiesOf(ok, cookie);
      expect(jar).toContain('passage.session_token=');
      const token = jar.match(/passage\.session_token=([^.;]+)/)?.[1] ?? '';
      expect(ok.body).not.toContain(token);
      expect((await session(jar)).json().user).toMatchObject({ email: staff.email, secondFactor: true });
    });

    it('ignores trustDevice: true (no trust cookie, no remembered device, the next sign-in asks again)', async () => {
      const ip = freshIp();
      const r = await signInRequest(staff.email, PASSWORD, ip);
      const cookie = cookiesOf(r);
      const ok = await verifyTotp(cookie, totpCode(staff.totpSecret ?? ''), ip, { trustDevice: true });
      expect(ok.statusCode).toBe(200);
      const names = ok.cookies.map((c) => c.name);
      expect(names.some((n) => n.includes('trust'))).toBe(false);
      const trusted = await db()
        .select()
        .from(verifications)
        .where(like(verifications.identifier, 'trust-device-%'));
      expect(trusted).toEqual([]);
      const next = await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: staff.email, password: PASSWORD },
        headers: { cookie: cookiesOf(ok, cookie) },
        remoteAddress: ip,
      });
      expect(next.json()).toMatchObject({ twoFactorRedirect: true });
    });
  });

  describe('failures', () => {
    it('answers an unknown email, a wrong password and a frozen account with the same 401 and message', async () => {
      const unknown = await signInRequest('nobody.here@example.org', 'some-long-password-1', freshIp());
      const wrong = await signInRequest(staff.email, 'not-my-password-at-all', freshIp());
      await db().update(users).set({ frozenAt: new Date() }).where(eq(users.id, auditor.userId));
      const frozen = await signInRequest(auditor.email, PASSWORD, freshIp());
      await db().update(users).set({ frozenAt: null }).where(eq(users.id, auditor.userId));
      for (const r of [unknown, wrong, frozen]) {
        expect(r.statusCode).toBe(401);
        expect(r.json()).toEqual({ error: 'unauthenticated', message: GENERIC_SIGN_IN_FAILURE });
        expect(r.headers['set-cookie']).toBeUndefined();
      }
    });

    it('locks an account after 5 failures: 429 with the same message, even with the right password', async () => {
      for (let i = 0; i < 5; i++) {
        const r = await signInRequest(staff.email, `wrong-password-number-${i}`, freshIp());
        expect(r.statusCode).toBe(401);
      }
      const locked = await signInRequest(staff.email, PASSWORD, freshIp());
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toEqual({ error: 'rate_limited', message: GENERIC_SIGN_IN_FAILURE });
      expect(locked.headers['set-cookie']).toBeUndefined();
      // Another account is not affected.
      expect((await signInRequest(auditor.email, PASSWORD, freshIp())).statusCode).toBe(200);
    });

    it('unlocks the account once the lock has run out', async () => {
      for (let i = 0; i < 5; i++) await signInRequest(staff.email, `wrong-password-number-${i}`, freshIp());
      expect((await signInRequest(staff.email, PASSWORD, freshIp())).statusCode).toBe(429);
      await db()
        .update(signInThrottle)
        .set({
          lockedUntil: new Date(Date.now() - 1000),
          windowStartedAt: new Date(Date.now() - 16 * 60_000),
        })
        .where(eq(signInThrottle.key, t.ctx.throttle.accountKey(staff.email)));
      const r = await signInRequest(staff.email, PASSWORD, freshIp());
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ twoFactorRedirect: true });
    });

    it('locks an address after 20 failures, whichever accounts were tried', async () => {
      const ip = freshIp();
      for (let i = 0; i < 20; i++) {
        const r = await signInRequest(`guess${i}@example.org`, `guessed-password-${i}`, ip);
        expect(r.statusCode).toBe(401);
      }
      const locked = await signInRequest(auditor.email, PASSWORD, ip);
      expect(locked.statusCode).toBe(429);
      expect(locked.json().message).toBe(GENERIC_SIGN_IN_FAILURE);
      expect((await signInRequest(auditor.email, PASSWORD, freshIp())).statusCode).toBe(200);
    });

    it('counts wrong authenticator codes towards the lockout', async () => {
      const ip = freshIp();
      for (let i = 0; i < 5; i++) {
        const start = await signInRequest(auditor.email, PASSWORD, ip);
        await verifyTotp(cookiesOf(start), '000000', ip, {});
      }
      const rows = await db()
        .select()
        .from(signInThrottle)
        .where(eq(signInThrottle.key, `address:${ip}`));
      expect(rows[0]?.failures).toBe(5);
    });

    it('writes every failure to the audit log, where an auditor finds it with outcome=failed', async () => {
      const before = await failedAuditCount();
      await signInRequest('typo.person@example.org', 'a-typed-secret-password-1', freshIp());
      await signInRequest(staff.email, 'a-typed-secret-password-2', freshIp());
      expect(await failedAuditCount()).toBe(before + 2);
      const auditorCookie = (
        await (async () => {
          const ip = freshIp();
          const start = await signInRequest(auditor.email, PASSWORD, ip);
          const ok = await verifyTotp(cookiesOf(start), totpCode(auditor.totpSecret ?? ''), ip);
          return { cookie: cookiesOf(ok, cookiesOf(start)) };
        })()
      ).cookie;
      const r = await t.app.inject({
        method: 'GET',
        url: '/api/audit?outcome=failed&limit=200',
        headers: { cookie: auditorCookie },
      });
      expect(r.statusCode).toBe(200);
      const entries = r.json().entries as { action: string; outcome: string }[];
      expect(
        entries.filter((e) => e.action === 'auth.sign_in_failed.sign_in.email').length,
      ).toBeGreaterThanOrEqual(2);
      expect(entries.every((e) => e.outcome === 'failed')).toBe(true);
    });

    it('audits a refusal of a locked account as denied', async () => {
      for (let i = 0; i < 5; i++) await signInRequest(staff.email, `wrong-password-number-${i}`, freshIp());
      await signInRequest(staff.email, PASSWORD, freshIp());
      const [last] = await db()
        .select()
        .from(auditLog)
        .where(like(auditLog.action, 'auth.sign_in_failed%'))
        .orderBy(sql`${auditLog.seq} desc`)
        .limit(1);
      expect(last?.outcome).toBe('denied');
    });

    it('never writes a typed email or password to the audit log, the logs or the console', async () => {
      const everything = [
        JSON.stringify(await db().select().from(auditLog)),
        t.logs.join('\n'),
        consoleLines.join('\n'),
      ].join('\n');
      expect(typedEmails.size).toBeGreaterThan(20);
      for (const email of typedEmails) expect(everything).not.toContain(email);
      for (const password of typedPasswords) expect(everything).not.toContain(password);
    });
  });
});
