import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import {
  describeEachDatabase,
  type OpenTestDatabase,
  openTestDatabase,
  testEngines,
} from '../../../test/harness/databases';
import { committedMigrations, migrationStatus, runMigrations } from './migrate';

describe.each(testEngines())('runMigrations on an empty %s database', (kind) => {
  let database: OpenTestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind, { migrated: false });
  });
  afterAll(() => database?.close());

  it('applies every committed migration, then nothing the second time', async () => {
    expect(await migrationStatus(database.handle)).toEqual({
      applied: 0,
      committed: committedMigrations().length,
      current: false,
    });
    expect(await runMigrations(database.handle)).toBe(committedMigrations().length);
    expect(await runMigrations(database.handle)).toBe(0);
    expect(await migrationStatus(database.handle)).toMatchObject({ current: true });
  });
});

describeEachDatabase('GET /readyz', (getDb) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(getDb());
  });
  afterAll(() => t?.close());

  it('answers 200 ready when every committed migration is applied', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(200);
    const n = committedMigrations().length;
    expect(r.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: { applied: n, committed: n, current: true } },
    });
  });

  it('answers 503 not_ready when a committed migration is missing from the database', async () => {
    await getDb().handle.exec(
      'delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)',
    );
    const r = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({
      status: 'not_ready',
      checks: { database: 'ok', migrations: { current: false } },
    });
  });
});
