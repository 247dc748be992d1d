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
 * The shapes the rescues routes answer with (rescue-case.service.ts, route.service.ts). Only codes,
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

export interface CaseSummary {
  code: string;
  status: CaseStatus;
  statusChangedAt: string;
  destination: Destination | null;
  flagged: boolean;
  openedAt: string;
  travellers: number;
  overdueLegs: number;
}

export interface CaseList {
  cases: CaseSummary[];
  nextAfter: string | null;
}

export interface Dashboard {
  byStatus: Partial<Record<CaseStatus, number>>;
  onRouteNow: number;
  overdueLegs: { code: string; legPosition: number; checkInDueAt: string | null }[];
  openIncidents: number;
  flaggedCases: number;
  openAlerts: number;
}

export interface Alert {
  id: string;
  kind: 'overdue_check_in' | 'partner_problem' | 'compromised' | string;
  raisedAt: string;
  code: string;
  legPosition: number | null;
}

export interface RouteTemplate {
  id: string;
  name: string;
  currency: string;
  legs: { kind: LegKind; from: string; to: string; days: number; budgetMinor: number }[];
}

export interface Traveller {
  position: number;
  category: TravellerCategory;
  sex: Sex;
  ageBand: AgeBand;
  birthYear: number | null;
  // Intake answers: absent for roles that do not plan rescues.
  travellingWithFamily?: Answer;
  reunifyingWithFamily?: Answer;
  reunifyWithCaseCode?: string | null;
  traffickedInChina?: Answer;
  yearsInChina?: number | 'declined' | null;
  healthNeeds?: Answer;
  hasIdentity: boolean;
  hasPhoto: boolean;
}

export interface Leg {
  id: string;
  position: number;
  kind: LegKind;
  /** The route (sealed on the server): absent for readers who do not plan the rescue; null once shredded. */
  fromPlace?: string | null;
  toPlace?: string | null;
  plannedStart?: string | null;
  plannedEnd?: string | null;
  notes?: string | null;
  fieldPartnerId: string | null;
  status: LegStatus;
  budgetMinor: number;
  currency: string;
  pickedUpAt: string | null;
  handedOffAt: string | null;
  checkInDueAt: string | null;
  overdue: boolean;
}

export interface Incident {
  id: string;
  legId: string | null;
  kind: IncidentKind;
  severity: IncidentSeverity;
  status: IncidentStatus;
  openedAt: string;
  resolvedAt: string | null;
}

export interface RescueCase {
  code: string;
  status: CaseStatus;
  statusChangedAt: string;
  nextStatuses: CaseStatus[];
  destination: Destination | null;
  flagged: boolean;
  flagReason: string | null;
  openedAt: string;
  arrivedAt: string | null;
  handedOverAt: string | null;
  closedAt: string | null;
  retention: { days: number; shredDueAt: string | null; shreddedAt: string | null; daysLeft: number | null };
  travellers: Traveller[];
  legs: Leg[];
  incidents: Incident[];
  costs: {
    budgetPerPersonMinor: number;
    budgetCurrency: string;
    budgetTotalMinor: number;
    spent: { currency: string; amountMinor: number }[];
    items: {
      id: string;
      legId: string | null;
      category: CostCategory;
      amountMinor: number;
      currency: string;
      spentOn: string;
    }[];
    fundedUnits: number;
    unitsNeeded: number;
  };
  timeline: {
    kind: string;
    fromStatus: CaseStatus | null;
    toStatus: CaseStatus | null;
    at: string;
    hasNote: boolean;
  }[];
  allowedActions: string[];
}

/** S4: held in component state while the panel is open, never in the query cache. */
export interface Revealed {
  code: string;
  travellers: {
    position: number;
    name: string | null;
    currentRegion: string | null;
    familyInNorthKorea: string | null;
    contactMethod: string | null;
    healthNotes: string | null;
    hasPhoto: boolean;
  }[];
  incidents: { id: string; description: string | null; notes: { at: string; note: string | null }[] }[];
  checkIns: { legId: string; kind: CheckInKind; at: string; note: string | null }[];
  timelineNotes: { kind: string; at: string; note: string | null }[];
}

export interface MyLeg {
  id: string;
  code: string;
  position: number;
  /** Null only when the case's key is gone. */
  fromPlace: string | null;
  toPlace: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  status: LegStatus;
  checkInDueAt: string | null;
  travellers: number;
}

export { RESCUE_ACTIONS as ACTIONS } from '../rescue.constants';

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
