// The contract between the platform and a capability module. The platform defines it and never imports a
// module: the composition root (src/server.ts, src/cli.ts) takes the list in src/modules/registry.ts and hands
// each module's pieces to the platform.
import type { Command } from 'commander';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from './config/config';
import type { DatabaseHandle } from './db/client';
import type { AppContext } from './http/context';
import type { JobDefinition } from './jobs/jobs';
import type { Seeder } from './seed/seed';

/** A path the server answers with a built HTML entry of its own (with the request's CSP nonces). */
export interface StandalonePage {
  path: string;
  /** The entry's HTML file, relative to the project root and to dist/web: `donate.html`. */
  html: string;
}

/** What a module's commands get from `passage`: the configuration and the database, opened the same way. */
export interface CliKit {
  /** The validated configuration; a bad setting exits with one line naming it. */
  config(): Config;
  /** Prints `passage: <message>` to stderr and exits 1. */
  fail(message: string): never;
  /** Opens the configured database, refuses to go on when it is not migrated, runs `work`, closes. */
  withMigratedDatabase<T>(work: (database: DatabaseHandle, config: Config) => Promise<T>): Promise<T>;
}

/**
 * A capability module as the composition root sees it: its routes, its jobs, its demo data, its standalone
 * pages and its commands. A module is registered once, in `src/modules/registry.ts`; its web pages are
 * found by the shell from `src/modules/<name>/web/<name>.web.ts`.
 */
export interface PassageModule {
  name: string;
  routes(ctx: AppContext): FastifyPluginAsync;
  jobs?(ctx: AppContext): JobDefinition[];
  seeder?: Seeder;
  /**
   * Work the module must finish before the process serves requests, such as converting rows an upgrade left
   * behind. Must be idempotent (every process runs it at every start) and work in short transactions.
   */
  onStart?(ctx: AppContext): Promise<void>;
  /**
   * Pages served outside the React shell, each from its own Vite entry (an HTML file at the project root,
   * listed in vite.config.ts): a light page for the public, such as the donate page on a phone.
   */
  pages?: readonly StandalonePage[];
  /** Adds the module's subcommands to `passage`; their work is imported lazily so start-up stays fast. */
  commands?(program: Command, cli: CliKit): void;
}
