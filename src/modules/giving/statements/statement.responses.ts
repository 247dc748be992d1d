import { z } from 'zod';
import type { Wire } from '../../../platform/http/response-schema';
import { STATEMENT_ACTIONS } from '../reports/report.constants';

/*
 * What the statement routes answer as JSON (statement.routes.ts, from statement.service.ts), checked on the
 * way out. The PDFs are buffers sent as `application/pdf`, which the serializer never sees.
 */

const Count = z.number().int();

/** How far a year's statements have gone, and whether this caller may send the missing ones. */
export const StatementProgress = z.object({
  year: z.number().int(),
  donors: Count,
  withoutEmail: Count,
  sent: Count,
  missing: Count,
  allowedActions: z.array(z.enum(STATEMENT_ACTIONS)),
});

/** A send with a job queue: queued (202). */
export const StatementsQueued = z.object({
  year: z.number().int(),
  queued: z.literal(true),
  jobId: z.string(),
});

/** A send without one: done now (200), with the run's counts. */
export const StatementsSent = z.object({
  year: z.number().int(),
  queued: z.literal(false),
  run: z.object({
    year: z.number().int(),
    dryRun: z.boolean(),
    donors: Count,
    withoutEmail: Count,
    alreadySent: Count,
    sent: Count,
  }),
});

export type StatementProgress = Wire<typeof StatementProgress>;
export type StatementsQueued = Wire<typeof StatementsQueued>;
export type StatementsSent = Wire<typeof StatementsSent>;
