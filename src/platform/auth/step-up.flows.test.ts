import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_PASSWORD, createActor, freshSession } from '../../../test/harness/actors';
import {
  createStaffMember,
  type StaffMember,
  signIn,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
  totpCode,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { authorize, defineActions, STEP_UP_WINDOW_MS, type Subject } from '../access/policy';
import { auditLog } from '../audit/audit.table';
import { runHousekeeping } from '../jobs/housekeeping.job';
import { CODE_REPLAY_WINDOW_MS } from './account-security.service';
import { apiTokenGrants, sessions, signInThrottle, spentStepUpCodes } from './auth.table';

const PASSWORD = 'thistle-beacon-morrow-27';
// A test-only action; the name is unique to this file so a second declaration cannot clash.
const ACTION = 'step_up_flows_test.open_identity';
defineActions({ [ACTION]: { roles: { rescue_coordinator: 'any' }, stepUp: true } });

/** What two processes of one installation share besides the database: the session secret. */
const SHARED = { BETTER_AUTH_SECRET: 'step-up-flows-test-secret-0123456789abcdef' };

const wrongCodeFor = (secret: string) =>
  String((Number(totpCode(secret)) + 500_000) % 1_000_000).padStart(6, '0');

describeEachDatabase('step-up', (getDb) => {
  let t: TestApp;
  let member: StaffMember;
  let cookie: string;
  const db = () => getDb().db;
  let ip = 0;
  const stepUp = (payload: object, headers: Record<string, string> = { cookie }) =>
    t.app.inject({
      method: 'POST',
      url: '/api/me/step-up',
      payload,
      headers,
      remoteAddress: `198.51.100.${++ip}`,
    });
  const sessionUser = async (c = cookie) =>
    (await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: c } })).json().user as {
      id: string;
      role: string;
      stepUpAt: string | null;
    };
  const subject = (stepUpAt: Date | null): Subject => ({
    userId: member.userId,
    role: 'rescue_coordinator',
    compartments: new Set(),
    stepUpAt,
  });
  const stepUpAudits = () =>
    db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'session.step_up'), eq(auditLog.actorId, member.userId)));

  beforeAll(async () => {
    t = await startTestApp(getDb(), SHARED);
    const admin = await signInAsAdministrator(t);
    member = await createStaffMember(t, admin.cookie, {
      email: 'coordinator@example.org',
      name: 'Yoon Coordinator',
      role: 'rescue_coordinator',
      password: PASSWORD,
    });
    cookie = member.cookie;
    // Start from a session that has not re-authenticated.
    await db().update(sessions).set({ stepUpAt: null }).where(eq(sessions.userId, member.userId));
  });
  afterAll(() => t?.close());

  it('starts without a step-up, and policy refuses a stepUp action with step_up', async () => {
    expect((await sessionUser()).stepUpAt).toBeNull();
    expect(authorize(subject(null), ACTION)).toEqual({ allowed: false, reason: 'step_up' });
  });

  it('refuses a wrong authenticator code with 401, audits it as failed and marks nothing', async () => {
    const before = (await stepUpAudits()).length;
    const r = await stepUp({ password: PASSWORD, code: wrongCodeFor(member.totpSecret ?? '') });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({
      error: 'unauthenticated',
      message: 'Re-authentication failed. Check your password and code.',
    });
    const audits = await stepUpAudits();
    expect(audits.length).toBe(before + 1);
    expect(audits.at(-1)).toMatchObject({ outcome: 'failed', resourceType: 'session' });
    expect((await sessionUser()).stepUpAt).toBeNull();
  });

  it('refuses a wrong password with the right code with 401 and marks nothing', async () => {
    const r = await stepUp({ password: 'not-the-password-at-all', code: totpCode(member.totpSecret ?? '') });
    expect(r.statusCode).toBe(401);
    expect((await sessionUser()).stepUpAt).toBeNull();
    expect((await stepUpAudits()).at(-1)?.outcome).toBe('failed');
  });

  it('refuses a malformed code with 400 naming the field', async () => {
    const r = await stepUp({ password: PASSWORD, code: '12ab' });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toBe('code: must be the 6-digit code of your authenticator app');
  });

  it('refuses a signed-out caller with 401', async () => {
    const r = await stepUp({ password: PASSWORD, code: '123456' }, {});
    expect(r.statusCode).toBe(401);
    expect(r.json()).toEqual({ error: 'unauthenticated', message: 'Sign in to continue.' });
  });

  it('marks the session with the right password and code, shown in /api/session and /api/me/security', async () => {
    const before = Date.now();
    const r = await stepUp({ password: PASSWORD, code: totpCode(member.totpSecret ?? '') });
    expect(r.statusCode).toBe(200);
    const until = Date.parse(r.json().stepUpUntil);
    expect(until - before).toBeGreaterThanOrEqual(STEP_UP_WINDOW_MS - 1000);
    expect(until - Date.now()).toBeLessThanOrEqual(STEP_UP_WINDOW_MS);
    const user = await sessionUser();
    expect(user.stepUpAt).not.toBeNull();
    const at = new Date(user.stepUpAt ?? 0);
    expect(Math.abs(at.getTime() - (until - STEP_UP_WINDOW_MS))).toBeLessThan(1000);
    const security = await t.app.inject({ method: 'GET', url: '/api/me/security', headers: { cookie } });
    expect(security.json()).toMatchObject({ stepUpAt: user.stepUpAt, stepUpWindowSeconds: 300 });
    expect((await stepUpAudits()).at(-1)?.outcome).toBe('succeeded');
  });

  it('allows a stepUp action within 5 minutes of the step-up and refuses it after', async () => {
    const at = new Date((await sessionUser()).stepUpAt ?? 0);
    const s = subject(at);
    expect(authorize(s, ACTION, undefined, new Date(at.getTime() + 1000))).toEqual({ allowed: true });
    expect(authorize(s, ACTION, undefined, new Date(at.getTime() + STEP_UP_WINDOW_MS))).toEqual({
      allowed: true,
    });
    expect(authorize(s, ACTION, undefined, new Date(at.getTime() + STEP_UP_WINDOW_MS + 1))).toEqual({
      allowed: false,
      reason: 'step_up',
    });
  });

  it('marks only the session that stepped up, not the person’s other sessions', async () => {
    const other = await signIn(t.app, member.email, PASSWORD, { totpSecret: member.totpSecret });
    await db()
      .update(sessions)
      .set({ stepUpAt: null })
      .where(eq(sessions.token, other.match(/passage\.session_token=([^.;]+)/)?.[1] ?? ''));
    expect((await sessionUser(other)).stepUpAt).toBeNull();
    expect((await sessionUser()).stepUpAt).not.toBeNull();
  });

  it('marks a session made by a fresh authenticator sign-in as stepped up', async () => {
    const fresh = await signIn(t.app, member.email, PASSWORD, { totpSecret: member.totpSecret });
    const at = (await sessionUser(fresh)).stepUpAt;
    expect(at).not.toBeNull();
    expect(Date.now() - Date.parse(at ?? '')).toBeLessThan(10_000);
  });

  it('refuses a step-up through an API token with 403 (a token is never stepped up)', async () => {
    // A rescue coordinator's tokens need an administrator's leave (given here straight in the table).
    await db().insert(apiTokenGrants).values({ userId: member.userId, grantedBy: 'test' });
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/me/tokens',
      payload: { name: 'integration', days: 1, access: 'write', scopes: ['me'] },
      headers: { cookie },
    });
    expect(created.statusCode).toBe(201);
    const r = await stepUp(
      { password: PASSWORD, code: totpCode(member.totpSecret ?? '') },
      { authorization: `Bearer ${created.json().token}` },
    );
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({
      error: 'forbidden',
      message: 'Step up from a signed-in session, not with an API token.',
    });
  });

  it('locks an account’s step-up after five failures from any of its sessions and addresses, refusing even the right code, until the lock ends', async () => {
    const guesser = await createActor(t.app, t.ctx, 'development');
    const other = await freshSession(t.app, guesser);
    const code = () => totpCode(guesser.totpSecret ?? '');
    // Five guesses, alternating two sessions, each from a new address: the per-address limits never bite.
    for (let i = 0; i < 5; i++) {
      const r = await stepUp(
        { password: 'a-wrong-guess-of-it', code: code() },
        (i % 2 ? guesser : other).headers,
      );
      expect(r.statusCode).toBe(401);
    }
    const locked = await stepUp({ password: ACTOR_PASSWORD, code: code() }, guesser.headers);
    expect([locked.statusCode, locked.json().error]).toEqual([429, 'rate_limited']);
    const denied = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'session.step_up_locked'), eq(auditLog.actorId, guesser.userId ?? '')));
    expect(denied.map((e) => e.outcome)).toEqual(['denied']);
    // Another account's step-up is not touched by this one's lock.
    expect(await t.ctx.throttle.isStepUpLocked(member.userId)).toBe(false);
    // The lock ends by itself; then the right password and code work and clear the count.
    await db()
      .update(signInThrottle)
      .set({ lockedUntil: new Date(Date.now() - 1_000), windowStartedAt: new Date(Date.now() - 16 * 60_000) })
      .where(eq(signInThrottle.key, t.ctx.throttle.stepUpKey(guesser.userId ?? '')));
    const after = await stepUp({ password: ACTOR_PASSWORD, code: code() }, other.headers);
    expect(after.statusCode, after.body).toBe(200);
    const left = await db()
      .select()
      .from(signInThrottle)
      .where(eq(signInThrottle.key, t.ctx.throttle.stepUpKey(guesser.userId ?? '')));
    expect(left).toEqual([]);
    // The housekeeping test below counts the spent codes of this file's one member only.
    await db()
      .delete(spentStepUpCodes)
      .where(eq(spentStepUpCodes.userId, guesser.userId ?? ''));
  });

  describe('a spent code', () => {
    const REFUSED = {
      error: 'unauthenticated',
      message: 'Re-authentication failed. Check your password and code.',
    };
    const spentRows = () =>
      db().select().from(spentStepUpCodes).where(eq(spentStepUpCodes.userId, member.userId));
    /** Forgets the codes spent by earlier tests, so the current code is fresh for this one. */
    const forgetSpent = () => db().delete(spentStepUpCodes).where(eq(spentStepUpCodes.userId, member.userId));

    it('is refused on another session of the person, with the same message and a failed audit', async () => {
      await forgetSpent();
      const code = totpCode(member.totpSecret ?? '');
      expect((await stepUp({ password: PASSWORD, code })).statusCode).toBe(200);
      const other = await signIn(t.app, member.email, PASSWORD, { totpSecret: member.totpSecret });
      const replay = await stepUp({ password: PASSWORD, code }, { cookie: other });
      expect(replay.statusCode).toBe(401);
      expect(replay.json()).toEqual(REFUSED);
      expect((await stepUpAudits()).at(-1)?.outcome).toBe('failed');
      // Only a hash is kept, with its window.
      const [row] = await spentRows();
      expect(row?.codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect(row?.codeHash).not.toContain(code);
      const left = (row?.expiresAt.getTime() ?? 0) - Date.now();
      expect(left).toBeGreaterThan(CODE_REPLAY_WINDOW_MS - 10_000);
      expect(left).toBeLessThanOrEqual(CODE_REPLAY_WINDOW_MS);
    });

    it('is refused by another app on the same database (the memory is the database, not the process)', async () => {
      await forgetSpent();
      const code = totpCode(member.totpSecret ?? '');
      expect((await stepUp({ password: PASSWORD, code })).statusCode).toBe(200);
      const second = await startTestApp(getDb(), SHARED);
      try {
        const replay = await second.app.inject({
          method: 'POST',
          url: '/api/me/step-up',
          payload: { password: PASSWORD, code },
          headers: { cookie },
          remoteAddress: `198.51.100.${++ip}`,
        });
        expect(replay.statusCode).toBe(401);
        expect(replay.json()).toEqual(REFUSED);
      } finally {
        await second.close();
      }
    });

    it('succeeds for one of two requests racing with the same code', async () => {
      await forgetSpent();
      const code = totpCode(member.totpSecret ?? '');
      const other = await signIn(t.app, member.email, PASSWORD, { totpSecret: member.totpSecret });
      const answers = await Promise.all([
        stepUp({ password: PASSWORD, code }),
        stepUp({ password: PASSWORD, code }, { cookie: other }),
      ]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401]);
      expect(await spentRows()).toHaveLength(1);
    });

    it('is taken again once its window has passed, and the housekeeping job deletes it after', async () => {
      await forgetSpent();
      const code = totpCode(member.totpSecret ?? '');
      expect((await stepUp({ password: PASSWORD, code })).statusCode).toBe(200);
      // As if the window had passed (the code itself is still one the authenticator accepts).
      await db()
        .update(spentStepUpCodes)
        .set({ expiresAt: sql`now() - interval '1 second'` })
        .where(eq(spentStepUpCodes.userId, member.userId));
      expect((await stepUp({ password: PASSWORD, code })).statusCode).toBe(200);
      const [row] = await spentRows();
      expect(row?.expiresAt.getTime()).toBeGreaterThan(Date.now());
      // Spent again, so refused again.
      expect((await stepUp({ password: PASSWORD, code })).statusCode).toBe(401);

      expect((await runHousekeeping(db())).expiredStepUpCodes).toBe(0);
      const later = await runHousekeeping(db(), new Date(Date.now() + CODE_REPLAY_WINDOW_MS + 1000));
      expect(later.expiredStepUpCodes).toBe(1);
      expect(await spentRows()).toEqual([]);
    });
  });
});
