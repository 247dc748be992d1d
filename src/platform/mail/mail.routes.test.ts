import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastMailTo, signInAsAdministrator, startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { searchAudit } from '../audit/audit.service';
import { SECRET_REMOVED } from './mailer';

describeEachDatabase('outbox routes', (getDb) => {
  let t: TestApp;
  let cookie: string;
  let adminId: string;
  let messageId: string;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    ({ cookie, userId: adminId } = await signInAsAdministrator(t));
    messageId = await t.ctx.mail.send({
      to: 'donor@example.org',
      subject: 'Thank you',
      text: 'Your gift arrived.',
    });
  });
  afterAll(() => t?.close());

  describe('GET /api/outbox', () => {
    it('refuses a signed-out caller with 401', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/outbox' });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: 'unauthenticated', message: 'Sign in to continue.' });
    });

    it('lists the held message for the administrator', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/outbox', headers: { cookie } });
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.mode).toBe('outbox');
      expect(body.total).toBeGreaterThanOrEqual(1);
      expect(body.messages[0]).toMatchObject({ id: messageId, to: 'donor@example.org', status: 'held' });
    });
  });

  describe('GET /api/outbox/:id', () => {
    it('refuses a signed-out caller with 401', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/outbox/${messageId}` });
      expect(r.statusCode).toBe(401);
    });

    it('shows one message with its body to the administrator', async () => {
      const r = await t.app.inject({ method: 'GET', url: `/api/outbox/${messageId}`, headers: { cookie } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({
        id: messageId,
        subject: 'Thank you',
        text: 'Your gift arrived.',
        html: null,
      });
    });

    it('answers 404 for an unknown id', async () => {
      const r = await t.app.inject({
        method: 'GET',
        url: `/api/outbox/${crypto.randomUUID()}`,
        headers: { cookie },
      });
      expect(r.statusCode).toBe(404);
      expect(r.json()).toEqual({ error: 'not_found', message: 'No such message.' });
    });

    it('answers 400 naming the field for a malformed id', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/outbox/not-a-uuid', headers: { cookie } });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ error: 'validation_failed', message: 'id: must be a message id' });
    });
  });

  describe('one-time links', () => {
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
    const reveal = (id: string) =>
      t.app.inject({ method: 'POST', url: `/api/outbox/${id}/reveal`, headers: { cookie } });
    const findMessage = async (to: string) => {
      const list = await get('/api/outbox?limit=200');
      const found = (list.json().messages as { id: string; to: string }[]).find((m) => m.to === to);
      if (!found) throw new Error(`no mail to ${to}`);
      return found.id;
    };
    const audited = async (action: string, resourceCode?: string) =>
      (
        await searchAudit(t.ctx.database.db, {
          actorId: adminId,
          action,
          ...(resourceCode ? { resourceCode } : {}),
        })
      ).entries;

    it('never shows an administrator a supporter’s sign-in link, which still reaches the supporter', async () => {
      const email = 'link-holder@example.org';
      const asked = await t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/magic-link',
        payload: { email, callbackURL: '/my' },
      });
      expect(asked.statusCode).toBe(200);
      const id = await findMessage(email);
      const message = (await get(`/api/outbox/${id}`)).json();
      expect(message.text).toContain(SECRET_REMOVED);
      expect(message.text).not.toMatch(/magic-link\/verify|token=/);
      expect(message).toMatchObject({ secretRemoved: true, revealable: false });
      // Nor may the administrator reveal it: sign-in links go to their recipient only.
      const refused = await reveal(id);
      expect([refused.statusCode, refused.json().error]).toEqual([403, 'forbidden']);
      expect((await audited('outbox.reveal', id))[0]).toMatchObject({ outcome: 'denied' });
      // The sealed copy (what SMTP delivery sends) holds the working link.
      const real = await lastMailTo(t.ctx, email);
      expect(real?.text).toMatch(/\/api\/auth\/magic-link\/verify\?token=/);
    });

    it('audits every read of the outbox: the list and each message', async () => {
      const before = (await audited('outbox.list')).length;
      await get('/api/outbox');
      expect((await audited('outbox.list')).length).toBe(before + 1);
      await get(`/api/outbox/${messageId}`);
      expect((await audited('outbox.read', messageId))[0]).toMatchObject({
        actorRole: 'administrator',
        resourceType: 'mail_outbox',
        outcome: 'allowed',
      });
    });

    it('lets the administrator who sent a held invitation reveal its link, audited', async () => {
      const email = 'invited-by-me@example.org';
      const invited = await t.app.inject({
        method: 'POST',
        url: '/api/admin/invitations',
        headers: { cookie },
        payload: { email, name: 'Invited Person', role: 'development' },
      });
      expect(invited.statusCode).toBe(201);
      const id = await findMessage(email);
      const message = (await get(`/api/outbox/${id}`)).json();
      expect(message.text).not.toContain('/invite#');
      expect(message).toMatchObject({ secretRemoved: true, revealable: true });
      const shown = await reveal(id);
      expect(shown.statusCode).toBe(200);
      expect(shown.json().text).toMatch(/\/invite#[A-Za-z0-9_-]{20,}/);
      expect((await audited('outbox.reveal', id))[0]).toMatchObject({ outcome: 'allowed' });
    });
  });
});
