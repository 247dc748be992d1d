import fs from 'node:fs';
import path from 'node:path';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { PROJECT_ROOT } from '../config/paths';
import type { DatabaseHandle } from './client';

export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'migrations');

interface Journal {
  entries: { idx: number; tag: string; when: number }[];
}

let journal: Journal['entries'] | undefined;

/** The migrations committed with this build, oldest first (read once: they cannot change while running). */
export function committedMigrations(): Journal['entries'] {
  if (!journal) {
    const file = path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json');
    journal = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Journal).entries : [];
  }
  return journal;
}

/** Applies every committed migration not yet applied; returns how many it applied. */
export async function runMigrations(handle: DatabaseHandle): Promise<number> {
  const before = await appliedMigrationCount(handle);
  // Nothing to apply: skip the migrator, whose set-up statements need CREATE rights that the plain
  // application role of a production server does not have (docs/OPERATIONS.md).
  if (before === committedMigrations().length) return 0;
  const config = { migrationsFolder: MIGRATIONS_FOLDER, migrationsSchema: 'drizzle' };
  if (handle.kind === 'pglite') await migratePglite(handle.db as unknown as PgliteDatabase, config);
  else await migratePostgres(handle.db as unknown as NodePgDatabase, config);
  return (await appliedMigrationCount(handle)) - before;
}

export async function appliedMigrationCount(handle: DatabaseHandle): Promise<number> {
  const exists = await handle.query<{ present: boolean }>(
    `select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!exists.rows[0]?.present) return 0;
  const r = await handle.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
  return r.rows[0]?.n ?? 0;
}

export interface MigrationStatus {
  applied: number;
  committed: number;
  current: boolean;
}

export async function migrationStatus(handle: DatabaseHandle): Promise<MigrationStatus> {
  const applied = await appliedMigrationCount(handle);
  const committed = committedMigrations().length;
  return { applied, committed, current: applied === committed };
}
