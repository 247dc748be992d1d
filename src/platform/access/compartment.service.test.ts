import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness/databases';
import { auditLog } from '../audit/audit.table';
import type { StaffActor } from '../auth/actor';
import { users } from '../auth/auth.table';
import type { Db } from '../db/client';
import {
  bindSubject,
  createCompartment,
  grantMembership,
  listCompartments,
  listMembers,
  loadSubject,
  revokeMembership,
} from './compartment.service';
import { compartments } from './compartment.table';
import type { Subject } from './policy';
import type { Role, StaffRole } from './roles';

async function makeUser(db: Db, role: Role, name: string, frozen = false): Promise<StaffActor> {
  const id = crypto.randomUUID();
  const email = `${id.slice(0, 8)}@example.org`;
  await db.insert(users).values({
    id,
    name,
    email,
    role,
    twoFactorEnabled: true,
    ...(frozen ? { frozenAt: new Date(), frozenBy: 'test' } : {}),
  });
  return {
    userId: id,
    name,
    email,
    role: role as StaffRole,
    sessionId: crypto.randomUUID(),
    twoFactorEnabled: true,
    secondFactor: true,
    stepUpAt: null,
  };
}

const code = (prefix: string) => `${prefix}-${crypto.randomBytes(3).toString('hex').toUpperCase()}`;

async function auditEntries(db: Db, action: string, resourceCode: string) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.resourceCode, resourceCode)));
}

async function expectAppError(promise: Promise<unknown>, statusCode: number, id: string) {
  await expect(promise).rejects.toMatchObject({ statusCode, id });
}

