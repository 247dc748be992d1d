import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import drizzleConfig from '../drizzle.config';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-canary-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

it('finds the Drizzle tables and the committed migrations in agreement', { timeout: 60_000 }, async () => {
  const out = path.join(work, 'migrations');
  fs.cpSync(path.join(ROOT, 'migrations'), out, { recursive: true });
  const before = fs.readdirSync(out).sort();
  // The project's own config, with `out` pointed at the copy (drizzle-kit resolves `out` against the
  // working folder, so it is given relative to the repository).
  const config = path.join(work, 'drizzle.canary.config.json');
  fs.writeFileSync(config, JSON.stringify({ ...drizzleConfig, out: path.relative(ROOT, out) }));
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', config],
    { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
  );
  const added = fs.readdirSync(out).filter((f) => !before.includes(f));
  const generated = added.map((f) => `${f}:\n${fs.readFileSync(path.join(out, f), 'utf8')}`).join('\n');
  expect(
    added,
    `The tables changed without a migration: run \`npm run db:generate\` and commit the result.\n${generated}`,
  ).toEqual([]);
  expect(`${stdout}${stderr}`).toContain('No schema changes');
});
