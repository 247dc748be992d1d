/*
 * A leg's S4 fields (its places, its planned window, the coordinator's notes) sealed under the case's data
 * key, one field name per value, as travellers' fields are. What stays in the clear, and why, is in the
 * module's README ("What is sealed") and docs/SECURITY.md.
 */
import { asc, eq, inArray, isNotNull, or } from 'drizzle-orm';
import { DataKeyNotFoundError, KeyShreddedError, WrongKekError } from '../../platform/crypto/crypto.errors';
import type { KeyRing, OpenDataKey } from '../../platform/crypto/key-ring';
import type { Db } from '../../platform/db/client';
import { legs, rescueCases } from './rescue.table';
import { runAsSystem } from './rescue-access';

export type LegSealedField = 'from_place' | 'to_place' | 'planned_start' | 'planned_end' | 'notes';
export const legField = (legId: string, field: LegSealedField) => `leg:${legId}:${field}`;

/** A leg's sealed values in the clear. */
export interface LegPlain {
  fromPlace: string | null;
  toPlace: string | null;
  plannedStart: Date | null;
  plannedEnd: Date | null;
  notes: string | null;
}

type SealedColumns = Pick<
  typeof legs.$inferInsert,
  'fromPlaceEnc' | 'toPlaceEnc' | 'plannedStartEnc' | 'plannedEndEnc' | 'notesEnc'
>;

const COLUMN: Record<keyof LegPlain, { column: keyof SealedColumns; field: LegSealedField }> = {
  fromPlace: { column: 'fromPlaceEnc', field: 'from_place' },
  toPlace: { column: 'toPlaceEnc', field: 'to_place' },
  plannedStart: { column: 'plannedStartEnc', field: 'planned_start' },
  plannedEnd: { column: 'plannedEndEnc', field: 'planned_end' },
  notes: { column: 'notesEnc', field: 'notes' },
};

/**
 * The sealed columns for the given values: a key present with null clears its column, an absent key is left
 * alone (for updates).
 */
export function sealLeg(key: OpenDataKey, legId: string, plain: Partial<LegPlain>): SealedColumns {
  const out: SealedColumns = {};
  for (const name of Object.keys(COLUMN) as (keyof LegPlain)[]) {
    if (!(name in plain)) continue;
    const value = plain[name];
    const { column, field } = COLUMN[name];
    out[column] =
      value === null || value === undefined
        ? null
        : key.encrypt(legField(legId, field), value instanceof Date ? value.toISOString() : value);
  }
  return out;
}

type SealedRow = { id: string } & { [K in keyof SealedColumns]-?: string | null };

/** A leg's values in the clear; all null when the case's key is gone (shredded). */
export function openLeg(key: OpenDataKey | null, row: SealedRow): LegPlain {
  const text = (name: keyof LegPlain) => {
    const { column, field } = COLUMN[name];
    const sealed = row[column];
    return key && sealed ? key.decrypt(legField(row.id, field), sealed) : null;
  };
  const date = (name: keyof LegPlain) => {
    const value = text(name);
    return value ? new Date(value) : null;
  };
  return {
    fromPlace: text('fromPlace'),
    toPlace: text('toPlace'),
    plannedStart: date('plannedStart'),
    plannedEnd: date('plannedEnd'),
    notes: text('notes'),
  };
}

/** The case's data key, or null once it is shredded (its legs then read as nothing). */
export async function caseKeyOrNull(keys: KeyRing, db: Db, dataKeyId: string): Promise<OpenDataKey | null> {
  try {
    return await keys.openDataKey(db, dataKeyId);
  } catch (error) {
    if (error instanceof KeyShreddedError) return null;
    throw error;
  }
}

const hasPlaintext = or(
  isNotNull(legs.legacyFromPlace),
  isNotNull(legs.legacyToPlace),
  isNotNull(legs.legacyPlannedStart),
  isNotNull(legs.legacyPlannedEnd),
);

/**
 * Seals the legs written before their places were encrypted, with each case's key, and clears the plaintext
 * columns: idempotent, a slice of `slice` legs per transaction (as the system), until none is left. A leg of
 * a shredded case has its plaintext cleared without sealing: its case's S4 fields are gone, and so is its
 * route. Runs when the rescues module starts (and from its job), so a database copied before the upgrade is
 * converted on first start.
 */
