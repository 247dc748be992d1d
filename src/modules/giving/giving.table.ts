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
    /** The monthly gift this charge belongs to. */
    recurringGiftId: text('recurring_gift_id'),
    /** The import that created it, and the source system's id prefixed by its layout (`civicrm:1234`, `npsp:a0X…`). */
    importRunId: text('import_run_id'),
    externalRef: text('external_ref'),
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
    index('gifts_recurring_idx').on(t.recurringGiftId),
    // Importing the same file twice cannot create the same gift twice.
    uniqueIndex('gifts_external_ref_idx').on(t.externalRef),
    index('gifts_settled_idx').on(t.status, t.settledAt),
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
    /** The campaign whose funded units these are: its donors get the de-identified updates. */
    campaignId: text('campaign_id'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('unit_allocations_case_idx').on(t.caseCode)],
);

/**
 * A monthly gift: the schedule a donor set up. Every month's charge is a `gifts` row of its own (pending,
 * then settled or failed) that points back here, so the ledger never learns about schedules.
 */
export const recurringGifts = pgTable(
  'recurring_gifts',
  {
    id: text('id').primaryKey(),
    supporterId: text('supporter_id').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    feeMinor: bigint('fee_minor', { mode: 'number' }).notNull().default(0),
    currency: char('currency', { length: 3 }).notNull(),
    fundId: text('fund_id').notNull(),
    campaignId: text('campaign_id'),
    /** sandbox | stripe */
    provider: text('provider').notNull(),
    /** The processor's subscription (Stripe) or the sandbox's saved test payment method: never card data. */
    providerRef: text('provider_ref'),
    /** pending (waiting for its first charge) | active | paused | cancelled | lapsed (retries exhausted) */
    status: text('status').notNull(),
    /** Day of the month it charges (1–28, so every month has it). */
    dayOfMonth: integer('day_of_month').notNull(),
    /** The next scheduled charge (or retry); null when paused, cancelled or lapsed. */
    nextChargeAt: timestamp('next_charge_at', { withTimezone: true }),
    /** Failed charges in a row; reset by a settled one. Drives the retries and the dunning emails. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }),
    tributeKind: text('tribute_kind'),
    tributeName: text('tribute_name'),
    anonymous: boolean('anonymous').notNull().default(false),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    /** donor | staff | dunning */
    cancelledBy: text('cancelled_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('recurring_gifts_supporter_idx').on(t.supporterId),
    index('recurring_gifts_due_idx').on(t.status, t.nextChargeAt),
    uniqueIndex('recurring_gifts_provider_ref_idx').on(t.provider, t.providerRef),
  ],
);

/**
 * A gift split across funds ("$100: $70 to rescues, $30 where most needed"). Absent for a gift to one fund
 * (`gifts.fund_id`). When present, the settlement writes one ledger entry per split, in one group, and the
 * splits add up to the gift's amount plus its covered fee.
 */
export const giftSplits = pgTable(
  'gift_splits',
  {
    id: text('id').primaryKey(),
    giftId: text('gift_id').notNull(),
    fundId: text('fund_id').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('gift_splits_gift_fund_idx').on(t.giftId, t.fundId)],
);

/**
 * A sponsor's pledge: `per_unit` pays `rate_minor` for every `per_units` of a metric (25 per 1 video view
 * = $0.25 a view) up to `cap_minor`; `matching` matches eligible gifts (to `campaign_id`, else `fund_id`)
 * settled between `starts_at` and `ends_at` at `match_ratio`:1, up to `cap_minor`.
 */
export const sponsorPledges = pgTable(
  'sponsor_pledges',
  {
    id: text('id').primaryKey(),
    /** The sponsor: a supporter (usually an organisation). */
    supporterId: text('supporter_id').notNull(),
    /** per_unit | matching */
    kind: text('kind').notNull(),
    name: text('name').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    fundId: text('fund_id').notNull(),
    campaignId: text('campaign_id'),
    /** per_unit: what is counted ("video views"). */
    metric: text('metric'),
    rateMinor: bigint('rate_minor', { mode: 'number' }),
    perUnits: integer('per_units'),
    /** matching: how many of the sponsor's minor units per minor unit given (1 = 1:1). */
    matchRatio: integer('match_ratio'),
    capMinor: bigint('cap_minor', { mode: 'number' }),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }),
    /** active | closed */
    status: text('status').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('sponsor_pledges_supporter_idx').on(t.supporterId)],
);

