import { z } from 'zod';
import { storedEnum, Timestamp, type Wire } from '../../platform/http/response-schema';
import {
  BATCH_ACTIONS,
  BATCH_STATUSES,
  CREDIT_KINDS,
  ENTRY_KINDS,
  GIFT_ACTIONS,
  GIFT_SOURCES,
  GIFT_STATUSES,
  GIVING_CURRENCIES,
  GOAL_KINDS,
  LIST_ACTIONS,
  MONTHLY_ACTIONS,
  RECURRING_STATUSES,
} from './giving.constants';

/*
 * What giving's routes answer (giving.routes.ts, giving-console.routes.ts, recurring.routes.ts), checked on
 * the way out: a field not named here is not sent. Keys are in the order the services build them, so the
 * JSON is the same as before the schemas. The web imports the `z.input` types below (type-only).
 */

const Id = z.string();
const Minor = z.number().int();

// ── funds and campaigns ─────────────────────────────────────────────────────────────────────────────

export const FundRow = z.object({
  id: Id,
  code: z.string(),
  name: z.string(),
  restricted: z.boolean(),
  description: z.string().nullable(),
  createdAt: Timestamp,
});

export const FundList = z.object({
  funds: z.array(
    FundRow.extend({
      // Imported gifts may be in any currency platform/money knows: balances are not limited to Giving's.
      balances: z.array(z.object({ currency: z.string(), balanceMinor: Minor })),
    }),
  ),
  allowedActions: z.array(z.enum(LIST_ACTIONS)),
});

export const CampaignRow = z.object({
  id: Id,
  code: z.string(),
  name: z.string(),
  goalKind: storedEnum(GOAL_KINDS),
  goalMinor: Minor.nullable(),
  currency: storedEnum(GIVING_CURRENCIES),
  goalUnits: z.number().int().nullable(),
  unitMinor: Minor.nullable(),
  fundId: Id,
  startsAt: Timestamp,
  endsAt: Timestamp.nullable(),
  createdAt: Timestamp,
});

/** A campaign's progress from the ledger: aggregates only (the public page and the widget read it too). */
export const CampaignProgress = z.object({
  code: z.string(),
  name: z.string(),
  goalKind: z.enum(GOAL_KINDS),
  currency: storedEnum(GIVING_CURRENCIES),
  raisedMinor: Minor,
  goalMinor: Minor.nullable(),
  goalUnits: z.number().int().nullable(),
  unitMinor: Minor.nullable(),
  unitsFunded: z.number().int().nullable(),
  otherCurrencies: z.array(z.object({ currency: z.string(), raisedMinor: Minor })),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
});

export const CampaignList = z.object({
  campaigns: z.array(CampaignProgress),
  allowedActions: z.array(z.enum(LIST_ACTIONS)),
});

// ── gifts ───────────────────────────────────────────────────────────────────────────────────────────

