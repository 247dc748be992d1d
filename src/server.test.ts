import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../test/harness/postgres-server';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/passage.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-start-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it('starts, answers /healthz, and on SIGTERM exits 0 within seconds and stops answering', {
  timeout: 180_000,
}, async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: work,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      TZ: 'UTC',
      PORT: String(port),
      HOST: '127.0.0.1',
      PASSAGE_DATA_DIR: path.join(work, 'data'),
      LOG_LEVEL: 'warn',
    },
  });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stdout += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const started = Date.now();
    while (!stdout.includes('Press Ctrl+C to stop')) {
      if (child.exitCode !== null) throw new Error(`passage start exited early:\n${stdout}`);
      if (Date.now() - started > 150_000) throw new Error(`passage start did not get ready:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The first start prints a one-time link for the first administrator, to the terminal only.
    expect(stdout).toMatch(new RegExp(`http://localhost:${port}/setup#[\\w-]{20,}`));
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    const stopping = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
