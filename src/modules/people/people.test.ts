import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import type { Subject } from '../../platform/access/policy';
import { auditLog } from '../../platform/audit/audit.table';
import { onSupportersMerged } from './index';
import {
  addNote,
  addTag,
  createSupporter,
  findDuplicates,
  getSupporter,
  hasConsent,
  mergeSupporters,
  type PeopleContext,
  recordConsent,
  searchSupporters,
} from './people.service';
import { supporters } from './people.table';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

describeEachDatabase('people', (getDb) => {
  const pc = (subject: Subject = development): PeopleContext => ({
    db: getDb().db,
    subject,
    requestId: null,
  });

  it('adds individuals, households and organisations, and refuses an organisation without a type', async () => {
    const org = await createSupporter(pc(), {
      kind: 'organisation',
      organisationType: 'church',
      displayName: 'Grace Church',
    });
    expect(org.kind).toBe('organisation');
    const person = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Hana',
      lastName: 'Yoon',
      email: 'hana@example.org',
    });
    expect(person.displayName).toBe('Hana Yoon');
    const { SupporterInput } = await import('./people.schema');
    const bad = SupporterInput.safeParse({ kind: 'organisation', displayName: 'No Type' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('is required for an organisation');
  });

  it('searches by name, email and postcode, and by tag', async () => {
    const a = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Minji',
      lastName: 'Searchable',
      email: 'Minji@Example.org',
      postcode: 'sw1a 1aa',
    });
    await addTag(pc(), a.id, 'gala-2026');
    expect(
      (await searchSupporters(pc(), { q: 'searchable', limit: 50 })).supporters.map((s) => s.id),
    ).toContain(a.id);
    expect(
      (await searchSupporters(pc(), { q: 'minji@example.org', limit: 50 })).supporters.map((s) => s.id),
    ).toContain(a.id);
    expect((await searchSupporters(pc(), { q: 'SW1A1AA', limit: 50 })).supporters.map((s) => s.id)).toContain(
      a.id,
    );
    expect(
      (await searchSupporters(pc(), { tag: 'gala-2026', limit: 50 })).supporters.map((s) => s.id),
    ).toEqual([a.id]);
    // An email matches from its start while it is being typed.
    expect(
      (await searchSupporters(pc(), { q: 'minji@exa', limit: 50 })).supporters.map((s) => s.id),
    ).toContain(a.id);
    // A % in the query is a character, not a wildcard.
    expect((await searchSupporters(pc(), { q: '%', limit: 50 })).supporters).toEqual([]);
  });

  it('records consent with when and how, and a withdrawal wins over an earlier grant', async () => {
    const s = await createSupporter(pc(), { kind: 'individual', firstName: 'Consent', lastName: 'Case' });
    expect(await hasConsent(getDb().db, s.id, 'email')).toBe(false);
    const granted = await recordConsent(pc(), s.id, {
      channel: 'email',
      granted: true,
      method: 'donate_form',
      statedAt: new Date('2026-01-01T00:00:00Z'),
    });
    expect(granted.email).toEqual({
      status: 'granted',
      method: 'donate_form',
      statedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(granted.post.status).toBe('unknown');
    const withdrawn = await recordConsent(pc(), s.id, {
      channel: 'email',
      granted: false,
      method: 'email_reply',
    });
    expect(withdrawn.email.status).toBe('withdrawn');
    expect(await hasConsent(getDb().db, s.id, 'email')).toBe(false);
  });

  it('finds duplicates by email, by name and postcode, and by phone', async () => {
    const a = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Dup',
      lastName: 'Email',
      email: 'dup@example.org',
    });
    const b = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Other',
      lastName: 'Name',
      email: 'DUP@example.org ',
    });
    const c = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Jin',
      lastName: 'Postcode',
      postcode: '04524',
    });
    const d = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'jin',
      lastName: 'POSTCODE',
      postcode: '04 524',
    });
    const e = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Phone',
      lastName: 'One',
      phone: '+1 (555) 010-9999',
    });
    const f = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Phone',
      lastName: 'Two',
      phone: '+1 555 010 9999',
    });
    const pairs = (await findDuplicates(pc())).pairs;
    const reasonsFor = (x: string, y: string) =>
      pairs.find((p) => p.ids.includes(x) && p.ids.includes(y))?.reasons;
    expect(reasonsFor(a.id, b.id)).toEqual(['same_email']);
    expect(reasonsFor(c.id, d.id)).toEqual(['same_name_and_postcode']);
    expect(reasonsFor(e.id, f.id)).toEqual(['same_phone']);
    expect(reasonsFor(a.id, c.id)).toBeUndefined();
    // Each pair carries both records, so a person can judge it without opening them.
    const pair = pairs.find((p) => p.ids.includes(c.id) && p.ids.includes(d.id));
    expect(pair?.supporters.map((s) => s.id)).toEqual(pair?.ids);
    expect(pair?.supporters.map((s) => s.postcode).sort()).toEqual(['04 524', '04524']);
  });

  it('merges: tags, notes, consent and other modules’ rows move to the survivor, audited, once', async () => {
    const moved: { fromId: string; toId: string }[] = [];
    onSupportersMerged(async (_db, move) => {
      moved.push(move);
    });
    const survivor = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Merge',
      lastName: 'Keep',
      email: 'keep@example.org',
    });
    const duplicate = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Merge',
      lastName: 'Keep',
      phone: '5550100',
    });
    await addTag(pc(), duplicate.id, 'monthly');
    await addTag(pc(), survivor.id, 'monthly');
    await addNote(pc(), duplicate.id, 'Met at the Seoul gala');
    await recordConsent(pc(), duplicate.id, { channel: 'post', granted: true, method: 'paper_form' });
    await mergeSupporters(pc(), duplicate.id, survivor.id);
    const after = await getSupporter(pc(), survivor.id);
    expect(after.tags).toEqual(['monthly']);
    expect(after.notes.map((n) => n.body)).toEqual(['Met at the Seoul gala']);
    expect(after.consent.post.status).toBe('granted');
    expect(after.phone).toBe('5550100');
    expect(moved).toContainEqual({ fromId: duplicate.id, toId: survivor.id });
    await expect(getSupporter(pc(), duplicate.id)).rejects.toMatchObject({ statusCode: 410 });
    await expect(mergeSupporters(pc(), duplicate.id, survivor.id)).rejects.toMatchObject({ statusCode: 409 });
    const [row] = await getDb().db.select().from(supporters).where(eq(supporters.id, duplicate.id));
    expect(row?.mergedIntoId).toBe(survivor.id);
    const audits = await getDb().db.select().from(auditLog).where(eq(auditLog.resourceCode, duplicate.id));
    expect(audits.map((a) => a.action)).toContain('supporter.merged_away');
    expect(
      (await searchSupporters(pc(), { q: 'merge keep', limit: 50 })).supporters.map((s) => s.id),
    ).toEqual([survivor.id]);
  });

  it('refuses every role but development to write, and administrators only read', async () => {
    const administrator: Subject = { ...development, role: 'administrator' };
    const outreach: Subject = { ...development, role: 'outreach' };
    const supporter: Subject = { ...development, role: 'supporter' };
    await expect(
      createSupporter(pc(administrator), { kind: 'household', displayName: 'X' }),
    ).rejects.toMatchObject({ statusCode: 403 });
    await expect(searchSupporters(pc(administrator), { limit: 5 })).resolves.toBeDefined();
    await expect(searchSupporters(pc(outreach), { limit: 5 })).rejects.toMatchObject({ statusCode: 403 });
    await expect(searchSupporters(pc(supporter), { limit: 5 })).rejects.toMatchObject({ statusCode: 403 });
  });
});

