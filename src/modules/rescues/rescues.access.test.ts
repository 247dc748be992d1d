import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToCompartment, createActor, freshSession, type TestActor } from '../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import {
  describeEachDatabase,
  type OpenTestDatabase,
  openTestDatabase,
  testEngines,
} from '../../../test/harness/databases';
import { bindSubject } from '../../platform/access/compartment.service';
import { compartmentMembers } from '../../platform/access/compartment.table';
import type { Subject } from '../../platform/access/policy';
import { auditLog } from '../../platform/audit/audit.table';
import { type DatabaseHandle, type Db, openDatabase } from '../../platform/db/client';
import {
  addLeg,
  call,
  endStepUp,
  openCase,
  type RescueWorld,
  rescueWorld,
  stepUp,
  traveller,
} from './rescue.fixtures';
import { checkIns, legs } from './rescue.table';
import { runAsSystem } from './rescue-access';

const NAMES = { name: 'Ri Chun-ok', currentRegion: 'Helong hills', contactMethod: 'Signal via aunt' };

async function audits(db: Db, action: string, code: string, actorId?: string | null) {
  return db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, action),
        eq(auditLog.resourceCode, code),
        ...(actorId ? [eq(auditLog.actorId, actorId)] : []),
      ),
    );
}

/** Every rescue route that names a case, with a body that passes validation. */
function caseRoutes(code: string, legId: string): [string, string, unknown?][] {
  return [
    ['GET', `/api/rescues/${code}`],
    ['POST', `/api/rescues/${code}/reveal`],
    ['POST', `/api/rescues/${code}/travellers`, traveller()],
    ['PATCH', `/api/rescues/${code}/travellers/1/identity`, { name: 'Overwritten' }],
    ['PUT', `/api/rescues/${code}/travellers/1/photo`, { dataBase64: 'AAAA' }],
    ['GET', `/api/rescues/${code}/travellers/1/photo`],
    ['POST', `/api/rescues/${code}/status`, { to: 'paused' }],
    ['POST', `/api/rescues/${code}/handover`],
    ['POST', `/api/rescues/${code}/retention`, { days: 5, reason: 'a good reason' }],
    ['POST', `/api/rescues/${code}/legs`, { kind: 'transit', fromPlace: 'Jilin', toPlace: 'Kunming' }],
    ['PATCH', `/api/rescues/${code}/legs/${legId}`, { status: 'delayed' }],
    ['POST', `/api/rescues/${code}/legs/${legId}/compromised`],
    ['POST', `/api/rescues/${code}/incidents`, { kind: 'illness', severity: 'low' }],
    ['POST', `/api/rescues/${code}/incidents/${crypto.randomUUID()}/follow-ups`, { note: 'x' }],
    [
      'POST',
      `/api/rescues/${code}/costs`,
      { category: 'food', amountMinor: 100, currency: 'USD', spentOn: '2031-01-01T00:00:00Z' },
    ],
  ];
}

