// An installation made with the first committed migration (migrations/0000_platform.sql) and used, then
// upgraded to today's schema by the project's migrator: every row written at 0000 is still there with the
// same values, the columns added since have their defaults, the invariants `passage check`, `audit verify`,
// `keys status` and `giving check` look at hold, and a person whose account was made at 0000 signs in.
//
// The rows are plain SQL INSERTs, not the demo seeders: the seeders write through today's Drizzle tables,
// which name columns (and tables: rescues, people, giving) that do not exist at 0000. Instead every table of
// 0000 gets representative rows: each nullable column both set and null, defaults both taken and given,
// non-ASCII text, and foreign keys between them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from 'better-auth/crypto';
import { asc } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../src/modules/giving';
import { verifyAuditChain } from '../src/platform/audit/audit.service';
import { sessions, users } from '../src/platform/auth/auth.table';
import { generateKek } from '../src/platform/crypto/kek';
import { KeyRing } from '../src/platform/crypto/key-ring';
import type { DatabaseHandle } from '../src/platform/db/client';
import {
  committedMigrations,
  MIGRATIONS_FOLDER,
  migrationStatus,
  runMigrations,
} from '../src/platform/db/migrate';
import { cookiesOf, startTestApp } from './harness/app';
import { type OpenTestDatabase, openTestDatabase, testEngines } from './harness/databases';

const FIRST = committedMigrations()[0];
if (!FIRST) throw new Error('no committed migrations');

