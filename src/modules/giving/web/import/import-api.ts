/*
 * The shapes the import routes answer with (import/gift-import.routes.ts, gift-import.service.ts). Nothing
 * here is stored in the browser: the file stays in memory while the page is open.
 */

export type ImportLayout = 'civicrm' | 'npsp' | 'custom';
export type RunStatus = 'checked' | 'committing' | 'committed' | 'failed';

/** The Passage fields a column can feed (gift-import.layouts.ts), in the order the picker lists them. */
export const IMPORT_FIELDS = [
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
export type ImportField = (typeof IMPORT_FIELDS)[number];

export interface ImportRun {
  id: string;
  layout: string;
  fileName: string;
  status: RunStatus;
  skipBadRows: boolean;
  totalRows: number;
  goodRows: number;
  badRows: number;
  giftsCreated: number;
  supportersCreated: number;
  failure: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportProblem {
  line: number;
  column: string;
  reason: string;
}

export interface ImportReport {
  run: ImportRun;
  layout: ImportLayout;
  headers: string[];
  mapping: Record<string, ImportField | null>;
  rowsRead: number;
  goodRows: number;
  badRows: number;
  errors: ImportProblem[];
  errorCount: number;
  complete: boolean;
  alreadyImported: number;
  pending: number;
  funds: { value: string; fund: string }[];
  campaigns: { value: string; campaign: string | null }[];
  defaultFund: string;
  problems: string[];
}

export interface CommitCounts {
  rows: number;
  giftsCreated: number;
  giftsSettled: number;
  giftsRefunded: number;
  giftsFailed: number;
  giftsAlreadyImported: number;
  giftsPendingSkipped: number;
  supportersCreated: number;
  supportersMatched: number;
  consentStatements: number;
}

export interface RunState {
  run: ImportRun;
  progress: { done: number; total: number } | null;
  counts: CommitCounts | null;
  held: boolean;
}

/** The console's ceiling (the command line takes larger files). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
