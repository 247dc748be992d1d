import { z } from 'zod';
import { Done, storedEnum, type Wire } from '../../platform/http/response-schema';
import { CONSENT_CHANNELS, CONSENT_STATES, DUPLICATE_REASONS, SUPPORTER_KINDS } from './people.constants';

/*
 * What the people routes answer (people.routes.ts, from people.service.ts and timeline.ts), checked on the
 * way out; keys in the order the services build them. The Supporters pages import the `z.input` types
 * below (type-only: no Zod in the bundle).
 */

export const Supporter = z.object({
  id: z.string(),
  kind: storedEnum(SUPPORTER_KINDS),
  organisationType: z.string().nullable(),
  displayName: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  postcode: z.string().nullable(),
  householdId: z.string().nullable(),
  createdAt: z.string(),
});

export const SupporterList = z.object({ supporters: z.array(Supporter) });

export const ConsentNow = z.object({
  status: z.enum(CONSENT_STATES),
  method: z.string().nullable(),
  statedAt: z.string().nullable(),
});

/** The current consent of each channel (email, post, phone). */
export const ConsentStates = z.object({ email: ConsentNow, post: ConsentNow, phone: ConsentNow });

export const SupporterDetail = Supporter.extend({
  tags: z.array(z.string()),
  notes: z.array(
    z.object({ id: z.string(), body: z.string(), createdBy: z.string().nullable(), createdAt: z.string() }),
  ),
  consent: ConsentStates,
  /** Every statement, newest recorded first: the first of a channel is its current consent. */
  consentHistory: z.array(
    z.object({
      id: z.string(),
      channel: storedEnum(CONSENT_CHANNELS),
      granted: z.boolean(),
      method: z.string(),
      statedAt: z.string(),
      recordedAt: z.string(),
    }),
  ),
});

export const DuplicatePairs = z.object({
  pairs: z.array(
    z.object({
      ids: z.tuple([z.string(), z.string()]),
      supporters: z.array(Supporter),
      reasons: z.array(z.enum(DUPLICATE_REASONS)),
    }),
  ),
});

/** One thing that happened (timeline.ts): `facts` are plain values the page words. */
export const TimelineEvent = z.object({
  at: z.string(),
  key: z.string(),
  source: z.string(),
  kind: z.string(),
  refId: z.string().nullable(),
  facts: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

export const TimelinePage = z.object({ events: z.array(TimelineEvent), nextCursor: z.string().nullable() });

/**
 * Each registered module's summary of the supporter, by the module's name (`giving`: giving's
 * `GivingSummary`). The shape of each is its module's own, so it passes as it is.
 */
export const SupporterSummaries = z.record(z.string(), z.unknown());

export const NoteAdded = z.object({ id: z.string() });
export const Merged = z.object({ survivorId: z.string(), mergedId: z.string() });
export { Done };

export type Supporter = Wire<typeof Supporter>;
export type SupporterList = Wire<typeof SupporterList>;
export type ConsentNow = Wire<typeof ConsentNow>;
export type SupporterDetail = Wire<typeof SupporterDetail>;
export type DuplicatePairs = Wire<typeof DuplicatePairs>;
export type DuplicatePair = DuplicatePairs['pairs'][number];
export type TimelineEvent = Wire<typeof TimelineEvent>;
export type TimelinePage = Wire<typeof TimelinePage>;