describeEachDatabase('rescues: who sees what', (getDb) => {
  let w: RescueWorld;
  let t: TestApp;
  let db: Db;
  let code: string;
  let legA: string;
  let legB: string;

  beforeAll(async () => {
    w = await rescueWorld(getDb());
    t = w.t;
    db = t.ctx.database.db;
    code = await openCase(t, w.coordinator, w.inside.id, {
      travellers: [traveller({ ...NAMES, healthNeeds: 'yes', healthNotes: 'Needs insulin daily' })],
    });
    legA = await addLeg(t, w.coordinator, code, { fieldPartnerId: w.partnerA.userId });
    legB = await addLeg(t, w.coordinator, code, {
      fromPlace: 'Kunming',
      toPlace: 'Northern Laos',
      fieldPartnerId: w.partnerB.userId,
    });
  });
  afterAll(() => t?.close());

  describe('field partners', () => {
    it('see only the legs assigned to them, with nothing identifying', async () => {
      const mine = await call(t, w.partnerA, 'GET', '/api/field/legs');
      expect(mine.statusCode).toBe(200);
      const listed = mine.json().legs as Record<string, unknown>[];
      expect(listed.map((l) => l.id)).toEqual([legA]);
      expect(Object.keys(listed[0] ?? {}).sort()).toEqual(
        [
          'checkInDueAt',
          'pickedUpAt',
          'code',
          'fromPlace',
          'id',
          'plannedEnd',
          'plannedStart',
          'position',
          'status',
          'toPlace',
          'travellers',
        ].sort(),
      );
      for (const value of Object.values(NAMES)) expect(mine.body).not.toContain(value);
      const theirs = (await call(t, w.partnerB, 'GET', '/api/field/legs')).json().legs as { id: string }[];
      expect(theirs.map((l) => l.id)).toEqual([legB]);
    });

    it("cannot report on another partner's leg: refused, audited, nothing changed", async () => {
      const before = await db.select().from(checkIns);
      const r = await call(t, w.partnerA, 'POST', `/api/field/legs/${legB}/report`, { kind: 'pick_up' });
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toBe('forbidden');
      expect(await db.select().from(checkIns)).toEqual(before);
      const [leg] = await db.select().from(legs).where(eq(legs.id, legB));
      expect(leg?.status).toBe('planned');
      const denied = await audits(db, 'rescue_leg.partner_update', `${code}:2`, w.partnerA.userId);
      expect(denied.map((d) => d.outcome)).toEqual(['denied']);
    });

    it('lose their legs the moment they leave the compartment', async () => {
      const partnerC = await createActor(t.app, t.ctx, 'field_partner');
      await addToCompartment(db, w.inside.id, partnerC);
      const c = await openCase(t, w.coordinator, w.inside.id);
      const leg = await addLeg(t, w.coordinator, c, { fieldPartnerId: partnerC.userId });
      expect((await call(t, partnerC, 'GET', '/api/field/legs')).json().legs).toHaveLength(1);
      await db
        .delete(compartmentMembers)
        .where(
          and(
            eq(compartmentMembers.compartmentId, w.inside.id),
            eq(compartmentMembers.userId, partnerC.userId ?? ''),
          ),
        );
      expect((await call(t, partnerC, 'GET', '/api/field/legs')).json().legs).toEqual([]);
      const r = await call(t, partnerC, 'POST', `/api/field/legs/${leg}/report`, { kind: 'pick_up' });
      expect(r.statusCode).toBe(404);
    });

    it('never open a case, a list, a dashboard or an identity', async () => {
      for (const [method, url] of [
        ['GET', '/api/rescues'],
        ['GET', '/api/rescues/dashboard'],
        ['GET', `/api/rescues/${code}`],
        ['POST', `/api/rescues/${code}/reveal`],
        ['GET', `/api/rescues/${code}/travellers/1/photo`],
      ] as const) {
        const r = await call(t, w.partnerA, method, url);
        expect(r.statusCode, `${method} ${url}`).toBe(403);
        for (const value of Object.values(NAMES)) expect(r.body).not.toContain(value);
      }
    });
  });

  describe('a resettlement worker in the compartment', () => {
    it('sees the case without intake answers', async () => {
      const r = await call(t, w.resettlement, 'GET', `/api/rescues/${code}`);
      expect(r.statusCode).toBe(200);
      const [first] = r.json().travellers as Record<string, unknown>[];
      expect(Object.keys(first ?? {}).sort()).toEqual(
        [
          'position',
          'category',
          'sex',
          'ageBand',
          'birthYear',
          'hasIdentity',
          'hasPhoto',
          'clientCode',
        ].sort(),
      );
      const coordinatorView = (await call(t, w.coordinator, 'GET', `/api/rescues/${code}`)).json();
      expect(coordinatorView.travellers[0]).toMatchObject({ healthNeeds: 'yes', traffickedInChina: 'yes' });
      expect(r.body).not.toContain('Needs insulin daily');
    });

    it('can never reveal identities, even after a step-up; the denial is audited', async () => {
      await stepUp(t, w.resettlement);
      for (const url of [`/api/rescues/${code}/reveal`, `/api/rescues/${code}/travellers/1/photo`]) {
        const r = await call(t, w.resettlement, url.endsWith('reveal') ? 'POST' : 'GET', url);
        expect(r.statusCode, url).toBe(403);
        expect(r.json().error).toBe('forbidden');
      }
      const denied = await audits(db, 'rescue_case.read_s4', code, w.resettlement.userId);
      expect(denied.map((d) => d.outcome)).toEqual(['denied', 'denied']);
    });
  });

  describe('an administrator or coordinator outside the compartment', () => {
    let outsiders: TestActor[];
    beforeAll(() => {
      outsiders = [w.outsiderAdmin, w.otherCoordinator, w.otherLead];
    });

    it('gets for the case exactly what it gets for a code that does not exist: 404, or 403 by role', async () => {
      for (const who of outsiders) {
        const unknown = await call(t, who, 'GET', '/api/rescues/NOBODY-HERE-00');
        const r = await call(t, who, 'GET', `/api/rescues/${code}`);
        expect(r.statusCode).toBe(who === w.outsiderAdmin ? 403 : 404);
        expect(r.statusCode).toBe(unknown.statusCode);
        expect(r.body).toBe(unknown.body);
      }
    });

    it('learns nothing from any route that names the case or its legs, and changes nothing', async () => {
      const [before] = await db
        .execute(sql`select count(*)::int as n from legs`)
        .then((r) => (r as unknown as { rows: { n: number }[] }).rows);
      const unknownLeg = crypto.randomUUID();
      for (const who of outsiders) {
        await stepUp(t, who);
        const unknownRoutes = caseRoutes('NOBODY-HERE-00', unknownLeg);
        for (const [i, [method, url, body]] of caseRoutes(code, legA).entries()) {
          const r = await call(t, who, method as 'GET', url, body);
          const [um, uu, ub] = unknownRoutes[i] ?? [];
          const unknown = await call(t, who, um as 'GET', uu ?? '', ub);
          // The same status and message as for a case that does not exist: 404, or 403 when the role may
          // never take the action (then whatever the code).
          expect([403, 404], `${who.role} ${method} ${url}: ${r.body}`).toContain(r.statusCode);
          expect(r.body, `${who.role} ${method} ${url}`).toBe(unknown.body);
          if (who !== w.outsiderAdmin && method === 'GET' && url === `/api/rescues/${code}`) {
            expect(r.statusCode).toBe(404);
          }
          for (const value of Object.values(NAMES)) expect(r.body).not.toContain(value);
        }
        const report = await call(t, who, 'POST', `/api/field/legs/${legA}/report`, { kind: 'check_in' });
        const unknownReport = await call(t, who, 'POST', `/api/field/legs/${unknownLeg}/report`, {
          kind: 'check_in',
        });
        expect(report.body).toBe(unknownReport.body);
      }
      const [after] = await db
        .execute(sql`select count(*)::int as n from legs`)
        .then((r) => (r as unknown as { rows: { n: number }[] }).rows);
      expect(after).toEqual(before);
      // The denials are audited although every request failed.
      for (const who of outsiders) {
        const denied = await audits(db, 'rescue_case.read', code, who.userId);
        expect(denied.length, String(who.role)).toBeGreaterThanOrEqual(1);
        expect(denied.every((d) => d.outcome === 'denied')).toBe(true);
      }
    });

    it('gets an empty list and an empty dashboard: not even the existence of the case', async () => {
      for (const who of [w.outsiderAdmin, w.otherCoordinator]) {
        const list = await call(t, who, 'GET', '/api/rescues?limit=200');
        expect(list.statusCode).toBe(200);
        expect(list.json()).toEqual({ cases: [], nextAfter: null });
      }
      // A coordinator may run legs and has none here; an administrator never runs legs at all.
      expect((await call(t, w.otherCoordinator, 'GET', '/api/field/legs')).json()).toEqual({ legs: [] });
      expect((await call(t, w.outsiderAdmin, 'GET', '/api/field/legs')).statusCode).toBe(403);
      const empty = {
        byStatus: {},
        onRouteNow: 0,
        overdueLegs: [],
        openIncidents: 0,
        flaggedCases: 0,
        openAlerts: 0,
      };
      expect((await call(t, w.outsiderAdmin, 'GET', '/api/rescues/dashboard')).json()).toEqual(empty);
      expect((await call(t, w.otherLead, 'GET', '/api/rescues/dashboard')).json()).toEqual(empty);
      expect((await call(t, w.otherCoordinator, 'GET', '/api/rescues/alerts')).json()).toEqual({
        alerts: [],
      });
    });
  });

  describe('revealing identities', () => {
    it('needs a fresh step-up: refused and audited without, the names with one', async () => {
      const session = await freshSession(t.app, w.coordinator);
      await endStepUp(t, session);
      const before = (await audits(db, 'rescue_case.read_s4', code, w.coordinator.userId)).length;
      const refused = await call(t, session, 'POST', `/api/rescues/${code}/reveal`);
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error).toBe('step_up_required');
      for (const value of Object.values(NAMES)) expect(refused.body).not.toContain(value);
      await stepUp(t, session);
      const revealed = await call(t, session, 'POST', `/api/rescues/${code}/reveal`);
      expect(revealed.statusCode).toBe(200);
      expect(revealed.json().travellers[0]).toMatchObject({ position: 1, ...NAMES });
      const entries = await audits(db, 'rescue_case.read_s4', code, w.coordinator.userId);
      expect(entries.slice(before).map((e) => e.outcome)).toEqual(['denied', 'allowed']);
    });

    it('audits every read by code, never a value', async () => {
      const before = (await audits(db, 'rescue_case.read', code, w.coordinator.userId)).length;
      await call(t, w.coordinator, 'GET', `/api/rescues/${code}`);
      const reads = await audits(db, 'rescue_case.read', code, w.coordinator.userId);
      expect(reads).toHaveLength(before + 1);
      expect(reads.at(-1)).toMatchObject({ outcome: 'allowed', resourceType: 'rescue_case' });
      const everything = JSON.stringify(await db.select().from(auditLog));
      for (const value of [...Object.values(NAMES), 'Needs insulin daily']) {
        expect(everything).not.toContain(value);
      }
    });
  });
});

