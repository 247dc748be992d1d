// `npm run bench [name...]`: runs the named benchmarks (default: all) one after another.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const all = fs
  .readdirSync(path.join(ROOT, 'bench'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.replace('.bench.mjs', ''));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (have: ${all.join(', ')})`);
  process.exit(1);
}
let failed = false;
for (const name of wanted.length ? wanted : all) {
  console.log(`\n# ${name} (${new Date().toISOString()})`);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', `${name}.bench.mjs`)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
