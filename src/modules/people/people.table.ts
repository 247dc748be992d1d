import { boolean, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/*
 * Supporters (S2): individuals, households and organisations who give, volunteer or hear from us. Never a
 * refugee, a traveller or a resettled client: those live in `rescues` and `support`, and no column here
 * points at them (SECURITY.md rule 10).
 */
export const supporters = pgTable(
  'supporters',
  {
    id: text('id').primaryKey(),
    /** individual | household | organisation */
    kind: text('kind').notNull(),
    /** For organisations: school | church | foundation | company | other. */
    organisationType: text('organisation_type'),
    displayName: text('display_name').notNull(),
    firstName: text('first_name'),
    lastName: text('last_name'),
    email: text('email'),
    /** Lower-cased, trimmed: what duplicate detection and search compare. */
    emailKey: text('email_key'),
    phone: text('phone'),
    /** Digits only (with the country code when given). */
    phoneKey: text('phone_key'),
    postcode: text('postcode'),
    /** Upper-cased without spaces. */
    postcodeKey: text('postcode_key'),
    /** Lower-cased name without punctuation or repeated spaces. */
    nameKey: text('name_key').notNull(),
    /** An individual's household, when they belong to one. */
    householdId: text('household_id'),
    /** Set when this record was merged into another: it stays for history, but is no longer listed. */
    mergedIntoId: text('merged_into_id'),
    mergedAt: timestamp('merged_at', { withTimezone: true }),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('supporters_email_key_idx').on(t.emailKey),
    index('supporters_phone_key_idx').on(t.phoneKey),
    index('supporters_name_postcode_idx').on(t.nameKey, t.postcodeKey),
    index('supporters_postcode_key_idx').on(t.postcodeKey),
  ],
);

/**
 * Communication consent, one row per statement, never updated: the current consent for a channel is the
 * newest row. Granting and revoking are both recorded with when and how.
 */
export const supporterConsents = pgTable(
  'supporter_consents',
  {
    id: text('id').primaryKey(),
    supporterId: text('supporter_id').notNull(),
    /** email | post | phone */
    channel: text('channel').notNull(),
    granted: boolean('granted').notNull(),
    /** How it was given or withdrawn: donate_form | paper_form | phone_call | email_reply | event | import | staff | donor_portal. */
    method: text('method').notNull(),
    /** When the person said so (may precede when it was recorded). */
    statedAt: timestamp('stated_at', { withTimezone: true }).notNull(),
    recordedBy: text('recorded_by'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('supporter_consents_supporter_idx').on(t.supporterId, t.channel, t.recordedAt)],
);

export const supporterTags = pgTable(
  'supporter_tags',
  {
    supporterId: text('supporter_id').notNull(),
    tag: text('tag').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.supporterId, t.tag] }), index('supporter_tags_tag_idx').on(t.tag)],
);

export const supporterNotes = pgTable(
  'supporter_notes',
  {
    id: text('id').primaryKey(),
    supporterId: text('supporter_id').notNull(),
    body: text('body').notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('supporter_notes_supporter_idx').on(t.supporterId, t.createdAt)],
);
