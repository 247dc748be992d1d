import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStaff } from '../../platform/access/actor';
import { subjectOf } from '../../platform/access/policy';
import type { AppContext } from '../../platform/http/context';
import type { GivingContext } from './gift.service';
import { listAllocations, listBatches } from './giving-console.service';

const tags = ['giving'];
const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

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
        schema: {
          tags,
          summary: 'Batches of offline gifts, open first, with what their gifts add up to',
          querystring: limitQuery,
        },
      },
      async (request) => run(request, (gc) => listBatches(gc, { limit: request.query.limit })),
    );
    app.get(
      '/api/giving/allocations',
      {
        schema: {
          tags,
          summary: 'Funded units given to rescue cases (by code), and how many the rescue fund has left',
          querystring: limitQuery,
        },
      },
      async (request) => run(request, (gc) => listAllocations(gc, { limit: request.query.limit })),
    );
  };
