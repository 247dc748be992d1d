import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookiesOf,
  createStaffMember,
  type StaffMember,
  signIn,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { SESSION_ABSOLUTE_SECONDS } from './auth';
import { sessions } from './auth.table';

const SECRET = 'a-shared-test-secret-of-at-least-32-characters';
const ADMIN = { email: 'admin@example.org', password: 'river-lantern-harbour-71' };
const COORDINATOR_PASSWORD = 'granite-swallow-keel-64';
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

/** The raw session token inside a Cookie header value (before the signature). */
const tokenIn = (cookie: string) => cookie.match(/passage\.session_token=([^.;]+)/)?.[1] ?? '';
const sessionCookie = (r: LightMyRequestResponse) => r.cookies.find((c) => c.name.endsWith('session_token'));

describeEachDatabase('sessions', (getDb) => {
  let t: TestApp;
  let adminTotp: string;
  let coordinator: StaffMember;
  const db = () => getDb().db;
  const rowOf = async (cookie: string) =>
    (
      await db()
        .select()
        .from(sessions)
        .where(eq(sessions.token, tokenIn(cookie)))
    )[0];
  const setIdle = (cookie: string, minutes: number) =>
    db()
      .update(sessions)
      .set({ lastActiveAt: minutesAgo(minutes) })
      .where(eq(sessions.token, tokenIn(cookie)));
  const security = (app: TestApp, cookie: string) =>
    app.app.inject({ method: 'GET', url: '/api/me/security', headers: { cookie } });

  beforeAll(async () => {
    t = await startTestApp(getDb(), { BETTER_AUTH_SECRET: SECRET });
    const admin = await signInAsAdministrator(t, ADMIN);
    adminTotp = admin.totpSecret;
    coordinator = await createStaffMember(t, admin.cookie, {
      email: 'coordinator@example.org',
      name: 'Choi Coordinator',
      role: 'rescue_coordinator',
      password: COORDINATOR_PASSWORD,
      enrol: false,
    });
  });
  afterAll(() => t?.close());

  describe('the cookie over plain http (localhost)', () => {
    it('is passage.session_token, HttpOnly, SameSite=Strict, Path=/, no Domain, and the body has no token', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: coordinator.email, password: COORDINATOR_PASSWORD },
      });
      expect(r.statusCode).toBe(200);
      const c = sessionCookie(r);
      expect(c).toMatchObject({
        name: 'passage.session_token',
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
      });
      expect(c?.domain).toBeUndefined();
      expect(r.json()).not.toHaveProperty('token');
      expect(r.body).not.toContain(String(c?.value).split('.')[0]);
    });
  });

  describe('the cookie over https', () => {
    let https: TestApp;
    beforeAll(async () => {
      https = await startTestApp(getDb(), {
        BETTER_AUTH_SECRET: SECRET,
        PUBLIC_URL: 'https://passage.example.org',
      });
    });
    afterAll(() => https?.close());

    it('is __Host-passage.session_token, Secure, HttpOnly, SameSite=Strict, Path=/ and no Domain', async () => {
      const r = await https.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: coordinator.email, password: COORDINATOR_PASSWORD },
      });
      expect(r.statusCode).toBe(200);
      const c = sessionCookie(r);
      expect(c).toMatchObject({
        name: '__Host-passage.session_token',
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
      });
      expect(c?.domain).toBeUndefined();
      expect(r.cookies.filter((x) => x.name.startsWith('__Secure-'))).toEqual([]);
      expect(r.json()).not.toHaveProperty('token');
    });

    it('keeps the caller signed in when the __Host- cookie comes back', async () => {
      const r = await https.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: coordinator.email, password: COORDINATOR_PASSWORD },
      });
      const cookie = cookiesOf(r);
      expect(cookie).toMatch(/^__Host-passage\.session_token=/);
      const s = await https.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect(s.json().user).toMatchObject({ email: coordinator.email, role: 'rescue_coordinator' });
      // The plain-http name is not accepted over https.
      const plain = cookie.replace('__Host-passage.', 'passage.');
      const p = await https.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: plain } });
      expect(p.json()).toEqual({ user: null });
    });

    it('keeps the full second-factor sign-in working with __Host- cookies', async () => {
      const cookie = await signIn(https.app, ADMIN.email, ADMIN.password, { totpSecret: adminTotp });
      expect(cookie).toContain('__Host-passage.session_token=');
      const r = await https.app.inject({ method: 'GET', url: '/api/admin/staff', headers: { cookie } });
      expect(r.statusCode).toBe(200);
    });
  });

  describe('idle timeout', () => {
    it('ends a rescue coordinator’s session after 16 idle minutes: 401 and the row deleted', async () => {
      const cookie = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      expect((await security(t, cookie)).statusCode).toBe(200);
      await setIdle(cookie, 16);
      const r = await security(t, cookie);
      expect(r.statusCode).toBe(401);
      expect(await rowOf(cookie)).toBeUndefined();
      expect((await security(t, cookie)).statusCode).toBe(401);
    });

    it('keeps a rescue coordinator at 14 idle minutes and touches last_active_at', async () => {
      const cookie = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      await setIdle(cookie, 14);
      expect((await security(t, cookie)).statusCode).toBe(200);
      const row = await rowOf(cookie);
      expect(Date.now() - (row?.lastActiveAt.getTime() ?? 0)).toBeLessThan(10_000);
    });

    it('keeps an administrator (30 minutes) at 16 idle minutes and ends the session at 31', async () => {
      const cookie = await signIn(t.app, ADMIN.email, ADMIN.password, { totpSecret: adminTotp });
      await setIdle(cookie, 16);
      expect((await security(t, cookie)).statusCode).toBe(200);
      await setIdle(cookie, 31);
      expect((await security(t, cookie)).statusCode).toBe(401);
      expect(await rowOf(cookie)).toBeUndefined();
    });

    it('follows PASSAGE_IDLE_MINUTES overrides', async () => {
      const other = await startTestApp(getDb(), {
        BETTER_AUTH_SECRET: SECRET,
        PASSAGE_IDLE_MINUTES: 'administrator=10,rescue_coordinator=20',
      });
      try {
        const admin = await signIn(other.app, ADMIN.email, ADMIN.password, { totpSecret: adminTotp });
        await setIdle(admin, 11);
        expect((await security(other, admin)).statusCode).toBe(401);
        const coord = await signIn(other.app, coordinator.email, COORDINATOR_PASSWORD);
        await setIdle(coord, 16);
        expect((await security(other, coord)).statusCode).toBe(200);
      } finally {
        await other.close();
      }
    });
  });

  describe('absolute expiry', () => {
    it('sets expires_at 12 hours after created_at and never extends it', async () => {
      expect(SESSION_ABSOLUTE_SECONDS).toBe(12 * 60 * 60);
      const cookie = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      const row = await rowOf(cookie);
      const lifetime = (row?.expiresAt.getTime() ?? 0) - (row?.createdAt.getTime() ?? 0);
      expect(Math.abs(lifetime - 12 * 3600_000)).toBeLessThan(5_000);
      await setIdle(cookie, 5);
      await security(t, cookie);
      expect((await rowOf(cookie))?.expiresAt.getTime()).toBe(row?.expiresAt.getTime());
    });

    it('refuses a session past expires_at even when recently active', async () => {
      const cookie = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      await db()
        .update(sessions)
        .set({ expiresAt: minutesAgo(1), createdAt: minutesAgo(12 * 60 + 1), lastActiveAt: minutesAgo(0) })
        .where(eq(sessions.token, tokenIn(cookie)));
      expect((await security(t, cookie)).statusCode).toBe(401);
    });
  });

  describe('revocation', () => {
    it('ends one device’s session from another, and signing out (even without a body) deletes the row', async () => {
      const a = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      const b = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      const rowB = await rowOf(b);
      const list = await security(t, a);
      const listed = list.json().sessions as { id: string; current: boolean }[];
      expect(listed.find((s) => s.id === rowB?.id)?.current).toBe(false);
      expect(JSON.stringify(list.json())).not.toContain(tokenIn(a));
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/api/me/sessions/${rowB?.id}`,
        headers: { cookie: a },
      });
      expect(del.statusCode).toBe(204);
      expect((await security(t, b)).statusCode).toBe(401);

      const out = await t.app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: a } });
      expect(out.statusCode).toBe(200);
      expect(await rowOf(a)).toBeUndefined();
      expect((await security(t, a)).statusCode).toBe(401);
    });

    it('cannot end someone else’s session (404)', async () => {
      const mine = await signIn(t.app, coordinator.email, COORDINATOR_PASSWORD);
      const theirs = await signIn(t.app, ADMIN.email, ADMIN.password, { totpSecret: adminTotp });
      const theirRow = await rowOf(theirs);
      const r = await t.app.inject({
        method: 'DELETE',
        url: `/api/me/sessions/${theirRow?.id}`,
        headers: { cookie: mine },
      });
      expect(r.statusCode).toBe(404);
      expect((await security(t, theirs)).statusCode).toBe(200);
    });
  });
});
