import { and, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { authorize, type Subject } from '../../platform/access/policy';
import type { Db } from '../../platform/db/client';
import { AppError } from '../../platform/errors';
import { PEOPLE_ACTIONS } from './people.policy';
import type { PeopleContext } from './people.service';
import { supporters } from './people.table';

/*
 * A supporter's timeline: everything they did (and we did with them), newest first, from every module that
 * keeps rows per supporter. People owns the timeline and its own events; other modules register a source
 * (Giving: gifts, refunds, monthly gifts, receipts, statements, donor updates), so people never imports
 * another module's tables and the dependency keeps pointing from giving to people.
 */

/** One thing that happened. `facts` are plain values the page words; never another module's free text. */
export interface TimelineEvent {
  /** When, to the millisecond (ISO). */
  at: string;
  /**
   * Unique within one supporter's timeline and stable (`note:<id>`, `gift:<id>:settled`): orders events of
   * the same millisecond and makes the cursor.
   */
  key: string;
  /** The module that reported it: `people`, `giving`. */
  source: string;
  /** What happened, e.g. `note.added`, `consent.withdrawn`, `gift.settled`, `monthly_gift.paused`. */
  kind: string;
  /** The record it is about (a note, a gift, the merged supporter), when there is one. */
  refId: string | null;
  facts: Record<string, string | number | boolean | null>;
}

/** A place in the timeline: events strictly older come next. */
export interface TimelinePosition {
  at: Date;
  key: string;
}

export interface TimelineQuery {
  /** The supporter and every record merged into it (their rows may not all have moved). */
  supporterIds: string[];
  /** Who asks: a source leaves out what this caller may not read. */
  subject: Subject;
  before: TimelinePosition | null;
  /** At most this many events, newest first. */
  limit: number;
}

export interface TimelineSource {
  /** The module's name, also `TimelineEvent.source`. */
  name: string;
  /** The newest `limit` events strictly before `before`, newest first (see `timelineWindow`). */
  events(db: Db, query: TimelineQuery): Promise<TimelineEvent[]>;
  /** An optional summary shown beside the timeline (Giving: totals, monthly gifts, recent gifts). */
  summary?(db: Db, query: Omit<TimelineQuery, 'before' | 'limit'>): Promise<unknown>;
}

const sources: TimelineSource[] = [];

/** A module reports its rows per supporter to the timeline (Giving does from giving.module.ts). */
export function registerTimelineSource(source: TimelineSource): void {
  const existing = sources.findIndex((s) => s.name === source.name);
  if (existing >= 0) sources[existing] = source;
  else sources.push(source);
}

interface EventRow {
  at: Date | string;
  key: string;
  kind: string;
  ref_id: string | null;
  facts: Record<string, string | number | boolean | null> | string | null;
}

/**
 * Runs a union of event rows (`at`, `key`, `kind`, `ref_id`, `facts` jsonb) for one page. `at` is cut to the
 * millisecond and keys compare byte by byte (`collate "C"`), so the database and the merge in
 * `supporterTimeline` order events the same way and a cursor taken from a page resumes exactly after it,
 * even when many events share a millisecond (one transaction's rows share `now()`).
 */
export async function timelineWindow(
  db: Db,
  source: string,
  union: SQL,
  query: Pick<TimelineQuery, 'before' | 'limit'>,
): Promise<TimelineEvent[]> {
  const after = query.before
    ? sql`where (e.at, e.key collate "C") < (${query.before.at.toISOString()}::timestamptz, ${query.before.key} collate "C")`
    : sql``;
  const result = await db.execute(sql`
    select e.at, e.key, e.kind, e.ref_id, e.facts from (
      select date_trunc('milliseconds', u.at) as at, u.key, u.kind, u.ref_id, u.facts from (${union}) u
    ) e ${after}
    order by e.at desc, e.key collate "C" desc
    limit ${query.limit}`);
  return (result as unknown as { rows: EventRow[] }).rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    key: r.key,
    source,
    kind: r.kind,
    refId: r.ref_id,
    facts: typeof r.facts === 'string' ? JSON.parse(r.facts) : (r.facts ?? {}),
  }));
}

/** Newest first: later time, then the larger key (byte order, as `collate "C"` in the database). */
export function compareTimelineEvents(
  a: Pick<TimelineEvent, 'at' | 'key'>,
  b: Pick<TimelineEvent, 'at' | 'key'>,
) {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  if (a.key === b.key) return 0;
  return a.key < b.key ? 1 : -1;
}

/** The cursor is the last event's position, opaque to the browser. */
export function encodeTimelineCursor(event: Pick<TimelineEvent, 'at' | 'key'>): string {
  return Buffer.from(`${event.at}|${event.key}`, 'utf8').toString('base64url');
}

export function decodeTimelineCursor(cursor: string): TimelinePosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const bar = text.indexOf('|');
  const at = new Date(text.slice(0, bar));
  const key = text.slice(bar + 1);
  if (bar < 0 || Number.isNaN(at.getTime()) || !/^[\x20-\x7e]{1,200}$/.test(key))
    throw AppError.invalid('cursor: is not a timeline cursor from this server');
  return { at, key };
}

/** The supporter and every record merged into it, directly or through another merge. */
export async function mergedFamily(db: Db, supporterId: string): Promise<string[]> {
  const ids = [supporterId];
  let frontier = [supporterId];
  // A merge chain is short; the bound stops a (corrupt) cycle from looping for ever.
  for (let depth = 0; frontier.length > 0 && depth < 20; depth++) {
    const rows = await db
      .select({ id: supporters.id })
      .from(supporters)
      .where(inArray(supporters.mergedIntoId, frontier));
    frontier = rows.map((r) => r.id).filter((id) => !ids.includes(id));
    ids.push(...frontier);
  }
  return ids;
}