export async function sealPlaintextLegs(root: Db, keys: KeyRing, slice = 200) {
  let sealed = 0;
  let cleared = 0;
  for (;;) {
    const done = await runAsSystem(root, async (tx) => {
      const rows = await tx
        .select({
          id: legs.id,
          dataKeyId: rescueCases.dataKeyId,
          fromPlace: legs.legacyFromPlace,
          toPlace: legs.legacyToPlace,
          plannedStart: legs.legacyPlannedStart,
          plannedEnd: legs.legacyPlannedEnd,
          fromPlaceEnc: legs.fromPlaceEnc,
          toPlaceEnc: legs.toPlaceEnc,
          plannedStartEnc: legs.plannedStartEnc,
          plannedEndEnc: legs.plannedEndEnc,
        })
        .from(legs)
        .innerJoin(rescueCases, eq(rescueCases.id, legs.caseId))
        .where(hasPlaintext)
        .orderBy(asc(legs.id))
        .limit(slice)
        .for('update', { of: legs, skipLocked: true });
      if (!rows.length) return true;
      const opened = new Map<string, OpenDataKey | null>();
      for (const row of rows) {
        if (!opened.has(row.dataKeyId))
          opened.set(row.dataKeyId, await caseKeyOrNull(keys, tx, row.dataKeyId));
        const key = opened.get(row.dataKeyId) ?? null;
        // A value already sealed wins over a stale plaintext one (never overwrite newer ciphertext).
        const plain: Partial<LegPlain> = {};
        if (row.fromPlace !== null && !row.fromPlaceEnc) plain.fromPlace = row.fromPlace;
        if (row.toPlace !== null && !row.toPlaceEnc) plain.toPlace = row.toPlace;
        if (row.plannedStart !== null && !row.plannedStartEnc) plain.plannedStart = row.plannedStart;
        if (row.plannedEnd !== null && !row.plannedEndEnc) plain.plannedEnd = row.plannedEnd;
        await tx
          .update(legs)
          .set({
            ...(key ? sealLeg(key, row.id, plain) : {}),
            legacyFromPlace: null,
            legacyToPlace: null,
            legacyPlannedStart: null,
            legacyPlannedEnd: null,
          })
          .where(eq(legs.id, row.id));
        if (key) sealed++;
        else cleared++;
      }
      return rows.length < slice;
    });
    if (done) return { sealed, cleared };
  }
}

/**
 * Legs of the given cases with their values in the clear, keyed by leg id, for a sweep over many cases (the
 * same crossing). A case whose key cannot be opened here (shredded, or wrapped by another key-encryption
 * key) reads as no place rather than stopping the sweep: marking a route compromised must not fail because
 * of one unrelated case. Reads of one case use `caseKeyOrNull`, which fails loudly on a wrong KEK.
 */
export async function openLegsOfCases(
  keys: KeyRing,
  db: Db,
  cases: { id: string; dataKeyId: string }[],
): Promise<Map<string, LegPlain & { caseId: string }>> {
  const out = new Map<string, LegPlain & { caseId: string }>();
  if (!cases.length) return out;
  const rows = await db
    .select({
      id: legs.id,
      caseId: legs.caseId,
      fromPlaceEnc: legs.fromPlaceEnc,
      toPlaceEnc: legs.toPlaceEnc,
      plannedStartEnc: legs.plannedStartEnc,
      plannedEndEnc: legs.plannedEndEnc,
      notesEnc: legs.notesEnc,
    })
    .from(legs)
    .where(
      inArray(
        legs.caseId,
        cases.map((c) => c.id),
      ),
    );
  const keyOf = new Map(cases.map((c) => [c.id, c.dataKeyId]));
  const opened = new Map<string, OpenDataKey | null>();
  for (const row of rows) {
    const dataKeyId = keyOf.get(row.caseId) ?? '';
    if (!opened.has(dataKeyId)) {
      opened.set(
        dataKeyId,
        await keys.openDataKey(db, dataKeyId).catch((error: unknown) => {
          if (
            error instanceof KeyShreddedError ||
            error instanceof WrongKekError ||
            error instanceof DataKeyNotFoundError
          )
            return null;
          throw error;
        }),
      );
    }
    out.set(row.id, { caseId: row.caseId, ...openLeg(opened.get(dataKeyId) ?? null, row) });
  }
  return out;
}
