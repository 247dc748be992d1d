import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize } from '../../../platform/access/policy';
import { SUPPORTER_ROLE } from '../../../platform/access/roles';
import { requireActor } from '../../../platform/auth/actor';
import { AppError } from '../../../platform/errors';
import type { AppContext } from '../../../platform/http/context';
import { staffCaller } from '../../../platform/http/request-work';
import { portalDonor } from '../donors/portal.service';
import { GIVING_ACTIONS, GIVING_REPORT_ACTIONS } from '../giving.policy';
import { Id } from '../giving.schema';
import { StatementProgress, StatementsQueued, StatementsSent } from './statement.responses';
import { auditStatementSend, sendYearEndStatements, statementProgress } from './statement.service';
import { statementPdfFor } from './statement-pdf';

const tags = ['giving'];
export const STATEMENTS_JOB = 'giving.year-end-statements';

const Year = z.coerce
  .number({ error: 'must be a year such as 2026' })
  .int('must be a year such as 2026')
  .min(1990, 'must be a year such as 2026')
  .max(2200, 'must be a year such as 2026');
const yearParams = z.object({ year: Year });

const pdf = (reply: import('fastify').FastifyReply, file: { fileName: string; pdf: Buffer }) =>
  reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${file.fileName}"`)
    .send(file.pdf);

/**
 * Year-end statements: staff see how far a year's statements have gone, send the missing ones (a job),
 * and print one supporter's; a signed-in supporter downloads their own.
 */
export const statementRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;
    const staff = staffCaller(ctx);

    app.get(
      '/api/giving/statements/:year',
      {
        schema: {
          tags,
          summary: 'A year’s statements: donors, sent, missing, without an email',
          params: yearParams,
          response: { 200: StatementProgress },
        },
      },
      async (request) => {
        const who = await staff(request);
        const progress = await db.transaction((tx) =>
          statementProgress({ db: tx, ...who }, request.params.year),
        );
        // Sending writes mail to every donor: the development team's call (giving.statements_send).
        const maySend = authorize(who.subject, GIVING_REPORT_ACTIONS.sendStatements).allowed;
        return { ...progress, allowedActions: maySend ? ['send' as const] : [] };
      },
    );

    app.post(
      '/api/giving/statements/:year/send',
      {
        config: { rateLimit: { max: 5, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'Send the year’s statement to every donor with an email who has not had it (a job)',
          params: yearParams,
          response: { 200: StatementsSent, 202: StatementsQueued },
        },
      },
      async (request, reply) => {
        const who = await staff(request);
        const { year } = request.params;
        // A statement goes once: sent before the year is over, it would miss the year's last gifts.
        if (year >= new Date().getUTCFullYear())
          throw AppError.invalid('year: statements go out once the year has ended');
        await db.transaction((tx) => auditStatementSend({ db: tx, ...who }, year));
        if (ctx.jobs) {
          const jobId = await ctx.jobs.send(STATEMENTS_JOB, { year });
          return reply.code(202).send({ year, queued: true as const, jobId });
        }
        // Without a job queue in this process, send now (a small embedded installation).
        const run = await sendYearEndStatements(db, ctx.mail, year, { publicUrl: ctx.config.publicUrl });
        return { year, queued: false as const, run };
      },
    );

    app.get(
      '/api/giving/supporters/:id/statements/:year.pdf',
      {
        config: { rateLimit: { max: 60, timeWindow: '1 minute' } },
        schema: {
          tags,
          summary: 'A supporter’s year-end statement, as a PDF',
          params: yearParams.extend({ id: Id }),
        },
      },
      async (request, reply) => {
        const who = await staff(request);
        if (!authorize(who.subject, GIVING_ACTIONS.read).allowed)
          throw AppError.forbidden('You do not have access to this.');
        return pdf(reply, await statementPdfFor(db, request.params.id, request.params.year));
      },
    );

    app.get(
      '/api/giving/me/statements/:year.pdf',
      {
        config: { rateLimit: { max: 30, timeWindow: '1 minute' } },
        schema: {
          tags: ['giving: donor portal'],
          summary: 'My year-end statement, as a PDF',
          params: yearParams,
        },
      },
      async (request, reply) => {
        const actor = await requireActor(ctx.access, request);
        if (actor.role !== SUPPORTER_ROLE)
          throw AppError.forbidden('The donor portal is for supporters signed in with their email link.');
        const file = await db.transaction(async (tx) => {
          const donor = await portalDonor(tx, actor);
          if (!donor) throw AppError.notFound(`No gifts in ${request.params.year} to state.`);
          return statementPdfFor(tx, donor.supporterId, request.params.year);
        });
        return pdf(reply, file);
      },
    );
  };
