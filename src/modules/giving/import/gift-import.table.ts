import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { importRuns } from '../giving.table';

/**
 * The file of a checked import run, kept from its check to its commit so that any process on the database can
 * commit it (gift-import.file.ts). It is donors' personal data: the CSV is gzipped and sealed (AES-256-GCM)
 * with a data key of its own (`data_keys`, group `import_file`), and so are the mapping choices (a header can
 * be a first row of data). Deleted, with its data key shredded, when the run commits, when it expires
 * (15 minutes after the check) or when newer files push it over the limit of them all.
 * Words: held (a live row), discarded (the row gone and its key shredded). Avoid: cached, saved.
 */
export const importFiles = pgTable(
  'import_files',
  {
    runId: text('run_id')
      .primaryKey()
      .references(() => importRuns.id, { onDelete: 'cascade' }),
    /** The data key that seals `file` and `settings`; shredded when the row is deleted. */
    dataKeyId: text('data_key_id').notNull(),
    /** Who checked it, the only person who may commit it; null for the command line. */
    heldBy: text('held_by'),
    /** `v1:<iv>:<tag>:<ciphertext>` of the gzipped CSV. */
    file: text('file').notNull(),
    /** `v1:…` of the check's choices (mapping, layout, currency, date format, fund) as JSON. */
    settings: text('settings').notNull(),
    /** Characters of `file`, for the limit of all held files together. */
    storedBytes: integer('stored_bytes').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('import_files_expires_at_idx').on(t.expiresAt)],
);
