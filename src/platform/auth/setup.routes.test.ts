import crypto from 'node:crypto';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signIn, startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { accounts, setupTokens, users } from './auth.table';
import { issueSetupToken, SETUP_TOKEN_TTL_MS } from './setup.service';

const PASSWORD = 'harbour-lantern-river-42';
const admin = (token: string, overrides: Record<string, string> = {}) => ({
  token,
  name: 'Ada Admin',
  email: 'Ada@Example.org',
  password: PASSWORD,
  ...overrides,
});

describeEachDatabase('first administrator by setup link', (getDb) => {
  let t: TestApp;
  const userCount = async () => (await getDb().db.select({ n: count() }).from(users))[0]?.n ?? 0;
  const accountCount = async () => (await getDb().db.select({ n: count() }).from(accounts))[0]?.n ?? 0;
  const setup = (body: object) => t.app.inject({ method: 'POST', url: '/api/setup', payload: body });

  beforeAll(async () => {
    t = await startTestApp(getDb());
  });
  afterAll(() => t?.close());

  describe('before setup', () => {
    beforeEach(async () => {
      expect(await userCount()).toBe(0);
    });

    it('says setup is needed', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/setup' });
      expect(r.json()).toEqual({ needed: true });
    });

    it('answers the signed-out session as null', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/session' });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ user: null });
    });

    it('refuses a short password with 400 and the exact reason', async () => {
      const token = (await issueSetupToken(getDb().db)) ?? '';
      const r = await setup(admin(token, { password: 'short' }));
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({
        error: 'validation_failed',
        message: 'password: must be at least 12 characters',
      });
    });

    it('refuses a common password with 400 and the exact reason', async () => {
      const token = (await issueSetupToken(getDb().db)) ?? '';
      const r = await setup(admin(token, { password: 'password1234' }));
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({
        message: 'password: is too common: it appears in lists of leaked passwords',
      });
    });

    it('refuses an unknown link with 410 and creates nothing', async () => {
      await issueSetupToken(getDb().db);
      const r = await setup(admin('not-the-token-at-all'));
      expect(r.statusCode).toBe(410);
      expect(r.json()).toEqual({
        error: 'setup_link_invalid',
        message: 'This setup link is invalid, used or expired. Restart Passage for a new one.',
      });
      expect(await userCount()).toBe(0);
      expect(await accountCount()).toBe(0);
    });

    it('refuses an expired link with 410 and creates nothing', async () => {
      const token =
        (await issueSetupToken(getDb().db, new Date(Date.now() - SETUP_TOKEN_TTL_MS - 1000))) ?? '';
      const r = await setup(admin(token));
      expect(r.statusCode).toBe(410);
      expect(await userCount()).toBe(0);
    });

    it('refuses an older link once a newer one is issued', async () => {
      const older = (await issueSetupToken(getDb().db)) ?? '';
      await issueSetupToken(getDb().db);
      const r = await setup(admin(older));
      expect(r.statusCode).toBe(410);
      expect(await userCount()).toBe(0);
    });
  });

  describe('setup and after', () => {
    let token: string;

    it('creates the administrator with a fresh link and answers 201', async () => {
      token = (await issueSetupToken(getDb().db)) ?? '';
      const r = await setup(admin(token));
      expect(r.statusCode).toBe(201);
      expect(r.json()).toEqual({ created: true });
      const [user] = await getDb().db.select().from(users);
      expect(user).toMatchObject({ email: 'ada@example.org', role: 'administrator', emailVerified: true });
    });

    it('says setup is no longer needed', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/setup' });
      expect(r.json()).toEqual({ needed: false });
    });

    it('refuses the used link with 410 and creates nothing', async () => {
      const r = await setup(admin(token, { email: 'mallory@example.org' }));
      expect(r.statusCode).toBe(410);
      expect(await userCount()).toBe(1);
    });

    it('issues no new link once an administrator exists', async () => {
      expect(await issueSetupToken(getDb().db)).toBeNull();
    });

    it('refuses a second setup even with a link slipped into the table', async () => {
      // A link issued just before the first setup finished (two browser tabs): still one administrator.
      const raw = 'a-second-valid-looking-token';
      await getDb()
        .db.insert(setupTokens)
        .values({
          id: crypto.randomUUID(),
          tokenHash: crypto.createHash('sha256').update(raw).digest('hex'),
          expiresAt: new Date(Date.now() + 60_000),
        });
      const r = await setup(admin(raw, { email: 'second@example.org' }));
      expect(r.statusCode).toBe(409);
      expect(r.json()).toEqual({ error: 'conflict', message: 'Passage already has an administrator.' });
      expect(await userCount()).toBe(1);
    });

    it('signs the administrator in and shows the account in /api/session', async () => {
      const cookie = await signIn(t.app, 'ada@example.org', PASSWORD);
      const r = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        user: {
          name: 'Ada Admin',
          email: 'ada@example.org',
          role: 'administrator',
          staff: true,
          secondFactor: false,
        },
      });
    });

    it('refuses a wrong password with 401 and the generic message', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: 'ada@example.org', password: 'wrong-password-entirely' },
      });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ error: 'unauthenticated' });
    });
  });
});
