import { z } from 'zod';
import type { Wire } from '../../platform/http/response-schema';
import { ConsentStates } from '../people';
import { MonthlyGift } from './giving.responses';

/*
 * What the donor portal's routes answer (portal.routes.ts, from portal.service.ts and recurring.service.ts),
 * checked on the way out: a donor's own records and nothing else. The portal page imports the types.
 */

export const PortalMe = z.object({
  email: z.string(),
  donor: z.object({ displayName: z.string() }).nullable(),
});

export const MyGift = z.object({
  id: z.string(),
  amountMinor: z.number().int(),
  refundedMinor: z.number().int(),
  currency: z.string(),
  status: z.enum(['settled', 'refunded']),
  fundName: z.string().nullable(),
  monthly: z.boolean(),
  tribute: z.object({ kind: z.string(), name: z.string() }).nullable(),
  /** The day the money came (an offline gift's received date, else its settlement). */
  givenOn: z.string(),
  receipt: z.object({ number: z.string() }).nullable(),
});

export const MyGifts = z.object({ gifts: z.array(MyGift) });
export const MyMonthlyGifts = z.object({ monthlyGifts: z.array(MonthlyGift) });

/** Consent per channel, or null before the donor has a supporter record. */
export const MyPreferences = z.object({ recorded: z.boolean(), preferences: ConsentStates.nullable() });

export type PortalMe = Wire<typeof PortalMe>;
export type MyGift = Wire<typeof MyGift>;
export type MyMonthlyGift = Wire<typeof MonthlyGift>;
export type MyPreferences = Wire<typeof MyPreferences>;
export type ConsentState = NonNullable<MyPreferences['preferences']>['email'];
