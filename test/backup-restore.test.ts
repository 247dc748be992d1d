// A backup restored is the same database: on the embedded engine through `passage backup` and `passage
// restore` (the real command, in a child process), on PostgreSQL through pg_dump --format=custom and
// pg_restore into a fresh database. Each side is seeded with the demo data of every module (small) and
// audit entries, then compared table by table (row counts and a hash of the rows in primary-key order),
// the audit chain verified, and the encrypted fields read with the same key-encryption key and refused
// with another one.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { modules } from '../src/modules/registry';
import { appendAudit, verifyAuditChain } from '../src/platform/audit/audit.service';
import { WrongKekError } from '../src/platform/crypto/crypto.errors';
import { open, wrapAad } from '../src/platform/crypto/envelope';
import { generateKek } from '../src/platform/crypto/kek';
import { KeyRing } from '../src/platform/crypto/key-ring';
import { type DatabaseHandle, openDatabase } from '../src/platform/db/client';
import { migrationStatus } from '../src/platform/db/migrate';
import type { Seeder } from '../src/platform/seed/seed';
import { staffSeeder } from '../src/platform/seed/staff.seeder';
import { databaseDigest, totalRows } from './harness/database-digest';
import { openTestDatabase, testEngines } from './harness/databases';
import { postgresProgram, withDatabase } from './harness/postgres-server';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/passage.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-backup-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs `passage` in the scratch folder with only the given environment (no .env, no real data folder). */
function passage(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work, TZ: 'UTC', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const seeders: Seeder[] = [staffSeeder, ...modules.flatMap((m) => (m.seeder ? [m.seeder] : []))];

/** What `passage seed-demo --scale small` writes, under `keys`, and a few audit entries. */
async function seed(handle: DatabaseHandle, keys: KeyRing): Promise<void> {
  for (const seeder of seeders) await seeder.run({ db: handle.db, keys }, 'small', () => {});
  for (const action of ['rescue_case.read', 'rescue_case.update', 'gift.refund']) {
    await appendAudit(handle.db, {
      actorId: 'backup-test',
      actorRole: 'administrator',
      action,
      resourceType: action.split('.')[0] as string,
      resourceCode: 'R-TEST',
      outcome: 'succeeded',
    });
  }
}

interface SealedField {
  keyId: string;
  field: string;
  ciphertext: string;
  wrappedKey: string;
}

/** A few travellers' encrypted names with their case's data key: what must survive and stay sealed. */
async function sealedNames(handle: DatabaseHandle): Promise<SealedField[]> {
  const { rows } = await handle.query<SealedField>(
    `select c.data_key_id as "keyId", 'traveller:' || t.id || ':name' as field, t.name_enc as ciphertext,
            k.wrapped_key as "wrappedKey"
       from travellers t
       join rescue_cases c on c.id = t.case_id
       join data_keys k on k.id::text = c.data_key_id
      where t.name_enc is not null and k.wrapped_key is not null
      order by t.id limit 5`,
  );
  return rows;
}

/** The proof, for a source database and its restore (both open). */
async function expectSameDatabase(source: DatabaseHandle, restored: DatabaseHandle, kek: Buffer) {
  const before = await databaseDigest(source);
  const after = await databaseDigest(restored);
  expect(totalRows(before)).toBeGreaterThan(200);
  expect(Object.keys(after.tables)).toEqual(Object.keys(before.tables));
  expect(after).toEqual(before);

  expect(await migrationStatus(restored)).toMatchObject({ current: true });
  const chain = await verifyAuditChain(restored.db);
  expect(chain).toMatchObject({ ok: true, checked: expect.any(Number) });
  expect(chain.checked).toBeGreaterThanOrEqual(3);
  expect(chain.head).toEqual((await verifyAuditChain(source.db)).head);
  // The restored log goes on chaining from the same head.
  await appendAudit(restored.db, {
    actorId: 'backup-test',
    actorRole: 'administrator',
    action: 'backup.restored',
    resourceType: 'backup',
    outcome: 'succeeded',
  });
  expect(await verifyAuditChain(restored.db)).toMatchObject({ ok: true, checked: chain.checked + 1 });

  const fields = await sealedNames(restored);
  expect(fields.length).toBeGreaterThan(0);
  const keys = new KeyRing(kek);
  const otherKek = generateKek();
  const other = new KeyRing(otherKek);
  for (const f of fields) {
    const name = await keys.decryptField(restored.db, f.keyId, f.field, f.ciphertext);
    expect(name).toBe(await keys.decryptField(source.db, f.keyId, f.field, f.ciphertext));
    expect(name.length).toBeGreaterThan(0);
    // Another KEK is refused by fingerprint, and could not unwrap the data key if it tried.
    await expect(other.decryptField(restored.db, f.keyId, f.field, f.ciphertext)).rejects.toBeInstanceOf(
      WrongKekError,
    );
    expect(() => open(otherKek, f.wrappedKey, wrapAad(f.keyId))).toThrow();
    expect(open(kek, f.wrappedKey, wrapAad(f.keyId))).toHaveLength(32);
  }
}

describe.skipIf(!testEngines().includes('pglite'))('passage backup, then passage restore [pglite]', () => {
  it('restores into a fresh data folder the same database, its audit chain and its sealed fields', async () => {
    const kek = generateKek();
    const sourceDir = path.join(work, 'source');
    const restoredDir = path.join(work, 'restored');
    const file = path.join(work, 'passage.tar.gz');
    // The migrated template, loaded into a data folder on disk (as `passage restore` does), then seeded.
    let source = await openDatabase(
      { kind: 'pglite', dataDir: path.join(sourceDir, 'pglite') },
      { loadDataDir: new Blob([fs.readFileSync(inject('pgliteTemplateFile'))]) },
    );
    try {
      await seed(source, new KeyRing(kek));
    } finally {
      await source.close();
    }

    const backup = await passage(['backup', '--out', file], { PASSAGE_DATA_DIR: sourceDir });
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backup written to .*passage\.tar\.gz \(\d+ bytes\)/);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const restore = await passage(['restore', '--from', file], { PASSAGE_DATA_DIR: restoredDir });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^Restored into .*restored\/pglite: \d+ migration\(s\) recorded/);
    // Never over live data.
    const again = await passage(['restore', '--from', file], { PASSAGE_DATA_DIR: restoredDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty; restore into a new PASSAGE_DATA_DIR/);

    source = await openDatabase({ kind: 'pglite', dataDir: path.join(sourceDir, 'pglite') });
    const restored = await openDatabase({ kind: 'pglite', dataDir: path.join(restoredDir, 'pglite') });
    try {
      await expectSameDatabase(source, restored, kek);
    } finally {
      await restored.close();
      await source.close();
    }
  }, 300_000);
});

describe.skipIf(!testEngines().includes('postgres'))(
  'pg_dump --format=custom, then pg_restore [postgres]',
  () => {
    it('restores into a fresh database the same database, its audit chain and its sealed fields', async () => {
      const kek = generateKek();
      const source = await openTestDatabase('postgres');
      const restored = await openTestDatabase('postgres', { migrated: false });
      try {
        await seed(source.handle, new KeyRing(kek));
        const url = (name: string) => withDatabase(inject('postgresAdminUrl'), name);
        const file = path.join(work, `${crypto.randomBytes(4).toString('hex')}.dump`);
        await run(postgresProgram('pg_dump'), ['--format=custom', `--file=${file}`, url(source.name)]);
        await run(postgresProgram('pg_restore'), [
          '--no-owner',
          '--exit-on-error',
          `--dbname=${url(restored.name)}`,
          file,
        ]);
        await expectSameDatabase(source.handle, restored.handle, kek);
      } finally {
        await restored.close();
        await source.close();
      }
    }, 300_000);
  },
);
