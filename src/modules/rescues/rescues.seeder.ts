import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { compartments } from '../../platform/access/compartment.table';
import type { Scale, Seeder } from '../../platform/seed/seed';
import { generateCodeName } from './code-name';
import { sealLeg } from './leg-seal';
import type { CaseStatus } from './rescue.schema';
import {
  caseCosts,
  caseEvents,
  fundingAllocations,
  legs,
  rescueCases,
  routeTemplates,
  travellers,
} from './rescue.table';
import { travellerField } from './traveller.service';

/*
 * Synthetic rescue cases shaped like the real work (shared/FACTS.md): about three women for every man,
 * a fifth minors, children born in China travelling with their mothers, 39% travelling with family, about
 * half of the women who answered trafficked or sold in China, US$2,500 a person, a route of ten legs.
 * Names are invented from Korean syllables and marked as demo data; nothing here is a real person.
 */
const SIZES: Record<Scale, number> = { small: 24, medium: 600, large: 10_000 };
const BATCH = 100;

const ROUTE = [
  { kind: 'hiding_to_transit', from: 'Jilin Province', to: 'Shenyang', days: 2, budgetMinor: 30_000 },
  { kind: 'transit', from: 'Shenyang', to: 'Beijing', days: 1, budgetMinor: 25_000 },
  { kind: 'transit', from: 'Beijing', to: 'Kunming', days: 3, budgetMinor: 40_000 },
  { kind: 'transit', from: 'Kunming', to: 'Xishuangbanna', days: 2, budgetMinor: 20_000 },
  {
    kind: 'border_crossing',
    from: 'Xishuangbanna',
    to: 'Luang Namtha Province',
    days: 1,
    budgetMinor: 45_000,
  },
  { kind: 'transit', from: 'Luang Namtha Province', to: 'Vientiane', days: 2, budgetMinor: 15_000 },
  { kind: 'border_crossing', from: 'Vientiane', to: 'Nong Khai Province', days: 1, budgetMinor: 20_000 },
  { kind: 'safe_country', from: 'Nong Khai Province', to: 'Bangkok', days: 2, budgetMinor: 15_000 },
  { kind: 'handover', from: 'Bangkok', to: 'Bangkok', days: 30, budgetMinor: 20_000 },
  { kind: 'flight', from: 'Bangkok', to: 'Seoul', days: 1, budgetMinor: 20_000 },
] as const;

const FAMILY = [
  '김',
  '이',
  '박',
  '최',
  '정',
  '강',
  '조',
  '윤',
  '장',
  '임',
  '한',
  '오',
  '서',
  '신',
  '권',
  '황',
];
const GIVEN = [
  '영',
  '민',
  '수',
  '희',
  '정',
  '은',
  '혜',
  '옥',
  '순',
  '철',
  '광',
  '성',
  '미',
  '향',
  '금',
  '련',
  '경',
  '진',
];
const REGIONS = [
  'Jilin Province',
  'Liaoning Province',
  'Heilongjiang Province',
  'Shandong Province',
  'Inner Mongolia',
];
const AGE_BANDS_ADULT = ['18_29', '30_44', '45_59', '60_plus'] as const;
const AGE_BANDS_CHILD = ['under_5', '5_12', '13_17'] as const;

/** A small deterministic generator, so the same scale gives the same shape every time. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;

function statusFor(r: () => number): CaseStatus {
  const x = r();
  if (x < 0.55) return 'closed';
  if (x < 0.65) return 'handed_over';
  if (x < 0.7) return 'arrived';
  if (x < 0.75) return 'in_processing';
  if (x < 0.8) return 'in_safe_country';
  if (x < 0.87) return 'on_route';
  if (x < 0.93) return 'in_hiding';
  if (x < 0.95) return 'paused';
  if (x < 0.97) return 'lost_contact';
  if (x < 0.985) return 'detained';
  return 'withdrawn';
}

/** How many legs are done for a case in a status. */
const LEGS_DONE: Partial<Record<CaseStatus, number>> = {
  in_hiding: 0,
  on_route: 4,
  in_safe_country: 8,
  in_processing: 9,
  arrived: 10,
  handed_over: 10,
  closed: 10,
};

