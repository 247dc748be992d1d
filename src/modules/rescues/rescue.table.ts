import {
  bigint,
  boolean,
  char,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/*
 * Rescue operations. Every row carries its case's compartment, so a query can filter by the caller's
 * compartments and row-level security can check the same. Columns ending in `_enc` hold AES-256-GCM
 * ciphertext under the case's data key (S4); everything else is de-identified by design: sex, age band,
 * coarse places (province or city, never coordinates), statuses, dates, money.
 */

export const rescueCases = pgTable(
  'rescue_cases',
  {
    id: text('id').primaryKey(),
    /** Generated code name, e.g. QUIET-HERON-27: derived from nothing about the people in the case. */
    code: text('code').notNull(),
    compartmentId: text('compartment_id').notNull(),
    dataKeyId: text('data_key_id').notNull(),
    status: text('status').notNull(),
    statusChangedAt: timestamp('status_changed_at', { withTimezone: true }).notNull().defaultNow(),
    /** Where the case is headed: south_korea | united_states. */
    destination: text('destination'),
    routeTemplateId: text('route_template_id'),
    /** The budget per person in minor units (default US$2,500). */
    budgetPerPersonMinor: bigint('budget_per_person_minor', { mode: 'number' }).notNull(),
    budgetCurrency: char('budget_currency', { length: 3 }).notNull(),
    /** Set when a leg or partner this case used was marked compromised. */
    flaggedAt: timestamp('flagged_at', { withTimezone: true }),
    flagReason: text('flag_reason'),
    openedBy: text('opened_by').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    arrivedAt: timestamp('arrived_at', { withTimezone: true }),
    handedOverAt: timestamp('handed_over_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    retentionDays: integer('retention_days').notNull(),
    /** When the S4 fields are shredded: handover + retention days (extended with a reason). */
    shredDueAt: timestamp('shred_due_at', { withTimezone: true }),
    shreddedAt: timestamp('shredded_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('rescue_cases_code_idx').on(t.code),
    index('rescue_cases_compartment_status_idx').on(t.compartmentId, t.status),
    index('rescue_cases_shred_due_idx').on(t.shredDueAt),
  ],
);

export const travellers = pgTable(
  'travellers',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    compartmentId: text('compartment_id').notNull(),
    /** Order within the case: 1, 2, … ("traveller 2 of QUIET-HERON-27"). */
    position: integer('position').notNull(),
    /** adult | minor | child_born_in_china */
    category: text('category').notNull(),
    /** female | male */
    sex: text('sex').notNull(),
    birthYear: integer('birth_year'),
    /** under_5 | 5_12 | 13_17 | 18_29 | 30_44 | 45_59 | 60_plus */
    ageBand: text('age_band').notNull(),
    // Intake answers: yes | no | declined. They feed the impact report's denominators.
    travellingWithFamily: text('travelling_with_family').notNull(),
    reunifyingWithFamily: text('reunifying_with_family').notNull(),
    /** The case code of family already out, when reunifying (a code, never a name). */
    reunifyWithCaseCode: text('reunify_with_case_code'),
    traffickedInChina: text('trafficked_in_china').notNull(),
    /** Whole years spent in China; null when declined. */
    yearsInChina: integer('years_in_china'),
    yearsInChinaDeclined: boolean('years_in_china_declined').notNull().default(false),
    healthNeeds: text('health_needs').notNull(),
    // S4, encrypted under the case's data key.
    nameEnc: text('name_enc'),
    currentRegionEnc: text('current_region_enc'),
    familyInNorthKoreaEnc: text('family_in_north_korea_enc'),
    contactMethodEnc: text('contact_method_enc'),
    healthNotesEnc: text('health_notes_enc'),
    photoEnc: text('photo_enc'),
    photoType: text('photo_type'),
    /** The resettlement client code made at handover: the only thing the support module learns. */
    clientCode: text('client_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('travellers_case_position_idx').on(t.caseId, t.position)],
);

export const routeTemplates = pgTable('route_templates', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** JSON list of legs: [{ kind, from, to, days, budgetMinor }]. Places are coarse. */
  legs: text('legs').notNull(),
  currency: char('currency', { length: 3 }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const legs = pgTable(
  'legs',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    compartmentId: text('compartment_id').notNull(),
    position: integer('position').notNull(),
    /** hiding_to_transit | transit | border_crossing | safe_country | handover | processing | flight | other */
    kind: text('kind').notNull(),
    /*
     * S4, sealed under the case's data key, one field name per value (`leg:<id>:<field>`, leg-seal.ts): the
     * places, the planned window (ISO text) and the coordinator's notes. A seized disk shows no route.
     */
    fromPlaceEnc: text('from_place_enc'),
    toPlaceEnc: text('to_place_enc'),
    plannedStartEnc: text('planned_start_enc'),
    plannedEndEnc: text('planned_end_enc'),
    notesEnc: text('notes_enc'),
    /*
     * The plaintext columns of old: always null. Rows written before the `legs_sealed` migration are sealed
     * and cleared by `sealPlaintextLegs` at start-up; a later release drops the columns once every
     * installation has run it. Nothing but that step reads them.
     */
    legacyFromPlace: text('from_place'),
    legacyToPlace: text('to_place'),
    legacyPlannedStart: timestamp('planned_start', { withTimezone: true }),
    legacyPlannedEnd: timestamp('planned_end', { withTimezone: true }),
    /** In the clear: the partner's page and the compromise sweep query by it (an account id, no place). */
    fieldPartnerId: text('field_partner_id'),
    /** planned | under_way | completed | delayed | compromised */
    status: text('status').notNull(),
    budgetMinor: bigint('budget_minor', { mode: 'number' }).notNull().default(0),
    currency: char('currency', { length: 3 }).notNull(),
    pickedUpAt: timestamp('picked_up_at', { withTimezone: true }),
    handedOffAt: timestamp('handed_off_at', { withTimezone: true }),
    /** The next check-in the partner owes; past it, the coordinator is alerted. */
    checkInDueAt: timestamp('check_in_due_at', { withTimezone: true }),
    compromisedAt: timestamp('compromised_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('legs_case_position_idx').on(t.caseId, t.position),
    index('legs_partner_idx').on(t.fieldPartnerId, t.status),
    index('legs_check_in_due_idx').on(t.checkInDueAt),
    index('legs_compartment_status_idx').on(t.compartmentId, t.status),
  ],
);

export const checkIns = pgTable(
  'check_ins',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    legId: text('leg_id')
      .notNull()
      .references(() => legs.id, { onDelete: 'cascade' }),
    compartmentId: text('compartment_id').notNull(),
    /** pick_up | hand_off | check_in | delay | problem */
    kind: text('kind').notNull(),
    noteEnc: text('note_enc'),
    byUserId: text('by_user_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('check_ins_case_idx').on(t.caseId, t.at)],
);

export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    legId: text('leg_id'),
    compartmentId: text('compartment_id').notNull(),
    /** arrest | detention | illness | broker_demand | route_closed | other */
    kind: text('kind').notNull(),
    /** low | high | critical */
    severity: text('severity').notNull(),
    /** open | following_up | resolved */
    status: text('status').notNull(),
    descriptionEnc: text('description_enc'),
    openedBy: text('opened_by').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    index('incidents_case_idx').on(t.caseId),
    index('incidents_compartment_status_idx').on(t.compartmentId, t.status),
  ],
);

export const incidentNotes = pgTable('incident_notes', {
  id: text('id').primaryKey(),
  incidentId: text('incident_id')
    .notNull()
    .references(() => incidents.id, { onDelete: 'cascade' }),
  compartmentId: text('compartment_id').notNull(),
  noteEnc: text('note_enc').notNull(),
  byUserId: text('by_user_id').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
});

export const caseCosts = pgTable(
  'case_costs',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    legId: text('leg_id'),
    compartmentId: text('compartment_id').notNull(),
    /** transport | lodging | food | documents | broker | phone | medical | other */
    category: text('category').notNull(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    spentOn: timestamp('spent_on', { withTimezone: true }).notNull(),
    recordedBy: text('recorded_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('case_costs_case_idx').on(t.caseId)],
);

/** The case's timeline: every status change, with who and when. */
export const caseEvents = pgTable(
  'case_events',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    compartmentId: text('compartment_id').notNull(),
    /** status_changed | leg_status | incident | flagged | retention_extended | shredded | funding */
    kind: text('kind').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    /** A short reason in the clear must not identify anyone; details go to noteEnc. */
    noteEnc: text('note_enc'),
    byUserId: text('by_user_id'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('case_events_case_idx').on(t.caseId, t.at)],
);

/** Funding units from Giving, by case code only: no donor, no gift id, just an opaque reference. */
export const fundingAllocations = pgTable(
  'funding_allocations',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    units: integer('units').notNull(),
    /** An opaque reference Giving chooses (e.g. its allocation id), unique so a retry cannot double count. */
    sourceRef: text('source_ref').notNull().unique(),
    allocatedAt: timestamp('allocated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('funding_allocations_case_idx').on(t.caseId)],
);

/** Alerts for the coordinators of a compartment, e.g. an overdue check-in. */
export const rescueAlerts = pgTable(
  'rescue_alerts',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id')
      .notNull()
      .references(() => rescueCases.id, { onDelete: 'cascade' }),
    legId: text('leg_id'),
    compartmentId: text('compartment_id').notNull(),
    /** overdue_check_in | partner_problem | compromised */
    kind: text('kind').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: text('acknowledged_by'),
  },
  (t) => [
    index('rescue_alerts_open_idx').on(t.compartmentId, t.acknowledgedAt),
    uniqueIndex('rescue_alerts_leg_kind_idx').on(t.legId, t.kind, t.raisedAt),
  ],
);

/**
 * A field partner marked compromised (the system flag): every case that used them is flagged, in every
 * compartment. A security lead may clear it with a reason (`cleared_at`); the flag is live while
 * `cleared_at` is null. Its history is `partner_flag_events` (and the audit log): never deleted.
 */
export const partnerFlags = pgTable('partner_flags', {
  userId: text('user_id').primaryKey(),
  compromisedAt: timestamp('compromised_at', { withTimezone: true }).notNull(),
  markedBy: text('marked_by').notNull(),
  clearedAt: timestamp('cleared_at', { withTimezone: true }),
  clearedBy: text('cleared_by'),
  /** A category from PARTNER_FLAG_CLEAR_REASONS, never free text (it would sit in the clear). */
  clearReason: text('clear_reason'),
});

/** Every raise and clear of a partner flag, append-only: who, when, and for a clear its reason category. */
export const partnerFlagEvents = pgTable(
  'partner_flag_events',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    /** raised | cleared */
    kind: text('kind').notNull(),
    byUserId: text('by_user_id').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('partner_flag_events_user_idx').on(t.userId, t.at)],
);

/**
 * What handover gives the resettlement module: a new client code per traveller and de-identified facts. No
 * case code, no name, no S4 field: resettlement staff cannot walk back to the rescue.
 */
export const resettlementHandovers = pgTable('resettlement_handovers', {
  clientCode: text('client_code').primaryKey(),
  category: text('category').notNull(),
  sex: text('sex').notNull(),
  ageBand: text('age_band').notNull(),
  destination: text('destination').notNull(),
  handedOverAt: timestamp('handed_over_at', { withTimezone: true }).notNull(),
  /** Set when the resettlement module has taken the client in. */
  claimedAt: timestamp('claimed_at', { withTimezone: true }),
});
