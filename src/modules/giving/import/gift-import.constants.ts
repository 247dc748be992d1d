/*
 * The import's vocabulary as plain constants: no Zod, no Node, so the Import page offers the very fields and
 * layouts the server maps (gift-import.layouts.ts, gift-import.routes.ts build on them).
 */

export const IMPORT_LAYOUTS = ['civicrm', 'npsp', 'custom'] as const;
export type ImportLayout = (typeof IMPORT_LAYOUTS)[number];

export const CONTACT_FIELDS = [
  'contactSourceId',
  'externalId',
  'contactKind',
  'firstName',
  'lastName',
  'organisationName',
  'email',
  'phone',
  'street',
  'city',
  'region',
  'postcode',
  'country',
  'emailOptOut',
  'emailConsent',
] as const;

export const GIFT_FIELDS = [
  'giftSourceId',
  'amount',
  'currency',
  'receivedOn',
  'fund',
  'paymentMethod',
  'transactionId',
  'checkNumber',
  'source',
  'campaign',
  'status',
  'feeAmount',
  'nonDeductibleAmount',
  'note',
  'donor',
] as const;

export type ContactField = (typeof CONTACT_FIELDS)[number];
export type GiftField = (typeof GIFT_FIELDS)[number];
/** A Passage field a column can be mapped to. */
export type ImportField = ContactField | GiftField;

/** Every Passage field, in the order the mapping picker lists them. */
export const IMPORT_FIELDS = [...CONTACT_FIELDS, ...GIFT_FIELDS] as const;

/** An import run's states (import_runs.status). */
export const RUN_STATUSES = ['checked', 'committing', 'committed', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The largest file the console takes (the command line has no limit but the 1,000,000-row one). */
export const IMPORT_MAX_CHARS = 50 * 1024 * 1024;

/** What the caller may do from the import runs' list (`allowedActions`): check and commit a file. */
export const IMPORT_LIST_ACTIONS = ['import'] as const;
