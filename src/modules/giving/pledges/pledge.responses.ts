import { z } from 'zod';
import { ErrorBody, type Wire } from '../../../platform/http/response-schema';
import { GIVING_CURRENCIES } from '../giving.constants';
import {
  INVOICE_ACTIONS,
  INVOICE_STATUSES,
  PLEDGE_ITEM_ACTIONS,
  PLEDGE_KINDS,
  PLEDGE_LIST_ACTIONS,
  READING_SOURCES,
} from './pledge.constants';

/*
 * What the pledge routes answer (pledge.routes.ts, from pledge.service.ts), checked on the way out; keys in
 * the order the service builds them. The Pledges page imports the `z.input` types below (type-only).
 */

const Minor = z.number().int();
const Designation = z.object({ code: z.string(), name: z.string() }).nullable();

export const PledgeCount = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('per_unit'),
    units: z.number().int(),
    metric: z.string(),
    rateMinor: Minor,
    perUnits: z.number().int(),
  }),
  z.object({ kind: z.literal('matching'), eligibleMinor: Minor, ratio: z.number().int() }),
]);

export const Pledge = z.object({
  id: z.string(),
  kind: z.enum(PLEDGE_KINDS),
  name: z.string(),
  status: z.string(),
  sponsor: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
  currency: z.enum(GIVING_CURRENCIES),
  fund: Designation,
  campaign: Designation,
  metric: z.string().nullable(),
  rateMinor: Minor.nullable(),
  perUnits: z.number().int().nullable(),
  matchRatio: z.number().int().nullable(),
  capMinor: Minor.nullable(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  createdAt: z.string(),
  counted: PledgeCount,
  computedMinor: Minor,
  raisedMinor: Minor,
  capReached: z.boolean(),
  invoicedMinor: Minor,
  paidMinor: Minor,
  dueMinor: Minor,
  allowedActions: z.array(z.enum(PLEDGE_ITEM_ACTIONS)),
});

export const PledgeList = z.object({
  pledges: z.array(Pledge),
  allowedActions: z.array(z.enum(PLEDGE_LIST_ACTIONS)),
});

export const Invoice = z.object({
  id: z.string(),
  number: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  amountMinor: Minor,
  currency: z.enum(GIVING_CURRENCIES),
  status: z.enum(INVOICE_STATUSES),
  giftId: z.string().nullable(),
  emailed: z.boolean(),
  issuedAt: z.string(),
  allowedActions: z.array(z.enum(INVOICE_ACTIONS)),
});

export const PledgeDetail = z.object({
  pledge: Pledge,
  readings: z.array(
    z.object({
      id: z.string(),
      readOn: z.string(),
      value: z.number().int(),
      source: z.enum(READING_SOURCES),
      note: z.string().nullable(),
    }),
  ),
  invoices: z.array(Invoice),
  nextPeriodStart: z.string(),
});

export const ReadingsImported = z.object({ imported: z.number().int(), units: z.number().int() });

/** A refused readings file: every bad line by line and column (`problems`), and the API's `issues`. */
export const ReadingsRefused = z.object({
  error: z.string(),
  message: z.string(),
  problems: z
    .array(
      z.object({
        line: z.number().int(),
        column: z.enum(['date', 'value', 'note']).nullable(),
        reason: z.string(),
      }),
    )
    .optional(),
  issues: ErrorBody.shape.issues,
});
export type CsvProblem = NonNullable<Wire<typeof ReadingsRefused>['problems']>[number];

export type PledgeCount = Wire<typeof PledgeCount>;
export type Pledge = Wire<typeof Pledge>;
export type PledgeList = Wire<typeof PledgeList>;
export type Invoice = Wire<typeof Invoice>;
export type PledgeDetail = Wire<typeof PledgeDetail>;
