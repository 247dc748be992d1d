// Bundles the server (src/cli.ts and everything it imports, dependencies left external) into
// dist/server/cli.mjs, so `passage` starts without compiling TypeScript at run time. bin/passage.mjs uses
// the bundle only while it is newer than every server source file; otherwise it runs the sources via tsx.
// Usage: node scripts/build-server.mjs [--if-stale]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE, newestServerSource } from '../bin/bundle-freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
if (
  process.argv.includes('--if-stale') &&
  fs.existsSync(BUNDLE) &&
  fs.statSync(BUNDLE).mtimeMs > newestServerSource()
) {
  console.log('server bundle is up to date');
  process.exit(0);
}
const started = Date.now();
await build({
  entryPoints: [path.join(root, 'src/cli.ts')],
  outfile: BUNDLE,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log(
  `server bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${path.relative(root, BUNDLE)}`,
);
