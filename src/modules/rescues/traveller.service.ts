// A case's travellers: who travels (category, sex, age band, family, China) and their S4 identity fields,
// each encrypted under the case's data key with a field name of its own.
import crypto from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { OpenDataKey } from '../../platform/crypto/key-ring';
import { AppError } from '../../platform/errors';
import { RESCUE_ACTIONS } from './rescue.policy';
import type { TravellerInput } from './rescue.schema';
import { travellers } from './rescue.table';
import { type CaseRow, caseForAction, type RescueContext } from './rescue-access';

const uuid = () => crypto.randomUUID();

/** The S4 fields of a traveller, each encrypted under the case's data key with its own field name. */
export const TRAVELLER_S4_FIELDS = [
  'name',
  'currentRegion',
  'familyInNorthKorea',
  'contactMethod',
  'healthNotes',
] as const;
type TravellerS4Field = (typeof TRAVELLER_S4_FIELDS)[number];
const S4_COLUMN: Record<TravellerS4Field, keyof typeof travellers.$inferInsert> = {
  name: 'nameEnc',
  currentRegion: 'currentRegionEnc',
  familyInNorthKorea: 'familyInNorthKoreaEnc',
  contactMethod: 'contactMethodEnc',
  healthNotes: 'healthNotesEnc',
};
export const travellerField = (travellerId: string, field: string) => `traveller:${travellerId}:${field}`;

/** A traveller's row with its S4 fields sealed under the case's data key (opening a case, adding one). */
export function travellerRow(
  caseRow: Pick<CaseRow, 'id' | 'compartmentId'>,
  position: number,
  t: TravellerInput,
  key: OpenDataKey,
) {
  const id = uuid();
  const row: typeof travellers.$inferInsert = {
    id,
    caseId: caseRow.id,
    compartmentId: caseRow.compartmentId,
    position,
    category: t.category,
    sex: t.sex,
    birthYear: t.birthYear ?? null,
    ageBand: t.ageBand,
    travellingWithFamily: t.travellingWithFamily,
    reunifyingWithFamily: t.reunifyingWithFamily,
    reunifyWithCaseCode: t.reunifyWithCaseCode ?? null,
    traffickedInChina: t.traffickedInChina,
    yearsInChina: t.yearsInChina === 'declined' ? null : t.yearsInChina,
    yearsInChinaDeclined: t.yearsInChina === 'declined',
    healthNeeds: t.healthNeeds,
  };
  for (const field of TRAVELLER_S4_FIELDS) {
    const value = t[field];
    if (value)
      (row as Record<string, unknown>)[S4_COLUMN[field]] = key.encrypt(travellerField(id, field), value);
  }
  return row;
}

export async function addTraveller(rc: RescueContext, code: string, input: TravellerInput) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  if (row.shreddedAt) throw AppError.conflict('This case has been shredded.');
  return rc.db.transaction(async (tx) => {
    const [max] = await tx
      .select({ n: sql<number>`coalesce(max(${travellers.position}), 0)::int` })
      .from(travellers)
      .where(eq(travellers.caseId, row.id));
    const key = await rc.keys.openDataKey(tx, row.dataKeyId);
    const position = (max?.n ?? 0) + 1;
    await tx.insert(travellers).values(travellerRow(row, position, input, key));
    return { position };
  });
}

/** Sets or clears S4 fields of one traveller. Values are encrypted; nothing of them is logged or audited. */
export async function updateTravellerIdentity(
  rc: RescueContext,
  code: string,
  position: number,
  fields: Partial<Record<TravellerS4Field, string | null>>,
) {
  const row = await caseForAction(rc, code, RESCUE_ACTIONS.write);
  if (row.shreddedAt) throw AppError.conflict('This case has been shredded.');
  const [t] = await rc.db
    .select({ id: travellers.id })
    .from(travellers)
    .where(and(eq(travellers.caseId, row.id), eq(travellers.position, position)));
  if (!t) throw AppError.notFound(`Traveller ${position} does not exist in this case.`);
  const key = await rc.keys.openDataKey(rc.db, row.dataKeyId);
  const set: Record<string, string | null> = {};
  for (const field of TRAVELLER_S4_FIELDS) {
    const value = fields[field];
    if (value === undefined) continue;
    set[S4_COLUMN[field]] =
      value === null || value === '' ? null : key.encrypt(travellerField(t.id, field), value);
  }
  if (Object.keys(set).length) {
    await rc.db
      .update(travellers)
      .set({ ...set, updatedAt: rc.now ?? new Date() })
      .where(eq(travellers.id, t.id));
  }
}
