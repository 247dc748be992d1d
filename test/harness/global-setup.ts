import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/platform/db/client';
import { runMigrations } from '../../src/platform/db/migrate';
import { testEngines } from './engines';
import { type PostgresServer, startPostgresServer, withDatabase } from './postgres-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test PostgreSQL server (ours, or TEST_DATABASE_URL). */
    postgresAdminUrl: string;
    /** A migrated database on that server that each test database is copied from. */
    postgresTemplate: string;
    /** Prefix of every database this run creates, so teardown can sweep up after a crashed worker. */
    databasePrefix: string;
    /** A migrated PGlite data folder (gzipped tarball) that each in-memory PGlite test database loads. */
    pgliteTemplateFile: string;
  }
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function preparePostgres(url: string, template: string): Promise<void> {
  await admin(url, (c) => c.query(`create database "${template}"`));
  const handle = await openDatabase({ kind: 'postgres', url: withDatabase(url, template) });
  try {
    await runMigrations(handle);
  } finally {
    await handle.close();
  }
}

async function preparePglite(file: string): Promise<void> {
  const handle = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
  try {
    await runMigrations(handle);
    if (!handle.dumpDataDir) throw new Error('PGlite handle cannot dump its data folder');
    fs.writeFileSync(file, Buffer.from(await (await handle.dumpDataDir()).arrayBuffer()));
  } finally {
    await handle.close();
  }
}

async function dropRunDatabases(url: string, prefix: string): Promise<void> {
  await admin(url, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) await c.query(`drop database if exists "${datname}" with (force)`);
  });
}

/**
 * Once per run: a PostgreSQL server (unless TEST_DATABASE_URL names one, or PASSAGE_TEST_ENGINES leaves it
 * out) and migrated templates for both engines, so each test file gets a fresh, migrated database in well under a second.
 */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-test-'));
  const pgliteTemplateFile = path.join(root, 'pglite-template.tar.gz');
  const databasePrefix = `passage_test_${crypto.randomBytes(4).toString('hex')}_`;
  const postgresTemplate = `${databasePrefix}template`;
  const external = process.env.TEST_DATABASE_URL;
  let server: PostgresServer | undefined;
  let adminUrl = external ?? '';

  const teardown = async () => {
    try {
      if (external) await dropRunDatabases(external, databasePrefix);
    } finally {
      await server?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    }
  };

  try {
    await Promise.all([
      (async () => {
        // PASSAGE_TEST_ENGINES=pglite: no test opens a PostgreSQL database, so no server is started.
        if (!testEngines().includes('postgres')) return;
        if (!external) {
          server = await startPostgresServer();
          adminUrl = server.url;
        }
        await preparePostgres(adminUrl, postgresTemplate);
      })(),
      preparePglite(pgliteTemplateFile),
    ]);
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplate', postgresTemplate);
  project.provide('databasePrefix', databasePrefix);
  project.provide('pgliteTemplateFile', pgliteTemplateFile);
  if (process.env.PASSAGE_TEST_VERBOSE) {
    console.log(
      `test databases ready in ${Date.now() - started} ms (${external ? 'external' : 'own'} server)`,
    );
  }
  return teardown;
}
