import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStaff } from '../../platform/access/actor';
import { subjectOf } from '../../platform/access/policy';
import { csvExportRateLimit, ListFormat } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import type { GivingContext } from './gift.service';
import { listAllocations, listBatches } from './giving-console.service';
import { EXPORT_LIMIT, sendAllocationsCsv, sendBatchesCsv } from './giving-export';

const tags = ['giving'];
// `format=csv`: the whole list (up to EXPORT_LIMIT) as a CSV file, whatever the screen's limit.
const limitQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  format: ListFormat,
});

/** The reads the staff console's giving pages need beyond giving.routes.ts: batches and units given. */
export const givingConsoleRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;
    const run = async <T>(request: FastifyRequest, work: (gc: GivingContext) => Promise<T>): Promise<T> => {
      const actor = await requireStaff(ctx.access, request);
      const subject = subjectOf(actor, []);
      return db.transaction((tx) => work({ db: tx, subject, requestId: request.id, mail: ctx.mail }));
    };

    app.get(
      '/api/giving/batches',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'Batches of offline gifts, open first, with what their gifts add up to',
          querystring: limitQuery,
        },
      },
      async (request, reply) => {
        const csv = request.query.format === 'csv';
        const list = await run(request, (gc) =>
          listBatches(gc, { limit: csv ? EXPORT_LIMIT : request.query.limit }),
        );
        return csv ? sendBatchesCsv(reply, list.batches) : list;
      },
    );
    app.get(
      '/api/giving/allocations',
      {
        config: csvExportRateLimit,
        schema: {
          tags,
          summary: 'Funded units given to rescue cases (by code), and how many the rescue fund has left',
          querystring: limitQuery,
        },
      },
      async (request, reply) => {
        const csv = request.query.format === 'csv';
        const list = await run(request, (gc) =>
          listAllocations(gc, { limit: csv ? EXPORT_LIMIT : request.query.limit }),
        );
        return csv ? sendAllocationsCsv(reply, list) : list;
      },
    );
  };
