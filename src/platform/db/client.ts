import fs from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import { schema } from './schema';

export type Schema = typeof schema;
/** The one database type services take: a connection or a transaction, on either engine. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseTarget = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };

export interface DatabaseHandle {
  kind: DatabaseTarget['kind'];
  db: Db;
  /** Raw SQL for platform pieces that bring their own queries (pg-boss, health checks). */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters, in one round trip; answers the rows of the last one. */
  exec<T = Record<string, unknown>>(text: string): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === 'pglite') {
    if (target.dataDir !== 'memory://') await fs.mkdir(target.dataDir, { recursive: true, mode: 0o700 });
    const client = await PGlite.create(target.dataDir === 'memory://' ? undefined : target.dataDir);
    const db = drizzlePglite(client, { schema }) as unknown as Db;
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
      },
    };
  }
  const pool = new pg.Pool({ connectionString: target.url, max: 20, application_name: 'passage' });
  // A pool error (server restart, network) must not crash the process; queries report their own errors.
  pool.on('error', () => {});
  const db = drizzlePostgres(pool, { schema }) as unknown as Db;
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
