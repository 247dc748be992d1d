import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../platform/http/context';
import type { JobDefinition } from '../platform/jobs/jobs';
import type { Seeder } from '../platform/seed/seed';
import { givingModule } from './giving';
import { peopleModule } from './people';
import { rescuesModule } from './rescues';

/** A capability module as the composition root sees it: its routes, its jobs and its demo data. */
export interface PassageModule {
  name: string;
  routes(ctx: AppContext): FastifyPluginAsync;
  jobs?(ctx: AppContext): JobDefinition[];
  seeder?: Seeder;
}

/** The modules mounted into the server, in dependency order. Their web pages register in `src/web/modules.ts`. */
export const modules: PassageModule[] = [rescuesModule, peopleModule, givingModule];

export function moduleRoutes(ctx: AppContext): FastifyPluginAsync[] {
  return modules.map((m) => m.routes(ctx));
}
