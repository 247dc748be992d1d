import type {
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
} from '../rescue.constants';

/*
 * The shapes the rescues routes answer with (rescue.responses.ts) and the lists they validate. Only codes,
 * statuses and coarse facts live in the query cache; identities never do (see case-identities.tsx).
 */

export type CaseStatus = (typeof CASE_STATUSES)[number];
export type Destination = (typeof DESTINATIONS)[number];
export type LegStatus = (typeof LEG_STATUSES)[number];
export type LegKind = (typeof LEG_KINDS)[number];
export type Answer = (typeof ANSWERS)[number];
export type CheckInKind = (typeof CHECK_IN_KINDS)[number];
export type IncidentKind = (typeof INCIDENT_KINDS)[number];
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type CostCategory = (typeof COST_CATEGORIES)[number];
export type TravellerCategory = (typeof TRAVELLER_CATEGORIES)[number];
export type Sex = (typeof SEXES)[number];
export type AgeBand = (typeof AGE_BANDS)[number];

export { RESCUE_ACTIONS as ACTIONS } from '../rescue.constants';
// The answers, as the routes' response schemas send them (rescue.responses.ts, type-only: no Zod here).
export type {
  Alert,
  CaseList,
  CaseSummary,
  Dashboard,
  Incident,
  Leg,
  MyLeg,
  RescueCase,
  Revealed,
  RouteTemplate,
  Traveller,
} from '../rescue.responses';

export const rescueKeys = {
  all: ['rescues'] as const,
  dashboard: ['rescues', 'dashboard'] as const,
  alerts: ['rescues', 'alerts'] as const,
  list: (status: string, flagged: boolean) => ['rescues', 'list', status, flagged] as const,
  templates: ['rescues', 'route-templates'] as const,
  compartments: ['me', 'compartments'] as const,
  case: (code: string) => ['rescues', 'case', code] as const,
  myLegs: ['field', 'legs'] as const,
};

export const casePath = (code: string) => `/api/rescues/${encodeURIComponent(code)}`;
/** Console links carry the code only (never a name): /console/rescues?case=QUIET-HERON-27 */
export const caseLink = (code: string) => `/console/rescues?case=${encodeURIComponent(code)}`;

/** ISO 4217 minor digits of a currency as the browser knows them (KRW 0, USD 2). */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}
/** "12.50" in USD -> 1250 minor units, by string arithmetic (never a float); null if not a plain amount. */
export function parseMinor(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const match = /^(\d{1,12})(?:\.(\d+))?$/.exec(text.trim().replaceAll(',', ''));
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return null;
  const value = Number(`${match[1]}${fraction.padEnd(digits, '0')}`);
  return value > 0 ? value : null;
}

// The same lists the server validates against, under the names the pages use.
export {
  AGE_BANDS as AGE_BAND_LIST,
  ANSWERS as ANSWER_LIST,
  CASE_STATUSES as CASE_STATUS_LIST,
  CHECK_IN_KINDS as CHECK_IN_LIST,
  COST_CATEGORIES as COST_CATEGORY_LIST,
  CURRENCIES as CURRENCY_LIST,
  DESTINATIONS as DESTINATION_LIST,
  INCIDENT_KINDS as INCIDENT_KIND_LIST,
  INCIDENT_SEVERITIES as SEVERITY_LIST,
  LEG_KINDS as LEG_KIND_LIST,
  SEXES as SEX_LIST,
  TRAVELLER_CATEGORIES as CATEGORY_LIST,
  UNDER_18_AGE_BANDS as UNDER_18,
} from '../rescue.constants';
