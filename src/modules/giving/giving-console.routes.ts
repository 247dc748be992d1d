import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { csvExportRateLimit, ListFormat } from '../../platform/export';
import type { AppContext } from '../../platform/http/context';
import { staffWork } from '../../platform/http/request-work';
import { listAllocations, listBatches } from './console/giving-console.service';
import { EXPORT_LIMIT, sendAllocationsCsv, sendBatchesCsv } from './console/giving-export';
import { GIVING_ACTIONS } from './giving.policy';
import { AllocationList, BatchList } from './giving.responses';
import { batchActions, createActions } from './giving.routes';

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
          response: { 200: BatchList },
        },
      },
      async (request, reply) => {
        const csv = request.query.format === 'csv';
        const list = await run(request, async (gc) => {
          const { batches } = await listBatches(gc, { limit: csv ? EXPORT_LIMIT : request.query.limit });
          return {
            batches: batches.map((b) => ({ ...b, allowedActions: batchActions(gc.subject, b) })),
            allowedActions: createActions(gc.subject, GIVING_ACTIONS.record),
          };
        });
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
          response: { 200: AllocationList },
        },
      },
      async (request, reply) => {
        const csv = request.query.format === 'csv';
        const list = await run(request, async (gc) => ({
          ...(await listAllocations(gc, { limit: csv ? EXPORT_LIMIT : request.query.limit })),
          allowedActions: createActions(gc.subject, GIVING_ACTIONS.allocate),
        }));
        return csv ? sendAllocationsCsv(reply, list) : list;
      },
    );
  };