/** A timestamp column as an ISO string in UTC, for `facts` (the engine's own text form depends on its settings). */
export function isoText(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** `in (…)` over a list of ids, for a source's union. */
export function idList(ids: string[]): SQL {
  return sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  );
}

/**
 * People's own events: created; consent given or withdrawn (channel, how, when the person said so);
 * tags held now (when added); notes; records merged into this one; and, from the audit log (which names
 * the record, never the data), contact details changed and tags removed.
 */
export const peopleTimelineSource: TimelineSource = {
  name: 'people',
  async events(db, query) {
    const ids = idList(query.supporterIds);
    const [self] = query.supporterIds;
    const union = sql`
      select s.created_at as at, 'created:' || s.id as key, 'supporter.created' as kind, s.id as ref_id,
        jsonb_build_object('kind', s.kind, 'organisationType', s.organisation_type) as facts
      from supporters s where s.id = ${self}
      union all
      select c.stated_at, 'consent:' || c.id,
        case when c.granted then 'consent.granted' else 'consent.withdrawn' end, c.id,
        jsonb_build_object('channel', c.channel, 'method', c.method, 'recordedAt', ${isoText(sql`c.recorded_at`)})
      from supporter_consents c where c.supporter_id in (${ids})
      union all
      select t.created_at, 'tag:' || t.supporter_id || ':' || t.tag, 'tag.added', null,
        jsonb_build_object('tag', t.tag)
      from supporter_tags t where t.supporter_id in (${ids})
      union all
      select n.created_at, 'note:' || n.id, 'note.added', n.id, jsonb_build_object('body', n.body)
      from supporter_notes n where n.supporter_id in (${ids})
      union all
      select m.merged_at, 'merged:' || m.id, 'supporter.merged', m.id,
        jsonb_build_object('displayName', m.display_name, 'email', m.email, 'createdAt', ${isoText(sql`m.created_at`)})
      from supporters m where m.id in (${ids}) and m.id <> ${self} and m.merged_at is not null
      union all
      select a.at, 'audit:' || lpad(a.seq::text, 20, '0'),
        case a.action when 'supporter.update' then 'details.changed' else 'tag.removed' end, null,
        '{}'::jsonb
      from audit_log a
      where a.resource_type = 'supporter' and a.resource_code in (${ids})
        and a.action in ('supporter.update', 'supporter.untag') and a.outcome = 'succeeded'`;
    return timelineWindow(db, 'people', union, query);
  },
};
registerTimelineSource(peopleTimelineSource);

export const TIMELINE_DEFAULT_LIMIT = 50;

/**
 * One page of a live supporter's timeline, merged from every source: the newest `limit` events strictly
 * before the cursor (or the `before` time), and the cursor of the next page when there may be more.
 */
export async function supporterTimeline(
  pc: PeopleContext,
  supporterId: string,
  options: { cursor?: string | undefined; before?: Date | undefined; limit?: number | undefined } = {},
) {
  if (!authorize(pc.subject, PEOPLE_ACTIONS.read).allowed)
    throw AppError.forbidden('You do not have access to this.');
  const [row] = await pc.db
    .select({ id: supporters.id, mergedIntoId: supporters.mergedIntoId })
    .from(supporters)
    .where(eq(supporters.id, supporterId));
  if (!row) throw AppError.notFound('No supporter with this id.');
  if (row.mergedIntoId) throw AppError.gone(`This supporter was merged into ${row.mergedIntoId}.`);
  const limit = options.limit ?? TIMELINE_DEFAULT_LIMIT;
  // `before=<time>` means strictly older than that millisecond: no key sorts below the empty one.
  const before = options.cursor
    ? decodeTimelineCursor(options.cursor)
    : options.before
      ? { at: options.before, key: '' }
      : null;
  // One more than the page from each source: if the merge holds more than a page, there is a next one.
  const query: TimelineQuery = {
    supporterIds: await mergedFamily(pc.db, supporterId),
    subject: pc.subject,
    before,
    limit: limit + 1,
  };
  const perSource: TimelineEvent[][] = [];
  for (const source of sources) perSource.push(await source.events(pc.db, query));
  const merged = perSource.flat().sort(compareTimelineEvents);
  const events = merged.slice(0, limit);
  const last = events.at(-1);
  return {
    events,
    nextCursor: merged.length > limit && last ? encodeTimelineCursor(last) : null,
  };
}

/** Every source's summary of a live supporter (`{ giving: … }`), for the supporter page. */
export async function supporterSummaries(pc: PeopleContext, supporterId: string) {
  if (!authorize(pc.subject, PEOPLE_ACTIONS.read).allowed)
    throw AppError.forbidden('You do not have access to this.');
  const [row] = await pc.db
    .select({ id: supporters.id })
    .from(supporters)
    .where(and(eq(supporters.id, supporterId), isNull(supporters.mergedIntoId)));
  if (!row) throw AppError.notFound('No live supporter with this id.');
  const supporterIds = await mergedFamily(pc.db, supporterId);
  const out: Record<string, unknown> = {};
  for (const source of sources) {
    if (!source.summary) continue;
    const summary = await source.summary(pc.db, { supporterIds, subject: pc.subject });
    if (summary !== undefined && summary !== null) out[source.name] = summary;
  }
  return out;
}