/** A migrations folder holding only the first migration, for the project's own migrator. */
function firstMigrationFolder(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-0000-'));
  fs.mkdirSync(path.join(folder, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8'));
  journal.entries = journal.entries.slice(0, 1);
  fs.writeFileSync(path.join(folder, 'meta/_journal.json'), JSON.stringify(journal));
  fs.copyFileSync(path.join(MIGRATIONS_FOLDER, `${FIRST?.tag}.sql`), path.join(folder, `${FIRST?.tag}.sql`));
  return folder;
}

async function migrateToFirst(handle: DatabaseHandle, folder: string): Promise<void> {
  const config = { migrationsFolder: folder, migrationsSchema: 'drizzle' };
  if (handle.kind === 'pglite') await migratePglite(handle.db as unknown as PgliteDatabase, config);
  else await migratePostgres(handle.db as unknown as NodePgDatabase, config);
}

const TABLES_AT_0000 = ['users', 'accounts', 'sessions', 'setup_tokens', 'verifications', 'mail_outbox'];
const PASSWORD = 'quartz-meadow-lantern-4417';
const SUPPORTER = { id: 'u-0000-supporter', email: 'ji-woo.kim@example.org' };
const FUTURE = "now() + interval '7 days'";

/** Representative rows of every table of 0000, as an installation of that version would hold them. */
async function fillFirstSchema(handle: DatabaseHandle): Promise<void> {
  const hash = (await hashPassword(PASSWORD)).replaceAll("'", "''");
  await handle.exec(`
    insert into users (id, name, email, email_verified, image, role, created_at, updated_at) values
      ('${SUPPORTER.id}', '김지우 (Ji-woo Kim)', '${SUPPORTER.email}', true, null, 'supporter',
       '2025-01-02 03:04:05.678+00', '2025-01-03 00:00:00+00'),
      ('u-0000-admin', 'Grace O''Neil', 'grace@example.org', true, 'https://example.org/g.png', 'administrator',
       '2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00');
    insert into users (id, name, email) values ('u-0000-defaults', 'Defaults Only', 'defaults@example.org');
    insert into accounts (id, account_id, provider_id, user_id, password, created_at, updated_at) values
      ('a-0000-credential', '${SUPPORTER.id}', 'credential', '${SUPPORTER.id}', '${hash}',
       '2025-01-02 03:04:05.678+00', '2025-01-02 03:04:05.678+00');
    insert into accounts (id, account_id, provider_id, user_id, access_token, refresh_token, id_token,
        access_token_expires_at, refresh_token_expires_at, scope) values
      ('a-0000-oauth', 'gh-4417', 'github', 'u-0000-admin', 'at-1', 'rt-1', 'idt-1',
       '2025-02-01 00:00:00+00', '2025-03-01 00:00:00+00', 'read:user user:email');
    insert into sessions (id, token, user_id, expires_at, ip_address, user_agent, created_at, updated_at) values
      ('s-0000-live', 'token-0000-live', '${SUPPORTER.id}', ${FUTURE}, '203.0.113.7', 'Firefox/128.0',
       '2025-01-02 03:05:00+00', '2025-01-02 03:05:00+00'),
      ('s-0000-expired', 'token-0000-expired', 'u-0000-admin', '2025-01-02 00:00:00+00', null, null,
       '2025-01-01 00:00:00+00', '2025-01-01 00:00:00+00');
    insert into setup_tokens (id, token_hash, expires_at, used_at, created_at) values
      ('st-0000-used', 'c0ffee', '2025-01-01 01:00:00+00', '2025-01-01 00:10:00+00', '2025-01-01 00:00:00+00');
    insert into setup_tokens (id, token_hash, expires_at) values ('st-0000-open', 'decade', '2025-01-01 01:00:00+00');
    insert into verifications (id, identifier, value, expires_at) values
      ('v-0000', 'email-verification:grace@example.org', '{"n":1}', '2025-01-01 01:00:00+00');
    insert into mail_outbox (id, to_address, subject, text_body, html_body, status, attempts, last_error,
        message_id, created_at, sent_at) values
      ('m-0000-sent', 'grace@example.org', 'Welcome — 환영합니다', 'Hello', '<p>Hello</p>', 'sent', 1, null,
       '<m1@example.org>', '2025-01-01 00:00:00+00', '2025-01-01 00:00:01+00'),
      ('m-0000-failed', 'ji-woo.kim@example.org', 'Receipt', E'Line 1\\nLine 2', null, 'failed', 5,
       'connection refused', null, '2025-01-01 00:00:00+00', null);
    insert into mail_outbox (id, to_address, subject, text_body, status) values
      ('m-0000-queued', 'defaults@example.org', 'Queued', 'Soon', 'queued');
  `);
}

type Row = Record<string, unknown>;

/** Every row of the 0000 tables as JSON (PostgreSQL's own text of each value), by table, ordered by id. */
async function snapshot(handle: DatabaseHandle): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const table of TABLES_AT_0000) {
    const { rows } = await handle.query<{ row: Row }>(
      `select to_jsonb(t) as "row" from "${table}" t order by t.id`,
    );
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

/** The columns each table has gained since 0000 (the upgrade adds them; their values are checked below). */
const ADDED: Record<string, string[]> = {
  users: ['two_factor_enabled', 'frozen_at', 'frozen_by'],
  sessions: ['last_active_at', 'step_up_at'],
  // 0016: a link mail's sealed body and who sent it (null for every message written before).
  mail_outbox: ['secret_kind', 'sealed_body', 'data_key_id', 'sent_by'],
};

for (const kind of testEngines()) {
  describe(`upgrade from ${FIRST.tag} to today's schema [${kind}]`, () => {
    let database: OpenTestDatabase;
    let folder: string;
    let before: Record<string, Row[]>;

    beforeAll(async () => {
      folder = firstMigrationFolder();
      database = await openTestDatabase(kind, { migrated: false });
      await migrateToFirst(database.handle, folder);
      expect(await migrationStatus(database.handle)).toMatchObject({ applied: 1, current: false });
      await fillFirstSchema(database.handle);
      before = await snapshot(database.handle);
      expect(await runMigrations(database.handle)).toBe(committedMigrations().length - 1);
    }, 180_000);
    afterAll(async () => {
      await database?.close();
      if (folder) fs.rmSync(folder, { recursive: true, force: true });
    });

    it('keeps every row of every table of 0000 with the same values, and gives the new columns their defaults', async () => {
      expect(Object.fromEntries(TABLES_AT_0000.map((t) => [t, before[t]?.length]))).toEqual({
        users: 3,
        accounts: 2,
        sessions: 2,
        setup_tokens: 2,
        verifications: 1,
        mail_outbox: 3,
      });
      const after = await snapshot(database.handle);
      for (const table of TABLES_AT_0000) {
        const rows = after[table] ?? [];
        expect(rows.map((r) => r.id)).toEqual((before[table] ?? []).map((r) => r.id));
        const old = rows.map((r) => {
          const copy = { ...r };
          for (const column of ADDED[table] ?? []) delete copy[column];
          return copy;
        });
        expect(old, table).toEqual(before[table]);
        for (const r of rows)
          expect(Object.keys(r).sort()).toEqual(
            Object.keys(old[0] ?? {})
              .concat(ADDED[table] ?? [])
              .sort(),
          );
      }
      // Values spot-checked against what was written, not only against the first read.
      const supporter = before.users?.find((u) => u.id === SUPPORTER.id);
      expect(supporter).toMatchObject({
        name: '김지우 (Ji-woo Kim)',
        role: 'supporter',
        email_verified: true,
      });
      expect(before.users?.find((u) => u.id === 'u-0000-defaults')).toMatchObject({
        role: 'supporter',
        email_verified: false,
        image: null,
      });
      expect(before.mail_outbox?.find((m) => m.id === 'm-0000-failed')).toMatchObject({
        text_body: 'Line 1\nLine 2',
        attempts: 5,
        html_body: null,
      });

      // Today's code reads the old rows through today's tables.
      const people = await database.db.select().from(users).orderBy(asc(users.id));
      expect(people.map((u) => [u.id, u.twoFactorEnabled, u.frozenAt, u.frozenBy])).toEqual([
        ['u-0000-admin', false, null, null],
        ['u-0000-defaults', false, null, null],
        [SUPPORTER.id, false, null, null],
      ]);
      const kept = await database.db.select().from(sessions).orderBy(asc(sessions.id));
      for (const s of kept) {
        expect(s.lastActiveAt).toBeInstanceOf(Date);
        expect(s.stepUpAt).toBeNull();
      }
    });

    it('holds the invariants passage check, audit verify, keys status and giving check look at', async () => {
      expect(await migrationStatus(database.handle)).toEqual({
        applied: committedMigrations().length,
        committed: committedMigrations().length,
        current: true,
      });
      expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
      expect(await new KeyRing(generateKek()).status(database.db)).toMatchObject({ live: 0, mismatched: 0 });
      expect(await checkLedger(database.db)).toMatchObject({ ok: true, problems: [] });
      const orphans = await database.handle.query<{ n: number }>(
        `select (select count(*) from accounts a where not exists (select 1 from users u where u.id = a.user_id))
              + (select count(*) from sessions s where not exists (select 1 from users u where u.id = s.user_id))
              as n`,
      );
      expect(Number(orphans.rows[0]?.n)).toBe(0);
    });

    it('signs in a person whose account was made at 0000, who sees the session kept from then', async () => {
      const t = await startTestApp(database);
      try {
        const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
        expect(ready.statusCode).toBe(200);
        const signIn = await t.app.inject({
          method: 'POST',
          url: '/api/auth/sign-in/email',
          payload: { email: SUPPORTER.email, password: PASSWORD },
          remoteAddress: '198.51.100.44',
        });
        expect(signIn.statusCode, signIn.body).toBe(200);
        const security = await t.app.inject({
          method: 'GET',
          url: '/api/me/security',
          headers: { cookie: cookiesOf(signIn) },
          remoteAddress: '198.51.100.44',
        });
        expect(security.statusCode, security.body).toBe(200);
        const mine = (security.json() as { sessions: { id: string; current: boolean }[] }).sessions;
        expect(mine.find((s) => s.id === 's-0000-live')).toMatchObject({ current: false });
        expect(mine.filter((s) => s.current)).toHaveLength(1);
        expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true });
      } finally {
        await t.close();
      }
    });
  });
}
