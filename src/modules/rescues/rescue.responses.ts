import { z } from 'zod';
import { storedEnum, type Wire } from '../../platform/http/response-schema';
import {
  AGE_BANDS,
  ANSWERS,
  CASE_STATUSES,
  CHECK_IN_KINDS,
  COST_CATEGORIES,
  DESTINATIONS,
  INCIDENT_KINDS,
  INCIDENT_SEVERITIES,
  INCIDENT_STATUSES,
  LEG_KINDS,
  LEG_STATUSES,
  SEXES,
  TRAVELLER_CATEGORIES,
} from './rescue.constants';

/*
 * What the rescues routes answer (rescue.routes.ts, from rescue-case.service.ts, route.service.ts and
 * incident-cost.service.ts), checked on the way out: a field not named here is never sent, which for S4
 * data is the point. Keys in the order the services build them. The pages import the `z.input` types.
 */

const Count = z.number().int();
const Minor = z.number().int();
const When = z.string();
const Status = storedEnum(CASE_STATUSES);
const Destination = storedEnum(DESTINATIONS).nullable();

export const CaseList = z.object({
  cases: z.array(
    z.object({
      code: z.string(),
      status: Status,
      statusChangedAt: When,
      destination: Destination,
      flagged: z.boolean(),
      openedAt: When,
      travellers: Count,
      overdueLegs: Count,
    }),
  ),
  nextAfter: z.string().nullable(),
});

export const CaseOpened = z.object({ code: z.string() });

export const Dashboard = z.object({
  byStatus: z.record(z.string(), Count),
  onRouteNow: Count,
  overdueLegs: z.array(
    z.object({ code: z.string(), legPosition: z.number().int(), checkInDueAt: When.nullable() }),
  ),
  openIncidents: Count,
  flaggedCases: Count,
  openAlerts: Count,
});

export const AlertList = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      raisedAt: When,
      code: z.string(),
      legPosition: z.number().int().nullable(),
    }),
  ),
});

export const RouteTemplateList = z.object({
  templates: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      currency: z.string(),
      legs: z.array(
        z.object({
          kind: z.enum(LEG_KINDS),
          from: z.string(),
          to: z.string(),
          days: z.number().int(),
          budgetMinor: Minor,
        }),
      ),
    }),
  ),
});

export const Created = z.object({ id: z.string() });

export const PartnerList = z.object({
  partners: z.array(
    z.object({ id: z.string(), name: z.string(), compartmentId: z.string(), compromised: z.boolean() }),
  ),
});

export const Flagged = z.object({ flaggedCases: Count });

/** A traveller on the case page: intake answers only for roles that plan rescues (absent otherwise). */
export const Traveller = z.object({
  position: z.number().int().optional(),
  category: storedEnum(TRAVELLER_CATEGORIES).optional(),
  sex: storedEnum(SEXES).optional(),
  ageBand: storedEnum(AGE_BANDS).optional(),
  birthYear: z.number().int().nullable().optional(),
  travellingWithFamily: storedEnum(ANSWERS).optional(),
  reunifyingWithFamily: storedEnum(ANSWERS).optional(),
  reunifyWithCaseCode: z.string().nullable().optional(),
  traffickedInChina: storedEnum(ANSWERS).optional(),
  yearsInChina: z
    .union([z.number().int(), z.literal('declined')])
    .nullable()
    .optional(),
  healthNeeds: storedEnum(ANSWERS).optional(),
  hasIdentity: z.boolean().optional(),
  hasPhoto: z.boolean().optional(),
  clientCode: z.string().nullable().optional(),
});

export const Leg = z.object({
  id: z.string(),
  position: z.number().int(),
  kind: storedEnum(LEG_KINDS),
  // The route, sealed on the server: absent for readers who do not plan the rescue; null once shredded.
  fromPlace: z.string().nullable().optional(),
  toPlace: z.string().nullable().optional(),
  plannedStart: When.nullable().optional(),
  plannedEnd: When.nullable().optional(),
  notes: z.string().nullable().optional(),
  fieldPartnerId: z.string().nullable(),
  status: storedEnum(LEG_STATUSES),
  budgetMinor: Minor,
  currency: z.string(),
  pickedUpAt: When.nullable(),
  handedOffAt: When.nullable(),
  checkInDueAt: When.nullable(),
  overdue: z.boolean(),
});

export const Incident = z.object({
  id: z.string(),
  legId: z.string().nullable(),
  kind: storedEnum(INCIDENT_KINDS),
  severity: storedEnum(INCIDENT_SEVERITIES),
  status: storedEnum(INCIDENT_STATUSES),
  openedAt: When,
  resolvedAt: When.nullable(),
});

