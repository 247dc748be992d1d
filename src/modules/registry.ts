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
  /**
   * Pages served outside the React shell, each from its own Vite entry (an HTML file at the project root,
   * listed in vite.config.ts): a light page for the public, such as the donate page on a phone.
   */
  pages?: readonly StandalonePage[];
}

/** A path the server answers with a built HTML entry of its own (with the request's CSP nonces). */
export interface StandalonePage {
  path: string;
  /** The entry's HTML file, relative to the project root and to dist/web: `donate.html`. */
  html: string;
}

/** The modules mounted into the server, in dependency order. Their web pages register in `src/web/modules.ts`. */
export const modules: PassageModule[] = [rescuesModule, peopleModule, givingModule];

export function moduleRoutes(ctx: AppContext): FastifyPluginAsync[] {
  return modules.map((m) => m.routes(ctx));
}

export function standalonePages(): StandalonePage[] {
  return modules.flatMap((m) => m.pages ?? []);
}