export const rescuesSeeder: Seeder = {
  name: 'rescue cases',
  count: (scale) => SIZES[scale],
  async run({ db, keys }, scale, progress) {
    const r = rng(20_100_326);
    let [compartment] = await db.select().from(compartments).where(eq(compartments.code, 'RESCUE-DEMO'));
    if (!compartment) {
      [compartment] = await db
        .insert(compartments)
        .values({
          id: crypto.randomUUID(),
          code: 'RESCUE-DEMO',
          name: 'Demo rescues',
          purpose: 'Synthetic cases made by passage seed-demo',
          createdBy: 'seed-demo',
        })
        .returning();
    }
    if (!compartment) throw new Error('no demo compartment');
    const templateId = crypto.randomUUID();
    await db
      .insert(routeTemplates)
      .values({
        id: templateId,
        name: 'Northern China to Seoul via Laos and Thailand',
        currency: 'USD',
        legs: JSON.stringify(ROUTE),
      })
      .onConflictDoNothing();
    const total = SIZES[scale];
    const usedCodes = new Set(
      (
        await db.transaction(async (tx) => {
          await tx.execute(sql`select set_config('passage.scope', 'system', true)`);
          return tx.select({ code: rescueCases.code }).from(rescueCases);
        })
      ).map((c) => c.code),
    );
    const now = Date.now();
    for (let start = 0; start < total; start += BATCH) {
      await db.transaction(async (tx) => {
        // Seeding writes every compartment's rows: it acts as the system for row-level security.
        await tx.execute(sql`select set_config('passage.scope', 'system', true)`);
        const caseRows: (typeof rescueCases.$inferInsert)[] = [];
        const travellerRows: (typeof travellers.$inferInsert)[] = [];
        const legRows: (typeof legs.$inferInsert)[] = [];
        const costRows: (typeof caseCosts.$inferInsert)[] = [];
        const eventRows: (typeof caseEvents.$inferInsert)[] = [];
        const fundingRows: (typeof fundingAllocations.$inferInsert)[] = [];
        for (let i = start; i < Math.min(total, start + BATCH); i++) {
          let code = generateCodeName();
          while (usedCodes.has(code)) code = generateCodeName();
          usedCodes.add(code);
          const id = crypto.randomUUID();
          const status = statusFor(r);
          const openedAt = new Date(now - Math.floor(r() * 4 * 365) * 86_400_000 - 60 * 86_400_000);
          const dataKeyId = await keys.createDataKey(tx, 'rescue_case', id);
          const key = await keys.openDataKey(tx, dataKeyId);
          const handedOver = status === 'handed_over' || status === 'closed';
          caseRows.push({
            id,
            code,
            compartmentId: compartment.id,
            dataKeyId,
            status,
            statusChangedAt: new Date(openedAt.getTime() + 30 * 86_400_000),
            destination: r() < 0.93 ? 'south_korea' : 'united_states',
            routeTemplateId: templateId,
            budgetPerPersonMinor: 250_000,
            budgetCurrency: 'USD',
            openedBy: 'seed-demo',
            openedAt,
            arrivedAt:
              handedOver || status === 'arrived' ? new Date(openedAt.getTime() + 25 * 86_400_000) : null,
            handedOverAt: handedOver ? new Date(openedAt.getTime() + 40 * 86_400_000) : null,
            closedAt: status === 'closed' ? new Date(openedAt.getTime() + 60 * 86_400_000) : null,
            retentionDays: 90,
            shredDueAt: handedOver ? new Date(openedAt.getTime() + 130 * 86_400_000) : null,
          });
          // One to three people: a mother often travels with a child born in China.
          const people = r() < 0.62 ? 1 : r() < 0.75 ? 2 : 3;
          const mother = r() < 0.76;
          for (let p = 1; p <= people; p++) {
            const travellerId = crypto.randomUUID();
            const child = p > 1 && mother;
            const category = child
              ? r() < 0.6
                ? 'child_born_in_china'
                : 'minor'
              : r() < 0.08
                ? 'minor'
                : 'adult';
            const sex =
              p === 1 ? (mother ? 'female' : r() < 0.5 ? 'female' : 'male') : r() < 0.5 ? 'female' : 'male';
            const ageBand = category === 'adult' ? pick(r, AGE_BANDS_ADULT) : pick(r, AGE_BANDS_CHILD);
            const declined = r() < 0.12;
            const name = `${pick(r, FAMILY)}${pick(r, GIVEN)}${pick(r, GIVEN)} (demo)`;
            travellerRows.push({
              id: travellerId,
              caseId: id,
              compartmentId: compartment.id,
              position: p,
              category,
              sex,
              ageBand,
              travellingWithFamily: people > 1 ? 'yes' : r() < 0.1 ? 'declined' : 'no',
              reunifyingWithFamily: r() < 0.34 ? 'yes' : 'no',
              traffickedInChina:
                category !== 'adult' || sex !== 'female'
                  ? 'no'
                  : declined
                    ? 'declined'
                    : r() < 0.52
                      ? 'yes'
                      : 'no',
              yearsInChina: category === 'child_born_in_china' ? null : Math.floor(r() * 15),
              yearsInChinaDeclined: false,
              healthNeeds: r() < 0.2 ? 'yes' : 'no',
              nameEnc: key.encrypt(travellerField(travellerId, 'name'), name),
              currentRegionEnc: key.encrypt(travellerField(travellerId, 'currentRegion'), pick(r, REGIONS)),
            });
          }
          const done = LEGS_DONE[status] ?? Math.floor(r() * 6);
          ROUTE.forEach((leg, index) => {
            const plannedStart = new Date(openedAt.getTime() + index * 3 * 86_400_000);
            const legStatus =
              index < done
                ? 'completed'
                : index === done &&
                    done < ROUTE.length &&
                    !['paused', 'withdrawn'].includes(status) &&
                    status !== 'in_hiding'
                  ? 'under_way'
                  : 'planned';
            const legId = crypto.randomUUID();
            legRows.push({
              id: legId,
              caseId: id,
              compartmentId: compartment.id,
              position: index + 1,
              kind: leg.kind,
              ...sealLeg(key, legId, {
                fromPlace: leg.from,
                toPlace: leg.to,
                plannedStart,
                plannedEnd: new Date(plannedStart.getTime() + leg.days * 86_400_000),
              }),
              status: legStatus,
              budgetMinor: leg.budgetMinor * people,
              currency: 'USD',
              pickedUpAt: legStatus !== 'planned' ? plannedStart : null,
              handedOffAt:
                legStatus === 'completed' ? new Date(plannedStart.getTime() + leg.days * 86_400_000) : null,
              // A few journeys under way have missed their check-in: the dashboard shows them.
              checkInDueAt:
                legStatus === 'under_way' ? new Date(now + (r() < 0.15 ? -6 : 18) * 3_600_000) : null,
            });
            if (legStatus === 'completed') {
              costRows.push({
                id: crypto.randomUUID(),
                caseId: id,
                compartmentId: compartment.id,
                category: leg.kind === 'border_crossing' ? 'broker' : 'transport',
                amountMinor: Math.round((leg.budgetMinor * people * (80 + Math.floor(r() * 40))) / 100),
                currency: 'USD',
                spentOn: plannedStart,
                recordedBy: 'seed-demo',
              });
            }
          });
          eventRows.push({
            id: crypto.randomUUID(),
            caseId: id,
            compartmentId: compartment.id,
            kind: 'opened',
            toStatus: 'in_hiding',
            at: openedAt,
          });
          if (r() < 0.8) {
            fundingRows.push({
              id: crypto.randomUUID(),
              caseId: id,
              units: people,
              sourceRef: `seed-demo-${id}`,
            });
          }
        }
        await tx.insert(rescueCases).values(caseRows);
        await tx.insert(travellers).values(travellerRows);
        for (let k = 0; k < legRows.length; k += 500) await tx.insert(legs).values(legRows.slice(k, k + 500));
        if (costRows.length) {
          for (let k = 0; k < costRows.length; k += 500)
            await tx.insert(caseCosts).values(costRows.slice(k, k + 500));
        }
        await tx.insert(caseEvents).values(eventRows);
        if (fundingRows.length) await tx.insert(fundingAllocations).values(fundingRows);
      });
      progress(Math.min(total, start + BATCH));
    }
  },
};
