import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
/**
 * The one database type services take: a connection or a transaction, on either engine. Queries name their
 * tables (the modules' `*.table.ts`); no relational schema is registered, so the platform knows no module.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

export type DatabaseTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface DatabaseHandle {
  kind: DatabaseTarget['kind'];
  db: Db;
  /** Raw SQL for platform pieces that bring their own queries (pg-boss, health checks). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters, in one round trip; answers the rows of the last one. */
  exec<T = Record<string, unknown>>(text: string): Promise<{ rows: T[] }>;
  close(): Promise<void>;
  /** The embedded engine only: the whole data folder as a gzipped tarball (a consistent backup). */
  dumpDataDir?(): Promise<Blob>;
}

export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
}

/**
 * The embedded database is one process's alone: a second process opening the same folder would corrupt it.
 * A lock file beside the folder names the owner; a lock left by a dead process is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockFile = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      return async () => {
        await fs.rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number((await fs.readFile(lockFile, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DatabaseBusyError(
          `the embedded database in ${dataDir} is in use by another Passage process (pid ${pid}); stop it first`,
        );
      }
      await fs.rm(lockFile, { force: true });
    }
  }
  throw new DatabaseBusyError(`could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openDatabase(
  target: DatabaseTarget,
  options: { loadDataDir?: Blob } = {},
): Promise<DatabaseHandle> {
  if (target.kind === 'pglite') {
    const inMemory = target.dataDir === 'memory://';
    let unlock = async () => {};
    if (!inMemory) {
      await fs.mkdir(target.dataDir, { recursive: true, mode: 0o700 });
      unlock = await lockDataDir(target.dataDir);
    }
    let client: PGlite;
    try {
      client = await PGlite.create(inMemory ? undefined : target.dataDir, {
        ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      });
    } catch (error) {
      await unlock();
      throw error;
    }
    const db = drizzlePglite(client) as unknown as Db;
    return {
      kind: 'pglite',
      db,
      query: async <T>(text: string, params?: unknown[]) => {
        const r = await client.query<T>(text, params as unknown[] | undefined);
        return { rows: r.rows };
      },
      exec: async <T>(text: string) => {
        const results = await client.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as T[] };
      },
      close: async () => {
        if (!client.closed) await client.close();
        await unlock();
      },
      dumpDataDir: () => client.dumpDataDir('gzip'),
    };
  }
  const pool = new pg.Pool({
    connectionString: target.url,
    max: 20,
    application_name: 'passage',
    // While the server is unreachable, a request waits at most this long for a connection and then fails
    // (503 from /readyz), instead of queueing behind connection attempts that never finish.
    connectionTimeoutMillis: 5_000,
    // Dead connections (a server gone without a word, a dropped network) are found by the OS, not by a query.
    keepAlive: true,
  });
  // A pool error (server restart, network) must not crash the process; queries report their own errors.
  pool.on('error', () => {});
  // The pool listens for errors on idle connections only. A connection checked out but between two queries
  // (in a transaction waiting on the application, or a lock) that the server ends (`pg_ctl stop -m fast`,
  // a failover, pg_terminate_backend) emitted 'error' with no listener, and Node ended the whole process.
  // Every connection gets a listener for its whole life: the error then reaches the next query on it, that
  // transaction fails, and the pool discards the broken connection on release and opens a new one.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = drizzlePostgres(pool) as unknown as Db;
  return {
    kind: 'postgres',
    db,
    query: async <T>(text: string, params?: unknown[]) => {
      const r = await pool.query(text, params);
      return { rows: r.rows as T[] };
    },
    exec: async <T>(text: string) => {
      // With several statements pg answers an array of results.
      const r = (await pool.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(r) ? r.at(-1) : r;
      return { rows: (last?.rows ?? []) as T[] };
    },
    close: async () => {
      await pool.end();
    },
  };
}

/** SQLSTATE classes and codes that mean "the server is not there", not "the query was wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
];

/**
 * Whether an error (or any error it wraps: drizzle wraps the driver's as `cause`) says the database server
 * could not be reached or went away: an outage to answer 503 to, so clients retry, not a bug to answer 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return true;
    if (typeof code === 'string' && UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
    e = cause;
  }
  return false;
}
