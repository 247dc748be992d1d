import crypto from 'node:crypto';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToCompartment, createActor, freshSession } from '../../../test/harness/actors';
import type { TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { auditLog } from '../../platform/audit/audit.table';
import { KeyShreddedError } from '../../platform/crypto/crypto.errors';
import { dataKeys } from '../../platform/crypto/data-key.table';
import type { Db } from '../../platform/db/client';
import { mailOutbox } from '../../platform/mail/mail.table';
import { raiseOverdueAlerts } from './alert.service';
import { shredDueCases } from './case-lifecycle.service';
import { CODE_NAME_PATTERN } from './code-name';
import { allocateFunding, casesNeedingFunding, fundingForCase } from './index';
import { legField, sealPlaintextLegs } from './leg-seal';
import {
  addLeg,
  call,
  day,
  endStepUp,
  openCase,
  type RescueWorld,
  rescueWorld,
  stepUp,
  traveller,
} from './rescue.fixtures';
import { CASE_STATUSES, type CaseStatus, PHOTO_MAX_BYTES, TRANSITIONS } from './rescue.schema';
import {
  caseCosts,
  caseEvents,
  checkIns,
  incidents,
  legs,
  partnerFlagEvents,
  partnerFlags,
  rescueAlerts,
  rescueCases,
  resettlementHandovers,
  travellers,
} from './rescue.table';
import { travellerField } from './traveller.service';

const RESCUE_TABLES = {
  rescue_cases: rescueCases,
  travellers,
  legs,
  check_ins: checkIns,
  incidents,
  case_costs: caseCosts,
  case_events: caseEvents,
  rescue_alerts: rescueAlerts,
  resettlement_handovers: resettlementHandovers,
  data_keys: dataKeys,
} as const;

/** Row counts of every rescue table, to show a refused command changed nothing. */
export async function rowCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(RESCUE_TABLES)) {
    const [row] = await db.select({ n: count() }).from(table);
    out[name] = row?.n ?? 0;
  }
  return out;
}

async function caseRow(db: Db, code: string) {
  const [row] = await db.select().from(rescueCases).where(eq(rescueCases.code, code));
  if (!row) throw new Error(`no case ${code}`);
  return row;
}

