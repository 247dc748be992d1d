import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csvExportRateLimit, ListFormat } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import { staffWork } from '../../platform/http/request-work';
import { listAllocations, listBatches } from './console/giving-console.service';
import { EXPORT_LIMIT, sendAllocationsCsv, sendBatchesCsv } from './console/giving-export';

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
    const run = staffWork(ctx);

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
