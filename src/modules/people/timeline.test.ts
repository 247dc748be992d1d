import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import type { Subject } from '../../platform/access/policy';
import type { Db } from '../../platform/db/client';
import { registerTimelineSource } from './index';
import {
  addNote,
  addTag,
  createSupporter,
  mergeSupporters,
  type PeopleContext,
  recordConsent,
  removeTag,
  updateSupporter,
} from './people.service';
import {
  compareTimelineEvents,
  decodeTimelineCursor,
  encodeTimelineCursor,
  supporterTimeline,
  type TimelineEvent,
} from './timeline';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

/** Every page of a timeline, following the cursor. */
async function allPages(pc: PeopleContext, id: string, limit: number) {
  const pages: TimelineEvent[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await supporterTimeline(pc, id, { cursor, limit });
    pages.push(page.events);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return pages;
}

describe('timeline cursor', () => {
  it('round-trips a position and refuses what this server did not make', () => {
    const cursor = encodeTimelineCursor({ at: '2026-03-01T10:00:00.123Z', key: 'tag:abc:gala 2026' });
    expect(decodeTimelineCursor(cursor)).toEqual({
      at: new Date('2026-03-01T10:00:00.123Z'),
      key: 'tag:abc:gala 2026',
    });
    expect(() => decodeTimelineCursor('bm9wZQ')).toThrow(/cursor: is not a timeline cursor/);
  });

  it('orders newest first, then by key byte order (as collate "C")', () => {
    const events = [
      { at: '2026-01-01T00:00:00.000Z', key: 'a' },
      { at: '2026-01-02T00:00:00.000Z', key: 'A' },
      { at: '2026-01-02T00:00:00.000Z', key: 'b' },
      { at: '2026-01-02T00:00:00.000Z', key: 'B' },
    ].sort(compareTimelineEvents);
    expect(events.map((e) => e.key)).toEqual(['b', 'B', 'A', 'a']);
  });
});

describeEachDatabase('supporter timeline', (getDb) => {
  const pc = (subject: Subject = development, db: Db = getDb().db): PeopleContext => ({
    db,
    subject,
    requestId: null,
  });

  it('tells creation, consent (channel, how, when said), tags, notes, changes and removals, newest first', async () => {
    const s = await createSupporter(pc(), { kind: 'individual', firstName: 'Time', lastName: 'Line' });
    await recordConsent(pc(), s.id, {
      channel: 'email',
      granted: true,
      method: 'paper_form',
      statedAt: new Date('2020-05-01T09:00:00Z'),
    });
    await addTag(pc(), s.id, 'gala-2026');
    await addTag(pc(), s.id, 'volunteer');
    await removeTag(pc(), s.id, 'volunteer');
    await updateSupporter(pc(), s.id, { postcode: '04524' });
    await addNote(pc(), s.id, 'Called to thank her');
    await recordConsent(pc(), s.id, { channel: 'email', granted: false, method: 'email_reply' });

    const { events, nextCursor } = await supporterTimeline(pc(), s.id);
    expect(nextCursor).toBeNull();
    expect([...events].sort(compareTimelineEvents)).toEqual(events);
    const kinds = events.map((e) => e.kind);
    // (Sorted by time; two of these may share a millisecond, so their order is not asserted.)
    expect(new Set(kinds.slice(0, 3))).toEqual(
      new Set(['consent.withdrawn', 'note.added', 'details.changed']),
    );
    expect(kinds).toContain('tag.removed');
    expect(kinds.filter((k) => k === 'tag.added')).toHaveLength(1); // volunteer was removed
    // The grant is dated when the person said so (2020), so it is the oldest.
    expect(events.at(-1)).toMatchObject({
      kind: 'consent.granted',
      at: '2020-05-01T09:00:00.000Z',
      facts: { channel: 'email', method: 'paper_form' },
    });
    expect(events.at(-2)?.kind).toBe('supporter.created');
    expect(events.find((e) => e.kind === 'note.added')?.facts.body).toBe('Called to thank her');
    expect(events.find((e) => e.kind === 'tag.added')?.facts.tag).toBe('gala-2026');
    expect(events.every((e) => e.source === 'people')).toBe(true);
    expect(String(events.find((e) => e.kind === 'consent.withdrawn')?.facts.recordedAt)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
  });

  it('pages by cursor without losing or repeating events that share a millisecond', async () => {
    const s = await createSupporter(pc(), { kind: 'household', displayName: 'The Page family' });
    // One transaction: every row gets the same now(), so only the key tells them apart.
    await getDb().db.transaction(async (tx) => {
      for (const tag of ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7'])
        await addTag(pc(development, tx), s.id, tag);
      for (const body of ['one', 'two', 'three']) await addNote(pc(development, tx), s.id, body);
    });
    const whole = (await supporterTimeline(pc(), s.id, { limit: 200 })).events;
    expect(whole).toHaveLength(11);
    for (const limit of [1, 2, 3, 4, 10]) {
      const pages = await allPages(pc(), s.id, limit);
      expect(pages.flat().map((e) => e.key)).toEqual(whole.map((e) => e.key));
      expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
    }
  });

  it('before=<time> starts strictly before that moment', async () => {
    const s = await createSupporter(pc(), { kind: 'individual', firstName: 'Before', lastName: 'Time' });
    for (const [i, year] of [2019, 2021, 2023].entries())
      await recordConsent(pc(), s.id, {
        channel: 'post',
        granted: i % 2 === 0,
        method: 'paper_form',
        statedAt: new Date(`${year}-01-01T00:00:00Z`),
      });
    const page = await supporterTimeline(pc(), s.id, { before: new Date('2023-01-01T00:00:00Z') });
    expect(page.events.map((e) => e.at)).toEqual(['2021-01-01T00:00:00.000Z', '2019-01-01T00:00:00.000Z']);
  });

  it('shows a merge on the survivor, with the merged record’s history; the merged record is gone', async () => {
    const survivor = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Merge',
      lastName: 'Timeline',
      email: 'merge.timeline@example.org',
    });
    const duplicate = await createSupporter(pc(), {
      kind: 'individual',
      firstName: 'Merge',
      lastName: 'Timeline',
      email: 'merge.timeline@example.org',
    });
    await addNote(pc(), duplicate.id, 'Prefers letters');
    await mergeSupporters(pc(), duplicate.id, survivor.id);
    const { events } = await supporterTimeline(pc(), survivor.id);
    expect(events[0]).toMatchObject({
      kind: 'supporter.merged',
      refId: duplicate.id,
      facts: { displayName: 'Merge Timeline', email: 'merge.timeline@example.org' },
    });
    expect(events.find((e) => e.kind === 'note.added')?.facts.body).toBe('Prefers letters');
    expect(events.filter((e) => e.kind === 'supporter.created').map((e) => e.refId)).toEqual([survivor.id]);
    await expect(supporterTimeline(pc(), duplicate.id)).rejects.toMatchObject({ statusCode: 410 });
  });

  it('merges the events of every registered source in one order', async () => {
    const s = await createSupporter(pc(), { kind: 'individual', firstName: 'Other', lastName: 'Source' });
    registerTimelineSource({
      name: 'test-source',
      async events(_db, query) {
        if (!query.supporterIds.includes(s.id)) return [];
        const all: TimelineEvent[] = ['2001', '2099'].map((year) => ({
          at: `${year}-06-01T00:00:00.000Z`,
          key: `test:${year}`,
          source: 'test-source',
          kind: 'test.happened',
          refId: null,
          facts: {},
        }));
        return all
          .filter(
            (e) =>
              !query.before ||
              compareTimelineEvents(e, { at: query.before.at.toISOString(), key: query.before.key }) > 0,
          )
          .slice(0, query.limit);
      },
    });
    try {
      const pages = await allPages(pc(), s.id, 1);
      expect(pages.flat().map((e) => e.kind)).toEqual([
        'test.happened',
        'supporter.created',
        'test.happened',
      ]);
    } finally {
      registerTimelineSource({ name: 'test-source', events: async () => [] });
    }
  });

  it('is for those who read supporters only', async () => {
    const s = await createSupporter(pc(), { kind: 'individual', firstName: 'Read', lastName: 'Only' });
    await expect(
      supporterTimeline(pc({ ...development, role: 'administrator' }), s.id),
    ).resolves.toBeDefined();
    for (const role of ['outreach', 'rescue_coordinator', 'supporter'] as const)
      await expect(supporterTimeline(pc({ ...development, role }), s.id)).rejects.toMatchObject({
        statusCode: 403,
      });
  });
});

describeEachDatabase('supporter timeline routes', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  beforeAll(async () => {
    t = await startTestApp(getDb());
    actors = await actorsFor(t.app, t.ctx);
  }, 60_000);
  afterAll(async () => t?.close());

  it('GET /api/people/:id/timeline pages with nextCursor and refuses a bad cursor or limit by name', async () => {
    const created = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/people',
        payload: { kind: 'organisation', organisationType: 'school', displayName: 'Hillside School' },
      }),
    );
    const id = created.json().id as string;
    for (const body of ['First visit', 'Assembly talk'])
      await t.app.inject(
        as(actors.development, { method: 'POST', url: `/api/people/${id}/notes`, payload: { body } }),
      );
    const first = await t.app.inject(
      as(actors.administrator, { method: 'GET', url: `/api/people/${id}/timeline?limit=2` }),
    );
    expect(first.statusCode).toBe(200);
    expect(first.json().events.map((e: TimelineEvent) => e.kind)).toEqual(['note.added', 'note.added']);
    const next = await t.app.inject(
      as(actors.administrator, {
        method: 'GET',
        url: `/api/people/${id}/timeline?limit=2&cursor=${first.json().nextCursor}`,
      }),
    );
    expect(next.json()).toMatchObject({ events: [{ kind: 'supporter.created' }], nextCursor: null });

    const badCursor = await t.app.inject(
      as(actors.development, { method: 'GET', url: `/api/people/${id}/timeline?cursor=bm9wZQ` }),
    );
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().message).toBe('cursor: is not a timeline cursor from this server');
    const badLimit = await t.app.inject(
      as(actors.development, { method: 'GET', url: `/api/people/${id}/timeline?limit=0` }),
    );
    expect(badLimit.statusCode).toBe(400);
    expect(badLimit.json().message).toContain('limit');

    const refused = await t.app.inject(
      as(actors.outreach, { method: 'GET', url: `/api/people/${id}/timeline` }),
    );
    expect(refused.statusCode).toBe(403);
  });

  it('PATCH /api/people/:id clears a field with null, renames from names, and keeps a name', async () => {
    const created = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/people',
        payload: { kind: 'individual', firstName: 'Clear', lastName: 'Me', email: 'clear.me@example.org' },
      }),
    );
    const id = created.json().id as string;
    const patch = (payload: Record<string, unknown>) =>
      t.app.inject(as(actors.development, { method: 'PATCH', url: `/api/people/${id}`, payload }));
    const cleared = await patch({ email: null, lastName: 'Mine' });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json()).toMatchObject({ email: null, displayName: 'Clear Mine', lastName: 'Mine' });
    const nameless = await patch({ firstName: null, lastName: null });
    expect(nameless.statusCode).toBe(400);
    expect(nameless.json().message).toBe('displayName: is required (or a first or last name)');
    const read = await t.app.inject(as(actors.development, { method: 'GET', url: `/api/people/${id}` }));
    expect(read.json()).toMatchObject({ firstName: 'Clear', lastName: 'Mine', email: null });
  });

  it('GET /api/people/:id answers the consent history, newest first', async () => {
    const created = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/people',
        payload: { kind: 'individual', firstName: 'Consent', lastName: 'History' },
      }),
    );
    const id = created.json().id as string;
    for (const granted of [true, false])
      await t.app.inject(
        as(actors.development, {
          method: 'POST',
          url: `/api/people/${id}/consents`,
          payload: { channel: 'phone', granted, method: 'phone_call' },
        }),
      );
    const read = await t.app.inject(as(actors.development, { method: 'GET', url: `/api/people/${id}` }));
    expect(read.json().consentHistory.map((c: { granted: boolean }) => c.granted)).toEqual([false, true]);
    expect(read.json().consent.phone.status).toBe('withdrawn');
  });
});
