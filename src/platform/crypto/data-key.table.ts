import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One data key per group of protected fields (a rescue case, a client). The key itself is stored only
 * wrapped (AES-256-GCM) by the key-encryption key, which lives outside the database.
 * Words: live (wrapped_key present), shredded (wrapped_key destroyed; the row stays as the record of
 * when and why). Avoid: deleted, revoked.
 */
export const dataKeys = pgTable(
  'data_keys',
  {
    id: uuid('id').primaryKey(),
    groupType: text('group_type').notNull(),
    groupId: text('group_id').notNull(),
    /** `v1:<iv>:<tag>:<ciphertext>` of the 32-byte data key under the KEK; null once shredded. */
    wrappedKey: text('wrapped_key'),
    /** Which KEK wrapped it (see kekFingerprint); detects a wrong KEK before any decryption is tried. */
    kekFingerprint: text('kek_fingerprint').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    shreddedAt: timestamp('shredded_at', { withTimezone: true }),
    shredReason: text('shred_reason'),
  },
  (t) => [
    index('data_keys_group_idx').on(t.groupType, t.groupId),
    // A row is either live (key, no shred record) or shredded (no key, a shred record): never both.
    check(
      'data_keys_live_or_shredded',
      sql`(${t.wrappedKey} is not null and ${t.shreddedAt} is null and ${t.shredReason} is null) or (${t.wrappedKey} is null and ${t.shreddedAt} is not null and ${t.shredReason} is not null)`,
    ),
  ],
);