export const RescueCase = z.object({
  code: z.string(),
  status: z.enum(CASE_STATUSES),
  statusChangedAt: When,
  nextStatuses: z.array(z.enum(CASE_STATUSES)),
  destination: Destination,
  flagged: z.boolean(),
  flagReason: z.string().nullable(),
  openedAt: When,
  arrivedAt: When.nullable(),
  handedOverAt: When.nullable(),
  closedAt: When.nullable(),
  retention: z.object({
    days: z.number().int(),
    shredDueAt: When.nullable(),
    shreddedAt: When.nullable(),
    daysLeft: z.number().int().nullable(),
  }),
  travellers: z.array(Traveller),
  legs: z.array(Leg),
  incidents: z.array(Incident),
  costs: z.object({
    budgetPerPersonMinor: Minor,
    budgetCurrency: z.string(),
    budgetTotalMinor: Minor,
    spent: z.array(z.object({ currency: z.string(), amountMinor: Minor })),
    items: z.array(
      z.object({
        id: z.string(),
        legId: z.string().nullable(),
        category: storedEnum(COST_CATEGORIES),
        amountMinor: Minor,
        currency: z.string(),
        spentOn: When,
      }),
    ),
    fundedUnits: Count,
    unitsNeeded: Count,
  }),
  timeline: z.array(
    z.object({
      kind: z.string(),
      fromStatus: storedEnum(CASE_STATUSES).nullable(),
      toStatus: storedEnum(CASE_STATUSES).nullable(),
      at: When,
      hasNote: z.boolean(),
    }),
  ),
  /** What the caller may do here, step-up aside (rescue.policy.ts). */
  allowedActions: z.array(z.string()),
});

/** S4: identities and free-text notes (step-up, audited). */
export const Revealed = z.object({
  code: z.string(),
  travellers: z.array(
    z.object({
      position: z.number().int(),
      name: z.string().nullable(),
      currentRegion: z.string().nullable(),
      familyInNorthKorea: z.string().nullable(),
      contactMethod: z.string().nullable(),
      healthNotes: z.string().nullable(),
      hasPhoto: z.boolean(),
    }),
  ),
  incidents: z.array(
    z.object({
      id: z.string(),
      description: z.string().nullable(),
      notes: z.array(z.object({ at: When, note: z.string().nullable() })),
    }),
  ),
  checkIns: z.array(
    z.object({ legId: z.string(), kind: storedEnum(CHECK_IN_KINDS), at: When, note: z.string().nullable() }),
  ),
  timelineNotes: z.array(z.object({ kind: z.string(), at: When, note: z.string().nullable() })),
});

export const TravellerAdded = z.object({ position: z.number().int() });
export const HandedOver = z.object({ clientCodes: z.array(z.string()), shredDueAt: When });
export const RetentionExtended = z.object({ shredDueAt: When });
export const LegAdded = z.object({ id: z.string(), position: z.number().int() });

export const MyLegs = z.object({
  legs: z.array(
    z.object({
      id: z.string(),
      code: z.string(),
      position: z.number().int(),
      fromPlace: z.string().nullable(),
      toPlace: z.string().nullable(),
      plannedStart: When.nullable(),
      plannedEnd: When.nullable(),
      status: storedEnum(LEG_STATUSES),
      checkInDueAt: When.nullable(),
      pickedUpAt: When.nullable(),
      travellers: Count,
    }),
  ),
});

export const LegReported = z.object({ status: z.enum(LEG_STATUSES), checkInDueAt: When.nullable() });

export type CaseList = Wire<typeof CaseList>;
export type CaseSummary = CaseList['cases'][number];
export type Dashboard = Wire<typeof Dashboard>;
export type Alert = Wire<typeof AlertList>['alerts'][number];
export type RouteTemplate = Wire<typeof RouteTemplateList>['templates'][number];
export type Partner = Wire<typeof PartnerList>['partners'][number];
/**
 * A traveller as the page reads it: the service presents it field by field (platform/access `present`,
 * so its type has every field optional), but the fields without a rule (position, category, sex, age band,
 * birth year, hasIdentity, hasPhoto, clientCode) are always there; only the intake answers may be absent.
 */
export type Traveller = Wire<typeof Traveller> &
  Required<
    Pick<
      Wire<typeof Traveller>,
      'position' | 'category' | 'sex' | 'ageBand' | 'birthYear' | 'hasIdentity' | 'hasPhoto' | 'clientCode'
    >
  >;
export type Leg = Wire<typeof Leg>;
export type Incident = Wire<typeof Incident>;
export type RescueCase = Omit<Wire<typeof RescueCase>, 'travellers'> & { travellers: Traveller[] };
export type Revealed = Wire<typeof Revealed>;
export type MyLeg = Wire<typeof MyLegs>['legs'][number];
