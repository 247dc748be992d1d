import crypto from 'node:crypto';
import { base32 } from '@better-auth/utils/base32';
import { eq, sql } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { issueSetupToken } from '../src/platform/auth/setup.service';
import { KeyShreddedError } from '../src/platform/crypto/crypto.errors';
import { dataKeys } from '../src/platform/crypto/data-key.table';
import { mailOutbox } from '../src/platform/mail/mail.table';
import { buildRescueCase, buildRescueLeg } from './factories';
import { cookiesOf, invitationTokenFor, startTestApp, type TestApp, totpCode } from './harness/app';
import { canary, expectNoCanary, findCanaries, type Marker } from './harness/canary';
import { describeEachDatabase } from './harness/databases';

/**
 * Secrets the platform holds today, planted as canaries and followed everywhere they could leak: response
 * bodies to anyone but their owner, log lines (ours and anything printed to the console), mail, and a
 * plaintext dump of the database (SECURITY.md, "How we prove it").
 */
describeEachDatabase('canaries', (getDb) => {
  let t: TestApp;
  const consoleLines: string[] = [];
  /** Every response body, except the ones that hand a secret to its owner once (listed as `own`). */
  const responses: string[] = [];
  const logs = () => [...t.logs, ...consoleLines];

  const adminEmail = 'ada.admin@example.org';
  const password = canary('password');
  const wrongPassword = canary('wrong-password');
  const typedEmail = `${canary('typed-email')}@example.org`;
  const inviteePassword = canary('invitee-password');
  const legalName = canary('legal-name');
  const bodyCanary = canary('body');
  const queryCanary = canary('query');
  let cookie = '';
  let totpSecret = '';
  const secrets: Marker[] = [];
  let invitationToken = '';
  let apiToken = '';

  async function send(options: InjectOptions, own = false) {
    const response = await t.app.inject(options);
    if (!own) responses.push(response.body);
    return response;
  }
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}, own = false) =>
    send({ method: 'POST', url, payload: payload as object, headers: { cookie, ...headers } }, own);

  beforeAll(async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
    }
    t = await startTestApp(getDb());
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  describe('a password', () => {
    it('is used at setup, at sign-in and in failing sign-ins (as password and as email)', async () => {
      const token = await issueSetupToken(t.ctx.database.db);
      const setup = await post('/api/setup', { token, name: 'Ada Admin', email: adminEmail, password });
      expect(setup.statusCode).toBe(201);
      const signIn = await post('/api/auth/sign-in/email', { email: adminEmail, password });
      expect(signIn.statusCode).toBe(200);
      cookie = cookiesOf(signIn);
      const wrong = await send({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: adminEmail, password: wrongPassword },
      });
      expect(wrong.statusCode).toBe(401);
      const unknown = await send({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email: typedEmail, password: wrongPassword },
      });
      expect(unknown.statusCode).toBe(401);
      await expectNoCanary([password, wrongPassword, typedEmail], { responses, logs: logs() });
    });
  });

  describe('the authenticator secret and recovery codes', () => {
    it('are shown once to their owner and appear nowhere else', async () => {
      const enabled = await post('/api/auth/two-factor/enable', { password }, {}, true);
      expect(enabled.statusCode).toBe(200);
      const { totpURI, backupCodes } = enabled.json() as { totpURI: string; backupCodes: string[] };
      totpSecret = new URL(totpURI).searchParams.get('secret') ?? '';
      const raw = Buffer.from(base32.decode(totpSecret)).toString('utf8');
      const verified = await post('/api/auth/two-factor/verify-totp', { code: totpCode(totpSecret) });
      expect(verified.statusCode).toBe(200);
      cookie = cookiesOf(verified, cookie);
      expect(backupCodes).toHaveLength(10);
      secrets.push(
        { label: 'TOTP secret (base32)', value: totpSecret },
        { label: 'TOTP secret (raw)', value: raw },
        ...backupCodes.map((value, i) => ({ label: `recovery code ${i + 1}`, value })),
      );
      await expectNoCanary(secrets, { responses, logs: logs() });
    });
  });

  describe('an API token', () => {
    it('is shown once; using it leaves it in no log', async () => {
      const created = await post(
        '/api/me/tokens',
        { name: 'integration', days: 1, scopes: ['me'] },
        {},
        true,
      );
      expect(created.statusCode).toBe(201);
      apiToken = (created.json() as { token: string }).token;
      const used = await send({
        method: 'GET',
        url: '/api/me/tokens',
        headers: { authorization: `Bearer ${apiToken}` },
      });
      expect(used.statusCode).toBe(200);
      await expectNoCanary([{ label: 'API token', value: apiToken }], { responses, logs: logs() });
    });
  });

  describe('an invitation token', () => {
    it('travels only in the emailed link, and the invitee password nowhere', async () => {
      const invited = await post('/api/admin/invitations', {
        email: 'ina.invitee@example.org',
        name: 'Ina Invitee',
        role: 'outreach',
      });
      expect(invited.statusCode).toBe(201);
      // The link is held sealed until delivery (the outbox shows it removed): read it as the mail server would.
      invitationToken = await invitationTokenFor(t.ctx, 'ina.invitee@example.org');
      expect(invitationToken.length).toBeGreaterThan(20);
      const marker = { label: 'invitation token', value: invitationToken };
      // Not even the outbox holds it readably: only the sealed body, which its readers never open.
      expect(await findCanaries([marker], { outbox: getDb() })).toEqual([]);
      const lookup = await send({
        method: 'POST',
        url: '/api/invitations/lookup',
        payload: { token: invitationToken },
      });
      expect(lookup.statusCode).toBe(200);
      const accepted = await send({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token: invitationToken, password: inviteePassword },
      });
      expect(accepted.statusCode).toBe(200);
      await expectNoCanary([marker, inviteePassword], { responses, logs: logs() });
    });
  });

  describe('an S4 field encrypted with the key ring', () => {
    let keyId = '';
    let ciphertext = '';

    it('is stored only as ciphertext and is never in a response or a log', async () => {
      const db = t.ctx.database.db;
      await db.execute(sql`create table canary_cases (id text primary key, key_id uuid, legal_name text)`);
      const caseId = crypto.randomUUID();
      keyId = await t.ctx.keys.createDataKey(db, 'rescue_case', caseId);
      ciphertext = await t.ctx.keys.encryptField(db, keyId, 'rescue_cases.legal_name', legalName);
      await db.execute(sql`insert into canary_cases values (${caseId}, ${keyId}, ${ciphertext})`);
      expect(await t.ctx.keys.decryptField(db, keyId, 'rescue_cases.legal_name', ciphertext)).toBe(legalName);
      // Everything another user can ask of the platform today.
      const other = await startOtherSession();
      for (const url of [
        '/api/session',
        '/api/me/security',
        '/api/admin/staff',
        '/api/outbox',
        '/api/audit',
      ]) {
        await send({ method: 'GET', url, headers: { cookie: other } });
        await send({ method: 'GET', url, headers: { cookie } });
      }
      await expectNoCanary([legalName], { responses, logs: logs(), outbox: getDb() });
    });

    it('cannot be read after its data key is shredded, with any remaining key', async () => {
      const db = t.ctx.database.db;
      const [before] = await db.select().from(dataKeys).where(eq(dataKeys.id, keyId));
      const wrapped = before?.wrappedKey ?? '';
      expect(wrapped).not.toBe('');
      const other = await t.ctx.keys.createDataKey(db, 'rescue_case', crypto.randomUUID());
      expect((await t.ctx.keys.shredDataKey(db, keyId, 'retention elapsed')).shredded).toBe(true);
      await expect(
        t.ctx.keys.decryptField(db, keyId, 'rescue_cases.legal_name', ciphertext),
      ).rejects.toBeInstanceOf(KeyShreddedError);
      const live = await db.select({ id: dataKeys.id }).from(dataKeys);
      for (const { id } of live) {
        if (id === keyId) continue;
        const key = await t.ctx.keys.openDataKey(db, id);
        expect(() => key.decrypt('rescue_cases.legal_name', ciphertext)).toThrow();
      }
      expect(live.map((k) => k.id)).toContain(other);
      const [after] = await db.select().from(dataKeys).where(eq(dataKeys.id, keyId));
      expect(after?.wrappedKey).toBeNull();
      // The live rows no longer hold the wrapped key (old row versions are a documented limit: docs/SECURITY.md).
      const { rows } = await t.ctx.database.query<{ row: string }>('select d::text as row from data_keys d');
      expect(rows.some((r) => r.row.includes(wrapped))).toBe(false);
    });
  });

  describe('canaries in failing requests', () => {
    it('are neither logged nor echoed back', async () => {
      const failing: InjectOptions[] = [
        {
          method: 'POST',
          url: '/api/admin/invitations',
          payload: { email: 'not-an-email', name: bodyCanary, role: 'outreach' },
        },
        {
          method: 'POST',
          url: '/api/setup',
          payload: { token: bodyCanary, name: bodyCanary, email: bodyCanary, password: bodyCanary },
        },
        { method: 'POST', url: '/api/me/step-up', payload: { password: bodyCanary, code: bodyCanary } },
        { method: 'POST', url: '/api/admin/compartments', payload: { code: bodyCanary, name: bodyCanary } },
        {
          method: 'POST',
          url: '/api/auth/sign-in/email',
          payload: { email: bodyCanary, password: bodyCanary },
        },
        { method: 'POST', url: '/api/invitations/lookup', payload: { token: bodyCanary } },
        {
          method: 'POST',
          url: '/api/admin/invitations',
          payload: `{"name": "${bodyCanary}", "email": `,
          headers: { 'content-type': 'application/json' },
        },
        {
          method: 'POST',
          url: '/api/setup',
          payload: bodyCanary,
          headers: { 'content-type': 'application/json' },
        },
        { method: 'GET', url: `/api/audit?action=${queryCanary}&limit=${queryCanary}` },
        { method: 'GET', url: `/api/outbox?status=${queryCanary}` },
      ];
      for (const request of failing) {
        const response = await send({ ...request, headers: { cookie, ...(request.headers ?? {}) } });
        expect(response.statusCode, `${request.method} ${request.url}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${request.method} ${request.url}`).toBeLessThan(500);
      }
      await expectNoCanary([bodyCanary, queryCanary], { responses, logs: logs() });
    });
  });

  describe('a plaintext dump of the database', () => {
    it('holds none of the secrets', async () => {
      await expectNoCanary(
        [
          password,
          wrongPassword,
          inviteePassword,
          legalName,
          queryCanary,
          ...secrets,
          { label: 'API token', value: apiToken },
        ],
        { dump: getDb(), logs: logs(), responses },
      );
    });

    // The sign-in throttle keys its counters by an HMAC of what was typed, so even a password typed into
    // the email field by mistake is stored nowhere.
    it('holds what was typed as an email at a failed sign-in nowhere at all', async () => {
      await expectNoCanary([typedEmail, bodyCanary], { dump: getDb(), logs: logs(), responses });
    });

    it("holds no place, window or note of a rescue's route legs", async () => {
      const route = {
        fromPlace: canary('leg-from-place'),
        toPlace: canary('leg-to-place'),
        notes: canary('leg-notes'),
      };
      const rescue = await buildRescueCase(t.ctx);
      await buildRescueLeg(t.ctx, rescue, route);
      const edited = { notes: canary('leg-notes-second'), toPlace: canary('leg-to-place-second') };
      await buildRescueLeg(t.ctx, rescue, edited);
      await expectNoCanary([...Object.values(route), ...Object.values(edited)], {
        dump: getDb(),
        logs: logs(),
      });
    });

    it('holds the invitation token nowhere readable, the outbox included (its link is sealed until sent)', async () => {
      const marker = { label: 'invitation token', value: invitationToken };
      expect(invitationToken.length).toBeGreaterThan(20);
      await expectNoCanary([marker], { dump: getDb() });
    });
  });

  /** A second staff account, signed in: someone outside anything the first one holds. */
  async function startOtherSession(): Promise<string> {
    const [mail] = await t.ctx.database.db
      .select({ text: mailOutbox.textBody })
      .from(mailOutbox)
      .where(eq(mailOutbox.toAddress, 'ina.invitee@example.org'));
    expect(mail).toBeDefined();
    const signIn = await send({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'ina.invitee@example.org', password: inviteePassword },
    });
    expect(signIn.statusCode).toBe(200);
    return cookiesOf(signIn);
  }
});
