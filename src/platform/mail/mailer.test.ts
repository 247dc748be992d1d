import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness/databases';
import { dataKeys } from '../crypto/data-key.table';
import { KeyRing } from '../crypto/key-ring';
import { createLogger } from '../log/logger';
import { mailOutbox } from './mail.table';
import { MAX_DELIVERY_ATTEMPTS, Mailer, SECRET_REMOVED } from './mailer';

const logger = createLogger('silent');
const FROM = 'Passage <no-reply@passage.test>';

/** A real SMTP listener on 127.0.0.1, without TLS or authentication, keeping every message it accepts. */
async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeEachDatabase('Mailer', (getDb) => {
  const row = async (id: string) =>
    (await getDb().db.select().from(mailOutbox).where(eq(mailOutbox.id, id)))[0];

  describe('without SMTP_URL', () => {
    it('holds the message in the outbox for staff to read', async () => {
      const mailer = new Mailer(getDb().handle, { from: FROM }, logger);
      expect(mailer.mode).toBe('outbox');
      const id = await mailer.send({ to: 'donor@example.org', subject: 'Receipt', text: 'Thank you.' });
      expect(await row(id)).toMatchObject({ status: 'held', attempts: 0, sentAt: null });
      expect(await mailer.deliverQueued()).toEqual({ sent: 0, failed: 0 });
      expect((await row(id))?.status).toBe('held');
    });
  });

  describe('with an SMTP server that accepts', () => {
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let mailer: Mailer;
    beforeAll(async () => {
      smtp = await startSmtp();
      mailer = new Mailer(getDb().handle, { smtpUrl: smtp.url, from: FROM }, logger);
    });
    afterAll(async () => {
      mailer?.close();
      await smtp?.close();
    });

    it('sends a queued message, which the server receives intact, and marks it sent', async () => {
      const id = await mailer.enqueue(getDb().db, {
        to: 'donor@example.org',
        subject: 'Your receipt for 2025 — 감사합니다',
        text: 'Thank you for funding a rescue.',
        html: '<p>Thank you for funding a rescue.</p>',
      });
      expect((await row(id))?.status).toBe('queued');
      expect(await mailer.deliverQueued()).toEqual({ sent: 1, failed: 0 });
      expect(smtp.received).toHaveLength(1);
      const parsed = await simpleParser(smtp.received[0] ?? '');
      expect(parsed.subject).toBe('Your receipt for 2025 — 감사합니다');
      expect(parsed.from?.value[0]).toMatchObject({ name: 'Passage', address: 'no-reply@passage.test' });
      const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
      expect(to?.value[0]?.address).toBe('donor@example.org');
      expect(parsed.text?.trim()).toBe('Thank you for funding a rescue.');
      expect(parsed.html).toContain('<p>Thank you for funding a rescue.</p>');
      const sent = await row(id);
      expect(sent).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
      expect(sent?.sentAt).toBeInstanceOf(Date);
      expect(sent?.messageId).toBe(parsed.messageId);
    });

    it('does not send a sent message again', async () => {
      expect(await mailer.deliverQueued()).toEqual({ sent: 0, failed: 0 });
      expect(smtp.received).toHaveLength(1);
    });
  });

  describe('with an SMTP server that refuses', () => {
    let smtp: Awaited<ReturnType<typeof startSmtp>>;
    let mailer: Mailer;
    beforeAll(async () => {
      smtp = await startSmtp({
        onRcptTo(_address, _session, callback) {
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        },
      });
      mailer = new Mailer(getDb().handle, { smtpUrl: smtp.url, from: FROM }, logger);
    });
    afterAll(async () => {
      mailer?.close();
      await smtp?.close();
    });

    it(`keeps the message queued with a growing attempt count, then marks it failed after ${MAX_DELIVERY_ATTEMPTS} attempts`, async () => {
      const id = await mailer.enqueue(getDb().db, {
        to: 'nobody@example.org',
        subject: 'Hello',
        text: 'Hi.',
      });
      for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
        expect(await mailer.deliverQueued()).toEqual({ sent: 0, failed: 1 });
        const r = await row(id);
        expect(r).toMatchObject({ status: 'queued', attempts: attempt, sentAt: null });
        expect(r?.lastError).toContain('Mailbox unavailable');
      }
      expect(await mailer.deliverQueued()).toEqual({ sent: 0, failed: 1 });
      expect(await row(id)).toMatchObject({ status: 'failed', attempts: MAX_DELIVERY_ATTEMPTS });
      expect(await mailer.deliverQueued()).toEqual({ sent: 0, failed: 0 });
      expect(smtp.received).toHaveLength(0);
    });
  });

  describe('a message with a one-time link', () => {
    const keys = new KeyRing(crypto.randomBytes(32));
    const link = () =>
      `https://passage.test/api/auth/magic-link/verify?token=${crypto.randomBytes(16).toString('hex')}`;
    const signInMail = (to: string, url: string) => ({
      to,
      subject: 'Your sign-in link for Passage',
      text: `Open this link within 15 minutes to sign in:\n\n${url}\n`,
      html: `<p><a href="${url}">Sign in</a></p>`,
      secret: { kind: 'sign_in' as const, values: [url] },
    });
    const keyOf = async (id: string | null) =>
      (
        await getDb()
          .db.select()
          .from(dataKeys)
          .where(eq(dataKeys.id, id ?? ''))
      )[0];

    it('stores the link only sealed, survives a restart before delivery, sends the real link, then shreds it', async () => {
      const smtp = await startSmtp();
      const url = link();
      // Enqueued by one process that stops before delivering…
      const first = new Mailer(getDb().handle, { smtpUrl: smtp.url, from: FROM, keys }, logger);
      const id = await first.enqueue(getDb().db, signInMail('sealed@example.org', url));
      first.close();
      const held = await row(id);
      expect(held?.textBody).toContain(SECRET_REMOVED);
      expect(JSON.stringify(held)).not.toContain(url);
      expect(held?.sealedBody).toMatch(/^v1:/);
      // …and delivered by the next one, with the real link.
      const next = new Mailer(getDb().handle, { smtpUrl: smtp.url, from: FROM, keys }, logger);
      try {
        await next.deliverQueued();
        const parsed = await simpleParser(smtp.received.at(-1) ?? '');
        expect(parsed.text).toContain(url);
        expect(parsed.html).toContain(url.replaceAll('&', '&amp;'));
        const sent = await row(id);
        expect(sent).toMatchObject({ status: 'sent', sealedBody: null, secretKind: 'sign_in' });
        expect((await keyOf(held?.dataKeyId ?? null))?.shredReason).toBe('mail delivered');
      } finally {
        next.close();
        await smtp.close();
      }
    });

    it('keeps the link sealed through refused attempts and shreds it when delivery is given up', async () => {
      const smtp = await startSmtp({
        onRcptTo(_address, _session, callback) {
          callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        },
      });
      const mailer = new Mailer(getDb().handle, { smtpUrl: smtp.url, from: FROM, keys }, logger);
      try {
        const id = await mailer.enqueue(getDb().db, signInMail('refused@example.org', link()));
        for (let attempt = 1; attempt < MAX_DELIVERY_ATTEMPTS; attempt++) {
          await mailer.deliverQueued();
          expect((await row(id))?.sealedBody).toMatch(/^v1:/);
        }
        await mailer.deliverQueued();
        const failed = await row(id);
        expect(failed).toMatchObject({ status: 'failed', sealedBody: null });
        expect((await keyOf(failed?.dataKeyId ?? null))?.shredReason).toBe('mail undeliverable');
      } finally {
        mailer.close();
        await smtp.close();
      }
    });

    it('refuses a secret its body does not contain, and a secret without the key ring', async () => {
      const mailer = new Mailer(getDb().handle, { from: FROM, keys }, logger);
      await expect(
        mailer.enqueue(getDb().db, {
          ...signInMail('x@example.org', link()),
          text: 'no link here',
          html: undefined,
        }),
      ).rejects.toThrow(/secret/);
      const keyless = new Mailer(getDb().handle, { from: FROM }, logger);
      await expect(keyless.enqueue(getDb().db, signInMail('x@example.org', link()))).rejects.toThrow(
        /key ring/,
      );
    });

    it('without SMTP, forgets a held sign-in link once it can no longer work', async () => {
      const mailer = new Mailer(getDb().handle, { from: FROM, keys }, logger);
      const id = await mailer.enqueue(getDb().db, signInMail('held-link@example.org', link()));
      const held = await row(id);
      expect(held).toMatchObject({ status: 'held', secretKind: 'sign_in' });
      expect(held?.sealedBody).toMatch(/^v1:/);
      await mailer.shredStaleSecrets(new Date(Date.now() + 60_000));
      expect((await row(id))?.sealedBody).toMatch(/^v1:/);
      await mailer.shredStaleSecrets(new Date(Date.now() + 16 * 60_000));
      expect((await row(id))?.sealedBody).toBeNull();
      expect((await keyOf(held?.dataKeyId ?? null))?.shredReason).toBe('mail link expired');
    });
  });
});
