import { z } from 'zod';
import {
  AGE_BANDS,
  ANSWERS,
  type CASE_STATUSES,
  CODE_NAME_PATTERN,
  CURRENCIES,
  DESTINATIONS,
  LEG_KINDS,
  SEXES,
  TRAVELLER_CATEGORIES,
  UNDER_18_AGE_BANDS,
} from './rescue.constants';

export * from './rescue.constants';

/** The case's life, and the only moves between states. Anything else is refused. */
export type CaseStatus = (typeof CASE_STATUSES)[number];

const INTERRUPTIONS: CaseStatus[] = ['paused', 'lost_contact', 'detained', 'withdrawn'];

export const TRANSITIONS: Record<CaseStatus, readonly CaseStatus[]> = {
  in_hiding: ['on_route', ...INTERRUPTIONS],
  on_route: ['in_safe_country', ...INTERRUPTIONS, 'repatriated'],
  in_safe_country: ['in_processing', ...INTERRUPTIONS, 'repatriated'],
  in_processing: ['arrived', ...INTERRUPTIONS, 'repatriated'],
  // Arrival and handover are recorded by their own commands (destination, client code).
  arrived: ['handed_over'],
  handed_over: ['closed'],
  closed: [],
  // From an interruption, the case resumes where it can: back into hiding or on route, or ends.
  paused: ['in_hiding', 'on_route', 'in_safe_country', 'in_processing', 'withdrawn'],
  lost_contact: [
    'in_hiding',
    'on_route',
    'in_safe_country',
    'in_processing',
    'detained',
    'repatriated',
    'withdrawn',
  ],
  detained: ['in_hiding', 'on_route', 'in_safe_country', 'in_processing', 'repatriated', 'withdrawn'],
  repatriated: ['closed'],
  withdrawn: ['closed'],
};

/** Statuses in which people are moving or waiting on the route: "on route now" on the dashboard. */
export const ACTIVE_STATUSES: readonly CaseStatus[] = [
  'in_hiding',
  'on_route',
  'in_safe_country',
  'in_processing',
];

/** The budget per person when none is given: US$2,500. */
export const DEFAULT_BUDGET_PER_PERSON_MINOR = 250_000;
export const DEFAULT_RETENTION_DAYS = 90;
/** A partner who confirmed a pick-up owes a check-in within this many hours. */
export const CHECK_IN_INTERVAL_HOURS = 24;
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** A coarse place: a province or a city, never coordinates. */
export const Place = z
  .string()
  .trim()
  .min(2, 'must name a province or city')
  .max(80, 'must be at most 80 characters')
  .refine(
    (v) => !/\d{1,3}\.\d{3,}/.test(v) && !/[°′″]/.test(v),
    'must be a province or city, never coordinates',
  );

const s4Text = (max: number) => z.string().trim().max(max, `must be at most ${max} characters`);

export const CaseCode = z.string().regex(CODE_NAME_PATTERN, 'must be a case code such as QUIET-HERON-27');

const YEARS = 'must be a whole number of years from 0 to 80, or "declined"';

export const TravellerInput = z
  .object({
    category: enumOf(TRAVELLER_CATEGORIES),
    sex: enumOf(SEXES),
    birthYear: z
      .number()
      .int()
      .min(1920, 'must be 1920 or later')
      .max(2100, 'must be a year')
      .nullable()
      .optional(),
    ageBand: enumOf(AGE_BANDS),
    travellingWithFamily: enumOf(ANSWERS),
    reunifyingWithFamily: enumOf(ANSWERS),
    reunifyWithCaseCode: CaseCode.nullable().optional(),
    traffickedInChina: enumOf(ANSWERS),
    /** Whole years in China, or 'declined'. */
    yearsInChina: z.union([z.number().int(YEARS).min(0, YEARS).max(80, YEARS), z.literal('declined')], {
      error: YEARS,
    }),
    healthNeeds: enumOf(ANSWERS),
    // S4 fields: encrypted before they are stored.
    name: s4Text(200).optional(),
    currentRegion: s4Text(120).optional(),
    familyInNorthKorea: s4Text(2000).optional(),
    contactMethod: s4Text(500).optional(),
    healthNotes: s4Text(2000).optional(),
  })
  .superRefine((t, ctx) => {
    if (t.reunifyWithCaseCode && t.reunifyingWithFamily !== 'yes') {
      ctx.addIssue({
        code: 'custom',
        path: ['reunifyWithCaseCode'],
        message: 'is only given when reunifyingWithFamily is yes',
      });
    }
    if (t.category === 'child_born_in_china' && !UNDER_18_AGE_BANDS.includes(t.ageBand)) {
      ctx.addIssue({
        code: 'custom',
        path: ['ageBand'],
        message: 'of a child born in China must be under 18',
      });
    }
    if (t.category === 'minor' && !UNDER_18_AGE_BANDS.includes(t.ageBand)) {
      ctx.addIssue({ code: 'custom', path: ['ageBand'], message: 'of a minor must be under 18' });
    }
  });
export type TravellerInput = z.infer<typeof TravellerInput>;

export const OpenCaseInput = z.object({
  compartmentId: z.string().min(1, 'is required').max(100),
  destination: enumOf(DESTINATIONS).nullable().optional(),
  budgetPerPersonMinor: z
    .number()
    .int()
    .positive('must be a positive whole number of minor units')
    .optional(),
  budgetCurrency: enumOf(CURRENCIES).optional(),
  retentionDays: z
    .number()
    .int()
    .min(7, 'must be 7 to 3650 days')
    .max(3650, 'must be 7 to 3650 days')
    .optional(),
  travellers: z
    .array(TravellerInput)
    .min(1, 'must list at least one traveller')
    .max(30, 'must be at most 30'),
  routeTemplateId: z.string().max(100).optional(),
  routeStart: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }).optional(),
});
export type OpenCaseInput = z.infer<typeof OpenCaseInput>;

export const LegInput = z.object({
  kind: enumOf(LEG_KINDS),
  fromPlace: Place,
  toPlace: Place,
  fieldPartnerId: z.string().max(100).nullable().optional(),
  plannedStart: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }).nullable().optional(),
  plannedEnd: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }).nullable().optional(),
  budgetMinor: z.number().int().min(0, 'must be zero or more minor units').optional(),
  currency: enumOf(CURRENCIES).optional(),
  /** The coordinator's notes on the leg (S4: sealed under the case's key). */
  notes: z.string().trim().max(2000, 'must be at most 2000 characters').nullable().optional(),
});
export type LegInput = z.infer<typeof LegInput>;

export const RouteTemplateLeg = z.object({
  kind: enumOf(LEG_KINDS),
  from: Place,
  to: Place,
  days: z.number().int().min(0).max(60),
  budgetMinor: z.number().int().min(0),
});
export type RouteTemplateLeg = z.infer<typeof RouteTemplateLeg>;
