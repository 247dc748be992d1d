import { type SQL, sql } from 'drizzle-orm';
import { type ConsentChannel, insertSupporter, type SupporterInput } from '../../src/modules/people';
import { getSupporter, mergeSupporters } from '../../src/modules/people/people.service';
import { supporterSummaries, supporterTimeline } from '../../src/modules/people/timeline';
import type { Subject } from '../../src/platform/access/policy';
import type { Db } from '../../src/platform/db/client';
import { buildStaff } from './staff';

/*
 * Supporters for other modules' tests, through people's own service functions: the same code the routes
 * and Giving use, so a test outside people never writes or reads people's tables itself.
 */

let made = 0;

/** A supporter: an individual with a name of its own unless the input says otherwise. */
export async function buildSupporter(
  db: Db,
  input: Partial<SupporterInput> = {},
  createdBy: string | null = null,
) {
  made += 1;
  return insertSupporter(
    db,
    { kind: 'individual', firstName: 'Test', lastName: `Supporter ${made}`, ...input },
    createdBy,
  );
}

/** Merges `duplicateId` into `survivorId` as development staff (or `by`), as the console does. */
export function mergeSupporter(
  db: Db,
  duplicateId: string,
  survivorId: string,
  by: Subject = buildStaff('development'),
) {
  return mergeSupporters({ db, subject: by, requestId: null }, duplicateId, survivorId);
}

/** A page of the supporter's timeline (every module's events), as `by` sees it. */
export function readTimeline(
  db: Db,
  supporterId: string,
  options: Parameters<typeof supporterTimeline>[2] = {},
  by: Subject = buildStaff('development'),
) {
  return supporterTimeline({ db, subject: by, requestId: null }, supporterId, options);
}

/** Every module's summary of the supporter (`{ giving: … }`), as `by` sees it. */
export function readSummaries(db: Db, supporterId: string, by: Subject = buildStaff('development')) {
  return supporterSummaries({ db, subject: by, requestId: null }, supporterId);
}

/** Every consent statement of a live supporter, newest recorded first. */
export async function consentHistory(db: Db, supporterId: string) {
  return (await getSupporter({ db, subject: buildStaff('development'), requestId: null }, supporterId))
    .consentHistory;
}

/*
 * Counts for "nothing else was written" checks over every supporter. People has no service that counts
 * everyone (no caller needs one), so these two read the tables by name, read-only.
 */

/** How many supporter records there are, merged ones included. */
export async function countSupporters(db: Db): Promise<number> {
  return countOf(db, sql`select count(*)::int as n from supporters`);
}

/** How many consent statements there are on a channel, of every supporter. */
export async function countConsentStatements(db: Db, channel: ConsentChannel): Promise<number> {
  return countOf(db, sql`select count(*)::int as n from supporter_consents where channel = ${channel}`);
}

async function countOf(db: Db, query: SQL): Promise<number> {
  const result = await db.execute(query);
  return (result as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0;
}
