import crypto from 'node:crypto';
import { eq, isNull } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestActor } from '../../../test/harness/actors';
import type { TestApp } from '../../../test/harness/app';
import { canary, expectNoCanary, type Marker } from '../../../test/harness/canary';
import { describeEachDatabase } from '../../../test/harness/databases';
import { dataKeys } from '../../platform/crypto/data-key.table';
import type { Db } from '../../platform/db/client';
import { raiseOverdueAlerts } from './alert.service';
import { shredDueCases } from './case-lifecycle.service';
import { legField } from './leg-seal';
import { addLeg, call, openCase, type RescueWorld, rescueWorld, stepUp, traveller } from './rescue.fixtures';
import {
  caseEvents,
  checkIns,
  incidentNotes,
  incidents,
  legs,
  rescueCases,
  travellers,
} from './rescue.table';

/**
 * A fully seeded case with a unique marker in every S4 field. The markers must reach nobody outside the
 * compartment (nor a resettlement worker or a field partner inside it), no log line, no mail, and no
 * byte of the database; after shredding, no key that remains opens them.
 */
describeEachDatabase('rescues: canaries', (getDb) => {
  let w: RescueWorld;
  let t: TestApp;
  let db: Db;
  let code: string;
  let legId: string;
  const markers: Marker[] = [];
  const responses: string[] = [];
  /** Every ciphertext written for the case, with its field name, to try the remaining keys on. */
  const sealed: { keyId: string; field: string; value: string }[] = [];

  const mark = (label: string) => {
    const m = canary(label);
    markers.push(m);
    return m;
  };

  beforeAll(async () => {
    w = await rescueWorld(getDb());
    t = w.t;
    db = t.ctx.database.db;
    const as = (path: string, body?: unknown, method: 'POST' | 'PUT' = 'POST') =>
      call(t, w.coordinator, method, path, body).then((r) => {
        expect(r.statusCode, `${method} ${path}: ${r.body}`).toBeLessThan(300);
        return r;
      });
    const s4 = (n: number) => ({
      name: mark(`name-${n}`),
      currentRegion: mark(`region-${n}`),
      familyInNorthKorea: mark(`family-${n}`),
      contactMethod: mark(`contact-${n}`),
      healthNotes: mark(`health-${n}`),
    });
    code = await openCase(t, w.coordinator, w.inside.id, {
      destination: 'south_korea',
      retentionDays: 7,
      travellers: [traveller(s4(1)), traveller({ ...s4(2), category: 'minor', ageBand: '13_17' })],
    });
    await as(`/api/rescues/${code}/travellers`, traveller(s4(3)));
    await call(t, w.coordinator, 'PATCH', `/api/rescues/${code}/travellers/3/identity`, {
      healthNotes: mark('health-patched'),
    });
    legId = await addLeg(t, w.coordinator, code, { fieldPartnerId: w.partnerA.userId });
    // The route itself: places and notes of a leg no partner here runs (a partner sees only their own).
    const routeLeg = await addLeg(t, w.coordinator, code, {
      fromPlace: mark('leg-from-place'),
      toPlace: mark('leg-to-place'),
      notes: mark('leg-notes'),
    });
    const patched = await call(t, w.coordinator, 'PATCH', `/api/rescues/${code}/legs/${routeLeg}`, {
      notes: mark('leg-notes-patched'),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const report = (kind: string, note: string) =>
      call(t, w.partnerA, 'POST', `/api/field/legs/${legId}/report`, { kind, note }).then((r) => {
        expect(r.statusCode, r.body).toBe(200);
        responses.push(r.body);
      });
    await report('pick_up', mark('pick-up-note'));
    await report('check_in', mark('check-in-note'));
    await report('problem', mark('problem-note'));
    const incident = (
      await as(`/api/rescues/${code}/incidents`, {
        kind: 'broker_demand',
        severity: 'high',
        legId,
        description: mark('incident-description'),
      })
    ).json() as { id: string };
    await as(`/api/rescues/${code}/incidents/${incident.id}/follow-ups`, {
      note: mark('incident-note'),
      status: 'following_up',
    });
    const photoMarker = mark('photo-exif');
    const jpeg = await sharp({ create: { width: 96, height: 64, channels: 3, background: '#804020' } })
      .jpeg()
      .withExif({ IFD0: { ImageDescription: photoMarker, Artist: photoMarker } })
      .toBuffer();
    await as(`/api/rescues/${code}/travellers/1/photo`, { dataBase64: jpeg.toString('base64') }, 'PUT');
    await stepUp(t, w.coordinator);
    const stored = (await call(t, w.coordinator, 'GET', `/api/rescues/${code}/travellers/1/photo`))
      .rawPayload;
    // The photo as stored: a slice of its bytes, as a base64 text column or a hex bytea would hold them.
    const slice = stored.subarray(300, 348);
    markers.push({ label: 'photo-bytes-base64', value: slice.toString('base64') });
    markers.push({ label: 'photo-bytes-hex', value: slice.toString('hex') });
    for (const to of ['in_safe_country', 'in_processing']) {
      await as(`/api/rescues/${code}/status`, { to, note: mark(`status-note-${to.replaceAll('_', '-')}`) });
    }
    await as(`/api/rescues/${code}/status`, { to: 'arrived', note: mark('status-note-arrived') });
    await as(`/api/rescues/${code}/handover`);
    await as(`/api/rescues/${code}/retention`, { days: 3, reason: mark('retention-reason') });
    // An overdue check-in on another case of the compartment: the sweep mails its coordinators.
    const late = await openCase(t, w.coordinator, w.inside.id, {
      travellers: [traveller({ name: mark('late-name') })],
    });
    const lateLeg = await addLeg(t, w.coordinator, late, { fieldPartnerId: w.partnerA.userId });
    const picked = await call(t, w.partnerA, 'POST', `/api/field/legs/${lateLeg}/report`, {
      kind: 'pick_up',
      note: mark('late-pick-up-note'),
    });
    expect(picked.statusCode).toBe(200);
    const swept = await raiseOverdueAlerts(db, t.ctx.mail, new Date(Date.now() + 25 * 3_600_000));
    expect(swept.raised).toBeGreaterThanOrEqual(1);

    // Everything sealed under the case's key, kept to try the remaining keys on after shredding.
    const [row] = await db.select().from(rescueCases).where(eq(rescueCases.code, code));
    if (!row) throw new Error('no case');
    const keyId = row.dataKeyId;
    for (const tr of await db.select().from(travellers).where(eq(travellers.caseId, row.id))) {
      for (const [field, value] of [
        ['name', tr.nameEnc],
        ['currentRegion', tr.currentRegionEnc],
        ['familyInNorthKorea', tr.familyInNorthKoreaEnc],
        ['contactMethod', tr.contactMethodEnc],
        ['healthNotes', tr.healthNotesEnc],
        ['photo', tr.photoEnc],
      ] as const) {
        if (value) sealed.push({ keyId, field: `traveller:${tr.id}:${field}`, value });
      }
    }
    for (const l of await db.select().from(legs).where(eq(legs.caseId, row.id))) {
      for (const [field, value] of [
        ['from_place', l.fromPlaceEnc],
        ['to_place', l.toPlaceEnc],
        ['notes', l.notesEnc],
      ] as const) {
        if (value) sealed.push({ keyId, field: legField(l.id, field), value });
      }
    }
    for (const c of await db.select().from(checkIns).where(eq(checkIns.caseId, row.id))) {
      if (c.noteEnc) sealed.push({ keyId, field: `check_in:${c.id}:note`, value: c.noteEnc });
    }
    for (const i of await db.select().from(incidents).where(eq(incidents.caseId, row.id))) {
      if (i.descriptionEnc)
        sealed.push({ keyId, field: `incident:${i.id}:description`, value: i.descriptionEnc });
      for (const n of await db.select().from(incidentNotes).where(eq(incidentNotes.incidentId, i.id))) {
        sealed.push({ keyId, field: `incident_note:${n.id}:note`, value: n.noteEnc });
      }
    }
    for (const e of await db.select().from(caseEvents).where(eq(caseEvents.caseId, row.id))) {
      if (e.noteEnc) sealed.push({ keyId, field: `case_event:${e.id}:note`, value: e.noteEnc });
    }
    expect(sealed.length).toBeGreaterThanOrEqual(15 + 1 + 3 + 2 + 4 + 5);
  }, 60_000);
  afterAll(() => t?.close());

  /** Every rescue route, as one caller; the bodies are kept. */
  async function sweep(who: TestActor) {
    const fakeId = crypto.randomUUID();
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/rescues?limit=200'],
      ['GET', '/api/rescues?flagged=true'],
      ['GET', '/api/rescues/dashboard'],
      ['GET', '/api/rescues/alerts'],
      ['GET', '/api/rescues/route-templates'],
      ['GET', '/api/field/legs'],
      ['GET', `/api/rescues/${code}`],
      ['POST', `/api/rescues/${code}/reveal`],
      ['GET', `/api/rescues/${code}/travellers/1/photo`],
      ['GET', `/api/rescues/${code}/travellers/2/photo`],
      ['POST', `/api/rescues/${code}/travellers`, traveller()],
      ['PATCH', `/api/rescues/${code}/travellers/1/identity`, { name: 'x' }],
      ['PUT', `/api/rescues/${code}/travellers/1/photo`, { dataBase64: 'AAAA' }],
      ['POST', `/api/rescues/${code}/status`, { to: 'closed' }],
      ['POST', `/api/rescues/${code}/handover`],
      ['POST', `/api/rescues/${code}/retention`, { days: 1, reason: 'probing here' }],
      ['POST', `/api/rescues/${code}/legs`, { kind: 'transit', fromPlace: 'Jilin', toPlace: 'Kunming' }],
      ['PATCH', `/api/rescues/${code}/legs/${legId}`, { budgetMinor: 1 }],
      ['POST', `/api/rescues/${code}/legs/${fakeId}/compromised`],
      ['POST', `/api/rescues/${code}/incidents`, { kind: 'other', severity: 'low' }],
      ['POST', `/api/rescues/${code}/incidents/${fakeId}/follow-ups`, { status: 'resolved' }],
      [
        'POST',
        `/api/rescues/${code}/costs`,
        { category: 'food', amountMinor: 1, currency: 'USD', spentOn: '2031-01-01T00:00:00Z' },
      ],
      ['POST', `/api/field/legs/${legId}/report`, { kind: 'check_in' }],
      ['POST', `/api/rescues/alerts/${fakeId}/acknowledge`],
    ];
    await stepUp(t, who);
    for (const [method, url, body] of routes) {
      const r = await call(t, who, method as 'GET', url, body);
      expect(r.statusCode, `${who.role} ${method} ${url}`).toBeLessThan(500);
      responses.push(r.rawPayload.toString('latin1'));
    }
  }

  it('reaches no response to outsiders, a resettlement worker or a field partner', async () => {
    for (const who of [
      w.outsiderAdmin,
      w.otherCoordinator,
      w.otherLead,
      w.resettlement,
      w.partnerA,
      w.partnerB,
    ]) {
      await sweep(who);
    }
    expect(responses.length).toBeGreaterThan(100);
    await expectNoCanary(markers, { responses });
  });

  it('reaches no log line and no mail', async () => {
    expect(t.logs.length).toBeGreaterThan(0);
    await expectNoCanary(markers, { logs: t.logs, outbox: getDb() });
  });

  it('is nowhere in a plaintext dump of the database', async () => {
    await expectNoCanary(markers, { dump: getDb() });
  });

  it('is unrecoverable after shredding, with every key that remains', async () => {
    const { shredded } = await shredDueCases(db, t.ctx.keys, new Date(Date.now() + 11 * 86_400_000));
    expect(shredded).toContain(code);
    const live = await db.select({ id: dataKeys.id }).from(dataKeys).where(isNull(dataKeys.shreddedAt));
    expect(live.length).toBeGreaterThan(0);
    let opened = 0;
    for (const { keyId, field, value } of sealed) {
      await expect(t.ctx.keys.decryptField(db, keyId, field, value)).rejects.toThrow();
      for (const key of live) {
        try {
          await t.ctx.keys.decryptField(db, key.id, field, value);
          opened++;
        } catch {
          // refused, as it must be
        }
      }
    }
    expect(opened).toBe(0);
    await stepUp(t, w.coordinator);
    const reveal = await call(t, w.coordinator, 'POST', `/api/rescues/${code}/reveal`);
    expect(reveal.statusCode).toBe(410);
    await expectNoCanary(markers, { responses: [reveal.body], dump: getDb() });
  });
});
