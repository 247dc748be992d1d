import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningPassage, type StartPassageOptions, startPassage } from '../harness/browser';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A running Passage with the demo data written first (`passage seed-demo --scale small`): the two funds,
 * "The Hundred" (100 rescues at US$2,500, a third funded) and "Bridge" (US$200,000), open all year. The
 * donate journeys (giving-*.e2e.test.ts) give to these through the public page and the sandbox.
 */
export async function startPassageWithDemoGiving(options: StartPassageOptions = {}): Promise<RunningPassage> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-e2e-giving-'));
  const env = { NODE_ENV: 'test', PASSAGE_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' };
  const seeded = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin', 'passage.mjs'), 'seed-demo', '--scale', 'small'],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  if (seeded.status !== 0) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`seed-demo failed:\n${seeded.stdout}\n${seeded.stderr}`);
  }
  try {
    const passage = await startPassage({ ...options, env: { ...options.env, PASSAGE_DATA_DIR: dataDir } });
    return {
      ...passage,
      dataDir,
      stop: async () => {
        await passage.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
