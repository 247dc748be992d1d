import crypto from 'node:crypto';
import { and, asc, eq, isNotNull, lt, or, sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import type { KeyRing } from '../crypto/key-ring';
import type { DatabaseHandle, Db } from '../db/client';
import type { Logger } from '../log/logger';
import { mailOutbox } from './mail.table';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * A one-time secret the body carries (a sign-in or invitation link, a code): `values` are removed from the
   * bodies the outbox keeps readable and sent to the recipient only. `sentBy`: the staff account that made it.
   */
  secret?: { kind: 'sign_in' | 'invitation'; values: readonly string[]; sentBy?: string };
}

/** How long a held message's secret is kept: as long as the link could work. */
const SIGN_IN_LINK_MS = 15 * 60 * 1000;
const INVITATION_LINK_MS = 72 * 60 * 60 * 1000;

/** What the outbox shows where a one-time secret was. */
export const SECRET_REMOVED = '[link removed: sent to the recipient only]';
/** The field name the sealed bodies are encrypted under (AAD), with a data key per message. */
export const SEALED_BODY_FIELD = 'mail_outbox.sealed_body';

interface Bodies {
  text: string;
  html: string | null;
}

/** The bodies with every secret value replaced; refuses a secret it cannot find (it would be sent without). */
export function redact(message: MailMessage): Bodies {
  let text = message.text;
  let html = message.html ?? null;
  for (const value of message.secret?.values ?? []) {
    if (value.length < 8 || !(text.includes(value) || html?.includes(value)))
      throw new Error('a mail secret must be a value of at least 8 characters that its body contains');
    text = text.replaceAll(value, SECRET_REMOVED);
    html = html?.replaceAll(value, SECRET_REMOVED) ?? null;
  }
  return { text, html };
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
    private readonly options: { smtpUrl?: string | undefined; from: string; keys?: KeyRing },
    private readonly logger: Logger,
  ) {
    this.transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  }

  get mode(): 'smtp' | 'outbox' {
    return this.transport ? 'smtp' : 'outbox';
  }

  /**
   * Records the message; call `deliverSoon()` after the transaction commits. A message with a `secret` is
   * kept readable only without it; its real bodies are sealed under a data key made for it, in the same
   * transaction, so a restart before delivery loses nothing and a reader of the outbox sees no live link.
   */
  async enqueue(db: Db, message: MailMessage): Promise<string> {
    const id = crypto.randomUUID();
    const readable = redact(message);
    let sealed: { sealedBody: string; dataKeyId: string } | null = null;
    if (message.secret) {
      const keys = this.options.keys;
      if (!keys) throw new Error('a mail with a secret needs the key ring (Mailer options.keys)');
      const dataKeyId = await keys.createDataKey(db, 'mail_outbox', id);
      const bodies: Bodies = { text: message.text, html: message.html ?? null };
      sealed = {
        dataKeyId,
        sealedBody: await keys.encryptField(db, dataKeyId, SEALED_BODY_FIELD, JSON.stringify(bodies)),
      };
    }
    await db.insert(mailOutbox).values({
      id,
      toAddress: message.to,
      subject: message.subject,
      textBody: readable.text,
      htmlBody: readable.html,
      status: this.transport ? 'queued' : 'held',
      secretKind: message.secret?.kind ?? null,
      sentBy: message.secret?.sentBy ?? null,
      ...(sealed ?? {}),
    });
    return id;
  }

  /**
   * The real bodies of a sealed message. Only delivery and an audited reveal (the sender of a held
   * invitation) call this; the outbox's read routes never do.
   */
  async openSealed(db: Db, row: { sealedBody: string | null; dataKeyId: string | null }): Promise<Bodies> {
    const keys = this.options.keys;
    if (!row.sealedBody || !row.dataKeyId || !keys) throw new Error('the message is not sealed');
    return JSON.parse(
      await keys.decryptField(db, row.dataKeyId, SEALED_BODY_FIELD, row.sealedBody),
    ) as Bodies;
  }

  /**
   * Held messages (no SMTP) are never delivered: their secrets are forgotten once the link could no longer
   * work (a sign-in link after 15 minutes, an invitation after 72 hours). Runs with the held-mail sweep job.
   */
  async shredStaleSecrets(now = new Date()): Promise<number> {
    const stale = await this.database.db
      .select({ id: mailOutbox.id, dataKeyId: mailOutbox.dataKeyId })
      .from(mailOutbox)
      .where(
        and(
          eq(mailOutbox.status, 'held'),
          isNotNull(mailOutbox.sealedBody),
          or(
            and(
              eq(mailOutbox.secretKind, 'sign_in'),
              lt(mailOutbox.createdAt, new Date(now.getTime() - SIGN_IN_LINK_MS)),
            ),
            lt(mailOutbox.createdAt, new Date(now.getTime() - INVITATION_LINK_MS)),
          ),
        ),
      );
    for (const m of stale)
      await this.database.db.transaction((tx) =>
        this.shredSecret(tx, m.id, m.dataKeyId, 'mail link expired'),
      );
    return stale.length;
  }

  /** Forgets a message's secret for good: the sealed bodies cleared and their key shredded. */
  private async shredSecret(db: Db, id: string, dataKeyId: string | null, reason: string): Promise<void> {
    await db.update(mailOutbox).set({ sealedBody: null }).where(eq(mailOutbox.id, id));
    if (dataKeyId && this.options.keys) await this.options.keys.shredDataKey(db, dataKeyId, reason);
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
        const bodies = message.dataKeyId
          ? await this.openSealed(this.database.db, message)
          : { text: message.textBody, html: message.htmlBody };
        const info = await this.transport.sendMail({
          from: this.options.from,
          to: message.toAddress,
          subject: message.subject,
          text: bodies.text,
          ...(bodies.html ? { html: bodies.html } : {}),
        });
        await this.database.db.transaction(async (tx) => {
          await tx
            .update(mailOutbox)
            .set({
              status: 'sent',
              sentAt: new Date(),
              messageId: info.messageId,
              attempts: message.attempts + 1,
            })
            .where(and(eq(mailOutbox.id, message.id), eq(mailOutbox.status, 'queued')));
          if (message.dataKeyId) await this.shredSecret(tx, message.id, message.dataKeyId, 'mail delivered');
        });
        sent++;
      } catch (error) {
        failed++;
        const attempts = message.attempts + 1;
        const givenUp = attempts >= MAX_DELIVERY_ATTEMPTS;
        await this.database.db.transaction(async (tx) => {
          await tx
            .update(mailOutbox)
            .set({
              attempts: sql`${mailOutbox.attempts} + 1`,
              lastError: String((error as Error).message).slice(0, 500),
              status: givenUp ? 'failed' : 'queued',
            })
            .where(eq(mailOutbox.id, message.id));
          // A link that can never be delivered is of no use to anyone: forget it.
          if (givenUp && message.dataKeyId)
            await this.shredSecret(tx, message.id, message.dataKeyId, 'mail undeliverable');
        });
        this.logger.warn({ outboxId: message.id, attempts }, 'SMTP refused a message');
      }
    }
    return { sent, failed };
  }

  close(): void {
    this.transport?.close();
  }
}