// Row-level security needs a role that is neither a superuser nor the tables' owner: made here, on a
// database of the test server, with the grants docs/OPERATIONS.md gives the application.
describe.runIf(testEngines().includes('postgres'))('rescues: row-level security [postgres]', () => {
  let database: OpenTestDatabase;
  let w: RescueWorld;
  let roleHandle: DatabaseHandle;
  let roleApp: TestApp;
  const role = `rescue_app_${crypto.randomBytes(4).toString('hex')}`;
  const tables = [
    'rescue_cases',
    'travellers',
    'legs',
    'check_ins',
    'incidents',
    'incident_notes',
    'case_costs',
    'case_events',
    'rescue_alerts',
  ];

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    w = await rescueWorld(database);
    const db = database.db;
    await db.execute(sql.raw(`create role ${role} login nosuperuser nobypassrls`));
    // The grants of docs/OPERATIONS.md (pgboss exists only once jobs have run; these apps run none), plus
    // CREATE on the database and the drizzle schema: createPassage always runs the migrator, whose
    // `create schema if not exists drizzle` (and `create table if not exists`) is refused without them
    // even when every migration is applied. Reported to the platform; the grants own nothing.
    for (const statement of [
      `grant connect, create on database "${database.name}" to ${role}`,
      `grant create on schema drizzle to ${role}`,
      `grant usage on schema public, drizzle to ${role}`,
      `grant select, insert, update, delete on all tables in schema public to ${role}`,
      `grant select on all tables in schema drizzle to ${role}`,
      `grant usage on all sequences in schema public to ${role}`,
    ]) {
      await db.execute(sql.raw(statement));
    }
    // Rows in both compartments, made by the superuser app.
    for (const [who, compartment] of [
      [w.coordinator, w.inside.id],
      [w.otherCoordinator, w.outside.id],
    ] as const) {
      const c = await openCase(w.t, who, compartment);
      await addLeg(w.t, who, c);
      await call(w.t, who, 'POST', `/api/rescues/${c}/incidents`, {
        kind: 'illness',
        severity: 'low',
        description: 'fever',
      });
    }
    const server = (await database.handle.query<{ port: number }>('select inet_server_port() as port'))
      .rows[0];
    roleHandle = await openDatabase({
      kind: 'postgres',
      url: `postgres://${role}@127.0.0.1:${server?.port}/${database.name}`,
    });
    roleApp = await startTestApp({ handle: roleHandle, db: roleHandle.db, kind: 'postgres' });
  }, 60_000);
  afterAll(async () => {
    await roleApp?.close();
    await roleHandle?.close();
    await w?.t.close();
    await database?.db.execute(sql.raw(`drop owned by ${role}`)).catch(() => {});
    await database?.close();
    await database?.handle.query(`drop role if exists ${role}`).catch(() => {});
  });

  const subject = (...compartments: string[]): Subject => ({
    userId: 'rls-test',
    role: 'rescue_coordinator',
    compartments: new Set(compartments),
    stepUpAt: null,
  });

  async function visible(how: 'unbound' | 'system' | Subject): Promise<Record<string, string[]>> {
    const read = async (tx: Db) => {
      const out: Record<string, string[]> = {};
      for (const table of tables) {
        const { rows } = (await tx.execute(
          sql.raw(`select distinct compartment_id from ${table} order by 1`),
        )) as unknown as { rows: { compartment_id: string }[] };
        out[table] = rows.map((r) => r.compartment_id);
      }
      return out;
    };
    if (how === 'system') return runAsSystem(roleHandle.db, read);
    return roleHandle.db.transaction(async (tx) => {
      if (how !== 'unbound') await bindSubject(tx, how);
      return read(tx);
    });
  }

  it('runs as a role that is not a superuser and does not own the tables', async () => {
    const { rows } = await roleHandle.query<{ super: boolean; bypass: boolean }>(
      'select rolsuper as super, rolbypassrls as bypass from pg_roles where rolname = current_user',
    );
    expect(rows[0]).toEqual({ super: false, bypass: false });
  });

  it('shows no rescue rows to a transaction that bound no subject', async () => {
    const seen = await visible('unbound');
    for (const table of tables) expect(seen[table], table).toEqual([]);
  });

  it("shows only the bound compartment's rows, and every row to the system", async () => {
    const inside = await visible(subject(w.inside.id));
    const system = await visible('system');
    for (const table of ['rescue_cases', 'travellers', 'legs', 'incidents', 'case_events']) {
      expect(inside[table], table).toEqual([w.inside.id]);
      expect(system[table], table).toEqual([w.inside.id, w.outside.id].sort());
    }
    expect((await visible(subject(w.outside.id))).rescue_cases).toEqual([w.outside.id]);
    expect((await visible(subject(crypto.randomUUID()))).rescue_cases).toEqual([]);
  });

  it('refuses to write a row into a compartment that is not bound', async () => {
    await expect(
      roleHandle.db.transaction(async (tx) => {
        await bindSubject(tx, subject(w.inside.id));
        await tx.execute(
          sql`update rescue_cases set flag_reason = 'x' where compartment_id = ${w.outside.id}`,
        );
        const { rows } = (await tx.execute(
          sql`select count(*)::int as n from rescue_cases where flag_reason = 'x'`,
        )) as unknown as { rows: { n: number }[] };
        return rows[0]?.n;
      }),
    ).resolves.toBe(0);
    await expect(
      roleHandle.db.transaction(async (tx) => {
        await bindSubject(tx, subject(w.inside.id));
        await tx.execute(
          sql`update legs set compartment_id = ${w.outside.id} where compartment_id = ${w.inside.id}`,
        );
      }),
    ).rejects.toSatisfy((e: Error & { cause?: Error }) => /row-level security/.test(e.cause?.message ?? ''));
  });

  it('serves every rescue route when the app itself runs as that role', async () => {
    const t = roleApp;
    const coordinator = await createActor(t.app, t.ctx, 'rescue_coordinator');
    const partner = await createActor(t.app, t.ctx, 'field_partner');
    const outsider = await createActor(t.app, t.ctx, 'rescue_coordinator');
    await addToCompartment(database.db, w.inside.id, coordinator, partner);
    await addToCompartment(database.db, w.outside.id, outsider);
    const c = await openCase(t, coordinator, w.inside.id, {
      destination: 'south_korea',
      travellers: [traveller({ name: 'Under RLS' })],
    });
    const leg = await addLeg(t, coordinator, c, { fieldPartnerId: partner.userId });
    expect((await call(t, partner, 'GET', '/api/field/legs')).json().legs).toHaveLength(1);
    for (const kind of ['pick_up', 'check_in', 'hand_off']) {
      const r = await call(t, partner, 'POST', `/api/field/legs/${leg}/report`, { kind, note: 'ok' });
      expect(r.statusCode, `${kind}: ${r.body}`).toBe(200);
    }
    const ok = async (method: string, url: string, body?: unknown, status = 200) => {
      const r = await call(t, coordinator, method as 'GET', url, body);
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status);
      return r;
    };
    const list = (await ok('GET', '/api/rescues?limit=200')).json().cases as { code: string }[];
    expect(list.map((x) => x.code)).toContain(c);
    await ok('GET', '/api/rescues/dashboard');
    await ok('GET', `/api/rescues/${c}`);
    await ok(
      'POST',
      `/api/rescues/${c}/incidents`,
      { kind: 'illness', severity: 'low', description: 'flu' },
      201,
    );
    await ok(
      'POST',
      `/api/rescues/${c}/costs`,
      { category: 'food', amountMinor: 500, currency: 'USD', spentOn: '2031-01-01T00:00:00Z' },
      201,
    );
    await stepUp(t, coordinator);
    expect((await ok('POST', `/api/rescues/${c}/reveal`)).json().travellers[0].name).toBe('Under RLS');
    // The pick-up already put the case on route.
    for (const to of ['in_safe_country', 'in_processing', 'arrived']) {
      await ok('POST', `/api/rescues/${c}/status`, { to });
    }
    const handed = (await ok('POST', `/api/rescues/${c}/handover`)).json();
    expect(handed.clientCodes).toHaveLength(1);
    await ok('POST', `/api/rescues/${c}/retention`, { days: 5, reason: 'family tracing' });
    const other = await openCase(t, coordinator, w.inside.id);
    const otherLeg = await addLeg(t, coordinator, other, { fromPlace: 'Tumen', toPlace: 'Yanji' });
    await ok('POST', `/api/rescues/${other}/legs/${otherLeg}/compromised`);
    await ok('POST', `/api/rescues/partners/${partner.userId}/compromised`);
    const alerts = (await ok('GET', '/api/rescues/alerts')).json().alerts as { id: string }[];
    expect(alerts.length).toBeGreaterThanOrEqual(1);
    await ok('POST', `/api/rescues/alerts/${alerts[0]?.id}/acknowledge`);
    await ok('GET', '/api/rescues/route-templates');
    // Still nothing of the other compartment, from the app as from the database.
    expect((await call(t, outsider, 'GET', `/api/rescues/${c}`)).statusCode).toBe(404);
    const theirs = (await call(t, outsider, 'GET', '/api/rescues?limit=200')).json().cases as {
      code: string;
    }[];
    expect(theirs.map((x) => x.code)).not.toContain(c);
    expect(theirs.length).toBeGreaterThanOrEqual(1);
  });
});
