import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from '../auth/auth.table';

/**
 * A need-to-know compartment: a named group of records (a set of rescue cases, a confidential "Labs"
 * project) that only its members may see. Membership is explicit; no role implies it.
 */
export const compartments = pgTable('compartments', {
  id: text('id').primaryKey(),
  /** Short public handle used in URLs and the audit log, e.g. `CMP-ORCHID`. Never a person's name. */
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  purpose: text('purpose').notNull().default(''),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  archivedAt: timestamp('archived_at', { withTimezone: true }),
});

/** Current members only: revoking deletes the row (the audit log keeps the history). */
export const compartmentMembers = pgTable(
  'compartment_members',
  {
    compartmentId: text('compartment_id')
      .notNull()
      .references(() => compartments.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    grantedBy: text('granted_by').notNull(),
    grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.compartmentId, t.userId] }),
    index('compartment_members_user_idx').on(t.userId),
  ],
);
