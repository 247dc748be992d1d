import crypto from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookiesOf,
  createStaffMember,
  invitationTokenFor,
  lastMailTo,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
  totpCode,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { STAFF_ROLES } from '../access/roles';
import { auditLog } from '../audit/audit.table';
import { mailOutbox } from '../mail/mail.table';
import { invitations, users } from './auth.table';
import { INVITATION_TTL_MS } from './invitation.service';

const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
const GOOD = 'lantern-orchard-compass-58';
const INVALID_LINK = {
  error: 'invitation_invalid',
  message: 'This invitation link is invalid, used or expired. Ask for a new one.',
};

describeEachDatabase('staff invitations', (getDb) => {
  let t: TestApp;
  let admin: string;
  const db = () => getDb().db;
  const inject = (
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT',
    url: string,
    options: { cookie?: string; payload?: object; ip?: string } = {},
  ) =>
    t.app.inject({
      method,
      url,
      payload: options.payload,
      headers: options.cookie ? { cookie: options.cookie } : {},
      remoteAddress: options.ip,
    });
  const userCount = async () => (await db().select({ n: count() }).from(users))[0]?.n ?? 0;
  const invite = (email: string, role = 'rescue_coordinator', name = 'Kim Minji') =>
    inject('POST', '/api/admin/invitations', { cookie: admin, payload: { email, name, role } });

  beforeAll(async () => {
    t = await startTestApp(getDb());
    ({ cookie: admin } = await signInAsAdministrator(t));
  });
  afterAll(() => t?.close());

  describe('the whole lifecycle of one invitation', () => {
    let token: string;
    let invitationId: string;
    let cookie: string;

    it('creates a pending invitation for 72 hours and answers 201 without the token', async () => {
      const before = Date.now();
      const r = await invite('Minji.Kim@Example.org');
      expect(r.statusCode).toBe(201);
      const body = r.json();
      invitationId = body.id;
      expect(body).toMatchObject({
        email: 'minji.kim@example.org',
        name: 'Kim Minji',
        role: 'rescue_coordinator',
        kind: 'new_account',
        status: 'pending',
      });
      const ttl = Date.parse(body.expiresAt) - before;
      expect(ttl).toBeGreaterThan(INVITATION_TTL_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(INVITATION_TTL_MS + 1000);
      token = await invitationTokenFor(t.ctx, 'minji.kim@example.org');
      expect(r.body).not.toContain(token);
    });

    it('holds the email in the outbox with a /invite#<token> link to the public address', async () => {
      const mail = await lastMailTo(t.ctx, 'minji.kim@example.org');
      expect(mail?.subject).toBe('You are invited to Passage');
      expect(mail?.text).toContain(`${t.ctx.config.publicUrl}/invite#${token}`);
      const [row] = await db()
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.toAddress, 'minji.kim@example.org'));
      expect(row?.status).toBe('held');
    });

    it('keeps only the SHA-256 of the token: not in the invitations table, the audit log or the logs', async () => {
      const rows = await db().select().from(invitations);
      expect(rows.find((r) => r.id === invitationId)?.tokenHash).toBe(sha256(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(JSON.stringify(await db().select().from(auditLog))).not.toContain(token);
      expect(t.logs.join('\n')).not.toContain(token);
    });

    it('lists the invitation as pending for the administrator', async () => {
      const r = await inject('GET', '/api/admin/invitations', { cookie: admin });
      expect(r.statusCode).toBe(200);
      expect(r.json().invitations.find((i: { id: string }) => i.id === invitationId)).toMatchObject({
        status: 'pending',
      });
      expect(r.body).not.toContain(token);
    });

    it('tells who the link is for and with which role', async () => {
      const r = await inject('POST', '/api/invitations/lookup', { payload: { token } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({
        email: 'minji.kim@example.org',
        name: 'Kim Minji',
        role: 'rescue_coordinator',
        reEnrolment: false,
      });
    });

    it('refuses a common password with 400 and the exact reason, and creates nothing', async () => {
      const users0 = await userCount();
      const r = await inject('POST', '/api/invitations/accept', {
        payload: { token, password: 'password1234' },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toEqual({
        error: 'validation_failed',
        message: 'password: is too common: it appears in lists of leaked passwords',
      });
      expect(r.headers['set-cookie']).toBeUndefined();
      expect(await userCount()).toBe(users0);
    });

    it('refuses a password built from the invitee’s own email with 400, and creates nothing', async () => {
      const users0 = await userCount();
      const r = await inject('POST', '/api/invitations/accept', {
        payload: { token, password: 'minji.kim2025' },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('password: is too close to your name or email address');
      expect(await userCount()).toBe(users0);
    });

    it('refuses a short password with 400 naming the field, and creates nothing', async () => {
      const users0 = await userCount();
      const r = await inject('POST', '/api/invitations/accept', {
        payload: { token, password: 'short-one' },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({
        error: 'validation_failed',
        message: 'password: must be at least 12 characters',
      });
      expect(await userCount()).toBe(users0);
    });

    it('accepts with a good password, creates the account with the invited role and signs the invitee in', async () => {
      const r = await inject('POST', '/api/invitations/accept', { payload: { token, password: GOOD } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ signedIn: true });
      cookie = cookiesOf(r);
      expect(cookie).toContain('passage.session_token=');
      const s = await inject('GET', '/api/session', { cookie });
      expect(s.json().user).toMatchObject({
        email: 'minji.kim@example.org',
        role: 'rescue_coordinator',
        staff: true,
        secondFactor: false,
      });
    });

    it('answers every staff route 403 enrolment_required until a second factor is enrolled', async () => {
      const spec = t.app.swagger() as unknown as {
        paths: Record<string, Record<string, unknown>>;
      };
      const selfService = new Set(['/api/session', '/api/me/security', '/api/setup']);
      const checked: string[] = [];
      for (const [path, methods] of Object.entries(spec.paths)) {
        // The sign-in and enrolment endpoints themselves stay open (checked below).
        if (!('get' in methods) || selfService.has(path) || path.startsWith('/api/auth/')) continue;
        // The donor portal is for supporters only: staff are refused there (403 forbidden) enrolled or not.
        if (path.startsWith('/api/giving/me')) continue;
        const url = path.replace(/\{[^}]+\}/g, crypto.randomUUID());
        // Only routes that need a signed-in caller: an anonymous request gets 401.
        if ((await inject('GET', url)).statusCode !== 401) continue;
        const r = await inject('GET', url, { cookie });
        // A signed-in caller's request is validated before the role check: a random UUID is not a case code,
        // and a report needs its query. Those routes are left to the authorisation matrix.
        if (r.statusCode === 400 && r.json().error === 'validation_failed') continue;
        expect({ url, status: r.statusCode, error: r.json().error }).toEqual({
          url,
          status: 403,
          error: 'enrolment_required',
        });
        checked.push(path);
      }
      expect(checked).toEqual(expect.arrayContaining(['/api/me/tokens', '/api/outbox', '/api/admin/staff']));
      const passkeyOptions = await inject('GET', '/api/auth/passkey/generate-register-options', { cookie });
      expect(passkeyOptions.statusCode).toBe(200);
      const post = await inject('POST', '/api/me/tokens', {
        cookie,
        payload: { name: 'sync', days: 7, scopes: ['me'] },
      });
      expect(post.statusCode).toBe(403);
      expect(post.json()).toEqual({
        error: 'enrolment_required',
        message: 'Enrol an authenticator app or a passkey before you continue.',
      });
    });

    it('still lets the unenrolled invitee see their own security page', async () => {
      const r = await inject('GET', '/api/me/security', { cookie });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ twoFactorEnabled: false, secondFactor: false });
    });

    let backupCodes: string[];
    let secret: string;

    it('enrols an authenticator app (enable + verify-totp) and returns ten recovery codes once', async () => {
      const enabled = await inject('POST', '/api/auth/two-factor/enable', {
        cookie,
        payload: { password: GOOD },
      });
      expect(enabled.statusCode).toBe(200);
      const body = enabled.json() as { totpURI: string; backupCodes: string[] };
      backupCodes = body.backupCodes;
      expect(backupCodes).toHaveLength(10);
      expect(new Set(backupCodes).size).toBe(10);
      secret = new URL(body.totpURI).searchParams.get('secret') ?? '';
      expect(body.totpURI).toMatch(/^otpauth:\/\/totp\/Passage:/);
      cookie = cookiesOf(enabled, cookie);
      // Not enrolled until the first code is verified.
      expect((await inject('GET', '/api/me/tokens', { cookie })).statusCode).toBe(403);
      const verified = await inject('POST', '/api/auth/two-factor/verify-totp', {
        cookie,
        payload: { code: totpCode(secret) },
      });
      expect(verified.statusCode).toBe(200);
      expect(verified.json()).not.toHaveProperty('token');
      cookie = cookiesOf(verified, cookie);
      // The recovery codes are kept encrypted, never in the clear.
      const rows = await db().select().from(users).where(eq(users.email, 'minji.kim@example.org'));
      expect(rows[0]?.twoFactorEnabled).toBe(true);
      const stored = JSON.stringify(await db().execute('select * from two_factors'));
      for (const code of backupCodes) expect(stored).not.toContain(code);
    });

    it('opens the staff routes once enrolled', async () => {
      const r = await inject('GET', '/api/me/tokens', { cookie });
      expect(r.statusCode).toBe(200);
      expect((await inject('GET', '/api/session', { cookie })).json().user.secondFactor).toBe(true);
    });

    it('signs in with a recovery code in place of the authenticator code, once', async () => {
      const [first] = backupCodes;
      const start = await inject('POST', '/api/auth/sign-in/email', {
        payload: { email: 'minji.kim@example.org', password: GOOD },
        ip: '198.51.100.30',
      });
      expect(start.json()).toEqual({ twoFactorRedirect: true, twoFactorMethods: expect.any(Array) });
      const pending = cookiesOf(start);
      const ok = await inject('POST', '/api/auth/two-factor/verify-backup-code', {
        cookie: pending,
        payload: { code: first },
        ip: '198.51.100.30',
      });
      expect(ok.statusCode).toBe(200);
      const session = cookiesOf(ok, pending);
      expect((await inject('GET', '/api/me/tokens', { cookie: session })).statusCode).toBe(200);

      const again = await inject('POST', '/api/auth/sign-in/email', {
        payload: { email: 'minji.kim@example.org', password: GOOD },
        ip: '198.51.100.30',
      });
      const reused = await inject('POST', '/api/auth/two-factor/verify-backup-code', {
        cookie: cookiesOf(again),
        payload: { code: first },
        ip: '198.51.100.30',
      });
      expect(reused.statusCode).toBe(401);
      expect(cookiesOf(reused)).not.toContain('session_token');
    });

    it('accepts each of the other nine recovery codes exactly once', async () => {
      for (const code of backupCodes.slice(1)) {
        const ok = await inject('POST', '/api/auth/two-factor/verify-backup-code', {
          cookie,
          payload: { code },
          ip: '198.51.100.31',
        });
        expect(ok.statusCode).toBe(200);
        const twice = await inject('POST', '/api/auth/two-factor/verify-backup-code', {
          cookie,
          payload: { code },
          ip: '198.51.100.31',
        });
        expect(twice.statusCode).toBe(401);
      }
    });

    it('refuses the used link with 410', async () => {
      const lookup = await inject('POST', '/api/invitations/lookup', { payload: { token } });
      expect(lookup.statusCode).toBe(410);
      expect(lookup.json()).toEqual(INVALID_LINK);
      const users0 = await userCount();
      const accept = await inject('POST', '/api/invitations/accept', {
        payload: { token, password: 'another-fine-passphrase-9' },
      });
      expect(accept.statusCode).toBe(410);
      expect(accept.headers['set-cookie']).toBeUndefined();
      expect(await userCount()).toBe(users0);
    });

    it('shows the invitation as accepted and the audit log has its creation and acceptance', async () => {
      const r = await inject('GET', '/api/admin/invitations', { cookie: admin });
      expect(r.json().invitations.find((i: { id: string }) => i.id === invitationId).status).toBe('accepted');
      const actions = (await db().select().from(auditLog)).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['invitation.create', 'invitation.accept']));
    });
  });

  describe('links that no longer work', () => {
    it('refuses an expired link with 410 and creates nothing', async () => {
      const token = crypto.randomBytes(24).toString('base64url');
      await db()
        .insert(invitations)
        .values({
          id: crypto.randomUUID(),
          email: 'late@example.org',
          name: 'Late Invitee',
          role: 'outreach',
          tokenHash: sha256(token),
          invitedBy: 'someone',
          expiresAt: new Date(Date.now() - 1000),
        });
      const users0 = await userCount();
      expect((await inject('POST', '/api/invitations/lookup', { payload: { token } })).statusCode).toBe(410);
      const r = await inject('POST', '/api/invitations/accept', { payload: { token, password: GOOD } });
      expect(r.statusCode).toBe(410);
      expect(r.json()).toEqual(INVALID_LINK);
      expect(await userCount()).toBe(users0);
      const list = await inject('GET', '/api/admin/invitations', { cookie: admin });
      expect(
        list.json().invitations.find((i: { email: string }) => i.email === 'late@example.org').status,
      ).toBe('expired');
    });

    it('refuses a revoked link with 410', async () => {
      const created = await invite('revoked@example.org', 'development', 'Revoked Person');
      const token = await invitationTokenFor(t.ctx, 'revoked@example.org');
      const del = await inject('DELETE', `/api/admin/invitations/${created.json().id}`, { cookie: admin });
      expect(del.statusCode).toBe(204);
      expect((await inject('POST', '/api/invitations/lookup', { payload: { token } })).statusCode).toBe(410);
      const r = await inject('POST', '/api/invitations/accept', { payload: { token, password: GOOD } });
      expect(r.statusCode).toBe(410);
      const again = await inject('DELETE', `/api/admin/invitations/${created.json().id}`, { cookie: admin });
      expect(again.statusCode).toBe(404);
    });

    it('refuses the older link once a new invitation to the same address is sent', async () => {
      await invite('twice@example.org', 'outreach', 'Twice Invited');
      const older = await invitationTokenFor(t.ctx, 'twice@example.org');
      await new Promise((r) => setImmediate(r));
      await invite('twice@example.org', 'outreach', 'Twice Invited');
      const newer = await invitationTokenFor(t.ctx, 'twice@example.org');
      expect(newer).not.toBe(older);
      expect(
        (await inject('POST', '/api/invitations/lookup', { payload: { token: older } })).statusCode,
      ).toBe(410);
      expect(
        (await inject('POST', '/api/invitations/lookup', { payload: { token: newer } })).statusCode,
      ).toBe(200);
    });

    it('refuses an unknown token with 410 and a malformed one with 400', async () => {
      const unknown = await inject('POST', '/api/invitations/lookup', { payload: { token: 'x'.repeat(32) } });
      expect(unknown.statusCode).toBe(410);
      const malformed = await inject('POST', '/api/invitations/lookup', { payload: { token: 'short' } });
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().message).toBe('token: is missing or malformed');
    });
  });

  describe('who may invite', () => {
    it('refuses to invite an address that already has an account with 409', async () => {
      const r = await invite('MINJI.KIM@example.org');
      expect(r.statusCode).toBe(409);
      expect(r.json()).toEqual({
        error: 'conflict',
        message: 'email: an account with this address already exists',
      });
    });

    it('refuses to invite as a supporter or an unknown role with 400', async () => {
      const r = await invite('s@example.org', 'supporter');
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toMatch(/^role: must be one of /);
    });

    it('refuses every non-administrator staff role with 403 and writes nothing', async () => {
      const member = await createStaffMember(t, admin, {
        email: 'lead@example.org',
        name: 'Lee Security',
        role: 'security_lead',
        password: GOOD,
      });
      const before = (await db().select({ n: count() }).from(invitations))[0]?.n;
      for (const role of STAFF_ROLES.filter((r) => r !== 'administrator')) {
        await db().update(users).set({ role }).where(eq(users.id, member.userId));
        const r = await inject('POST', '/api/admin/invitations', {
          cookie: member.cookie,
          payload: { email: `new-${role}@example.org`, name: 'New Person', role: 'outreach' },
        });
        expect({ role, status: r.statusCode }).toEqual({ role, status: 403 });
        expect(r.json().error).toBe('forbidden');
        const revoke = await inject('GET', '/api/admin/invitations', { cookie: member.cookie });
        expect(revoke.statusCode).toBe(403);
      }
      expect((await db().select({ n: count() }).from(invitations))[0]?.n).toBe(before);
    });

    it('refuses an anonymous caller with 401', async () => {
      const r = await inject('POST', '/api/admin/invitations', {
        payload: { email: 'anon@example.org', name: 'Anon', role: 'outreach' },
      });
      expect(r.statusCode).toBe(401);
    });
  });
});
