import { and, count, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStaff } from '../auth/actor';
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
});

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
        await requireStaff(ctx.access, request, OUTBOX_READERS);
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
        await requireStaff(ctx.access, request, OUTBOX_READERS);
        const [m] = await ctx.database.db
          .select()
          .from(mailOutbox)
          .where(eq(mailOutbox.id, request.params.id));
        if (!m) throw AppError.notFound('No such message.');
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
        };
      },
    );
  };
