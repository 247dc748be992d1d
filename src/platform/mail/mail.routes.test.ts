import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAsAdministrator, startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';

describeEachDatabase('outbox routes', (getDb) => {
  let t: TestApp;
  let cookie: string;
  let messageId: string;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    ({ cookie } = await signInAsAdministrator(t));
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
      expect(body.total).toBe(1);
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
});
