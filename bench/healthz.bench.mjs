// The HTTP ceiling of this machine: /healthz (no database work) under autocannon, against a real
// `passage start` on the embedded database. Loopback only; bounded in time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort, machine, startPassage, stop } from './lib.mjs';

const duration = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-bench-http-'));
const port = await freePort();
const { child } = await startPassage({ dataDir, port, env: { PASSAGE_JOBS: '0', LOG_LEVEL: 'warn' } });
try {
  const run = (url) => autocannon({ url, connections, duration, pipelining: 1 });
  await autocannon({ url: `http://127.0.0.1:${port}/healthz`, connections, duration: 2 }); // warm-up
  const health = await run(`http://127.0.0.1:${port}/healthz`);
  const ready = await run(`http://127.0.0.1:${port}/readyz`);
  console.log(`machine: ${machine()}; ${connections} connections, ${duration} s each`);
  for (const [name, r] of [
    ['/healthz', health],
    ['/readyz (one database query)', ready],
  ]) {
    console.log(
      `${name}: ${Math.round(r.requests.average)} req/s average, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`,
    );
  }
} finally {
  await stop(child);
  fs.rmSync(dataDir, { recursive: true, force: true });
}
