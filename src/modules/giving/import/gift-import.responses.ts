import { z } from 'zod';
import type { Wire } from '../../../platform/http/response-schema';
import { IMPORT_FIELDS, IMPORT_LAYOUTS, IMPORT_LIST_ACTIONS, RUN_STATUSES } from './gift-import.constants';

/*
 * What the import routes answer (gift-import.routes.ts, from gift-import.service.ts), checked on the way
 * out; keys in the order the service builds them. The Import page imports the `z.input` types (type-only).
 */

const Count = z.number().int();

export const ImportRun = z.object({
  id: z.string(),
  layout: z.string(),
  fileName: z.string(),
  status: z.enum(RUN_STATUSES),
  skipBadRows: z.boolean(),
  totalRows: Count,
  goodRows: Count,
  badRows: Count,
  giftsCreated: Count,
  supportersCreated: Count,
  failure: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** One problem of a bad row: the line, the file's header of the cell (empty for the whole record), why. */
export const ImportProblem = z.object({ line: Count, column: z.string(), reason: z.string() });

/** The dry run: layout, mapping, every bad row (the first REPORTED_ERRORS of `errorCount`). */
export const ImportCheck = z.object({
  run: ImportRun,
  layout: z.enum(IMPORT_LAYOUTS),
  headers: z.array(z.string()),
  mapping: z.record(z.string(), z.enum(IMPORT_FIELDS).nullable()),
  rowsRead: Count,
  goodRows: Count,
  badRows: Count,
  errors: z.array(ImportProblem),
  complete: z.boolean(),
  alreadyImported: Count,
  pending: Count,
  funds: z.array(z.object({ value: z.string(), fund: z.string() })),
  campaigns: z.array(z.object({ value: z.string(), campaign: z.string().nullable() })),
  defaultFund: z.string(),
  problems: z.array(z.string()),
  errorCount: Count,
});

export const CommitCounts = z.object({
  rows: Count,
  giftsCreated: Count,
  giftsSettled: Count,
  giftsRefunded: Count,
  giftsFailed: Count,
  giftsAlreadyImported: Count,
  giftsPendingSkipped: Count,
  supportersCreated: Count,
  supportersMatched: Count,
  consentStatements: Count,
});

export const CommitStarted = z.object({ run: ImportRun });

export const RunState = z.object({
  run: ImportRun,
  progress: z.object({ done: Count, total: Count }).nullable(),
  counts: CommitCounts.nullable(),
  held: z.boolean(),
});

export const RunList = z.object({
  runs: z.array(ImportRun),
  allowedActions: z.array(z.enum(IMPORT_LIST_ACTIONS)),
});

export type ImportRun = Wire<typeof ImportRun>;
export type ImportProblem = Wire<typeof ImportProblem>;
export type ImportReport = Wire<typeof ImportCheck>;
export type CommitCounts = Wire<typeof CommitCounts>;
export type RunState = Wire<typeof RunState>;
export type RunList = Wire<typeof RunList>;
