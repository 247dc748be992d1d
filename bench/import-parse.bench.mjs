// Giving import, parse and validate: a 100,000-row CiviCRM contribution file (written to a temp dir, then
// streamed from disk) through the dry run: CSV parsing, layout detection, mapping, amounts to minor units,
// dates, emails, duplicate transaction ids. No database: this is the library's share of the ≤ 60 s import.
// BENCH_IMPORT_ROWS changes the size, BENCH_RUNS the number of timed runs (default 3).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { machine, median } from './lib.mjs';

const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const TARGET_MS = 60_000;

const { readImport } = await tsImport('../src/modules/giving/import/index.ts', import.meta.url);

const header = [
  'Contact ID',
  'External Identifier',
  'Email',
  'First Name',
  'Last Name',
  'Total Amount',
  'Currency',
  'Receive Date',
  'Financial Type',
  'Payment Method',
  'Transaction ID',
  'Source',
  'Note',
];
const currencies = ['USD', 'KRW', 'CAD', 'EUR', 'GBP', 'AUD'];
function row(i) {
  const currency = currencies[i % currencies.length];
  const amount =
    currency === 'KRW'
      ? `${(i % 500) * 1000 + 10000}`
      : `${(i % 900) + 5}.${String(i % 100).padStart(2, '0')}`;
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  const note = i % 10 === 0 ? '"Thank you, again: in memory of ""Grandma"""' : '';
  return [
    100000 + i,
    `EXT-${i}`,
    `donor${i}@example.org`,
    i % 7 ? `First${i}` : '민준',
    `Last${i}`,
    amount,
    currency,
    `2024-${month}-${day}`,
    'Donation',
    i % 3 ? 'Credit Card' : 'Check',
    `TX-${i}`,
    'Spring appeal',
    note,
  ].join(',');
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-bench-import-'));
try {
  const file = path.join(dir, 'civicrm-contributions.csv');
  const out = fs.createWriteStream(file);
  out.write(`${header.join(',')}\n`);
  for (let i = 0; i < ROWS; i++) {
    if (!out.write(`${row(i)}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  const mb = fs.statSync(file).size / 1e6;

  const times = [];
  let result;
  for (let run = 0; run < RUNS; run++) {
    let progressCalls = 0;
    const t0 = performance.now();
    result = await readImport(fs.createReadStream(file), {
      onProgress: () => {
        progressCalls++;
      },
    });
    times.push(performance.now() - t0);
    if (result.rows.length !== ROWS || result.errors.length || progressCalls < ROWS / 1000) {
      console.error('import-parse: unexpected result', result.rows.length, result.errors.slice(0, 3));
      process.exit(1);
    }
  }
  const ms = median(times);
  console.log(`machine: ${machine()}`);
  console.log(`file: ${ROWS.toLocaleString('en')} rows, ${mb.toFixed(1)} MB, layout ${result.layout}`);
  console.log(
    `dry run (parse + validate): median ${(ms / 1000).toFixed(2)} s (runs: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}), ` +
      `${Math.round(ROWS / (ms / 1000)).toLocaleString('en')} rows/s, heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB; target well under ${TARGET_MS / 1000} s`,
  );
  console.log(ms < TARGET_MS ? 'import-parse: within target' : 'import-parse: OVER TARGET');
  process.exitCode = ms < TARGET_MS ? 0 : 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
