/*
 * The shapes the people routes answer with (people.responses.ts, imported as types only: no Zod in the
 * bundle) and the lists the server validates against (people.constants.ts, the very same arrays).
 */

/** Giving's summary of a supporter (`GET /api/people/:id/summary` answers it as `giving`). */
export type { GivingSummary } from '../../giving/giving.constants';
export {
  CONSENT_CHANNELS as CONSENT_CHANNEL_LIST,
  type ConsentChannel,
  type DuplicateReason,
  ORGANISATION_TYPES as ORGANISATION_TYPE_LIST,
  STAFF_CONSENT_METHODS,
  SUPPORTER_KINDS as SUPPORTER_KIND_LIST,
  type SupporterKind,
} from '../people.constants';
export type {
  ConsentNow,
  DuplicatePair,
  Supporter,
  SupporterDetail,
  TimelineEvent,
  TimelinePage,
} from '../people.responses';

export const BASE = '/console/supporters';
export const supporterLink = (id: string) => `${BASE}/${encodeURIComponent(id)}`;
/** The giving console's gift page (src/modules/giving/web/console). */
export const giftLink = (id: string) => `/console/giving/gifts/${encodeURIComponent(id)}`;
export const supporterPath = (id: string) => `/api/people/${encodeURIComponent(id)}`;

export const supporterKeys = {
  all: ['supporters'] as const,
  search: (q: string, tag: string) => ['supporters', 'search', q, tag] as const,
  one: (id: string) => ['supporters', 'one', id] as const,
  timeline: (id: string) => ['supporters', 'timeline', id] as const,
  summary: (id: string) => ['supporters', 'summary', id] as const,
  duplicates: (supporterId: string) => ['supporters', 'duplicates', supporterId] as const,
};