/** A reading of a per-unit pledge's metric (an increment: views since the last reading). */
export const pledgeReadings = pgTable(
  'pledge_readings',
  {
    id: text('id').primaryKey(),
    pledgeId: text('pledge_id').notNull(),
    readOn: timestamp('read_on', { withTimezone: true }).notNull(),
    value: bigint('value', { mode: 'number' }).notNull(),
    /** manual | import */
    source: text('source').notNull(),
    note: text('note'),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('pledge_readings_pledge_idx').on(t.pledgeId, t.readOn)],
);

/** What a sponsor was asked to pay for a period; paying it is an offline gift (`gift_id`). */
export const pledgeInvoices = pgTable(
  'pledge_invoices',
  {
    id: text('id').primaryKey(),
    pledgeId: text('pledge_id').notNull(),
    /** Human reference, e.g. INV-2026-000012. */
    number: text('number').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    /** issued | paid | void */
    status: text('status').notNull(),
    giftId: text('gift_id'),
    outboxId: text('outbox_id'),
    issuedBy: text('issued_by').notNull(),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('pledge_invoices_number_idx').on(t.number),
    index('pledge_invoices_pledge_idx').on(t.pledgeId),
  ],
);

/** One CSV import of contacts and gifts (CiviCRM or NPSP layout): its dry run, then its commit. */
export const importRuns = pgTable('import_runs', {
  id: text('id').primaryKey(),
  /** civicrm | npsp */
  layout: text('layout').notNull(),
  fileName: text('file_name').notNull(),
  /** SHA-256 of the file: a commit must be of the file that was dry-run. */
  fileSha256: text('file_sha256').notNull(),
  /** checked | committing | committed | failed */
  status: text('status').notNull(),
  skipBadRows: boolean('skip_bad_rows').notNull().default(false),
  totalRows: integer('total_rows').notNull(),
  goodRows: integer('good_rows').notNull(),
  badRows: integer('bad_rows').notNull(),
  giftsCreated: integer('gifts_created').notNull().default(0),
  supportersCreated: integer('supporters_created').notNull().default(0),
  /** Why a commit failed (no row data: it may hold names). */
  failure: text('failure'),
  /**
   * Rows a running commit has written, for the progress bar of every process (on PostgreSQL: written at most
   * once a second beside the commit's transaction, which holds the rows themselves until it ends).
   */
  rowsWritten: integer('rows_written').notNull().default(0),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/**
 * A de-identified update sent to a donor ("a rescue you helped fund reached safety this month"): once per
 * donor and month, sent a month late and without a case code, so it cannot date or name a crossing.
 */
export const donorUpdates = pgTable(
  'donor_updates',
  {
    id: text('id').primaryKey(),
    supporterId: text('supporter_id').notNull(),
    /** The month reported, e.g. 2026-10. */
    period: text('period').notNull(),
    rescues: integer('rescues').notNull(),
    outboxId: text('outbox_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('donor_updates_supporter_period_idx').on(t.supporterId, t.period)],
);

/** A year-end giving statement sent to a supporter, once per year (the PDF is rebuilt from the ledger). */
export const yearEndStatements = pgTable(
  'year_end_statements',
  {
    id: text('id').primaryKey(),
    supporterId: text('supporter_id').notNull(),
    year: integer('year').notNull(),
    /** One line per currency, e.g. {"USD":125000,"KRW":600000}. */
    totals: text('totals').notNull(),
    outboxId: text('outbox_id'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('year_end_statements_supporter_year_idx').on(t.supporterId, t.year)],
);