/** A gift as stored (gifts row). */
export const GiftRow = z.object({
  id: Id,
  supporterId: Id,
  amountMinor: Minor,
  feeMinor: Minor,
  currency: z.string(),
  fundId: Id,
  campaignId: Id.nullable(),
  status: storedEnum(GIFT_STATUSES),
  source: storedEnum(GIFT_SOURCES),
  method: z.string(),
  provider: z.string().nullable(),
  providerRef: z.string().nullable(),
  batchId: Id.nullable(),
  recurringGiftId: Id.nullable(),
  importRunId: Id.nullable(),
  externalRef: z.string().nullable(),
  tributeKind: z.string().nullable(),
  tributeName: z.string().nullable(),
  anonymous: z.boolean(),
  fairMarketValueMinor: Minor,
  refundedMinor: Minor,
  receivedOn: Timestamp.nullable(),
  settledAt: Timestamp.nullable(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

/** A gift with the names staff read it by, and what the caller may do with it. */
export const Gift = GiftRow.extend({
  supporterName: z.string().nullable(),
  fundCode: z.string().nullable(),
  fundName: z.string().nullable(),
  campaignCode: z.string().nullable(),
  campaignName: z.string().nullable(),
  allowedActions: z.array(z.enum(GIFT_ACTIONS)),
});

export const GiftList = z.object({ gifts: z.array(Gift) });

export const LedgerEntry = z.object({
  id: Id,
  groupId: Id,
  giftId: Id,
  fundId: Id,
  campaignId: Id.nullable(),
  kind: storedEnum(ENTRY_KINDS),
  amountMinor: Minor,
  currency: z.string(),
  createdBy: z.string().nullable(),
  createdAt: Timestamp,
});

export const Receipt = z.object({
  id: Id,
  giftId: Id,
  number: z.string(),
  amountMinor: Minor,
  currency: z.string(),
  outboxId: z.string().nullable(),
  issuedAt: Timestamp,
});

export const SoftCredit = z.object({
  id: Id,
  giftId: Id,
  creditKind: storedEnum(CREDIT_KINDS),
  creditRef: z.string(),
  createdAt: Timestamp,
  creditName: z.string().nullable(),
});

/** A split gift's designation over 2–5 funds (gift-splits.ts); empty for a gift to one fund. */
export const GiftSplit = z.object({
  fundId: Id,
  fundCode: z.string(),
  fundName: z.string(),
  amountMinor: Minor,
});

export const GiftDetail = z.object({
  gift: Gift,
  entries: z.array(LedgerEntry),
  receipt: Receipt.nullable(),
  softCredits: z.array(SoftCredit),
  splits: z.array(GiftSplit),
});

// ── batches and units ───────────────────────────────────────────────────────────────────────────────

export const BatchRow = z.object({
  id: Id,
  name: z.string(),
  currency: storedEnum(GIVING_CURRENCIES),
  controlTotalMinor: Minor,
  status: storedEnum(BATCH_STATUSES),
  createdBy: z.string(),
  postedBy: z.string().nullable(),
  postedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});

export const BatchSummary = z.object({
  id: Id,
  name: z.string(),
  currency: storedEnum(GIVING_CURRENCIES),
  controlTotalMinor: Minor,
  status: storedEnum(BATCH_STATUSES),
  createdAt: Timestamp,
  postedAt: Timestamp.nullable(),
  gifts: z.number().int(),
  enteredMinor: Minor,
  allowedActions: z.array(z.enum(BATCH_ACTIONS)),
});

export const BatchList = z.object({
  batches: z.array(BatchSummary),
  allowedActions: z.array(z.enum(LIST_ACTIONS)),
});

export const BatchDetail = z.object({
  batch: BatchRow,
  gifts: z.array(Gift),
  enteredMinor: Minor,
  allowedActions: z.array(z.enum(BATCH_ACTIONS)),
});

export const AllocationList = z.object({
  unitMinor: Minor,
  currency: z.string(),
  unitsAvailable: z.number().int(),
  allocations: z.array(
    z.object({
      id: Id,
      caseCode: z.string(),
      units: z.number().int(),
      campaignCode: z.string().nullable(),
      campaignName: z.string().nullable(),
      createdAt: Timestamp,
    }),
  ),
  allowedActions: z.array(z.enum(LIST_ACTIONS)),
});

export const AllocationResult = z.object({
  id: Id,
  caseCode: z.string(),
  units: z.number().int(),
  unitsLeft: z.number().int(),
});

export const LedgerCheck = z.object({
  ok: z.boolean(),
  problems: z.array(z.string()),
  counts: z.object({ gifts: z.number().int(), entries: z.number().int(), receipts: z.number().int() }),
});

// ── the public side ─────────────────────────────────────────────────────────────────────────────────

export const DonationStarted = z.object({
  giftId: Id,
  status: z.enum(['pending', 'settled', 'failed']),
  /** The processor's checkout page; null when the sandbox answered at once. */
  checkoutUrl: z.string().nullable(),
});

export const WebhookOutcome = z.object({ outcome: z.string() });

// ── monthly gifts ───────────────────────────────────────────────────────────────────────────────────

const monthlyFields = {
  id: Id,
  status: z.enum(RECURRING_STATUSES),
  amountMinor: Minor,
  feeMinor: Minor,
  currency: z.string(),
  fundName: z.string().nullable(),
  provider: z.string(),
  dayOfMonth: z.number().int(),
  nextChargeAt: z.string().nullable(),
  failedAttempts: z.number().int(),
  lastFailureAt: z.string().nullable(),
  pausedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  cancelledBy: z.string().nullable(),
  createdAt: z.string(),
  /** What may be done now (recurring.service.ts), kept for the donor portal's and older callers' sake. */
  can: z.object({
    pause: z.boolean(),
    resume: z.boolean(),
    cancel: z.boolean(),
    changeAmount: z.boolean(),
  }),
};

/** A monthly gift as presented (recurring.service.ts `presentRecurringGift`). */
export const MonthlyGift = z.object(monthlyFields);

export const StaffMonthlyGift = z.object({
  ...monthlyFields,
  supporterId: Id.nullable(),
  supporterName: z.string().nullable(),
  campaignCode: z.string().nullable(),
  campaignName: z.string().nullable(),
  allowedActions: z.array(z.enum(MONTHLY_ACTIONS)),
});

export const MonthlyGiftList = z.object({
  recurringGifts: z.array(StaffMonthlyGift),
  allowedActions: z.array(z.enum(MONTHLY_ACTIONS)),
});

// ── the types the web imports ───────────────────────────────────────────────────────────────────────

export type FundList = Wire<typeof FundList>;
export type Fund = FundList['funds'][number];
export type CampaignProgress = Wire<typeof CampaignProgress>;
export type CampaignList = Wire<typeof CampaignList>;
export type Gift = Wire<typeof Gift>;
export type GiftList = Wire<typeof GiftList>;
export type LedgerEntry = Wire<typeof LedgerEntry>;
export type GiftDetail = Wire<typeof GiftDetail>;
export type BatchSummary = Wire<typeof BatchSummary>;
export type BatchList = Wire<typeof BatchList>;
export type BatchDetail = Wire<typeof BatchDetail>;
export type Allocations = Wire<typeof AllocationList>;
export type AllocationResult = Wire<typeof AllocationResult>;
export type LedgerCheck = Wire<typeof LedgerCheck>;
export type DonationStarted = Wire<typeof DonationStarted>;
export type MonthlyGift = Wire<typeof MonthlyGift>;
export type StaffMonthlyGift = Wire<typeof StaffMonthlyGift>;
export type MonthlyGiftList = Wire<typeof MonthlyGiftList>;
