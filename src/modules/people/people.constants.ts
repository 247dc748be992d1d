/*
 * People's vocabulary as plain constants: no Zod, no Node, so the Supporters pages import the very lists
 * the server validates against (people.schema.ts builds its schemas from them).
 */

export const SUPPORTER_KINDS = ['individual', 'household', 'organisation'] as const;
export type SupporterKind = (typeof SUPPORTER_KINDS)[number];
export const ORGANISATION_TYPES = ['school', 'church', 'foundation', 'company', 'other'] as const;
export const CONSENT_CHANNELS = ['email', 'post', 'phone'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
export const CONSENT_METHODS = [
  'donate_form',
  'paper_form',
  'phone_call',
  'email_reply',
  'event',
  'import',
  'staff',
  /** The supporter themself, signed in to the donor portal (giving's portal.routes.ts). */
  'donor_portal',
] as const;
/** How a consent can be recorded by staff (the donate form, imports and the portal record their own). */
export const STAFF_CONSENT_METHODS = [
  'paper_form',
  'phone_call',
  'email_reply',
  'event',
  'staff',
] as const satisfies readonly (typeof CONSENT_METHODS)[number][];
/** A channel's consent now: its newest statement, or unknown when there is none. */
export const CONSENT_STATES = ['granted', 'withdrawn', 'unknown'] as const;
export const DUPLICATE_REASONS = ['same_email', 'same_name_and_postcode', 'same_phone'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];