describeEachDatabase('compartment service', (getDb) => {
  let db: Db;
  let admin: StaffActor;
  let lead: StaffActor;
  let coordinator: StaffActor;
  let frozen: StaffActor;
  let supporter: StaffActor;

  beforeAll(async () => {
    db = getDb().db;
    admin = await makeUser(db, 'administrator', 'Ada Admin');
    lead = await makeUser(db, 'security_lead', 'Lee Lead');
    coordinator = await makeUser(db, 'rescue_coordinator', 'Cora Coordinator');
    frozen = await makeUser(db, 'field_partner', 'Frida Frozen', true);
    supporter = await makeUser(db, 'supporter', 'Sam Supporter');
  });

  describe('createCompartment', () => {
    it('creates it, audited by code, and refuses a second one with the same code', async () => {
      const c = code('LABS');
      const view = await createCompartment(db, admin, { code: c, name: 'Labs' }, 'req-1');
      expect(view).toMatchObject({ code: c, name: 'Labs', purpose: '', members: 0 });
      const [entry] = await auditEntries(db, 'compartment.create', c);
      expect(entry).toMatchObject({ actorId: admin.userId, outcome: 'succeeded', requestId: 'req-1' });
      await expectAppError(createCompartment(db, admin, { code: c, name: 'Again' }, null), 409, 'conflict');
    });
  });

  describe('grantMembership and revokeMembership', () => {
    it('grants a staff member in, audited as a grant by someone else', async () => {
      const c = await createCompartment(db, lead, { code: code('CMP'), name: 'Orchid' }, null);
      await grantMembership(db, lead, c.id, coordinator.userId, 'req-grant');
      const [entry] = await auditEntries(db, 'compartment.grant', `${c.code}:${coordinator.userId}`);
      expect(entry).toMatchObject({
        actorId: lead.userId,
        actorRole: 'security_lead',
        resourceType: 'compartment',
        outcome: 'succeeded',
        requestId: 'req-grant',
      });
      expect((await loadSubject(db, coordinator)).compartments.has(c.id)).toBe(true);
    });

    it('audits an administrator granting themselves in as grant_self; no role is a member before', async () => {
      const c = await createCompartment(db, admin, { code: code('LABS'), name: 'Labs project' }, null);
      expect((await loadSubject(db, admin)).compartments.has(c.id)).toBe(false);
      await grantMembership(db, admin, c.id, admin.userId, null);
      expect(await auditEntries(db, 'compartment.grant_self', `${c.code}:${admin.userId}`)).toHaveLength(1);
      expect(await auditEntries(db, 'compartment.grant', `${c.code}:${admin.userId}`)).toHaveLength(0);
      expect((await loadSubject(db, admin)).compartments.has(c.id)).toBe(true);
    });

    it('refuses a frozen account, a supporter, an unknown account and a second grant, writing nothing', async () => {
      const c = await createCompartment(db, admin, { code: code('CMP'), name: 'Lotus' }, null);
      await expectAppError(grantMembership(db, admin, c.id, frozen.userId, null), 409, 'conflict');
      await expectAppError(grantMembership(db, admin, c.id, supporter.userId, null), 404, 'not_found');
      await expectAppError(grantMembership(db, admin, c.id, crypto.randomUUID(), null), 404, 'not_found');
      await grantMembership(db, admin, c.id, coordinator.userId, null);
      await expectAppError(grantMembership(db, admin, c.id, coordinator.userId, null), 409, 'conflict');
      expect((await listMembers(db, c.id)).map((m) => m.userId)).toEqual([coordinator.userId]);
      expect(await auditEntries(db, 'compartment.grant', `${c.code}:${frozen.userId}`)).toHaveLength(0);
      expect(await auditEntries(db, 'compartment.grant', `${c.code}:${coordinator.userId}`)).toHaveLength(1);
    });

    it('refuses a grant into an unknown or archived compartment', async () => {
      await expectAppError(
        grantMembership(db, admin, crypto.randomUUID(), coordinator.userId, null),
        404,
        'not_found',
      );
      const c = await createCompartment(db, admin, { code: code('OLD'), name: 'Archived' }, null);
      await db.update(compartments).set({ archivedAt: new Date() }).where(eq(compartments.id, c.id));
      await expectAppError(grantMembership(db, admin, c.id, coordinator.userId, null), 404, 'not_found');
      expect((await listCompartments(db)).map((x) => x.id)).not.toContain(c.id);
    });

    it('revokes, audited; revoking a non-member answers 404', async () => {
      const c = await createCompartment(db, admin, { code: code('CMP'), name: 'Peony' }, null);
      await grantMembership(db, admin, c.id, coordinator.userId, null);
      await revokeMembership(db, lead, c.id, coordinator.userId, 'req-revoke');
      const [entry] = await auditEntries(db, 'compartment.revoke', `${c.code}:${coordinator.userId}`);
      expect(entry).toMatchObject({ actorId: lead.userId, outcome: 'succeeded', requestId: 'req-revoke' });
      expect((await loadSubject(db, coordinator)).compartments.has(c.id)).toBe(false);
      await expectAppError(revokeMembership(db, lead, c.id, coordinator.userId, null), 404, 'not_found');
    });
  });

  describe('listMembers and listCompartments', () => {
    it('lists members by name with role and grant time, and counts them', async () => {
      const c = await createCompartment(db, admin, { code: code('CMP'), name: 'Willow' }, null);
      await grantMembership(db, admin, c.id, lead.userId, null);
      await grantMembership(db, admin, c.id, admin.userId, null);
      const members = await listMembers(db, c.id);
      expect(members.map((m) => [m.name, m.role])).toEqual([
        ['Ada Admin', 'administrator'],
        ['Lee Lead', 'security_lead'],
      ]);
      expect(members[0]?.grantedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await listCompartments(db)).find((x) => x.id === c.id)?.members).toBe(2);
      await expectAppError(listMembers(db, crypto.randomUUID()), 404, 'not_found');
    });
  });

  describe('row-level security with bindSubject', () => {
    // Superusers and BYPASSRLS roles skip every policy, FORCE or not, and the test connections of both
    // engines are superusers (PGlite's only user is `postgres`; the test server's URL is its superuser).
    // The check therefore runs its reads as a plain role made for it, with `set local role`.
    const suffix = crypto.randomBytes(4).toString('hex');
    const table = `rls_probe_${suffix}`;
    const role = `rls_reader_${suffix}`;
    let inA: string;
    let inB: string;

    beforeAll(async () => {
      inA = crypto.randomUUID();
      inB = crypto.randomUUID();
      await db.execute(
        sql.raw(
          `create table ${table} (id text primary key, compartment_id text not null, note text not null)`,
        ),
      );
      await db.execute(sql.raw(`alter table ${table} enable row level security`));
      await db.execute(sql.raw(`alter table ${table} force row level security`));
      await db.execute(
        sql.raw(`create policy ${table}_compartment on ${table} using (compartment_id = any(
          string_to_array(current_setting('passage.compartments', true), ',')))`),
      );
      await db.execute(
        sql.raw(
          `insert into ${table} values ('a1', '${inA}', 'first of A'), ('a2', '${inA}', 'second of A'), ('b1', '${inB}', 'only of B')`,
        ),
      );
      await db.execute(sql.raw(`create role ${role} nologin`));
      await db.execute(sql.raw(`grant select on ${table} to ${role}`));
      return async () => {
        await db.execute(sql.raw(`drop table if exists ${table}`));
        await db.execute(sql.raw(`drop role if exists ${role}`));
      };
    });

    const subjectIn = (...ids: string[]): Subject => ({
      userId: coordinator.userId,
      role: 'rescue_coordinator',
      compartments: new Set(ids),
      stepUpAt: null,
    });

    /** The ids the plain role can see in one transaction, after binding `subject` (or not). */
    async function visible(subject?: Subject): Promise<string[]> {
      return db.transaction(async (tx) => {
        if (subject) await bindSubject(tx, subject);
        await tx.execute(sql.raw(`set local role ${role}`));
        const { rows } = (await tx.execute(sql.raw(`select id from ${table} order by id`))) as unknown as {
          rows: { id: string }[];
        };
        return rows.map((r) => r.id);
      });
    }

    it('hides every row from a transaction that bound no subject', async () => {
      expect(await visible()).toEqual([]);
    });

    it('shows the rows of the bound compartments and nothing else', async () => {
      expect(await visible(subjectIn(inA))).toEqual(['a1', 'a2']);
      expect(await visible(subjectIn(inB))).toEqual(['b1']);
      expect(await visible(subjectIn(inA, inB))).toEqual(['a1', 'a2', 'b1']);
      expect(await visible(subjectIn())).toEqual([]);
      expect(await visible(subjectIn(crypto.randomUUID()))).toEqual([]);
    });

    it('forgets the binding when the transaction ends', async () => {
      expect(await visible(subjectIn(inA))).toEqual(['a1', 'a2']);
      expect(await visible()).toEqual([]);
    });

    it('cannot be widened by a compartment id smuggling a comma-separated list', async () => {
      // Compartment ids are UUIDs; a crafted id containing a comma would otherwise name two compartments.
      await expect(visible(subjectIn(`${crypto.randomUUID()},${inB}`))).rejects.toThrow(/comma/);
      await expect(visible(subjectIn(''))).rejects.toThrow(/empty/);
    });

    it('documents why the role is needed: the test connection is a superuser and bypasses RLS', async () => {
      const { rows } = (await db.execute(
        sql`select rolsuper from pg_roles where rolname = current_user`,
      )) as unknown as { rows: { rolsuper: boolean }[] };
      expect(rows[0]?.rolsuper).toBe(true);
      const all = await db.transaction(async (tx) => {
        await bindSubject(tx, subjectIn(inA));
        const r = (await tx.execute(sql.raw(`select id from ${table} order by id`))) as unknown as {
          rows: { id: string }[];
        };
        return r.rows.map((x) => x.id);
      });
      expect(all).toEqual(['a1', 'a2', 'b1']);
    });
  });
});
