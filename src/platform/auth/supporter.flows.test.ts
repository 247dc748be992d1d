import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookiesOf,
  lastMailTo,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { mailOutbox } from '../mail/mail.table';
import { sessions, users, verifications } from './auth.table';

const LINK_SUBJECT = 'Your sign-in link for Passage';

describeEachDatabase('supporters sign in with an email link', (getDb) => {
  let t: TestApp;
  let adminUserId: string;
  const db = () => getDb().db;
  let ip = 0;
  const requestLink = (email: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/magic-link',
      payload: { email },
      remoteAddress: `192.0.2.${++ip}`,
    });
  /** The path and query of the newest sign-in link mailed to an address. */
  const linkFor = async (email: string) => {
    const mail = await lastMailTo(t.ctx, email);
    expect(mail?.subject).toBe(LINK_SUBJECT);
    const url = mail?.text.match(/https?:\/\/\S+/)?.[0] ?? '';
    const parsed = new URL(url);
    expect(parsed.origin).toBe(t.ctx.config.publicUrl);
    return `${parsed.pathname}${parsed.search}`;
  };
  const insertUser = async (email: string, role: string) => {
    const id = crypto.randomUUID();
    await db()
      .insert(users)
      .values({ id, name: `Person ${role}`, email, emailVerified: true, role });
    return id;
  };
  const mailsTo = async (email: string) =>
    (await db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, email))).length;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    ({ userId: adminUserId } = await signInAsAdministrator(t));
    await insertUser('donor@example.org', 'supporter');
  });
  afterAll(() => t?.close());

  describe('a supporter', () => {
    let cookie: string;

    it('gets a mail with a sign-in link to our own address', async () => {
      const r = await requestLink('donor@example.org');
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ status: true });
      const link = await linkFor('donor@example.org');
      expect(link).toMatch(/^\/api\/auth\/magic-link\/verify\?token=[A-Za-z]+&callbackURL=%2F$/);
    });

    it('is signed in as a supporter by opening the link', async () => {
      const r = await t.app.inject({ method: 'GET', url: await linkFor('donor@example.org') });
      expect(r.statusCode).toBe(302);
      expect(r.headers.location).toBe(`${t.ctx.config.publicUrl}/`);
      cookie = cookiesOf(r);
      expect(cookie).toContain('passage.session_token=');
      const s = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
      expect(s.json().user).toMatchObject({ email: 'donor@example.org', role: 'supporter', staff: false });
    });

    it('cannot use the link twice', async () => {
      const r = await t.app.inject({ method: 'GET', url: await linkFor('donor@example.org') });
      expect(r.statusCode).toBe(302);
      expect(r.headers.location).toContain('error=');
      expect(cookiesOf(r)).not.toContain('session_token');
    });

    it('is refused every staff route with 403', async () => {
      for (const url of [
        '/api/me/tokens',
        '/api/admin/staff',
        '/api/admin/invitations',
        '/api/outbox',
        '/api/audit',
      ]) {
        const r = await t.app.inject({ method: 'GET', url, headers: { cookie } });
        expect({ url, status: r.statusCode, error: r.json().error }).toEqual({
          url,
          status: 403,
          error: 'forbidden',
        });
      }
      const post = await t.app.inject({
        method: 'POST',
        url: '/api/me/tokens',
        payload: { name: 'x', days: 1, scopes: ['me'] },
        headers: { cookie },
      });
      expect(post.statusCode).toBe(403);
    });

    it('never receives the session token in a response body, even without a callback URL', async () => {
      await requestLink('donor@example.org');
      const link = (await linkFor('donor@example.org')).replace(/&callbackURL=[^&]*/, '');
      const r = await t.app.inject({ method: 'GET', url: link });
      expect(r.statusCode).toBe(200);
      const token = cookiesOf(r).match(/passage\.session_token=([^.;]+)/)?.[1];
      expect(token).toBeTruthy();
      expect(r.body).not.toContain(token);
      expect(JSON.stringify(await db().select().from(sessions))).toContain(token);
    });

    it('refuses a link whose callback address is malformed with 400, not a 500', async () => {
      await requestLink('donor@example.org');
      const link = (await linkFor('donor@example.org')).replace(/callbackURL=[^&]*/, 'callbackURL=%25zz');
      const r = await t.app.inject({ method: 'GET', url: link });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({ error: 'validation_failed', message: 'callbackURL: is malformed' });
    });

    it('refuses a link whose callback address is on another site with 400 and no session', async () => {
      await requestLink('donor@example.org');
      const link = (await linkFor('donor@example.org')).replace(
        /callbackURL=[^&]*/,
        `callbackURL=${encodeURIComponent('https://evil.example/')}`,
      );
      const r = await t.app.inject({ method: 'GET', url: link });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({
        error: 'validation_failed',
        message: 'callbackURL: must be a path on this site',
      });
      expect(cookiesOf(r)).not.toContain('session_token');
    });

    it('refuses to mail a link with a callback address on another site', async () => {
      for (const callbackURL of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in/magic-link',
          payload: { email: 'donor@example.org', callbackURL },
          remoteAddress: '192.0.2.200',
        });
        expect(r.statusCode).toBe(400);
        expect(r.json().message).toBe('callbackURL: must be a path on this site');
      }
    });

    it('gets an account of its own, as a supporter, from a first link to a new address', async () => {
      await requestLink('new.donor@example.org');
      const r = await t.app.inject({ method: 'GET', url: await linkFor('new.donor@example.org') });
      const s = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: cookiesOf(r) } });
      expect(s.json().user).toMatchObject({
        email: 'new.donor@example.org',
        role: 'supporter',
        staff: false,
      });
    });
  });

  describe('a staff account', () => {
    it('is sent nothing, with the same answer as for anyone else', async () => {
      const before = await mailsTo('admin@example.org');
      const r = await requestLink('admin@example.org');
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ status: true });
      expect(await mailsTo('admin@example.org')).toBe(before);
    });

    it('can never be signed in by an email link, even a genuine-looking one', async () => {
      const token = crypto.randomBytes(16).toString('hex');
      await db()
        .insert(verifications)
        .values({
          id: crypto.randomUUID(),
          identifier: token,
          value: JSON.stringify({ email: 'admin@example.org' }),
          expiresAt: new Date(Date.now() + 600_000),
        });
      const before = (await db().select().from(sessions).where(eq(sessions.userId, adminUserId))).length;
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/auth/magic-link/verify?token=${token}&callbackURL=%2F`,
      });
      expect(cookiesOf(r)).not.toContain('session_token');
      expect(r.statusCode).toBeLessThan(500);
      const after = (await db().select().from(sessions).where(eq(sessions.userId, adminUserId))).length;
      expect(after).toBe(before);
    });

    it('stays refused when a supporter’s pending link is opened after they became staff', async () => {
      await insertUser('promoted@example.org', 'supporter');
      await requestLink('promoted@example.org');
      const link = await linkFor('promoted@example.org');
      await db().update(users).set({ role: 'outreach' }).where(eq(users.email, 'promoted@example.org'));
      const r = await t.app.inject({ method: 'GET', url: link });
      expect(cookiesOf(r)).not.toContain('session_token');
      expect(r.statusCode).toBeLessThan(500);
    });
  });

  it('refuses a frozen supporter', async () => {
    await insertUser('frozen.donor@example.org', 'supporter');
    await db().update(users).set({ frozenAt: new Date() }).where(eq(users.email, 'frozen.donor@example.org'));
    await requestLink('frozen.donor@example.org');
    const link = await linkFor('frozen.donor@example.org');
    const r = await t.app.inject({ method: 'GET', url: link });
    expect(cookiesOf(r)).not.toContain('session_token');
  });
});
