/*
 * The shapes the people routes answer with (people.service.ts, timeline.ts) and the lists the server
 * validates against, copied here so the pages do not pull zod into the browser (supporters-api.test.ts
 * checks they match people.schema.ts).
 */

export const SUPPORTER_KIND_LIST = ['individual', 'household', 'organisation'] as const;
export const ORGANISATION_TYPE_LIST = ['school', 'church', 'foundation', 'company', 'other'] as const;
export const CONSENT_CHANNEL_LIST = ['email', 'post', 'phone'] as const;
/** How a consent can be recorded by staff (the donate form and the portal record their own). */
export const STAFF_CONSENT_METHODS = ['paper_form', 'phone_call', 'email_reply', 'event', 'staff'] as const;

export type SupporterKind = (typeof SUPPORTER_KIND_LIST)[number];
export type ConsentChannel = (typeof CONSENT_CHANNEL_LIST)[number];
export type DuplicateReason = 'same_email' | 'same_name_and_postcode' | 'same_phone';

export interface Supporter {
  id: string;
  kind: SupporterKind;
  organisationType: string | null;
  displayName: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  postcode: string | null;
  householdId: string | null;
  createdAt: string;
}

export interface ConsentNow {
  status: 'granted' | 'withdrawn' | 'unknown';
  method: string | null;
  statedAt: string | null;
}

export interface SupporterDetail extends Supporter {
  tags: string[];
  notes: { id: string; body: string; createdBy: string | null; createdAt: string }[];
  consent: Record<ConsentChannel, ConsentNow>;
  consentHistory: {
    id: string;
    channel: ConsentChannel;
    granted: boolean;
    method: string;
    statedAt: string;
    recordedAt: string;
  }[];
}

export interface DuplicatePair {
  ids: [string, string];
  reasons: DuplicateReason[];
  supporters: Supporter[];
}

export interface TimelineEvent {
  at: string;
  key: string;
  source: string;
  kind: string;
  refId: string | null;
  facts: Record<string, string | number | boolean | null>;
}

export interface TimelinePage {
  events: TimelineEvent[];
  nextCursor: string | null;
}

/** Giving's summary of a supporter (src/modules/giving/timeline.ts, `GivingSummary`). */
export interface GivingSummary {
  totals: { currency: string; givenMinor: number; refundedMinor: number; keptMinor: number }[];
  settledGifts: number;
  firstGiftAt: string | null;
  lastGiftAt: string | null;
  monthly: {
    id: string;
    status: string;
    amountMinor: number;
    currency: string;
    dayOfMonth: number;
    nextChargeAt: string | null;
  }[];
  recent: {
    id: string;
    status: string;
    amountMinor: number;
    refundedMinor: number;
    currency: string;
    fund: string;
    method: string;
    at: string;
  }[];
}

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
