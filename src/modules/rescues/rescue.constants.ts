/*
 * The rescues module's vocabulary as plain constants: no Zod, no Node, so the web pages import the very
 * same lists the server validates against (rescue.schema.ts builds its schemas from them).
 */

export const CODE_NAME_PATTERN = /^[A-Z]+-[A-Z]+-\d{2}$/;

/** The case's life. The moves between states are in rescue.schema.ts (TRANSITIONS). */
export const CASE_STATUSES = [
  'in_hiding',
  'on_route',
  'in_safe_country',
  'in_processing',
  'arrived',
  'handed_over',
  'closed',
  'paused',
  'lost_contact',
  'detained',
  'repatriated',
  'withdrawn',
] as const;
export const DESTINATIONS = ['south_korea', 'united_states'] as const;
export const TRAVELLER_CATEGORIES = ['adult', 'minor', 'child_born_in_china'] as const;
export const SEXES = ['female', 'male'] as const;
export const AGE_BANDS = ['under_5', '5_12', '13_17', '18_29', '30_44', '45_59', '60_plus'] as const;
export const ANSWERS = ['yes', 'no', 'declined'] as const;
export const LEG_KINDS = [
  'hiding_to_transit',
  'transit',
  'border_crossing',
  'safe_country',
  'handover',
  'processing',
  'flight',
  'other',
] as const;
export const LEG_STATUSES = ['planned', 'under_way', 'completed', 'delayed', 'compromised'] as const;
export type LegStatus = (typeof LEG_STATUSES)[number];
export const CHECK_IN_KINDS = ['pick_up', 'hand_off', 'check_in', 'delay', 'problem'] as const;
export const INCIDENT_KINDS = [
  'arrest',
  'detention',
  'illness',
  'broker_demand',
  'route_closed',
  'other',
] as const;
export const INCIDENT_SEVERITIES = ['low', 'high', 'critical'] as const;
export const INCIDENT_STATUSES = ['open', 'following_up', 'resolved'] as const;
export const COST_CATEGORIES = [
  'transport',
  'lodging',
  'food',
  'documents',
  'broker',
  'phone',
  'medical',
  'other',
] as const;
export const CURRENCIES = [
  'USD',
  'CNY',
  'KRW',
  'THB',
  'LAK',
  'VND',
  'KHR',
  'MNT',
  'EUR',
  'CAD',
  'GBP',
] as const;

/** Age bands of people under 18: minors and children born in China. */
export const UNDER_18_AGE_BANDS: readonly (typeof AGE_BANDS)[number][] = ['under_5', '5_12', '13_17'];

/** The actions of rescues (declared with their grants in rescue.policy.ts). */
export const RESCUE_ACTIONS = {
  list: 'rescue_case.list',
  read: 'rescue_case.read',
  readIntake: 'rescue_case.read_intake',
  readS4: 'rescue_case.read_s4',
  open: 'rescue_case.open',
  write: 'rescue_case.write',
  handover: 'rescue_case.handover',
  extendRetention: 'rescue_case.extend_retention',
  markCompromised: 'rescue_case.mark_compromised',
  partnerUpdate: 'rescue_leg.partner_update',
  dashboard: 'rescue_case.dashboard',
  clearPartnerFlag: 'field_partner.clear_flag',
} as const;

/** Why a security lead cleared a partner's compromised flag: categories, so nothing identifying is stored. */
export const PARTNER_FLAG_CLEAR_REASONS = ['marked_in_error', 'verified_safe', 'false_alarm'] as const;
export type PartnerFlagClearReason = (typeof PARTNER_FLAG_CLEAR_REASONS)[number];
