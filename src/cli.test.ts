import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/passage.mjs');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-cli-'));

/** Runs `passage` in an empty folder (no .env) with only the given environment. */
function passage(args: string[], env: Record<string, string> = {}) {
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

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('passage command', { timeout: 120_000 }, () => {
  it.concurrent('--help lists the commands and exits 0', async () => {
    const r = await passage(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['start', 'migrate', 'seed-demo', 'check']) expect(r.stdout).toContain(command);
  });

  it.concurrent('migrate applies every migration, then check reports all ok', async () => {
    const env = { PASSAGE_DATA_DIR: path.join(work, 'migrated') };
    const before = await passage(['check'], env);
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/FAIL\s+migrations\s+0 of \d+ applied: run `passage migrate`/);
    const migrate = await passage(['migrate'], env);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/^Applied (\d+) migration\(s\); \1 of \1 in place\.\n$/);
    const check = await passage(['check'], env);
    expect(check.code).toBe(0);
    expect(check.stdout).not.toContain('FAIL');
    expect(check.stdout).toMatch(/ok\s+migrations\s+\d+ applied, current/);
    expect(check.stdout).toMatch(/ok\s+database\s+pglite reachable/);
  });

  it.concurrent('refuses seed-demo --scale bogus with one line and exit 1', async () => {
    const r = await passage(['seed-demo', '--scale', 'bogus'], { PASSAGE_DATA_DIR: path.join(work, 'seed') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "passage: option '--scale <scale>' argument 'bogus' is invalid. expected one of small, medium, large\n",
    );
  });

  it.concurrent('refuses an unknown option with one line and exit 1', async () => {
    const r = await passage(['--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("passage: unknown option '--bogus'\n");
  });

  it.concurrent('refuses PORT=abc with the configuration line and exit 1', async () => {
    const r = await passage(['check'], { PORT: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('passage: PORT must be a whole number between 1 and 65535 (got "abc")\n');
    expect(r.stdout).toBe('');
  });
});
