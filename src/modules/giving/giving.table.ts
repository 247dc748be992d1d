import {
  bigint,
  boolean,
  char,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/*
 * Giving keeps money as a ledger (CONVENTIONS.md, "Money like a ledger"): `ledger_entries` is append-only;
 * a refund or a correction is a new, opposite entry in a group of its own; `fund_balances` is a running
 * total kept in the same transaction as each entry, which `passage giving check` compares with the sum of
 * the entries. A gift references a supporter by id; nothing here can point at a refugee (rule 10): rescue
 * cases are known by code and funded in units.
 */

export const funds = pgTable(
  'funds',
  {
    id: text('id').primaryKey(),
    /** Stable short name, e.g. `rescue-fund`, `most-needed`. */
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Restricted money may be spent only on the fund's purpose. */
    restricted: boolean('restricted').notNull(),
    description: text('description'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('funds_code_idx').on(t.code)],
);

export const fundBalances = pgTable(
  'fund_balances',
  {
    fundId: text('fund_id').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    balanceMinor: bigint('balance_minor', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.fundId, t.currency] })],
);

export const campaigns = pgTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** money | units */
    goalKind: text('goal_kind').notNull(),
    goalMinor: bigint('goal_minor', { mode: 'number' }),
    /** The currency of a money goal, and of the unit price of a unit goal. */
    currency: char('currency', { length: 3 }).notNull(),
    goalUnits: integer('goal_units'),
    /** The price of one unit (one person's rescue), default US$2,500. */
    unitMinor: bigint('unit_minor', { mode: 'number' }),
    /** Where gifts to the campaign go unless the donor says otherwise. */
    fundId: text('fund_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('campaigns_code_idx').on(t.code)],
);

export const giftBatches = pgTable('gift_batches', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  /** What the paper slips add up to; the batch posts only when its gifts sum to exactly this. */
  controlTotalMinor: bigint('control_total_minor', { mode: 'number' }).notNull(),
  /** open | posted */
  status: text('status').notNull(),
  createdBy: text('created_by').notNull(),
  postedBy: text('posted_by'),
  postedAt: timestamp('posted_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const gifts = pgTable(
  'gifts',
  {
    id: text('id').primaryKey(),
    supporterId: text('supporter_id').notNull(),
    /** What the donor gives, before a covered fee. */
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    /** The processing fee the donor chose to cover (added to what is charged and credited). */
    feeMinor: bigint('fee_minor', { mode: 'number' }).notNull().default(0),
    currency: char('currency', { length: 3 }).notNull(),
    fundId: text('fund_id').notNull(),
    campaignId: text('campaign_id'),
    /** pending | settled | failed | refunded */
    status: text('status').notNull(),
    /** online | offline */
    source: text('source').notNull(),
    /** card | cheque | wire | cash | daf | stock */
    method: text('method').notNull(),
    /** sandbox | stripe, for online gifts. */
    provider: text('provider'),
    /** The processor's reference (Checkout Session id): never card data. */
    providerRef: text('provider_ref'),
    batchId: text('batch_id'),
    /** in_honour | in_memory */
    tributeKind: text('tribute_kind'),
    tributeName: text('tribute_name'),
    /** Hide the donor's name on public pages. */
    anonymous: boolean('anonymous').notNull().default(false),
    /** Goods or services received in return (a gala dinner): for the quid-pro-quo disclosure. */
    fairMarketValueMinor: bigint('fair_market_value_minor', { mode: 'number' }).notNull().default(0),
    refundedMinor: bigint('refunded_minor', { mode: 'number' }).notNull().default(0),
    receivedOn: timestamp('received_on', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('gifts_supporter_idx').on(t.supporterId, t.createdAt),
    index('gifts_batch_idx').on(t.batchId),
    index('gifts_campaign_idx').on(t.campaignId),
    uniqueIndex('gifts_provider_ref_idx').on(t.provider, t.providerRef),
  ],
);

export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: text('id').primaryKey(),
    /** Entries of one operation (a settlement, a refund, a correction) share a group id. */
    groupId: text('group_id').notNull(),
    giftId: text('gift_id').notNull(),
    fundId: text('fund_id').notNull(),
    campaignId: text('campaign_id'),
    /** gift | refund | correction */
    kind: text('kind').notNull(),
    /** Positive credits the fund; a refund or reversal is negative. Never updated, never deleted. */
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('ledger_entries_gift_idx').on(t.giftId),
    index('ledger_entries_fund_idx').on(t.fundId, t.currency),
    index('ledger_entries_campaign_idx').on(t.campaignId, t.currency),
  ],
);

/** Every verified processor event, once: replays and duplicates stop at the unique index. */
export const providerEvents = pgTable(
  'provider_events',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    giftId: text('gift_id'),
    /** The processor's payment (Stripe's PaymentIntent id): finds the gift of a refund that names only it. */
    paymentRef: text('payment_ref'),
    /** settled | failed | refunded | ignored */
    kind: text('kind').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }),
    /** applied | deferred (a refund that arrived before its settlement) | ignored */
    state: text('state').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('provider_events_event_idx').on(t.provider, t.eventId),
    index('provider_events_gift_idx').on(t.giftId, t.state),
    index('provider_events_payment_idx').on(t.provider, t.paymentRef),
  ],
);

export const softCredits = pgTable(
  'soft_credits',
  {
    id: text('id').primaryKey(),
    giftId: text('gift_id').notNull(),
    /** fundraiser | team | solicitor */
    creditKind: text('credit_kind').notNull(),
    /** The credited supporter's, team's or page's id. */
    creditRef: text('credit_ref').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('soft_credits_gift_idx').on(t.giftId),
    index('soft_credits_ref_idx').on(t.creditKind, t.creditRef),
  ],
);

export const receipts = pgTable(
  'receipts',
  {
    id: text('id').primaryKey(),
    giftId: text('gift_id').notNull(),
    /** Human reference printed on the receipt, e.g. R-2026-000123. */
    number: text('number').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    outboxId: text('outbox_id'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('receipts_gift_idx').on(t.giftId), uniqueIndex('receipts_number_idx').on(t.number)],
);

/** Funded units given to rescue cases, by code only. */
export const unitAllocations = pgTable(
  'unit_allocations',
  {
    id: text('id').primaryKey(),
    caseCode: text('case_code').notNull(),
    units: integer('units').notNull(),
    fundId: text('fund_id').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('unit_allocations_case_idx').on(t.caseCode)],
);
