import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { migrationStatus } from '../db/migrate';
import type { AppContext } from './context';

const Health = z.object({ status: z.literal('ok') });
const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({
    database: z.enum(['ok', 'unreachable']),
    migrations: z
      .object({ applied: z.number().int(), committed: z.number().int(), current: z.boolean() })
      .nullable(),
  }),
});

export const healthRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/healthz',
      {
        logLevel: 'warn',
        config: { public: true },
        schema: { tags: ['operations'], summary: 'The process is up', response: { 200: Health } },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        logLevel: 'warn',
        config: { public: true },
        schema: {
          tags: ['operations'],
          summary: 'The database is reachable and its migrations are current',
          response: { 200: Readiness, 503: Readiness },
        },
      },
      async (_request, reply) => {
        let migrations: z.infer<typeof Readiness>['checks']['migrations'] = null;
        let database: 'ok' | 'unreachable' = 'ok';
        try {
          migrations = await migrationStatus(ctx.database);
        } catch {
          database = 'unreachable';
        }
        const ready = database === 'ok' && migrations?.current === true;
        return reply.code(ready ? 200 : 503).send({
          status: ready ? 'ready' : 'not_ready',
          checks: { database, migrations },
        });
      },
    );
  };
