import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { type DatabaseHandle, type Db, openDatabase } from '../../src/platform/db/client';
import { type DatabaseKind, testEngines } from './engines';
import { withDatabase } from './postgres-server';

export { type DatabaseKind, testEngines };

export interface TestDatabase {
  handle: DatabaseHandle;
  db: Db;
  kind: DatabaseKind;
}

export interface OpenTestDatabase extends TestDatabase {
  /** The database's name on the server, or its PGlite folder. */
  name: string;
  /** Closes the connection and deletes the database; safe to call twice. */
  close(): Promise<void>;
}

export interface OpenTestDatabaseOptions {
  /** Apply the committed migrations (default true). False gives an empty database, for migration tests. */
  migrated?: boolean;
}

async function onServer<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

let pgliteTemplate: Blob | undefined;

async function openPglite(migrated: boolean): Promise<OpenTestDatabase> {
  // Loading the migrated template (made once per run by global-setup) is several times faster than
  // initdb + migrations in WASM, and it goes through the same openDatabase as production.
  if (migrated) pgliteTemplate ??= new Blob([fs.readFileSync(inject('pgliteTemplateFile'))]);
  const handle = await openDatabase(
    { kind: 'pglite', dataDir: 'memory://' },
    migrated && pgliteTemplate ? { loadDataDir: pgliteTemplate } : {},
  );
  return { handle, db: handle.db, kind: 'pglite', name: 'memory://', close: () => handle.close() };
}

async function openPostgres(migrated: boolean): Promise<OpenTestDatabase> {
  const name = `${inject('databasePrefix')}${crypto.randomBytes(6).toString('hex')}`;
  const template = migrated ? inject('postgresTemplate') : 'template0';
  await onServer((c) => c.query(`create database "${name}" template "${template}"`));
  const drop = () => onServer((c) => c.query(`drop database if exists "${name}" with (force)`));
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ kind: 'postgres', url: withDatabase(inject('postgresAdminUrl'), name) });
  } catch (error) {
    await drop();
    throw error;
  }
  let closed = false;
  return {
    handle,
    db: handle.db,
    kind: 'postgres',
    name,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await handle.close();
      } catch {
        // Already ended by the test; the database is dropped regardless.
      }
      await drop();
    },
  };
}

/** A fresh, isolated database of one engine, migrated unless asked otherwise. Close it when done. */
export function openTestDatabase(
  kind: DatabaseKind,
  options: OpenTestDatabaseOptions = {},
): Promise<OpenTestDatabase> {
  const migrated = options.migrated ?? true;
  return kind === 'pglite' ? openPglite(migrated) : openPostgres(migrated);
}

/**
 * Runs the suite twice: on a fresh in-memory PGlite and on a fresh database of the test PostgreSQL server,
 * both migrated. Each call gets databases of its own; use `openTestDatabase(kind, { migrated: false })`
 * for an empty one.
 */
export function describeEachDatabase(name: string, fn: (getDb: () => TestDatabase) => void): void {
  for (const kind of testEngines()) {
    describe(`${name} [${kind}]`, () => {
      let current: OpenTestDatabase | undefined;
      beforeAll(async () => {
        current = await openTestDatabase(kind);
      }, 60_000);
      afterAll(async () => {
        await current?.close();
      }, 30_000);
      fn(() => {
        if (!current)
          throw new Error('The test database opens in beforeAll: call getDb() inside a test or hook');
        return current;
      });
    });
  }
}
