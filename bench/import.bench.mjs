// Giving import end to end: a 100,000-row CiviCRM contribution file (about 20,000 distinct donors, six
// currencies, two funds, a few refunded, cancelled and pending rows) through the real `passage import`
// command into PostgreSQL 15: parse, validate, the dry run, then the one-transaction commit (supporters,
// gifts, ledger entries, receipts, fund balances). Then `passage giving check` must find the ledger whole.
// PostgreSQL: BENCH_DATABASE_URL, or a throwaway cluster with production durability (fsync on).
// BENCH_IMPORT_ROWS changes the size. Target: ≤ 60 s wall time for the command.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { register } from 'tsx/esm/api';
import { machine, ROOT } from './lib.mjs';

register();
const { startPostgresServer, withDatabase } = await import('../test/harness/postgres-server.ts');

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const DONORS = Math.max(1, Math.round(ROWS / 5));
const TARGET_MS = 60_000;

const header = [
  'Contact ID',
  'Email',
  'First Name',
  'Last Name',
  'Postal Code',
  'Total Amount',
  'Currency',
  'Receive Date',
  'Financial Type',
  'Payment Method',
  'Transaction ID',
  'Contribution Status',
  'Note',
];
const currencies = ['USD', 'KRW', 'CAD', 'EUR', 'GBP', 'AUD'];
const statuses = (i) =>
  i % 100 === 7 ? 'Refunded' : i % 100 === 8 ? 'Cancelled' : i % 100 === 9 ? 'Pending' : 'Completed';
function row(i) {
  // Donors give several times over the years: a donor's rows are spread through the file.
  const donor = (i * 7919) % DONORS;
  const currency = currencies[donor % currencies.length];
  const amount =
    currency === 'KRW'
      ? `${(i % 500) * 1000 + 10000}`
      : `${(i % 900) + 5}.${String(i % 100).padStart(2, '0')}`;
  const year = 2019 + (i % 6);
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String((i % 28) + 1).padStart(2, '0');
  return [
    100000 + donor,
    donor % 10 === 3 ? '' : `donor${donor}@example.org`,
    donor % 7 ? `First${donor}` : '민준',
    `Last${donor}`,
    donor % 10 === 3 ? `0${4500 + (donor % 400)}` : '',
    amount,
    currency,
    `${year}-${month}-${day}`,
    i % 5 < 2 ? 'Rescue fund' : 'Donation',
    i % 3 ? 'Credit Card' : 'Check',
    `TX-${i}`,
    statuses(i),
    i % 10 === 0 ? '"In memory of ""Grandma"", with love"' : '',
  ].join(',');
}

/** Runs `passage <args>`; answers its exit code, output, wall time and peak RSS (VmHWM, sampled). */
function passage(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/passage.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    const sample = () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb > peakKb) peakKb = kb;
      } catch {
        // exited between samples
      }
    };
    const timer = setInterval(sample, 100);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - t0, peakMb: peakKb / 1024 });
    });
  });
}

let server = null;
let url = process.env.BENCH_DATABASE_URL;
if (!url) {
  server = await startPostgresServer({ durable: true });
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('create database passage_bench_import');
  await admin.end();
  url = withDatabase(server.url, 'passage_bench_import');
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-bench-import-'));
const env = { DATABASE_URL: url, PASSAGE_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' };
try {
  const migrate = spawnSync(process.execPath, ['bin/passage.mjs', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  if (migrate.status !== 0) throw new Error(`migrate failed:\n${migrate.stdout}${migrate.stderr}`);
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => {});
  await db.connect();
  await db.query(`insert into funds (id, code, name, restricted) values
    (gen_random_uuid()::text, 'rescue-fund', 'Rescue fund', true),
    (gen_random_uuid()::text, 'most-needed', 'Where most needed', false)
    on conflict do nothing`);
  const before = Number((await db.query('select count(*) from gifts')).rows[0].count);

  const file = path.join(dir, 'civicrm-contributions.csv');
  const out = fs.createWriteStream(file);
  out.write(`${header.join(',')}\n`);
  for (let i = 0; i < ROWS; i++)
    if (!out.write(`${row(i)}\n`)) await new Promise((r) => out.once('drain', r));
  await new Promise((r) => out.end(r));
  const mb = fs.statSync(file).size / 1e6;

  const r = await passage(['import', file, '--json'], env);
  if (r.code !== 0)
    throw new Error(`passage import exited ${r.code}:\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(-2000)}`);
  const result = JSON.parse(r.stdout);
  const after = Number((await db.query('select count(*) from gifts')).rows[0].count);
  const check = spawnSync(process.execPath, ['bin/passage.mjs', 'giving', 'check'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  await db.end();

  const c = result.counts;
  console.log(
    `machine: ${machine()}; load average (1 min) ${os.loadavg()[0].toFixed(1)}; ${new Date().toISOString()}`,
  );
  console.log(
    `file: ${ROWS.toLocaleString('en')} rows, ${mb.toFixed(1)} MB, ${DONORS.toLocaleString('en')} donors, layout ${result.layout}; PostgreSQL 15 (${server ? 'throwaway, fsync on' : 'BENCH_DATABASE_URL'})`,
  );
  console.log(
    `written: ${c.giftsCreated} gifts (${c.giftsSettled} settled, ${c.giftsRefunded} refunded, ${c.giftsFailed} cancelled), ${c.giftsPendingSkipped} pending not imported, ${c.supportersCreated} supporters created; gifts table ${before} → ${after}`,
  );
  console.log(
    `passage import (parse, validate, commit): ${(r.ms / 1000).toFixed(1)} s wall, ${Math.round(ROWS / (r.ms / 1000)).toLocaleString('en')} rows/s, peak RSS ${r.peakMb.toFixed(0)} MB; target ≤ ${TARGET_MS / 1000} s`,
  );
  console.log(`passage giving check: exit ${check.status} ${String(check.stdout).trim()}`);
  const ok = r.ms <= TARGET_MS && check.status === 0 && after - before === c.giftsCreated;
  console.log(ok ? 'import: within target' : 'import: OVER TARGET or ledger broken');
  process.exitCode = ok ? 0 : 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
  await server?.stop();
}
