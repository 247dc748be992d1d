import { and, count, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { appendAudit } from '../audit/audit.service';
import { requireStaff, type StaffActor } from '../auth/actor';
import { AppError } from '../errors';
import type { AppContext } from '../http/context';
import { mailOutbox } from './mail.table';

/** Roles that may read the outbox. Messages can name supporters, so it is not for every staff role. */
export const OUTBOX_READERS = ['administrator'] as const;

const OutboxStatus = z.enum(['queued', 'sent', 'held', 'failed']);

const OutboxSummary = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  status: OutboxStatus,
  attempts: z.number().int(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});

const OutboxMessage = OutboxSummary.extend({
  text: z.string(),
  html: z.string().nullable(),
  lastError: z.string().nullable(),
  /** The message carried a one-time link, removed here: it went to the recipient only. */
  secretRemoved: z.boolean(),
  /** The caller may reveal the link (POST …/reveal): a held invitation the caller sent, no SMTP to send it. */
  revealable: z.boolean(),
});

/** How long a held invitation's link can be revealed: as long as the invitation itself works. */
const REVEAL_WINDOW_MS = 72 * 60 * 60 * 1000;

type OutboxRow = typeof mailOutbox.$inferSelect;

function revealable(m: OutboxRow, actor: StaffActor, now = new Date()): boolean {
  return (
    m.status === 'held' &&
    m.secretKind === 'invitation' &&
    m.sentBy === actor.userId &&
    m.sealedBody !== null &&
    now.getTime() - m.createdAt.getTime() < REVEAL_WINDOW_MS
  );
}

export const mailRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/outbox',
      {
        schema: {
          tags: ['mail'],
          summary: 'Messages Passage has sent or holds, newest first',
          querystring: z.object({
            status: OutboxStatus.optional(),
            before: z.iso.datetime({ error: 'must be an ISO 8601 date-time' }).optional(),
            limit: z.coerce.number().int().min(1).max(200).default(50),
          }),
          response: {
            200: z.object({
              mode: z.enum(['smtp', 'outbox']),
              total: z.number().int(),
              messages: z.array(OutboxSummary),
            }),
          },
        },
      },
      async (request) => {
        const actor = await requireStaff(ctx.access, request, OUTBOX_READERS);
        const { status, before, limit } = request.query;
        const filters: SQL[] = [];
        if (status) filters.push(eq(mailOutbox.status, status));
        const where = filters.length ? and(...filters) : undefined;
        const pageWhere = before ? and(where, lt(mailOutbox.createdAt, new Date(before))) : where;
        const db = ctx.database.db;
        const [rows, [total]] = await Promise.all([
          db.select().from(mailOutbox).where(pageWhere).orderBy(desc(mailOutbox.createdAt)).limit(limit),
          db.select({ n: count() }).from(mailOutbox).where(where),
        ]);
        // Messages name supporters: every read of the outbox is audited (never what it showed).
        await appendAudit(db, {
          actorId: actor.userId,
          actorRole: actor.role,
          action: 'outbox.list',
          resourceType: 'mail_outbox',
          resourceCode: status ?? 'all',
          outcome: 'allowed',
          requestId: request.id,
        });
        return {
          mode: ctx.mail.mode,
          total: total?.n ?? 0,
          messages: rows.map((m) => ({
            id: m.id,
            to: m.toAddress,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            createdAt: m.createdAt.toISOString(),
            sentAt: m.sentAt?.toISOString() ?? null,
          })),
        };
      },
    );

    app.get(
      '/api/outbox/:id',
      {
        schema: {
          tags: ['mail'],
          summary: 'One message of the outbox, with its body',
          params: z.object({ id: z.uuid('must be a message id') }),
          response: { 200: OutboxMessage },
        },
      },
      async (request) => {
        const actor = await requireStaff(ctx.access, request, OUTBOX_READERS);
        const db = ctx.database.db;
        const [m] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, request.params.id));
        await appendAudit(db, {
          actorId: actor.userId,
          actorRole: actor.role,
          action: 'outbox.read',
          resourceType: 'mail_outbox',
          resourceCode: request.params.id,
          outcome: m ? 'allowed' : 'failed',
          requestId: request.id,
        });
        if (!m) throw AppError.notFound('No such message.');
        // The readable bodies only: a one-time link was removed before they were stored.
        return {
          id: m.id,
          to: m.toAddress,
          subject: m.subject,
          status: m.status,
          attempts: m.attempts,
          createdAt: m.createdAt.toISOString(),
          sentAt: m.sentAt?.toISOString() ?? null,
          text: m.textBody,
          html: m.htmlBody,
          lastError: m.lastError,
          secretRemoved: m.secretKind !== null,
          revealable: revealable(m, actor),
        };
      },
    );

    app.post(
      '/api/outbox/:id/reveal',
      {
        config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags: ['mail'],
          summary:
            'Without SMTP: the full text of a held invitation the caller sent, link included (audited); never a supporter’s sign-in link',
          params: z.object({ id: z.uuid('must be a message id') }),
          response: { 200: z.object({ text: z.string() }) },
        },
      },
      async (request) => {
        const actor = await requireStaff(ctx.access, request, OUTBOX_READERS);
        const db = ctx.database.db;
        const [m] = await db.select().from(mailOutbox).where(eq(mailOutbox.id, request.params.id));
        const allowed = m !== undefined && revealable(m, actor);
        await appendAudit(db, {
          actorId: actor.userId,
          actorRole: actor.role,
          action: 'outbox.reveal',
          resourceType: 'mail_outbox',
          resourceCode: request.params.id,
          outcome: allowed ? 'allowed' : 'denied',
          requestId: request.id,
        });
        if (!m) throw AppError.notFound('No such message.');
        if (!allowed)
          throw AppError.forbidden(
            'Only a held invitation you sent yourself can be revealed, within 72 hours; other links go to their recipient only.',
          );
        const bodies = await ctx.mail.openSealed(db, m);
        return { text: bodies.text };
      },
    );
  };