describeEachDatabase('people routes', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  beforeAll(async () => {
    t = await startTestApp(getDb());
    actors = await actorsFor(t.app, t.ctx);
  }, 60_000);
  afterAll(async () => t?.close());

  it('POST /api/people answers 400 with the field and the reason', async () => {
    const response = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/people',
        payload: { kind: 'individual', email: 'not-an-email', firstName: 'A' },
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('email');
    expect(response.json().message).toContain('must be an email address');
  });

  it('development adds and reads a supporter; a supporter account and outreach are refused', async () => {
    const created = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/people',
        payload: { kind: 'individual', firstName: 'Route', lastName: 'Test' },
      }),
    );
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const read = await t.app.inject(as(actors.administrator, { method: 'GET', url: `/api/people/${id}` }));
    expect(read.statusCode).toBe(200);
    expect(read.json().displayName).toBe('Route Test');
    for (const caller of [actors.supporter, actors.outreach, actors.rescue_coordinator]) {
      const refused = await t.app.inject(as(caller, { method: 'GET', url: `/api/people/${id}` }));
      expect(refused.statusCode).toBe(403);
    }
  });
});

describe('people module boundary', () => {
  it('keeps no column that could point at a refugee (SECURITY.md rule 10)', () => {
    const columns = Object.keys(supporters).join(' ');
    expect(columns).not.toMatch(/case|traveller|client|rescue/i);
  });
});