describeEachDatabase('rescues: cases, travellers, legs, status, handover, retention', (getDb) => {
  let w: RescueWorld;
  let t: TestApp;
  let db: Db;

  beforeAll(async () => {
    w = await rescueWorld(getDb());
    t = w.t;
    db = t.ctx.database.db;
  });
  afterAll(() => t?.close());

  const open = (body: Record<string, unknown> = {}) => openCase(t, w.coordinator, w.inside.id, body);
  const post = (url: string, body?: unknown) => call(t, w.coordinator, 'POST', url, body);

  describe('POST /api/rescues', () => {
    it('opens a case under a generated, unique code name with a data key of its own', async () => {
      const codes = await Promise.all(Array.from({ length: 5 }, () => open()));
      for (const code of codes) expect(code).toMatch(CODE_NAME_PATTERN);
      expect(new Set(codes).size).toBe(5);
      const row = await caseRow(db, codes[0] ?? '');
      expect(row.status).toBe('in_hiding');
      expect(row.compartmentId).toBe(w.inside.id);
      const [key] = await db.select().from(dataKeys).where(eq(dataKeys.id, row.dataKeyId));
      expect(key).toMatchObject({ groupType: 'rescue_case', groupId: row.id, shreddedAt: null });
      const [opened] = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'rescue_case.opened'), eq(auditLog.resourceCode, row.code)));
      expect(opened).toMatchObject({ actorId: w.coordinator.userId, outcome: 'succeeded' });
    });

    it('stores S4 fields only as ciphertext bound to the case key and field', async () => {
      const s4 = {
        name: 'Kim Sun-hee',
        currentRegion: 'Yanji outskirts',
        familyInNorthKorea: 'Mother in Hyesan',
        contactMethod: 'WeChat via cousin',
        healthNotes: 'Asthma',
      };
      const code = await open({ travellers: [traveller(s4)] });
      const row = await caseRow(db, code);
      const [stored] = await db.select().from(travellers).where(eq(travellers.caseId, row.id));
      if (!stored) throw new Error('no traveller');
      const text = JSON.stringify(stored);
      for (const value of Object.values(s4)) expect(text).not.toContain(value);
      expect(stored.nameEnc).toMatch(/^v1:/);
      expect(
        await t.ctx.keys.decryptField(
          db,
          row.dataKeyId,
          travellerField(stored.id, 'name'),
          stored.nameEnc ?? '',
        ),
      ).toBe(s4.name);
      // The case page says that an identity exists, not what it is.
      const page = await call(t, w.coordinator, 'GET', `/api/rescues/${code}`);
      expect(page.statusCode).toBe(200);
      for (const value of Object.values(s4)) expect(page.body).not.toContain(value);
      expect(page.json().travellers[0]).toMatchObject({ hasIdentity: true, hasPhoto: false });
    });

    it('refuses a compartment the caller is not a member of', async () => {
      const before = await rowCounts(db);
      const r = await post('/api/rescues', { compartmentId: w.outside.id, travellers: [traveller()] });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('compartmentId: not a compartment you are a member of');
      expect(await rowCounts(db)).toEqual(before);
    });
  });

  describe('GET /api/rescues and the dashboard', () => {
    it('lists cases by code with their traveller and overdue-leg counts, a page at a time', async () => {
      const code = await open({ travellers: [traveller(), traveller(), traveller()] });
      const leg = await addLeg(t, w.coordinator, code, { fieldPartnerId: w.partnerA.userId });
      expect(
        (await call(t, w.partnerA, 'POST', `/api/field/legs/${leg}/report`, { kind: 'pick_up' })).statusCode,
      ).toBe(200);
      await db
        .update(legs)
        .set({ checkInDueAt: new Date(Date.now() - 3_600_000) })
        .where(eq(legs.id, leg));
      const all: { code: string; travellers: number; overdueLegs: number }[] = [];
      let after: string | null = null;
      do {
        const page = await call(
          t,
          w.coordinator,
          'GET',
          `/api/rescues?limit=2${after ? `&after=${after}` : ''}`,
        );
        expect(page.statusCode).toBe(200);
        const body = page.json() as { cases: typeof all; nextAfter: string | null };
        expect(body.cases.length).toBeLessThanOrEqual(2);
        all.push(...body.cases);
        after = body.nextAfter;
      } while (after);
      expect(all.map((c) => c.code)).toEqual([...all.map((c) => c.code)].sort());
      expect(new Set(all.map((c) => c.code)).size).toBe(all.length);
      expect(all.find((c) => c.code === code)).toMatchObject({
        travellers: 3,
        overdueLegs: 1,
        status: 'on_route',
      });
      const dashboard = (await call(t, w.coordinator, 'GET', '/api/rescues/dashboard')).json();
      expect(dashboard.overdueLegs).toContainEqual(expect.objectContaining({ code, legPosition: 1 }));
      expect(dashboard.byStatus.on_route).toBeGreaterThanOrEqual(1);
      const field = (await call(t, w.partnerA, 'GET', '/api/field/legs')).json().legs as {
        id: string;
        travellers: number;
      }[];
      expect(field.find((l) => l.id === leg)?.travellers).toBe(3);
    });
  });

  describe('travellers', () => {
    const refused = async (t1: Record<string, unknown>, message: string) => {
      const before = await rowCounts(db);
      const r = await post('/api/rescues', { compartmentId: w.inside.id, travellers: [traveller(t1)] });
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().message).toBe(message);
      expect(await rowCounts(db)).toEqual(before);
    };

    it('keeps minors and children born in China in the under-18 age bands', async () => {
      await refused(
        { category: 'minor', ageBand: '18_29' },
        'travellers.0.ageBand: of a minor must be under 18',
      );
      await refused(
        { category: 'child_born_in_china', ageBand: '30_44' },
        'travellers.0.ageBand: of a child born in China must be under 18',
      );
      await open({ travellers: [traveller({ category: 'minor', ageBand: '13_17' })] });
      await open({ travellers: [traveller({ category: 'child_born_in_china', ageBand: 'under_5' })] });
    });

    it('takes a reunification case code only when reunifying is yes', async () => {
      const other = await open();
      await refused(
        { reunifyingWithFamily: 'no', reunifyWithCaseCode: other },
        'travellers.0.reunifyWithCaseCode: is only given when reunifyingWithFamily is yes',
      );
      await refused(
        { reunifyingWithFamily: 'yes', reunifyWithCaseCode: 'not-a-code' },
        'travellers.0.reunifyWithCaseCode: must be a case code such as QUIET-HERON-27',
      );
      await open({ travellers: [traveller({ reunifyingWithFamily: 'yes', reunifyWithCaseCode: other })] });
    });

    it('takes years in China as whole years or "declined"', async () => {
      const message =
        'travellers.0.yearsInChina: must be a whole number of years from 0 to 80, or "declined"';
      await refused({ yearsInChina: 'maybe' }, message);
      await refused({ yearsInChina: 2.5 }, message);
      await refused({ yearsInChina: 81 }, message);
      const code = await open({ travellers: [traveller({ yearsInChina: 'declined' })] });
      const page = await call(t, w.coordinator, 'GET', `/api/rescues/${code}`);
      expect(page.json().travellers[0].yearsInChina).toBe('declined');
    });

    it('adds a traveller at the next position; validation applies there too', async () => {
      const code = await open();
      const added = await post(
        `/api/rescues/${code}/travellers`,
        traveller({ category: 'minor', ageBand: '5_12' }),
      );
      expect(added.statusCode, added.body).toBe(201);
      expect(added.json()).toEqual({ position: 2 });
      const bad = await post(
        `/api/rescues/${code}/travellers`,
        traveller({ category: 'minor', ageBand: '45_59' }),
      );
      expect(bad.statusCode).toBe(400);
      expect(bad.json().message).toBe('ageBand: of a minor must be under 18');
    });
  });

  describe('legs', () => {
    it('takes coarse places and refuses coordinates with a clear message', async () => {
      const code = await open();
      const before = await rowCounts(db);
      for (const place of ['41.123456, 129.4321', '41°48′N 129°E', 'Yanji 42.9048']) {
        const r = await post(`/api/rescues/${code}/legs`, {
          kind: 'transit',
          fromPlace: place,
          toPlace: 'Kunming',
        });
        expect(r.statusCode).toBe(400);
        expect(r.json().message).toBe('fromPlace: must be a province or city, never coordinates');
      }
      expect(await rowCounts(db)).toEqual(before);
      await addLeg(t, w.coordinator, code, { fromPlace: 'Jilin Province', toPlace: 'Yunnan' });
    });

    it("seals a leg's places, window and notes per field under the case's key; only planners read them", async () => {
      const code = await open();
      const route = {
        fromPlace: 'Hunchun',
        toPlace: 'Harbin',
        plannedStart: '2031-05-01T00:00:00.000Z',
        plannedEnd: '2031-05-03T00:00:00.000Z',
        notes: 'Meet at the bus station at dawn',
      };
      const legId = await addLeg(t, w.coordinator, code, { ...route, fieldPartnerId: w.partnerA.userId });
      const row = await caseRow(db, code);
      const [stored] = await db.select().from(legs).where(eq(legs.id, legId));
      if (!stored) throw new Error('no leg');
      const text = JSON.stringify(stored);
      for (const value of Object.values(route)) expect(text).not.toContain(value);
      expect(stored).toMatchObject({ legacyFromPlace: null, legacyToPlace: null, legacyPlannedStart: null });
      expect(stored.fromPlaceEnc).toMatch(/^v1:/);
      const key = await t.ctx.keys.openDataKey(db, row.dataKeyId);
      expect(key.decrypt(legField(legId, 'notes'), stored.notesEnc ?? '')).toBe(route.notes);
      // Bound to its field: a place copied into another field does not open.
      expect(() => key.decrypt(legField(legId, 'to_place'), stored.fromPlaceEnc ?? '')).toThrow();

      const page = (await call(t, w.coordinator, 'GET', `/api/rescues/${code}`)).json();
      expect(page.legs[0]).toMatchObject(route);
      const moved = await call(t, w.coordinator, 'PATCH', `/api/rescues/${code}/legs/${legId}`, {
        toPlace: 'Mudanjiang',
        notes: null,
      });
      expect(moved.statusCode, moved.body).toBe(200);
      const again = (await call(t, w.coordinator, 'GET', `/api/rescues/${code}`)).json();
      expect(again.legs[0]).toMatchObject({ fromPlace: 'Hunchun', toPlace: 'Mudanjiang', notes: null });
      const forResettlement = await call(t, w.resettlement, 'GET', `/api/rescues/${code}`);
      expect(forResettlement.statusCode).toBe(200);
      expect(Object.keys(forResettlement.json().legs[0])).not.toEqual(expect.arrayContaining(['fromPlace']));
      for (const value of ['Hunchun', 'Mudanjiang', route.plannedStart]) {
        expect(forResettlement.body).not.toContain(value);
      }
      const mine = (await call(t, w.partnerA, 'GET', '/api/field/legs')).json().legs as Record<
        string,
        unknown
      >[];
      expect(mine.find((l) => l.id === legId)).toMatchObject({
        fromPlace: 'Hunchun',
        toPlace: 'Mudanjiang',
        plannedStart: route.plannedStart,
      });
      expect(JSON.stringify(mine)).not.toContain(route.notes);
    });

    it('seals, at start-up, the legs an older version left in plaintext, once; a shredded case keeps none', async () => {
      const code = await open();
      const shredded = await open();
      const leg = await addLeg(t, w.coordinator, code);
      const gone = await addLeg(t, w.coordinator, shredded);
      const legacy = {
        legacyFromPlace: 'Tonghua',
        legacyToPlace: 'Baishan',
        legacyPlannedStart: new Date('2031-06-01T00:00:00Z'),
        legacyPlannedEnd: new Date('2031-06-02T00:00:00Z'),
        fromPlaceEnc: null,
        toPlaceEnc: null,
        plannedStartEnc: null,
        plannedEndEnc: null,
      };
      // As the rows of an installation upgraded across the legs_sealed migration.
      await db
        .update(legs)
        .set(legacy)
        .where(inArray(legs.id, [leg, gone]));
      await t.ctx.keys.shredDataKey(db, (await caseRow(db, shredded)).dataKeyId, 'test');
      const first = await sealPlaintextLegs(db, t.ctx.keys, 1);
      expect(first).toEqual({ sealed: 1, cleared: 1 });
      expect(await sealPlaintextLegs(db, t.ctx.keys)).toEqual({ sealed: 0, cleared: 0 });
      const rows = await db
        .select()
        .from(legs)
        .where(inArray(legs.id, [leg, gone]));
      for (const r of rows) {
        expect(r).toMatchObject({
          legacyFromPlace: null,
          legacyToPlace: null,
          legacyPlannedStart: null,
          legacyPlannedEnd: null,
        });
        expect(JSON.stringify(r)).not.toContain('Tonghua');
      }
      expect(rows.find((r) => r.id === gone)?.fromPlaceEnc).toBeNull();
      const page = (await call(t, w.coordinator, 'GET', `/api/rescues/${code}`)).json();
      expect(page.legs[0]).toMatchObject({
        fromPlace: 'Tonghua',
        toPlace: 'Baishan',
        plannedStart: '2031-06-01T00:00:00.000Z',
        plannedEnd: '2031-06-02T00:00:00.000Z',
      });
    });

    it('keeps legs in order: a leg cannot start before the previous one ends', async () => {
      const code = await open();
      const d0 = Date.parse('2031-03-01T00:00:00Z');
      await addLeg(t, w.coordinator, code, {
        plannedStart: new Date(d0).toISOString(),
        plannedEnd: new Date(d0 + 2 * day).toISOString(),
      });
      const before = await rowCounts(db);
      const early = await post(`/api/rescues/${code}/legs`, {
        kind: 'border_crossing',
        fromPlace: 'Kunming',
        toPlace: 'Northern Laos',
        plannedStart: new Date(d0 + day).toISOString(),
      });
      expect(early.statusCode).toBe(400);
      expect(early.json().message).toBe('plannedStart: must not be before leg 1 ends');
      const backwards = await post(`/api/rescues/${code}/legs`, {
        kind: 'border_crossing',
        fromPlace: 'Kunming',
        toPlace: 'Northern Laos',
        plannedStart: new Date(d0 + 4 * day).toISOString(),
        plannedEnd: new Date(d0 + 3 * day).toISOString(),
      });
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().message).toBe('plannedEnd: must not be before plannedStart');
      expect(await rowCounts(db)).toEqual(before);
      await addLeg(t, w.coordinator, code, { plannedStart: new Date(d0 + 2 * day).toISOString() });
    });

    it('refuses the pick-up of leg 2 before leg 1 is handed off, and a hand-off before a pick-up', async () => {
      const code = await open();
      const leg1 = await addLeg(t, w.coordinator, code, { fieldPartnerId: w.partnerA.userId });
      const leg2 = await addLeg(t, w.coordinator, code, {
        fromPlace: 'Kunming',
        toPlace: 'Northern Laos',
        fieldPartnerId: w.partnerA.userId,
      });
      const report = (legId: string, kind: string) =>
        call(t, w.partnerA, 'POST', `/api/field/legs/${legId}/report`, { kind });
      const before = await rowCounts(db);
      const early = await report(leg2, 'pick_up');
      expect(early.statusCode).toBe(409);
      expect(early.json().message).toBe('Leg 1 has not been handed off yet.');
      const handOff = await report(leg1, 'hand_off');
      expect(handOff.statusCode).toBe(409);
      expect(handOff.json().message).toBe('Confirm the pick-up before the hand-off.');
      expect(await rowCounts(db)).toEqual(before);

      expect((await report(leg1, 'pick_up')).json()).toMatchObject({ status: 'under_way' });
      // The first pick-up puts the case on its way.
      expect((await caseRow(db, code)).status).toBe('on_route');
      expect((await report(leg1, 'pick_up')).statusCode).toBe(409);
      expect((await report(leg1, 'hand_off')).json()).toMatchObject({
        status: 'completed',
        checkInDueAt: null,
      });
      expect((await report(leg2, 'pick_up')).statusCode).toBe(200);
      const done = await report(leg1, 'check_in');
      expect(done.statusCode).toBe(409);
      expect(done.json().message).toBe('This leg is completed; nothing more can be reported on it.');
    });

    it('refuses an impossible leg status and a leg of another case', async () => {
      const code = await open();
      const other = await open();
      const leg = await addLeg(t, w.coordinator, code);
      const otherLeg = await addLeg(t, w.coordinator, other);
      const patch = (c: string, id: string, body: unknown) =>
        call(t, w.coordinator, 'PATCH', `/api/rescues/${c}/legs/${id}`, body);
      expect((await patch(code, leg, { status: 'completed' })).statusCode).toBe(409);
      expect((await patch(code, leg, { status: 'compromised' })).statusCode).toBe(409);
      const foreign = await patch(code, otherLeg, { status: 'under_way' });
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().message).toBe('No such leg in this case.');
      expect((await patch(code, leg, { status: 'under_way' })).statusCode).toBe(200);
      expect((await patch(code, leg, { status: 'completed' })).statusCode).toBe(200);
      expect((await patch(code, leg, { status: 'under_way' })).statusCode).toBe(409);
    });
  });

  describe('POST /api/rescues/:code/status', () => {
    let code: string;
    let caseId: string;
    beforeAll(async () => {
      code = await open({ destination: 'south_korea' });
      caseId = (await caseRow(db, code)).id;
    });
    const setStatus = (status: CaseStatus) =>
      db.update(rescueCases).set({ status }).where(eq(rescueCases.id, caseId));

    it('allows every move TRANSITIONS lists (handover through its own command)', async () => {
      for (const from of CASE_STATUSES) {
        for (const to of TRANSITIONS[from]) {
          await setStatus(from);
          const r =
            to === 'handed_over'
              ? await post(`/api/rescues/${code}/handover`)
              : await post(`/api/rescues/${code}/status`, { to, note: `moving ${from} to ${to}` });
          expect(r.statusCode, `${from} → ${to}: ${r.body}`).toBe(200);
          expect((await caseRow(db, code)).status, `${from} → ${to}`).toBe(to);
        }
      }
    });

    it('refuses every other move with 409, changing nothing', async () => {
      for (const from of CASE_STATUSES) {
        await setStatus(from);
        const before = await rowCounts(db);
        for (const to of CASE_STATUSES) {
          if (TRANSITIONS[from].includes(to) && to !== 'handed_over') continue;
          const r = await post(`/api/rescues/${code}/status`, { to });
          expect(r.statusCode, `${from} → ${to}`).toBe(409);
          expect(r.json().message).toBe(
            to === 'handed_over'
              ? 'to: use the handover command, which creates the resettlement clients'
              : `to: a case cannot go from ${from} to ${to}`,
          );
        }
        expect((await caseRow(db, code)).status).toBe(from);
        expect(await rowCounts(db)).toEqual(before);
      }
    });

    it('needs a destination to arrive', async () => {
      const c = await open();
      await db.update(rescueCases).set({ status: 'in_processing' }).where(eq(rescueCases.code, c));
      const before = await rowCounts(db);
      const r = await post(`/api/rescues/${c}/status`, { to: 'arrived' });
      expect(r.statusCode).toBe(400);
      expect(r.json().message).toBe('destination: say where the case arrived (south_korea or united_states)');
      expect(await rowCounts(db)).toEqual(before);
      expect(
        (await post(`/api/rescues/${c}/status`, { to: 'arrived', destination: 'united_states' })).statusCode,
      ).toBe(200);
      const row = await caseRow(db, c);
      expect(row).toMatchObject({ status: 'arrived', destination: 'united_states' });
      expect(row.arrivedAt).toBeInstanceOf(Date);
    });
  });

  describe('handover and retention', () => {
    it('hands over only an arrived case, one client code per traveller, nothing identifying', async () => {
      const code = await open({
        destination: 'south_korea',
        retentionDays: 30,
        travellers: [
          traveller({ name: 'Handover One' }),
          traveller({ name: 'Handover Two', category: 'minor', ageBand: '5_12', sex: 'male' }),
        ],
      });
      await db.update(rescueCases).set({ status: 'in_processing' }).where(eq(rescueCases.code, code));
      const early = await post(`/api/rescues/${code}/handover`);
      expect(early.statusCode).toBe(409);
      expect(early.json().message).toBe(
        'Only an arrived case can be handed over (this one is in_processing).',
      );
      expect((await post(`/api/rescues/${code}/status`, { to: 'arrived' })).statusCode).toBe(200);
      const handed = await post(`/api/rescues/${code}/handover`);
      expect(handed.statusCode, handed.body).toBe(200);
      const { clientCodes, shredDueAt } = handed.json() as { clientCodes: string[]; shredDueAt: string };
      expect(clientCodes).toHaveLength(2);
      for (const c of clientCodes) expect(c).toMatch(/^CL-[0-9A-F]{10}$/);
      const row = await caseRow(db, code);
      expect(row.status).toBe('handed_over');
      expect(Date.parse(shredDueAt) - (row.handedOverAt?.getTime() ?? 0)).toBe(30 * day);
      const handovers = await db.select().from(resettlementHandovers);
      const mine = handovers.filter((h) => clientCodes.includes(h.clientCode));
      expect(mine.map((h) => ({ category: h.category, ageBand: h.ageBand, sex: h.sex }))).toEqual(
        expect.arrayContaining([
          { category: 'adult', ageBand: '30_44', sex: 'female' },
          { category: 'minor', ageBand: '5_12', sex: 'male' },
        ]),
      );
      const text = JSON.stringify(mine);
      for (const banned of [code, row.id, 'Handover One', 'Handover Two']) expect(text).not.toContain(banned);
      expect(Object.keys(mine[0] ?? {}).sort()).toEqual(
        ['ageBand', 'category', 'claimedAt', 'clientCode', 'destination', 'handedOverAt', 'sex'].sort(),
      );
      expect((await post(`/api/rescues/${code}/handover`)).statusCode).toBe(409);
    });

    it('extends retention only with a reason, audited without the reason', async () => {
      const code = await open();
      const notYet = await post(`/api/rescues/${code}/retention`, { days: 10, reason: 'family tracing' });
      expect(notYet.statusCode).toBe(409);
      expect(notYet.json().message).toBe('The retention clock starts at handover or closing.');
      await db
        .update(rescueCases)
        .set({ status: 'arrived', destination: 'south_korea' })
        .where(eq(rescueCases.code, code));
      const { shredDueAt } = (await post(`/api/rescues/${code}/handover`)).json() as { shredDueAt: string };
      const noReason = await post(`/api/rescues/${code}/retention`, { days: 10, reason: ' ' });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json().message).toBe('reason: must say why (at least 5 characters)');
      expect(
        (await post(`/api/rescues/${code}/retention`, { days: 400, reason: 'family tracing' })).statusCode,
      ).toBe(400);
      const reason = 'Family tracing still under way';
      const extended = await post(`/api/rescues/${code}/retention`, { days: 10, reason });
      expect(extended.statusCode).toBe(200);
      expect(Date.parse(extended.json().shredDueAt) - Date.parse(shredDueAt)).toBe(10 * day);
      const entries = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'rescue_case.retention_extended'), eq(auditLog.resourceCode, code)));
      expect(entries).toHaveLength(1);
      expect(JSON.stringify(entries)).not.toContain(reason);
      const events = await db
        .select()
        .from(caseEvents)
        .where(
          and(eq(caseEvents.caseId, (await caseRow(db, code)).id), eq(caseEvents.kind, 'retention_extended')),
        );
      expect(events).toHaveLength(1);
      expect(events[0]?.noteEnc).toMatch(/^v1:/);
    });

    it('shreds a case when its retention runs out: key destroyed, reveal 410, ciphertext undecryptable', async () => {
      const code = await open({ retentionDays: 7, travellers: [traveller({ name: 'Shred Me' })] });
      const keep = await open({ retentionDays: 3650 });
      for (const c of [code, keep]) {
        await db
          .update(rescueCases)
          .set({ status: 'arrived', destination: 'south_korea' })
          .where(eq(rescueCases.code, c));
        expect((await post(`/api/rescues/${c}/handover`)).statusCode).toBe(200);
      }
      const row = await caseRow(db, code);
      const [before] = await db.select().from(travellers).where(eq(travellers.caseId, row.id));
      if (!before?.nameEnc) throw new Error('no name stored');
      const early = await shredDueCases(db, t.ctx.keys, new Date(Date.now() + 6 * day));
      expect(early.shredded).not.toContain(code);
      const { shredded } = await shredDueCases(db, t.ctx.keys, new Date(Date.now() + 8 * day));
      expect(shredded).toContain(code);
      expect(shredded).not.toContain(keep);
      const [key] = await db.select().from(dataKeys).where(eq(dataKeys.id, row.dataKeyId));
      expect(key?.wrappedKey).toBeNull();
      expect(key?.shreddedAt).toBeInstanceOf(Date);
      await expect(
        t.ctx.keys.decryptField(db, row.dataKeyId, travellerField(before.id, 'name'), before.nameEnc),
      ).rejects.toBeInstanceOf(KeyShreddedError);
      const [after] = await db.select().from(travellers).where(eq(travellers.caseId, row.id));
      expect(after?.nameEnc).toBeNull();
      await stepUp(t, w.coordinator);
      const reveal = await post(`/api/rescues/${code}/reveal`);
      expect(reveal.statusCode).toBe(410);
      expect(reveal.json().message).toBe('The identities of this case were shredded.');
      // The de-identified row stays, for statistics.
      const page = await call(t, w.coordinator, 'GET', `/api/rescues/${code}`);
      expect(page.json().retention.shreddedAt).not.toBeNull();
      expect((await post(`/api/rescues/${keep}/reveal`)).statusCode).toBe(200);
    });
  });

  describe('costs and funding', () => {
    it('sums costs per currency against the budget', async () => {
      const code = await open({
        budgetPerPersonMinor: 300_000,
        travellers: [traveller(), traveller({ sex: 'male' })],
      });
      for (const [amountMinor, currency] of [
        [100_000, 'USD'],
        [50_000, 'USD'],
        [200_000, 'CNY'],
      ] as const) {
        const r = await post(`/api/rescues/${code}/costs`, {
          category: 'transport',
          amountMinor,
          currency,
          spentOn: '2031-03-02T10:00:00Z',
        });
        expect(r.statusCode, r.body).toBe(201);
      }
      const before = await rowCounts(db);
      for (const amountMinor of [0, -5, 12.5]) {
        const r = await post(`/api/rescues/${code}/costs`, {
          category: 'transport',
          amountMinor,
          currency: 'USD',
          spentOn: '2031-03-02T10:00:00Z',
        });
        expect(r.statusCode).toBe(400);
      }
      expect(await rowCounts(db)).toEqual(before);
      const { costs } = (await call(t, w.coordinator, 'GET', `/api/rescues/${code}`)).json();
      expect(costs.budgetTotalMinor).toBe(600_000);
      expect(costs.budgetCurrency).toBe('USD');
      expect(costs.spent).toEqual(
        expect.arrayContaining([
          { currency: 'USD', amountMinor: 150_000 },
          { currency: 'CNY', amountMinor: 200_000 },
        ]),
      );
      expect(costs.spent).toHaveLength(2);
    });

    it('allocates funding by code, once per sourceRef', async () => {
      const code = await open({ travellers: [traveller(), traveller(), traveller()] });
      expect(await allocateFunding(db, { caseCode: code, units: 2, sourceRef: `gift-${code}` })).toEqual({
        allocated: true,
      });
      expect(await allocateFunding(db, { caseCode: code, units: 2, sourceRef: `gift-${code}` })).toEqual({
        allocated: false,
      });
      expect(await fundingForCase(db, code)).toEqual({ unitsNeeded: 3, unitsFunded: 2 });
      expect(await casesNeedingFunding(db, 1000)).toContainEqual({ caseCode: code, unitsOpen: 1 });
      await expect(
        allocateFunding(db, { caseCode: 'NO-SUCH-00', units: 1, sourceRef: 'x' }),
      ).rejects.toMatchObject({
        statusCode: 404,
      });
      await expect(allocateFunding(db, { caseCode: 'bad', units: 1, sourceRef: 'y' })).rejects.toMatchObject({
        statusCode: 400,
      });
      await expect(allocateFunding(db, { caseCode: code, units: 0, sourceRef: 'z' })).rejects.toMatchObject({
        statusCode: 400,
      });
      expect((await call(t, w.coordinator, 'GET', `/api/rescues/${code}`)).json().costs).toMatchObject({
        fundedUnits: 2,
        unitsNeeded: 3,
      });
    });
  });

  describe('alerts and flags', () => {
    it('raises one overdue alert per leg and mails coordinators without a code or a place', async () => {
      const code = await open();
      const leg = await addLeg(t, w.coordinator, code, {
        fromPlace: 'Changbai County',
        toPlace: 'Shenyang',
        fieldPartnerId: w.partnerA.userId,
      });
      const picked = await call(t, w.partnerA, 'POST', `/api/field/legs/${leg}/report`, { kind: 'pick_up' });
      expect(picked.statusCode).toBe(200);
      const later = new Date(Date.now() + 25 * 3_600_000);
      const first = await raiseOverdueAlerts(db, t.ctx.mail, later);
      expect(first.raised).toBeGreaterThanOrEqual(1);
      await raiseOverdueAlerts(db, t.ctx.mail, new Date(later.getTime() + 3_600_000));
      const alerts = await db.select().from(rescueAlerts).where(eq(rescueAlerts.legId, leg));
      expect(alerts).toHaveLength(1);
      expect(alerts[0]?.kind).toBe('overdue_check_in');
      const mails = await db
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.toAddress, w.coordinator.email ?? ''));
      expect(mails.length).toBeGreaterThanOrEqual(1);
      for (const m of mails) {
        expect(m.textBody).toContain('A case needs attention.');
        const text = JSON.stringify(m);
        for (const banned of [code, 'Changbai', 'Shenyang', leg]) expect(text).not.toContain(banned);
      }
      const listed = (await call(t, w.coordinator, 'GET', '/api/rescues/alerts')).json().alerts as {
        id: string;
        code: string;
        kind: string;
      }[];
      const alert = listed.find((a) => a.code === code && a.kind === 'overdue_check_in');
      expect(alert).toBeDefined();
      expect((await post(`/api/rescues/alerts/${alert?.id}/acknowledge`)).statusCode).toBe(200);
      const none = (await call(t, w.coordinator, 'GET', '/api/rescues/alerts')).json().alerts as {
        id: string;
      }[];
      expect(none.map((a) => a.id)).not.toContain(alert?.id);
    });

    it('flags the cases over a compromised crossing, and those of a compromised partner', async () => {
      const burned = await open();
      const sameCrossing = await open();
      const elsewhere = await open();
      const otherCompartment = await openCase(t, w.otherCoordinator, w.outside.id);
      const legId = await addLeg(t, w.coordinator, burned, { fromPlace: 'Tumen', toPlace: 'Yanji' });
      await addLeg(t, w.coordinator, sameCrossing, { fromPlace: 'Tumen', toPlace: 'Yanji' });
      await addLeg(t, w.coordinator, elsewhere, { fromPlace: 'Dandong', toPlace: 'Shenyang' });
      await addLeg(t, w.otherCoordinator, otherCompartment, { fromPlace: 'Tumen', toPlace: 'Yanji' });
      const r = await post(`/api/rescues/${burned}/legs/${legId}/compromised`);
      expect(r.statusCode, r.body).toBe(200);
      // Only cases the caller may see are flagged and counted: no count of another compartment's cases.
      expect(r.json()).toEqual({ flaggedCases: 2 });
      expect((await caseRow(db, burned)).flagReason).toBe('route_compromised');
      expect((await caseRow(db, sameCrossing)).flagReason).toBe('route_compromised');
      expect((await caseRow(db, elsewhere)).flaggedAt).toBeNull();
      expect((await caseRow(db, otherCompartment)).flaggedAt).toBeNull();
      const [leg] = await db.select().from(legs).where(eq(legs.id, legId));
      expect(leg?.status).toBe('compromised');
      const flaggedList = (await call(t, w.coordinator, 'GET', '/api/rescues?flagged=true&limit=200')).json()
        .cases as { code: string }[];
      expect(flaggedList.map((c) => c.code)).toEqual(expect.arrayContaining([burned, sameCrossing]));
      expect(flaggedList.map((c) => c.code)).not.toContain(elsewhere);

      const withPartner = await open();
      const partnerLeg = await addLeg(t, w.coordinator, withPartner, {
        fromPlace: 'Hunchun',
        toPlace: 'Harbin',
        fieldPartnerId: w.partnerB.userId,
      });
      const marked = await post(`/api/rescues/partners/${w.partnerB.userId}/compromised`);
      expect(marked.statusCode, marked.body).toBe(200);
      expect(marked.json().flaggedCases).toBeGreaterThanOrEqual(1);
      expect((await caseRow(db, withPartner)).flagReason).toBe('partner_compromised');
      const [pl] = await db.select().from(legs).where(eq(legs.id, partnerLeg));
      expect(pl?.status).toBe('compromised');
      expect((await caseRow(db, elsewhere)).flaggedAt).toBeNull();
    });
  });

  describe('field partners across compartments', () => {
    const partnerOf = async (...compartmentIds: string[]) => {
      const partner = await createActor(t.app, t.ctx, 'field_partner');
      for (const id of compartmentIds) await addToCompartment(db, id, partner);
      return partner;
    };
    const flagOf = async (userId: string | null) =>
      (
        await db
          .select()
          .from(partnerFlags)
          .where(eq(partnerFlags.userId, userId ?? ''))
      )[0];

    it("refuses to mark another compartment's partner, an administrator or an unknown id: all as missing", async () => {
      const theirs = await partnerOf(w.outside.id);
      const theirCase = await openCase(t, w.otherCoordinator, w.outside.id);
      await addLeg(t, w.otherCoordinator, theirCase, { fieldPartnerId: theirs.userId });
      const before = await rowCounts(db);
      const answers = [];
      for (const id of [theirs.userId, w.outsiderAdmin.userId, w.coordinator.userId, crypto.randomUUID()]) {
        const r = await post(`/api/rescues/partners/${id}/compromised`);
        answers.push({ status: r.statusCode, body: r.json() });
      }
      for (const a of answers) {
        expect(a).toEqual({ status: 404, body: { error: 'not_found', message: 'No such field partner.' } });
      }
      expect(await flagOf(theirs.userId)).toBeUndefined();
      expect(await flagOf(w.outsiderAdmin.userId)).toBeUndefined();
      expect((await caseRow(db, theirCase)).flaggedAt).toBeNull();
      expect(await rowCounts(db)).toEqual(before);
      const denied = await db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.resourceCode, theirs.userId ?? ''), eq(auditLog.outcome, 'denied')));
      expect(denied).toHaveLength(1);
    });

    it("assigns a leg only to a partner of the case's compartment, refusing all others alike", async () => {
      const theirs = await partnerOf(w.outside.id);
      const code = await open();
      const leg = await addLeg(t, w.coordinator, code);
      const refusals = [];
      for (const id of [theirs.userId, w.outsiderAdmin.userId, w.coordinator.userId, crypto.randomUUID()]) {
        const added = await post(`/api/rescues/${code}/legs`, {
          kind: 'transit',
          fromPlace: 'Jilin',
          toPlace: 'Kunming',
          fieldPartnerId: id,
        });
        const updated = await call(t, w.coordinator, 'PATCH', `/api/rescues/${code}/legs/${leg}`, {
          fieldPartnerId: id,
        });
        refusals.push({ status: added.statusCode, body: added.json() });
        refusals.push({ status: updated.statusCode, body: updated.json() });
      }
      for (const r of refusals) {
        expect(r).toEqual({
          status: 400,
          body: {
            error: 'validation_failed',
            message: "fieldPartnerId: not a field partner of this case's compartment",
          },
        });
      }
      const [stored] = await db.select().from(legs).where(eq(legs.id, leg));
      expect(stored?.fieldPartnerId).toBeNull();
    });

    it('raises a system flag that reaches the other compartments that used the partner, cleared by a lead', async () => {
      const shared = await partnerOf(w.inside.id, w.outside.id);
      const ours = await open();
      await addLeg(t, w.coordinator, ours, { fieldPartnerId: shared.userId });
      const theirs = await openCase(t, w.otherCoordinator, w.outside.id);
      const theirLeg = await addLeg(t, w.otherCoordinator, theirs, { fieldPartnerId: shared.userId });
      await db.delete(mailOutbox).where(eq(mailOutbox.toAddress, w.otherCoordinator.email ?? ''));

      const marked = await post(`/api/rescues/partners/${shared.userId}/compromised`);
      expect(marked.statusCode, marked.body).toBe(200);
      // Only the caller's own cases are counted: nothing about the other compartment.
      expect(marked.json()).toEqual({ flaggedCases: 1 });
      expect((await caseRow(db, ours)).flagReason).toBe('partner_compromised');
      expect((await caseRow(db, theirs)).flagReason).toBe('partner_compromised');
      // Their leg is left to their coordinators.
      expect((await db.select().from(legs).where(eq(legs.id, theirLeg)))[0]?.status).toBe('planned');

      const theirAlerts = (await call(t, w.otherCoordinator, 'GET', '/api/rescues/alerts')).json().alerts as {
        code: string;
        kind: string;
      }[];
      expect(theirAlerts).toContainEqual(expect.objectContaining({ code: theirs, kind: 'compromised' }));
      expect(JSON.stringify(theirAlerts)).not.toContain(ours);
      const mails = await db
        .select()
        .from(mailOutbox)
        .where(eq(mailOutbox.toAddress, w.otherCoordinator.email ?? ''));
      expect(mails).toHaveLength(1);
      const mailText = JSON.stringify(mails);
      expect(mails[0]?.textBody).toBe('A case needs attention. Sign in to Passage to see it.');
      for (const banned of [ours, theirs, w.inside.code, w.outside.code, w.coordinator.email ?? '-']) {
        expect(mailText).not.toContain(banned);
      }
      expect(await flagOf(shared.userId)).toMatchObject({ markedBy: w.coordinator.userId, clearedAt: null });
      // A flagged partner is no longer assignable.
      const refused = await post(`/api/rescues/${ours}/legs`, {
        kind: 'transit',
        fromPlace: 'Jilin',
        toPlace: 'Kunming',
        fieldPartnerId: shared.userId,
      });
      expect(refused.json().message).toBe('fieldPartnerId: this field partner is flagged compromised');

      // Clearing: security leads only, with a reason category; another compartment's lead sees nothing.
      const clear = (who: typeof w.coordinator, body: unknown = { reason: 'verified_safe' }) =>
        call(t, who, 'POST', `/api/rescues/partners/${shared.userId}/compromised/clear`, body);
      expect((await clear(w.coordinator)).statusCode).toBe(403);
      expect((await clear(w.securityLead, { reason: 'free text here' })).statusCode).toBe(400);
      const insideOnly = await partnerOf(w.inside.id);
      await post(`/api/rescues/partners/${insideOnly.userId}/compromised`);
      const foreign = await call(
        t,
        w.otherLead,
        'POST',
        `/api/rescues/partners/${insideOnly.userId}/compromised/clear`,
        { reason: 'verified_safe' },
      );
      expect(foreign.statusCode).toBe(404);
      expect(foreign.json().message).toBe('No such field partner.');
      const cleared = await clear(w.securityLead);
      expect(cleared.statusCode, cleared.body).toBe(200);
      expect((await clear(w.securityLead)).statusCode).toBe(404);
      expect(await flagOf(shared.userId)).toMatchObject({
        markedBy: w.coordinator.userId,
        clearedBy: w.securityLead.userId,
        clearReason: 'verified_safe',
      });
      const history = await db
        .select()
        .from(partnerFlagEvents)
        .where(eq(partnerFlagEvents.userId, shared.userId ?? ''));
      expect(history.map((e) => e.kind).sort()).toEqual(['cleared', 'raised']);
      const [audited] = await db
        .select()
        .from(auditLog)
        .where(eq(auditLog.resourceCode, `${shared.userId}:verified_safe`));
      expect(audited).toMatchObject({ action: 'field_partner.flag_cleared', actorId: w.securityLead.userId });
      // Cases stay flagged: their coordinators decide; the partner may be assigned again.
      expect((await caseRow(db, theirs)).flaggedAt).not.toBeNull();
      const partners = (await call(t, w.coordinator, 'GET', '/api/rescues/partners')).json().partners as {
        id: string;
        compromised: boolean;
      }[];
      expect(partners.find((p) => p.id === shared.userId)?.compromised).toBe(false);
    });
  });

  describe('photos', () => {
    let code: string;
    beforeAll(async () => {
      code = await open();
    });
    const put = (body: unknown) =>
      call(t, w.coordinator, 'PUT', `/api/rescues/${code}/travellers/1/photo`, body);

    it('strips EXIF and GPS from an uploaded photo; reading it needs a step-up', async () => {
      const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
        .jpeg()
        .withExif({
          IFD0: { Make: 'PhoneMakerCanary', Model: 'ModelCanary', ImageDescription: 'SecretPlaceCanary' },
          IFD3: {
            GPSLatitudeRef: 'N',
            GPSLatitude: '41/1 48/1 0/1',
            GPSLongitudeRef: 'E',
            GPSLongitude: '129/1 30/1 0/1',
          },
        })
        .toBuffer();
      const original = await sharp(jpeg).metadata();
      expect(original.exif).toBeDefined();
      expect(jpeg.includes(Buffer.from('PhoneMakerCanary'))).toBe(true);
      const r = await put({ dataBase64: jpeg.toString('base64') });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.json().bytes).toBeGreaterThan(0);
      const fresh = await freshSession(t.app, w.coordinator);
      await endStepUp(t, fresh);
      const noStepUp = await call(t, fresh, 'GET', `/api/rescues/${code}/travellers/1/photo`);
      expect(noStepUp.statusCode).toBe(403);
      expect(noStepUp.json().error).toBe('step_up_required');
      await stepUp(t, fresh);
      const read = await call(t, fresh, 'GET', `/api/rescues/${code}/travellers/1/photo`);
      expect(read.statusCode).toBe(200);
      expect(read.headers['content-type']).toContain('image/jpeg');
      expect(read.headers['cache-control']).toContain('no-store');
      const back = read.rawPayload;
      const meta = await sharp(back).metadata();
      expect(meta.format).toBe('jpeg');
      expect(meta.exif).toBeUndefined();
      expect(meta.width).toBe(64);
      for (const s of ['PhoneMakerCanary', 'ModelCanary', 'SecretPlaceCanary', 'Exif']) {
        expect(back.includes(Buffer.from(s))).toBe(false);
      }
    });

    it('refuses a file that is not an image and one over 5 MB, changing nothing', async () => {
      const before = await db
        .select({ photo: travellers.photoEnc })
        .from(travellers)
        .where(eq(travellers.caseId, (await caseRow(db, code)).id));
      const text = await put({ dataBase64: Buffer.from('%PDF-1.4 not an image at all').toString('base64') });
      expect(text.statusCode).toBe(400);
      expect(text.json().message).toBe('photo: must be a JPEG, PNG or WebP image');
      const big = await put({ dataBase64: Buffer.alloc(PHOTO_MAX_BYTES + 1, 0xff).toString('base64') });
      expect(big.statusCode).toBe(400);
      expect(big.json().message).toBe('photo: must be at most 5 MB');
      const missing = await call(t, w.coordinator, 'PUT', `/api/rescues/${code}/travellers/9/photo`, {
        dataBase64: Buffer.from('x').toString('base64'),
      });
      expect(missing.statusCode).toBe(404);
      const after = await db
        .select({ photo: travellers.photoEnc })
        .from(travellers)
        .where(eq(travellers.caseId, (await caseRow(db, code)).id));
      expect(after).toEqual(before);
    });
  });

  describe('bad input', () => {
    it('answers unknown and malformed codes clearly, changing nothing', async () => {
      const before = await rowCounts(db);
      const unknown = await call(t, w.coordinator, 'GET', '/api/rescues/NOBODY-HERE-00');
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({ error: 'not_found', message: 'No rescue case with this code.' });
      const malformed = await call(t, w.coordinator, 'GET', '/api/rescues/robert-smith');
      expect(malformed.statusCode).toBe(400);
      expect(malformed.json().message).toBe('code: must be a case code such as QUIET-HERON-27');
      for (const [method, url, body] of [
        ['POST', '/api/rescues/NOBODY-HERE-00/status', { to: 'on_route' }],
        [
          'POST',
          '/api/rescues/NOBODY-HERE-00/legs',
          { kind: 'transit', fromPlace: 'Jilin', toPlace: 'Kunming' },
        ],
        ['POST', '/api/rescues/NOBODY-HERE-00/handover', undefined],
        ['POST', '/api/rescues/NOBODY-HERE-00/travellers', traveller()],
        ['POST', '/api/field/legs/00000000-0000-0000-0000-000000000000/report', { kind: 'check_in' }],
        ['POST', '/api/rescues/alerts/00000000-0000-0000-0000-000000000000/acknowledge', undefined],
      ] as const) {
        const r = await call(t, w.coordinator, method, url, body);
        expect(r.statusCode, `${method} ${url}`).toBe(404);
      }
      const badKind = await post('/api/rescues/NOBODY-HERE-00/status', { to: 'teleported' });
      expect(badKind.statusCode).toBe(400);
      expect(await rowCounts(db)).toEqual(before);
    });

    it('never answers 5xx to junk bodies', async () => {
      const code = await open();
      for (const body of [null, 'text', [], { travellers: 'x' }, { compartmentId: 1, travellers: [{}] }]) {
        const r = await t.app.inject({
          method: 'POST',
          url: '/api/rescues',
          headers: { ...w.coordinator.headers, 'content-type': 'application/json' },
          remoteAddress: w.coordinator.remoteAddress,
          payload: JSON.stringify(body),
        });
        expect(r.statusCode, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        expect(r.statusCode).toBeLessThan(500);
      }
      for (const body of [{}, { to: null }, { kind: 'transit' }, { dataBase64: 42 }]) {
        for (const url of [
          `/api/rescues/${code}/status`,
          `/api/rescues/${code}/legs`,
          `/api/rescues/${code}/costs`,
        ]) {
          const r = await post(url, body);
          expect(r.statusCode, `${url} ${JSON.stringify(body)}`).toBe(400);
        }
      }
      const [{ n } = { n: 0 }] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(legs)
        .where(eq(legs.caseId, (await caseRow(db, code)).id));
      expect(n).toBe(0);
    });
  });
});
