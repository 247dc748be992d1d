import crypto from 'node:crypto';
import { and, asc, inArray, isNull } from 'drizzle-orm';
import { inJsonList, insertJsonRows } from '../../platform/db/bulk-insert';
import type { Db } from '../../platform/db/client';
import { type ConsentChannel, keys } from './people.schema';
import { supporterConsents, supporters } from './people.table';

/*
 * Supporters many at a time, for Giving's CSV import: one lookup per rule for a whole file instead of one
 * query per row, and multi-row inserts. No access check: the import checked the caller. The rules are the
 * duplicate rules of `findDuplicates` (same email; same name and postcode; same phone), applied in that
 * order, to live records only, the oldest record winning, as `findSupporterByEmail` does.
 */

export interface SupporterLookup {
  kind: 'individual' | 'household' | 'organisation';
  displayName: string;
  email?: string | undefined;
  phone?: string | undefined;
  postcode?: string | undefined;
}

export interface NewSupporter extends SupporterLookup {
  firstName?: string | undefined;
  lastName?: string | undefined;
}

/** Each chunk travels as one JSON parameter (platform/db/bulk-insert); chunks bound a statement's size. */
const LOOKUP_CHUNK = 20_000;
const INSERT_CHUNK = 2500;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The live supporter each lookup matches (by email, else name and postcode, else phone), or null. */
export async function matchSupporters(
  db: Db,
  lookups: readonly SupporterLookup[],
): Promise<(string | null)[]> {
  const wanted = lookups.map((l) => ({
    email: keys.email(l.email),
    phone: keys.phone(l.phone),
    postcode: keys.postcode(l.postcode),
    name: keys.name(l.displayName),
  }));
  const byEmail = new Map<string, string>();
  const byNamePostcode = new Map<string, string>();
  const byPhone = new Map<string, string>();
  const live = { id: supporters.id, emailKey: supporters.emailKey, nameKey: supporters.nameKey };
  const remember = (map: Map<string, string>, key: string | null, id: string) => {
    if (key !== null && !map.has(key)) map.set(key, id);
  };

  const emails = [...new Set(wanted.flatMap((w) => (w.email ? [w.email] : [])))];
  for (const part of chunks(emails, LOOKUP_CHUNK)) {
    const rows = await db
      .select(live)
      .from(supporters)
      .where(and(inJsonList(supporters.emailKey, part), isNull(supporters.mergedIntoId)))
      .orderBy(asc(supporters.createdAt), asc(supporters.id));
    for (const r of rows) remember(byEmail, r.emailKey, r.id);
  }
  const postcodes = [...new Set(wanted.flatMap((w) => (w.postcode && w.name ? [w.postcode] : [])))];
  for (const part of chunks(postcodes, LOOKUP_CHUNK)) {
    const rows = await db
      .select({ ...live, postcodeKey: supporters.postcodeKey })
      .from(supporters)
      .where(and(inJsonList(supporters.postcodeKey, part), isNull(supporters.mergedIntoId)))
      .orderBy(asc(supporters.createdAt), asc(supporters.id));
    for (const r of rows) remember(byNamePostcode, `${r.nameKey}\u0000${r.postcodeKey}`, r.id);
  }
  const phones = [...new Set(wanted.flatMap((w) => (w.phone ? [w.phone] : [])))];
  for (const part of chunks(phones, LOOKUP_CHUNK)) {
    const rows = await db
      .select({ id: supporters.id, phoneKey: supporters.phoneKey })
      .from(supporters)
      .where(and(inJsonList(supporters.phoneKey, part), isNull(supporters.mergedIntoId)))
      .orderBy(asc(supporters.createdAt), asc(supporters.id));
    for (const r of rows) remember(byPhone, r.phoneKey, r.id);
  }
  return wanted.map(
    (w) =>
      (w.email ? byEmail.get(w.email) : undefined) ??
      (w.postcode && w.name ? byNamePostcode.get(`${w.name}\u0000${w.postcode}`) : undefined) ??
      (w.phone ? byPhone.get(w.phone) : undefined) ??
      null,
  );
}

const SUPPORTER_COLUMNS = [
  'id',
  'kind',
  'organisationType',
  'displayName',
  'firstName',
  'lastName',
  'email',
  'emailKey',
  'phone',
  'phoneKey',
  'postcode',
  'postcodeKey',
  'nameKey',
  'createdBy',
  'createdAt',
  'updatedAt',
] as const;

/** Inserts supporters, a few thousand a statement; answers their ids in order. Organisations get type `other`. */
export async function insertSupporters(
  db: Db,
  inputs: readonly NewSupporter[],
  createdBy: string | null,
): Promise<string[]> {
  const ids: string[] = [];
  const now = new Date();
  for (const part of chunks(inputs, INSERT_CHUNK)) {
    const values = part.map((input) => {
      const id = crypto.randomUUID();
      ids.push(id);
      return {
        id,
        kind: input.kind,
        organisationType: input.kind === 'organisation' ? 'other' : null,
        displayName: input.displayName,
        firstName: input.firstName ?? null,
        lastName: input.lastName ?? null,
        email: input.email ?? null,
        emailKey: keys.email(input.email),
        phone: input.phone ?? null,
        phoneKey: keys.phone(input.phone),
        postcode: input.postcode ?? null,
        postcodeKey: keys.postcode(input.postcode),
        nameKey: keys.name(input.displayName),
        createdBy,
        createdAt: now,
        updatedAt: now,
      };
    });
    await insertJsonRows(db, supporters, SUPPORTER_COLUMNS, values);
  }
  return ids;
}

/** Supporters among `ids` with any consent statement on the channel (given or withdrawn). */
export async function supportersWithConsentStatement(
  db: Db,
  ids: readonly string[],
  channel: ConsentChannel,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const part of chunks([...new Set(ids)], LOOKUP_CHUNK)) {
    const rows = await db
      .selectDistinct({ id: supporterConsents.supporterId })
      .from(supporterConsents)
      .where(
        and(inJsonList(supporterConsents.supporterId, part), inArray(supporterConsents.channel, [channel])),
      );
    for (const r of rows) out.add(r.id);
  }
  return out;
}

/** Records consent statements, many at a time (each one a new row, as `insertConsent` does). */
export async function insertConsents(
  db: Db,
  statements: readonly {
    supporterId: string;
    channel: ConsentChannel;
    granted: boolean;
    method: 'import';
    statedAt?: Date;
  }[],
  recordedBy: string | null,
): Promise<void> {
  const now = new Date();
  for (const part of chunks(statements, INSERT_CHUNK)) {
    await db.insert(supporterConsents).values(
      part.map((s) => ({
        id: crypto.randomUUID(),
        supporterId: s.supporterId,
        channel: s.channel,
        granted: s.granted,
        method: s.method,
        statedAt: s.statedAt ?? now,
        recordedBy,
        recordedAt: now,
      })),
    );
  }
}
