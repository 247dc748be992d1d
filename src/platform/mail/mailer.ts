import crypto from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DatabaseHandle, Db } from '../db/client';
import type { Logger } from '../log/logger';
import { mailOutbox } from './mail.table';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** After this many refused attempts a message is marked failed and left for staff to see. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/**
 * Writes every message to the outbox in the caller's transaction, then delivers it over SMTP when
 * configured. Without SMTP the message is held in the outbox, which staff read in the console.
 */
export class Mailer {
  private readonly transport: Transporter | null;
  private delivering: Promise<unknown> | null = null;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly options: { smtpUrl?: string | undefined; from: string },
    private readonly logger: Logger,
  ) {
    this.transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  }

  get mode(): 'smtp' | 'outbox' {
    return this.transport ? 'smtp' : 'outbox';
  }

  /** Records the message; call `deliverSoon()` after the transaction commits. */
  async enqueue(db: Db, message: MailMessage): Promise<string> {
    const id = crypto.randomUUID();
    await db.insert(mailOutbox).values({
      id,
      toAddress: message.to,
      subject: message.subject,
      textBody: message.text,
      htmlBody: message.html ?? null,
      status: this.transport ? 'queued' : 'held',
    });
    return id;
  }

  /** Enqueue outside any transaction and start delivery at once. */
  async send(message: MailMessage): Promise<string> {
    const id = await this.enqueue(this.database.db, message);
    this.deliverSoon();
    return id;
  }

  deliverSoon(): void {
    if (!this.transport || this.delivering) return;
    this.delivering = this.deliverQueued()
      .catch((error) => this.logger.error({ err: error }, 'mail delivery failed'))
      .finally(() => {
        this.delivering = null;
      });
  }

  /** Waits for a delivery started by `deliverSoon`, if any. */
  async idle(): Promise<void> {
    await this.delivering;
  }

  /** Sends queued messages, oldest first; a refused message is retried until MAX_DELIVERY_ATTEMPTS. */
  async deliverQueued(limit = 50): Promise<{ sent: number; failed: number }> {
    if (!this.transport) return { sent: 0, failed: 0 };
    const queued = await this.database.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.status, 'queued'))
      .orderBy(asc(mailOutbox.createdAt))
      .limit(limit);
    let sent = 0;
    let failed = 0;
    for (const message of queued) {
      try {
        const info = await this.transport.sendMail({
          from: this.options.from,
          to: message.toAddress,
          subject: message.subject,
          text: message.textBody,
          ...(message.htmlBody ? { html: message.htmlBody } : {}),
        });
        await this.database.db
          .update(mailOutbox)
          .set({
            status: 'sent',
            sentAt: new Date(),
            messageId: info.messageId,
            attempts: message.attempts + 1,
          })
          .where(and(eq(mailOutbox.id, message.id), eq(mailOutbox.status, 'queued')));
        sent++;
      } catch (error) {
        failed++;
        const attempts = message.attempts + 1;
        await this.database.db
          .update(mailOutbox)
          .set({
            attempts: sql`${mailOutbox.attempts} + 1`,
            lastError: String((error as Error).message).slice(0, 500),
            status: attempts >= MAX_DELIVERY_ATTEMPTS ? 'failed' : 'queued',
          })
          .where(eq(mailOutbox.id, message.id));
        this.logger.warn({ outboxId: message.id, attempts }, 'SMTP refused a message');
      }
    }
    return { sent, failed };
  }

  close(): void {
    this.transport?.close();
  }
}
