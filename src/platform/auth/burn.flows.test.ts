import crypto from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cookiesOf,
  createStaffMember,
  invitationTokenFor,
  type StaffMember,
  signIn,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { auditLog } from '../audit/audit.table';
import { mailOutbox } from '../mail/mail.table';
import { GENERIC_SIGN_IN_FAILURE } from './auth';
import { apiTokenGrants, apiTokens, passkeys, sessions, twoFactors, users } from './auth.table';

const PASSWORD = 'saffron-tideway-quarry-15';
const NEW_PASSWORD = 'cobalt-meridian-hollow-88';
const BURN_SUBJECT = 'Passage: an account was frozen with the burn switch';

describeEachDatabase('burn switch', (getDb) => {
  let t: TestApp;
  let admin: { cookie: string; userId: string };
  let lead: StaffMember;
  let outreach: StaffMember;
  const db = () => getDb().db;
  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });
  const post = (url: string, payload: object, headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url, payload, headers });
  const staffMember = (email: string, name: string, role: string) =>
    createStaffMember(t, admin.cookie, { email, name, role, password: PASSWORD });
  const countRows = async (table: typeof passkeys | typeof twoFactors | typeof sessions, userId: string) =>
    (await db().select().from(table).where(eq(table.userId, userId))).length;
  const insertPasskey = (userId: string) =>
    db().insert(passkeys).values({
      id: crypto.randomUUID(),
      name: 'Phone',
      userId,
      publicKey: 'pk',
      credentialID: crypto.randomUUID(),
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
    });
  const burnMails = () => db().select().from(mailOutbox).where(eq(mailOutbox.subject, BURN_SUBJECT));

  beforeAll(async () => {
    t = await startTestApp(getDb());
    admin = await signInAsAdministrator(t);
    lead = await staffMember('lead@example.org', 'Seo Lead', 'security_lead');
    outreach = await staffMember('outreach@example.org', 'Ahn Outreach', 'outreach');
  });
  afterAll(() => t?.close());

  describe('by the person, from one of their devices', () => {
    let partner: StaffMember;
    let sessionA: string;
    let sessionB: string;
    let apiToken: string;

    beforeAll(async () => {
      partner = await staffMember('partner@example.org', 'Field Partner Baek', 'field_partner');
      sessionA = await signIn(t.app, partner.email, PASSWORD, { totpSecret: partner.totpSecret });
      sessionB = await signIn(t.app, partner.email, PASSWORD, { totpSecret: partner.totpSecret });
      await insertPasskey(partner.userId);
      // A field partner's tokens need an administrator's leave (given here straight in the table).
      await db().insert(apiTokenGrants).values({ userId: partner.userId, grantedBy: 'test' });
      const created = await post(
        '/api/me/tokens',
        { name: 'sync', days: 7, scopes: ['me'] },
        { cookie: sessionA },
      );
      apiToken = created.json().token;
      await db().delete(mailOutbox).where(eq(mailOutbox.subject, BURN_SUBJECT));
    });

    it('works before the burn: both sessions and the token answer', async () => {
      expect((await get('/api/me/security', { cookie: sessionA })).statusCode).toBe(200);
      expect((await get('/api/me/security', { cookie: sessionB })).statusCode).toBe(200);
      expect((await get('/api/me/tokens', { authorization: `Bearer ${apiToken}` })).statusCode).toBe(200);
    });

    it('refuses without the confirmation word (400) and burns nothing', async () => {
      const r = await post('/api/me/burn', { confirm: 'burn' }, { cookie: sessionA });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('confirm: must be the word BURN');
      expect((await get('/api/me/security', { cookie: sessionB })).statusCode).toBe(200);
    });

    it('revokes every session, passkey, authenticator and token in one go and reports the counts', async () => {
      const r = await post('/api/me/burn', { confirm: 'BURN' }, { cookie: sessionA });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ sessions: 3, passkeys: 1, recoveryCodeSets: 1, apiTokens: 1 });
      expect(await countRows(sessions, partner.userId)).toBe(0);
      expect(await countRows(passkeys, partner.userId)).toBe(0);
      expect(await countRows(twoFactors, partner.userId)).toBe(0);
      const [token] = await db().select().from(apiTokens).where(eq(apiTokens.userId, partner.userId));
      expect(token?.revokedAt).not.toBeNull();
    });

    it('kills the other device’s session at once (its next request is 401)', async () => {
      expect((await get('/api/me/security', { cookie: sessionB })).statusCode).toBe(401);
      expect((await get('/api/me/security', { cookie: sessionA })).statusCode).toBe(401);
      expect((await get('/api/session', { cookie: sessionB })).json()).toEqual({ user: null });
    });

    it('kills the API token (bearer 401)', async () => {
      const r = await get('/api/me/tokens', { authorization: `Bearer ${apiToken}` });
      expect(r.statusCode).toBe(401);
    });

    it('freezes the account: the right password fails with the generic message', async () => {
      const [user] = await db().select().from(users).where(eq(users.id, partner.userId));
      expect(user?.frozenAt).not.toBeNull();
      expect(user?.twoFactorEnabled).toBe(false);
      const r = await post('/api/auth/sign-in/email', { email: partner.email, password: PASSWORD }, {});
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ error: 'unauthenticated', message: GENERIC_SIGN_IN_FAILURE });
      expect(r.headers['set-cookie']).toBeUndefined();
    });

    it('audits account.burn_self by the person', async () => {
      const rows = await db().select().from(auditLog).where(eq(auditLog.action, 'account.burn_self'));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actorId: partner.userId,
        actorRole: 'field_partner',
        resourceCode: partner.userId,
        outcome: 'succeeded',
      });
    });

    it('emails every security lead and administrator, naming the account by id and role only', async () => {
      const mails = await burnMails();
      expect(mails.map((m) => m.toAddress).sort()).toEqual(['admin@example.org', 'lead@example.org']);
      for (const m of mails) {
        const lines = m.textBody.split('\n');
        expect(lines[0]).toBe(
          `A field partner account (${partner.userId}) was frozen by its owner at ${lines[0]?.match(/at (\S+)\.$/)?.[1]}.`,
        );
        expect(lines[0]).toMatch(/ at \d{4}-\d\d-\d\dT[\d:.]+Z\.$/);
        expect(m.textBody).not.toContain('Baek');
        expect(lines.slice(1)).toEqual([
          'Every session, passkey, authenticator and API token of it has been revoked.',
          'Review the audit log in the console, then issue a re-enrolment link when it is safe.',
        ]);
        expect(m.textBody).not.toContain(partner.email);
        expect(m.textBody).not.toMatch(/\/invite#|token=|[A-Z]{2,}-\d/);
      }
    });

    describe('re-enrolment', () => {
      it('refuses to issue a re-enrolment link for an account that is not frozen (409)', async () => {
        const r = await post(
          `/api/admin/staff/${outreach.userId}/re-enrolment`,
          {},
          { cookie: admin.cookie },
        );
        expect(r.statusCode).toBe(409);
      });

      it('mails a re-enrolment link that sets a new password, unfreezes, and requires enrolling again', async () => {
        const issued = await post(
          `/api/admin/staff/${partner.userId}/re-enrolment`,
          {},
          { cookie: lead.cookie },
        );
        expect(issued.statusCode).toBe(201);
        expect(issued.json()).toMatchObject({
          kind: 're_enrolment',
          status: 'pending',
          role: 'field_partner',
        });
        const token = await invitationTokenFor(t.ctx, partner.email);
        const lookup = await post('/api/invitations/lookup', { token }, {});
        expect(lookup.json()).toMatchObject({ email: partner.email, reEnrolment: true });

        const accepted = await post('/api/invitations/accept', { token, password: NEW_PASSWORD }, {});
        expect(accepted.statusCode).toBe(200);
        expect(accepted.json()).toEqual({ signedIn: true });
        const cookie = cookiesOf(accepted);
        const [user] = await db().select().from(users).where(eq(users.id, partner.userId));
        expect(user?.frozenAt).toBeNull();
        const me = await get('/api/session', { cookie });
        expect(me.json().user).toMatchObject({ id: partner.userId, secondFactor: false });
        const blocked = await get('/api/me/tokens', { cookie });
        expect(blocked.statusCode).toBe(403);
        expect(blocked.json().error).toBe('enrolment_required');

        // The old password is gone; the old token stays dead.
        const old = await post('/api/auth/sign-in/email', { email: partner.email, password: PASSWORD }, {});
        expect(old.statusCode).toBe(401);
        expect((await get('/api/me/tokens', { authorization: `Bearer ${apiToken}` })).statusCode).toBe(401);

        const used = await post(
          '/api/invitations/accept',
          { token, password: 'yet-another-passphrase-4' },
          {},
        );
        expect(used.statusCode).toBe(410);
        const audit = await db().select().from(auditLog).where(eq(auditLog.action, 'account.re_enrolled'));
        expect(audit.map((a) => a.resourceCode)).toContain(partner.userId);
      });
    });
  });

  describe('by someone else', () => {
    it('lets a security lead burn another account (account.burn, who did it audited)', async () => {
      const target = await staffMember('target1@example.org', 'Target One', 'resettlement_worker');
      const r = await post(`/api/admin/staff/${target.userId}/burn`, {}, { cookie: lead.cookie });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ recoveryCodeSets: 1 });
      expect((await get('/api/me/security', { cookie: target.cookie })).statusCode).toBe(401);
      const [entry] = await db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'account.burn'), eq(auditLog.resourceCode, target.userId)));
      expect(entry).toMatchObject({ actorId: lead.userId, actorRole: 'security_lead', outcome: 'succeeded' });
      const mail = (await burnMails()).find((m) => m.textBody.includes(target.userId));
      expect(mail?.textBody).toContain('by a security lead or administrator');
    });

    it('lets an administrator burn another account', async () => {
      const target = await staffMember('target2@example.org', 'Target Two', 'development');
      const r = await post(`/api/admin/staff/${target.userId}/burn`, {}, { cookie: admin.cookie });
      expect(r.statusCode).toBe(200);
      expect((await get('/api/me/security', { cookie: target.cookie })).statusCode).toBe(401);
    });

    it('refuses an outreach staffer with 403 and burns nothing', async () => {
      const target = await staffMember('target3@example.org', 'Target Three', 'research_editor');
      const r = await post(`/api/admin/staff/${target.userId}/burn`, {}, { cookie: outreach.cookie });
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toBe('forbidden');
      expect((await get('/api/me/security', { cookie: target.cookie })).statusCode).toBe(200);
      const [user] = await db().select().from(users).where(eq(users.id, target.userId));
      expect(user?.frozenAt).toBeNull();
    });

    it('answers 404 for an unknown account', async () => {
      const r = await post(`/api/admin/staff/${crypto.randomUUID()}/burn`, {}, { cookie: lead.cookie });
      expect(r.statusCode).toBe(404);
    });

    it('lets a security lead burn their own account through the admin route too (audited as burn_self)', async () => {
      const self = await staffMember('lead2@example.org', 'Second Lead', 'security_lead');
      const r = await post(`/api/admin/staff/${self.userId}/burn`, {}, { cookie: self.cookie });
      expect(r.statusCode).toBe(200);
      const rows = await db().select().from(auditLog).where(like(auditLog.action, 'account.burn%'));
      expect(rows.some((e) => e.action === 'account.burn_self' && e.actorId === self.userId)).toBe(true);
    });

    it('writes a denied audit entry when an outreach staffer tries to burn another account', async () => {
      // Accounts made earlier in this file: invitations are rate-limited per address.
      const target = admin;
      const r = await post(`/api/admin/staff/${target.userId}/burn`, {}, { cookie: outreach.cookie });
      expect(r.statusCode).toBe(403);
      const rows = await db()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'account.burn'), eq(auditLog.outcome, 'denied')));
      expect(rows.some((e) => e.actorId === outreach.userId && e.resourceCode === target.userId)).toBe(true);
      const [still] = await db().select().from(users).where(eq(users.id, target.userId));
      expect(still?.frozenAt).toBeNull();
    });
  });
});
