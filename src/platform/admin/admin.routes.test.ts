import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaffMember,
  type StaffMember,
  signIn,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { auditLog } from '../audit/audit.table';
import { apiTokens, sessions, users } from '../auth/auth.table';

const PASSWORD = 'juniper-saddle-ember-36';
const sha256 = (v: string) => crypto.createHash('sha256').update(v).digest('hex');
const LAST_ADMIN = {
  error: 'conflict',
  message: 'This is the last administrator: make someone else administrator first.',
};

describeEachDatabase('administration', (getDb) => {
  let t: TestApp;
  let admin: { cookie: string; userId: string };
  let lead: StaffMember;
  let worker: StaffMember;
  let supporterId: string;
  const db = () => getDb().db;
  const inject = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    headers: object,
    payload?: object,
  ) => t.app.inject({ method, url, headers: headers as Record<string, string>, payload });
  const setRole = (cookie: string, id: string, role: string) =>
    inject('PATCH', `/api/admin/staff/${id}`, { cookie }, { role });
  const roleOf = async (id: string) => (await db().select().from(users).where(eq(users.id, id)))[0]?.role;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    admin = await signInAsAdministrator(t);
    lead = await createStaffMember(t, admin.cookie, {
      email: 'lead@example.org',
      name: 'Kang Lead',
      role: 'security_lead',
      password: PASSWORD,
    });
    worker = await createStaffMember(t, admin.cookie, {
      email: 'worker@example.org',
      name: 'Jung Worker',
      role: 'resettlement_worker',
      password: PASSWORD,
    });
    supporterId = crypto.randomUUID();
    await db()
      .insert(users)
      .values({ id: supporterId, name: 'Dana Donor', email: 'dana@example.org', emailVerified: true });
  });
  afterAll(() => t?.close());

  describe('GET /api/admin/staff', () => {
    it('lists staff with their role and second factor, and never a supporter account', async () => {
      const r = await inject('GET', '/api/admin/staff', { cookie: admin.cookie });
      expect(r.statusCode).toBe(200);
      const staff = r.json().staff as { id: string; email: string; role: string; secondFactor: boolean }[];
      expect(staff.map((s) => s.email).sort()).toEqual([
        'admin@example.org',
        'lead@example.org',
        'worker@example.org',
      ]);
      expect(staff.find((s) => s.id === worker.userId)).toMatchObject({
        role: 'resettlement_worker',
        secondFactor: true,
      });
      expect(r.body).not.toContain('dana@example.org');
    });

    it('is open to a security lead and refused to other roles with 403', async () => {
      expect((await inject('GET', '/api/admin/staff', { cookie: lead.cookie })).statusCode).toBe(200);
      const r = await inject('GET', '/api/admin/staff', { cookie: worker.cookie });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ error: 'forbidden', message: 'You do not have access to this.' });
    });
  });

  describe('PATCH /api/admin/staff/:id (role change)', () => {
    it('changes a role, effective on the person’s next request, and audits it', async () => {
      const r = await setRole(admin.cookie, worker.userId, 'auditor');
      expect(r.statusCode).toBe(204);
      expect(await roleOf(worker.userId)).toBe('auditor');
      const s = await inject('GET', '/api/session', { cookie: worker.cookie });
      expect(s.json().user.role).toBe('auditor');
      expect((await inject('GET', '/api/audit', { cookie: worker.cookie })).statusCode).toBe(200);
      const [entry] = await db()
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'account.role_change.auditor'));
      expect(entry).toMatchObject({
        actorId: admin.userId,
        resourceCode: worker.userId,
        outcome: 'succeeded',
      });
      await setRole(admin.cookie, worker.userId, 'resettlement_worker');
    });

    it('is for administrators only: a security lead and others get 403 and nothing changes', async () => {
      for (const cookie of [lead.cookie, worker.cookie]) {
        const r = await setRole(cookie, worker.userId, 'administrator');
        expect(r.statusCode).toBe(403);
      }
      expect(await roleOf(worker.userId)).toBe('resettlement_worker');
    });

    it('refuses to demote the last administrator with 409', async () => {
      const r = await setRole(admin.cookie, admin.userId, 'auditor');
      expect(r.statusCode).toBe(409);
      expect(r.json()).toEqual(LAST_ADMIN);
      expect(await roleOf(admin.userId)).toBe('administrator');
    });

    it('lets an administrator step down once another administrator exists', async () => {
      expect((await setRole(admin.cookie, lead.userId, 'administrator')).statusCode).toBe(204);
      expect((await setRole(lead.cookie, admin.userId, 'security_lead')).statusCode).toBe(204);
      // Now the other one is the last.
      const r = await setRole(lead.cookie, lead.userId, 'security_lead');
      expect(r.statusCode).toBe(409);
      expect((await setRole(lead.cookie, admin.userId, 'administrator')).statusCode).toBe(204);
      expect((await setRole(admin.cookie, lead.userId, 'security_lead')).statusCode).toBe(204);
    });

    it('refuses to demote the last unfrozen administrator when the only other administrator is frozen', async () => {
      const second = await createStaffMember(t, admin.cookie, {
        email: 'second.admin@example.org',
        name: 'Second Admin',
        role: 'administrator',
        password: PASSWORD,
      });
      await db().update(users).set({ frozenAt: new Date() }).where(eq(users.id, second.userId));
      const r = await setRole(admin.cookie, admin.userId, 'security_lead');
      expect(r.statusCode).toBe(409);
      expect(r.json()).toEqual(LAST_ADMIN);
      expect(await roleOf(admin.userId)).toBe('administrator');
      await db().update(users).set({ role: 'development' }).where(eq(users.id, second.userId));
    });

    it('never gives a supporter account a staff role (404) and refuses an unknown role (400)', async () => {
      const r = await setRole(admin.cookie, supporterId, 'outreach');
      expect(r.statusCode).toBe(404);
      expect(await roleOf(supporterId)).toBe('supporter');
      const bad = await setRole(admin.cookie, worker.userId, 'supporter');
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toMatch(/^role: must be one of administrator, /);
      expect((await setRole(admin.cookie, crypto.randomUUID(), 'outreach')).statusCode).toBe(404);
    });
  });

  describe('API tokens', () => {
    let token: string;
    let tokenId: string;

    it('creates a token shown once, stored only as its SHA-256', async () => {
      const r = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: admin.cookie },
        { name: 'reporting', days: 30, scopes: ['me', 'admin'] },
      );
      expect(r.statusCode).toBe(201);
      const body = r.json();
      token = body.token;
      tokenId = body.apiToken.id;
      expect(token).toMatch(/^psg_[A-Za-z0-9_-]{40,}$/);
      expect(body.apiToken).toMatchObject({
        name: 'reporting',
        access: 'read',
        scopes: ['me', 'admin'],
        revoked: false,
        lastUsedAt: null,
      });
      const rows = await db().select().from(apiTokens);
      expect(rows.find((x) => x.id === tokenId)?.tokenHash).toBe(sha256(token));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(t.logs.join('\n')).not.toContain(token);
      const list = await inject('GET', '/api/me/tokens', { cookie: admin.cookie });
      expect(list.json().tokens.map((x: { id: string }) => x.id)).toContain(tokenId);
      expect(list.body).not.toContain(token);
    });

    it('refuses 0 and 91 days with 400', async () => {
      for (const days of [0, 91, 1.5]) {
        const r = await inject('POST', '/api/me/tokens', { cookie: admin.cookie }, { name: 'x', days });
        expect(r.statusCode).toBe(400);
        expect(r.json().message).toMatch(/^days: must be/);
      }
    });

    it('acts as its owner on GET routes with a bearer header', async () => {
      const auth = { authorization: `Bearer ${token}` };
      expect((await inject('GET', '/api/me/tokens', auth)).statusCode).toBe(200);
      const staff = await inject('GET', '/api/admin/staff', auth);
      expect(staff.statusCode).toBe(200);
      // Outside its scopes (`/api/session` is no token's) it is refused.
      const session = await inject('GET', '/api/session', auth);
      expect(session.statusCode).toBe(403);
      const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, tokenId));
      expect(row?.lastUsedAt).not.toBeNull();
    });

    it('cannot create tokens (403)', async () => {
      const r = await inject(
        'POST',
        '/api/me/tokens',
        { authorization: `Bearer ${token}` },
        { name: 'x', days: 1, scopes: ['me'] },
      );
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toBe('forbidden');
    });

    it('answers 401 for a malformed, unknown or expired token', async () => {
      for (const value of ['nope', `psg_${'a'.repeat(43)}`, `${token}x`]) {
        expect((await inject('GET', '/api/me/tokens', { authorization: `Bearer ${value}` })).statusCode).toBe(
          401,
        );
      }
      const made = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: admin.cookie },
        { name: 'short', days: 1, scopes: ['me'] },
      );
      await db()
        .update(apiTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(apiTokens.id, made.json().apiToken.id));
      const r = await inject('GET', '/api/me/tokens', { authorization: `Bearer ${made.json().token}` });
      expect(r.statusCode).toBe(401);
    });

    it('cannot be revoked by someone else (404)', async () => {
      const r = await inject('DELETE', `/api/me/tokens/${tokenId}`, { cookie: lead.cookie });
      expect(r.statusCode).toBe(404);
      expect((await inject('GET', '/api/me/tokens', { authorization: `Bearer ${token}` })).statusCode).toBe(
        200,
      );
    });

    it('stops working at once when revoked (401), and revoking twice is 404', async () => {
      const r = await inject('DELETE', `/api/me/tokens/${tokenId}`, { cookie: admin.cookie });
      expect(r.statusCode).toBe(204);
      expect((await inject('GET', '/api/me/tokens', { authorization: `Bearer ${token}` })).statusCode).toBe(
        401,
      );
      expect((await inject('DELETE', `/api/me/tokens/${tokenId}`, { cookie: admin.cookie })).statusCode).toBe(
        404,
      );
      const list = await inject('GET', '/api/me/tokens', { cookie: admin.cookie });
      expect(list.json().tokens.find((x: { id: string }) => x.id === tokenId).revoked).toBe(true);
    });
  });

  describe('API tokens: step-up, S4 roles, scopes, the administrators\u2019 list', () => {
    const tokenOf = (r: { json(): unknown }) => (r.json() as { token: string }).token;
    // Each call from its own address, so the 10-a-minute limit on making tokens never bites here.
    let address = 0;
    const inject = (
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: string,
      headers: object,
      payload?: object,
    ) =>
      t.app.inject({
        method,
        url,
        headers: headers as Record<string, string>,
        payload,
        remoteAddress: `203.0.113.${++address}`,
      });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const audited = async (action: string) =>
      (await db().select().from(auditLog).where(eq(auditLog.action, action))).map((e) => e.resourceCode);

    it('refuses to create a token from a session whose step-up ran out (403 step_up_required)', async () => {
      const other = await signIn(t.app, worker.email, PASSWORD, { totpSecret: worker.totpSecret });
      await db()
        .update(sessions)
        .set({ stepUpAt: new Date(Date.now() - 10 * 60_000) })
        .where(eq(sessions.userId, worker.userId));
      const r = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: other },
        { name: 'late', days: 1, scopes: ['me'] },
      );
      expect([r.statusCode, r.json().error]).toEqual([403, 'step_up_required']);
    });

    it('gives a role that reads S4 data no token until an administrator allows it (audited), then for 7 days at most; stopping revokes them', async () => {
      const cookie = await signIn(t.app, lead.email, PASSWORD, { totpSecret: lead.totpSecret });
      const make = (days: number) =>
        inject('POST', '/api/me/tokens', { cookie }, { name: 'ops', days, scopes: ['me'] });
      const refused = await make(1);
      expect([refused.statusCode, refused.json().error]).toEqual([403, 'forbidden']);
      expect(refused.json().message).toContain('administrator must allow');
      // Only an administrator allows it; a security lead cannot allow itself.
      const self = await inject(
        'PUT',
        `/api/admin/staff/${lead.userId}/api-tokens`,
        { cookie },
        { allowed: true },
      );
      expect(self.statusCode).toBe(403);
      const allow = await inject(
        'PUT',
        `/api/admin/staff/${lead.userId}/api-tokens`,
        { cookie: admin.cookie },
        { allowed: true },
      );
      expect(allow.json()).toEqual({ allowed: true, revoked: 0 });
      const listed = (await inject('GET', '/api/admin/staff', { cookie: admin.cookie })).json().staff;
      expect(listed.find((x: { id: string }) => x.id === lead.userId).apiTokensAllowed).toBe(true);
      expect(await audited('api_token.allow')).toContain(lead.userId);
      const long = await make(30);
      expect([long.statusCode, long.json().message]).toEqual([
        400,
        'days: must be 1 to 7 days for your role',
      ]);
      const made = await make(7);
      expect(made.statusCode).toBe(201);
      expect((await inject('GET', '/api/me/tokens', bearer(tokenOf(made)))).statusCode).toBe(200);
      const stop = await inject(
        'PUT',
        `/api/admin/staff/${lead.userId}/api-tokens`,
        { cookie: admin.cookie },
        { allowed: false },
      );
      expect(stop.json()).toEqual({ allowed: false, revoked: 1 });
      expect(await audited('api_token.disallow')).toContain(lead.userId);
      expect((await inject('GET', '/api/me/tokens', bearer(tokenOf(made)))).statusCode).toBe(401);
    });

    it('holds every request of a token to its access (read or write) and its route prefixes', async () => {
      const read = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: admin.cookie },
        { name: 'read admin', days: 1, scopes: ['admin'] },
      );
      const token = tokenOf(read);
      expect((await inject('GET', '/api/admin/staff', bearer(token))).statusCode).toBe(200);
      const outside = await inject('GET', '/api/me/tokens', bearer(token));
      expect([outside.statusCode, outside.json().error]).toEqual([403, 'forbidden']);
      const write = await inject('POST', '/api/admin/invitations', bearer(token), {
        email: 'never@example.org',
        name: 'Never',
        role: 'outreach',
      });
      expect(write.statusCode).toBe(403);
      const writer = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: admin.cookie },
        { name: 'write me', days: 1, access: 'write', scopes: ['me'] },
      );
      expect(writer.json().apiToken).toMatchObject({ access: 'write', scopes: ['me'] });
      const own = await inject(
        'DELETE',
        `/api/me/tokens/${writer.json().apiToken.id}`,
        bearer(tokenOf(writer)),
      );
      expect(own.statusCode).toBe(204);
      const bad = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: admin.cookie },
        { name: 'x', days: 1, scopes: [] },
      );
      expect(bad.json().message).toMatch(/^scopes: must name at least one/);
    });

    it('lists every token to administrators and security leads without secrets, and lets them revoke anyone\u2019s (audited)', async () => {
      const workerCookie = await signIn(t.app, worker.email, PASSWORD, { totpSecret: worker.totpSecret });
      const made = await inject(
        'POST',
        '/api/me/tokens',
        { cookie: workerCookie },
        { name: 'worker sync', days: 30, scopes: ['me'] },
      );
      expect(made.statusCode).toBe(201);
      const list = await inject('GET', '/api/admin/api-tokens', { cookie: lead.cookie });
      expect(list.statusCode).toBe(200);
      const mine = list.json().tokens.find((x: { id: string }) => x.id === made.json().apiToken.id);
      expect(mine).toMatchObject({
        name: 'worker sync',
        owner: { id: worker.userId, role: 'resettlement_worker' },
      });
      expect(list.body).not.toContain(tokenOf(made));
      expect(list.body).not.toContain(sha256(tokenOf(made)));
      expect((await inject('GET', '/api/admin/api-tokens', { cookie: workerCookie })).statusCode).toBe(403);
      const revoked = await inject('DELETE', `/api/admin/api-tokens/${made.json().apiToken.id}`, {
        cookie: admin.cookie,
      });
      expect(revoked.statusCode).toBe(204);
      expect((await inject('GET', '/api/me/tokens', bearer(tokenOf(made)))).statusCode).toBe(401);
      expect(await audited('api_token.revoke_other')).toContain(made.json().apiToken.id);
    });
  });

  describe('POST /api/admin/staff/:id/unlock', () => {
    it('lets an administrator unlock an account locked by failed sign-ins from several addresses (audited); the staff list shows the lock', async () => {
      for (let i = 0; i < 5; i++)
        await t.ctx.throttle.recordFailure({ ip: `198.18.0.${i + 1}`, email: worker.email });
      const locked = (await inject('GET', '/api/admin/staff', { cookie: admin.cookie }))
        .json()
        .staff.find((x: { id: string }) => x.id === worker.userId);
      expect(locked.locked).toBe(true);
      expect(
        (await inject('POST', `/api/admin/staff/${worker.userId}/unlock`, { cookie: worker.cookie }))
          .statusCode,
      ).toBe(403);
      const r = await inject('POST', `/api/admin/staff/${worker.userId}/unlock`, { cookie: admin.cookie });
      expect(r.statusCode).toBe(204);
      expect(await t.ctx.throttle.isLocked({ ip: '198.18.0.1', email: worker.email })).toBe(false);
      const entries = await db().select().from(auditLog).where(eq(auditLog.action, 'account.unlock'));
      expect(entries.map((e) => e.resourceCode)).toContain(worker.userId);
      expect(
        (await inject('POST', `/api/admin/staff/${crypto.randomUUID()}/unlock`, { cookie: admin.cookie }))
          .statusCode,
      ).toBe(404);
    });
  });

  describe('GET /api/audit', () => {
    it('is for auditors and security leads; an administrator gets 403', async () => {
      expect((await inject('GET', '/api/audit', { cookie: lead.cookie })).statusCode).toBe(200);
      expect((await inject('GET', '/api/audit', { cookie: admin.cookie })).statusCode).toBe(403);
    });
  });
});
