import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every message Passage sends is written here first, in the transaction that caused it, so nothing
 * acknowledged is lost. With SMTP configured a job delivers it; without, it is held for staff to read.
 * Words: queued (waiting for delivery), sent (the SMTP server accepted it), held (no SMTP configured),
 * failed (gave up after retries). "sent" does not mean delivered to the inbox.
 *
 * A message carrying a one-time secret (a sign-in or invitation link) is stored with the secret removed from
 * `text_body`/`html_body`; the real bodies wait in `sealed_body`, encrypted under a data key of their own
 * (`data_key_id`, group `mail_outbox`) that the outbox's API never opens. Delivery opens it, sends, clears
 * `sealed_body` and shreds the key; so does the last refused attempt.
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    toAddress: text('to_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    status: text('status', { enum: ['queued', 'sent', 'held', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    /** What kind of one-time secret the real message carries, or null for an ordinary one. */
    secretKind: text('secret_kind', { enum: ['sign_in', 'invitation'] }),
    /** The real text and HTML bodies, sealed (`mail_outbox.sealed_body`); null once delivered or given up. */
    sealedBody: text('sealed_body'),
    dataKeyId: text('data_key_id'),
    /** The staff account whose action made the message (an invitation's sender may reveal its link). */
    sentBy: text('sent_by'),
  },
  (t) => [index('mail_outbox_status_idx').on(t.status, t.createdAt)],
);
