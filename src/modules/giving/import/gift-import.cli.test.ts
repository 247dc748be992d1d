import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../platform/db/client';
import { insertFund } from '../funds/fund.service';
import { gifts } from '../giving.table';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../bin/passage.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-import-cli-'));
const env = { PASSAGE_DATA_DIR: path.join(work, 'data') };

/** Runs the real `passage` command on an embedded database in `work`. */
function passage(args: string[]) {
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

async function giftCount() {
  const handle = await openDatabase({ kind: 'pglite', dataDir: path.join(env.PASSAGE_DATA_DIR, 'pglite') });
  try {
    const [row] = await handle.db.select({ n: count() }).from(gifts);
    return row?.n ?? 0;
  } finally {
    await handle.close();
  }
}

const FILE = path.join(work, 'civicrm.csv');

beforeAll(async () => {
  expect((await passage(['migrate'])).code).toBe(0);
  const handle = await openDatabase({ kind: 'pglite', dataDir: path.join(env.PASSAGE_DATA_DIR, 'pglite') });
  try {
    await insertFund(handle.db, { code: 'most-needed', name: 'Where most needed', restricted: false });
  } finally {
    await handle.close();
  }
  fs.writeFileSync(
    FILE,
    [
      'Contact ID,Email,First Name,Last Name,Total Amount,Currency,Receive Date,Financial Type,Payment Method,Transaction ID',
      '1,ana@example.org,Ana,Kim,100.00,USD,2024-03-01,Donation,Check,T-1',
      '2,ben@example.org,Ben,Lee,12.345,USD,2024-03-02,Donation,Check,T-2',
      '3,chi@example.org,Chi,Park,50000,KRW,2024-03-03,Donation,Cash,T-3',
      '',
    ].join('\n'),
  );
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('passage import', { timeout: 120_000 }, () => {
  it('reports the bad row, writes nothing and exits 1 without --skip-bad-rows', async () => {
    const r = await passage(['import', FILE]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Layout: civicrm (detected)\n');
    expect(r.stdout).toContain('  Total Amount → amount\n');
    expect(r.stdout).toContain('Rows: 3 read, 2 good, 1 bad\n');
    expect(r.stdout).toContain('  line 3, Total Amount: USD has 2 decimal places; "12.345" has 3\n');
    expect(r.stdout).toContain('Fund "Donation" → most-needed\n');
    expect(r.stdout).toContain('Nothing was written: fix the bad rows, or run again with --skip-bad-rows');
    expect(await giftCount()).toBe(0);
  });

  it('dry-runs with --dry-run and exits 0 when the bad rows would be skipped', async () => {
    const r = await passage(['import', FILE, '--dry-run', '--skip-bad-rows']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was written.\n');
    expect(await giftCount()).toBe(0);
  });

  it('commits the good rows with a progress bar, then finds them already imported', async () => {
    const r = await passage(['import', FILE, '--skip-bad-rows', '--layout', 'civicrm']);
    expect(r.stderr).toMatch(/Committing \[=+\] 100% \| 2\/2 rows/);
    expect(r.stdout).toMatch(
      /Imported: 2 gift\(s\) \(2 settled, 0 refunded, 0 failed or cancelled\); 2 supporter\(s\) created, 0 matched; 0 already imported/,
    );
    expect(r.code).toBe(0);
    expect(await giftCount()).toBe(2);

    const again = await passage(['import', FILE, '--skip-bad-rows', '--json']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.stdout);
    expect(json).toMatchObject({
      dryRun: false,
      layout: 'civicrm',
      alreadyImported: 2,
      errors: [{ line: 3, column: 'Total Amount' }],
      run: { status: 'committed', giftsCreated: 0 },
      counts: { giftsCreated: 0, giftsAlreadyImported: 2, supportersCreated: 0 },
    });
    expect(await giftCount()).toBe(2);
    const check = await passage(['giving', 'check']);
    expect(check.code).toBe(0);
  });

  it('refuses a file it cannot read and an unknown layout', async () => {
    const missing = await passage(['import', path.join(work, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
    const bogus = await passage(['import', FILE, '--layout', 'excel']);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/argument 'excel' is invalid. Allowed choices are civicrm, npsp/);
  });
});
