import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { testEngines } from './harness/databases';

/**
 * A short run of bench/crash.bench.mjs (the full one: `npm run bench -- crash`, 20 kills and 3 PostgreSQL
 * restarts): gifts settle through donations and signed, retried Stripe webhooks while `passage start` is
 * killed with SIGKILL twice and its PostgreSQL server is stopped and started once, on a cluster of its own.
 * Nothing a donor was told succeeded is lost, nothing is settled twice, `passage giving check` passes, the
 * campaign's total is the ledger's, and the same process comes back by itself after PostgreSQL does.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const onPostgres = testEngines().includes('postgres') ? it : it.skip;

onPostgres(
  'loses no acknowledged gift and settles none twice through kill -9 and a PostgreSQL restart',
  async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, 'bench/crash.bench.mjs')], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          CRASH_KILLS: process.env.CRASH_KILLS ?? '2',
          CRASH_PG_RESTARTS: process.env.CRASH_PG_RESTARTS ?? '1',
          CRASH_DONORS: '8',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const json = stdout.slice(stdout.indexOf('{'), stdout.lastIndexOf('}') + 1);
    expect(json, `${stdout}\n${stderr.slice(-3000)}`).not.toBe('');
    const result = JSON.parse(json) as Record<string, unknown>;
    expect(result).toMatchObject({ lost: 0, unsettled: 0, settledTwice: 0, givingCheck: 'ok' });
    expect(result.acknowledgedGifts).toBeGreaterThan(0);
    expect(result.campaignRaisedMinor).toBe(result.acknowledgedMinor);
    expect(result.ledgerMinor).toBe(result.acknowledgedMinor);
    expect(result.postgresRestarts).toEqual([
      { whileDown: [503], readyAfterMs: expect.any(Number), sameProcess: true },
    ]);
    expect(code, stdout.slice(-500)).toBe(0);
  },
  // A limit for a hung run, not a target: about 40 s on an idle 2-core machine, more when it is shared.
  240_000,
);
