#!/usr/bin/env node
// Builds the web shell into dist/web when it is missing or older than its sources, so `npm start`
// always serves the current pages without rebuilding on every start. Prints one line either way.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILT = path.join(ROOT, 'dist', 'web', 'index.html');
/** Every HTML entry of vite.config.ts: a build missing one of them is stale too. */
const ENTRIES = ['index.html', 'donate.html'];
const CONFIG = path.join(ROOT, 'vite.config.ts');

/** Files whose change means the bundle is stale. Modules keep their pages in src/modules/<name>/web. */
const SOURCES = [
  path.join(ROOT, 'src', 'web'),
  ...ENTRIES.map((entry) => path.join(ROOT, entry)),
  // Browser-safe platform code the pages import (the donate page formats and parses money with it).
  path.join(ROOT, 'src', 'platform', 'money'),
  path.join(ROOT, 'src', 'modules', 'giving', 'money.ts'),
  CONFIG,
  path.join(ROOT, 'postcss.config.cjs'),
];

function newestIn(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestIn(path.join(entry, child)));
  return newest;
}

function moduleWebFolders() {
  const modules = path.join(ROOT, 'src', 'modules');
  if (!fs.existsSync(modules)) return [];
  return fs
    .readdirSync(modules, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const dir = path.join(modules, d.name);
      // A module's web pages, and the Zod schemas the pages share with the server.
      const schemas = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.schema.ts'))
        .map((f) => path.join(dir, f));
      return [path.join(dir, 'web'), ...schemas];
    });
}

export function webBuildIsStale() {
  const built = newestIn(BUILT);
  if (!built || ENTRIES.some((entry) => !fs.existsSync(path.join(ROOT, 'dist', 'web', entry))))
    return 'missing';
  const newest = Math.max(...[...SOURCES, ...moduleWebFolders()].map(newestIn));
  return newest > built ? 'outdated' : null;
}

export async function ensureWebBuild() {
  const reason = webBuildIsStale();
  const shown = path.relative(process.cwd(), path.dirname(BUILT)) || 'dist/web';
  if (!reason) {
    console.log(`web: ${shown} is up to date`);
    return false;
  }
  const started = Date.now();
  const { build } = await import('vite');
  await build({ configFile: CONFIG, root: ROOT, logLevel: 'error' });
  console.log(`web: built ${shown} in ${((Date.now() - started) / 1000).toFixed(1)} s (${reason})`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await ensureWebBuild();
  } catch (error) {
    console.error(`web: build failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
