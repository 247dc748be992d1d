// First start (empty data folder: creates the database, migrates) and restart (existing data folder)
// of `passage start` on the embedded database, measured to the first 200 from /readyz.
// Targets: first start <= 20 s, restart <= 3 s.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, machine, median, startPassage, stop } from './lib.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const first = [];
const restart = [];
for (let i = 0; i < runs; i++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-bench-start-'));
  try {
    const port = await freePort();
    const a = await startPassage({ dataDir, port, env: { PASSAGE_JOBS: '1' } });
    first.push(a.readyMs);
    await stop(a.child);
    const b = await startPassage({ dataDir, port, env: { PASSAGE_JOBS: '1' } });
    restart.push(b.readyMs);
    await stop(b.child);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`machine: ${machine()}`);
console.log(
  `first start to /readyz 200: median ${fmt(median(first))} (runs: ${first.map(fmt).join(', ')}) target <= 20 s`,
);
console.log(
  `restart to /readyz 200:     median ${fmt(median(restart))} (runs: ${restart.map(fmt).join(', ')}) target <= 3 s`,
);
const ok = median(first) <= 20_000 && median(restart) <= 3_000;
console.log(ok ? 'startup: within targets' : 'startup: OVER TARGET');
process.exitCode = ok ? 0 : 1;
