import { sql } from 'drizzle-orm';
import type { LegInput, TravellerInput } from '../../src/modules/rescues/rescue.schema';
import { runAsSystem, runScoped } from '../../src/modules/rescues/rescue-access';
import { openRescueCase } from '../../src/modules/rescues/rescue-case.service';
import { addLeg } from '../../src/modules/rescues/route.service';
import type { AppContext } from '../../src/platform/http/context';
import { createTestCompartment } from '../harness/actors';
import { buildStaff } from './staff';

/*
 * Rescue cases for other modules' tests (Giving allocates units to a case by its code, and tells donors
 * when it reaches safety), opened through the rescues service as a coordinator of the case's compartment.
 * Travellers carry no identity here: other modules only ever see a case's code.
 */

/** One adult traveller with every required answer and no S4 field. */
export function buildTraveller(overrides: Partial<TravellerInput> = {}): TravellerInput {
  return {
    category: 'adult',
    sex: 'female',
    ageBand: '30_44',
    travellingWithFamily: 'no',
    reunifyingWithFamily: 'no',
    traffickedInChina: 'no',
    yearsInChina: 3,
    healthNeeds: 'no',
    ...overrides,
  };
}

/**
 * Opens a case in `compartmentId` (a new test compartment when none is given) with one traveller, and
 * answers its code and compartment.
 */
export async function buildRescueCase(
  ctx: Pick<AppContext, 'database' | 'keys' | 'mail'>,
  options: { compartmentId?: string; travellers?: TravellerInput[] } = {},
): Promise<{ code: string; compartmentId: string }> {
  const db = ctx.database.db;
  const compartmentId = options.compartmentId ?? (await createTestCompartment(db)).id;
  const subject = buildStaff('rescue_coordinator', { userId: 'coordinator', compartments: [compartmentId] });
  const { code } = await runScoped(db, { keys: ctx.keys, mail: ctx.mail, subject, requestId: null }, (rc) =>
    openRescueCase(rc, { compartmentId, travellers: options.travellers ?? [buildTraveller()] }),
  );
  return { code, compartmentId };
}

/**
 * Marks a case arrived at `at` (an ISO time) straight away, past the statuses between: for tests of what
 * follows an arrival, not of the way there (rescues' own tests walk that through its routes).
 */
export async function markRescueArrived(ctx: Pick<AppContext, 'database'>, code: string, at: string) {
  await runAsSystem(ctx.database.db, (tx) =>
    tx.execute(
      sql`update rescue_cases set status = 'arrived', arrived_at = ${at}::timestamptz where code = ${code}`,
    ),
  );
}

/** Adds a leg to a case through the rescues service, as a coordinator of its compartment; answers its id. */
export async function buildRescueLeg(
  ctx: Pick<AppContext, 'database' | 'keys' | 'mail'>,
  rescue: { code: string; compartmentId: string },
  leg: Partial<LegInput> = {},
): Promise<string> {
  const subject = buildStaff('rescue_coordinator', {
    userId: 'coordinator',
    compartments: [rescue.compartmentId],
  });
  const { id } = await runScoped(
    ctx.database.db,
    { keys: ctx.keys, mail: ctx.mail, subject, requestId: null },
    (rc) => addLeg(rc, rescue.code, { kind: 'transit', fromPlace: 'Jilin', toPlace: 'Kunming', ...leg }),
  );
  return id;
}
