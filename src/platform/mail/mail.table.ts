import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every message Passage sends is written here first, in the transaction that caused it, so nothing
 * acknowledged is lost. With SMTP configured a job delivers it; without, it is held for staff to read.
 * Words: queued (waiting for delivery), sent (the SMTP server accepted it), held (no SMTP configured),
 * failed (gave up after retries). "sent" does not mean delivered to the inbox.
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
  },
  (t) => [index('mail_outbox_status_idx').on(t.status, t.createdAt)],
);
