// Is the server bundle newer than every server source? Shared by bin/passage.mjs and scripts/build-server.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = path.join(root, 'dist', 'server', 'cli.mjs');

/** The newest modification time of the TypeScript the server is built from (web pages and tests aside). */
export function newestServerSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'web') walk(full);
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        newest = Math.max(newest, fs.statSync(full).mtimeMs);
      }
    }
  };
  walk(path.join(root, 'src'));
  for (const file of ['package-lock.json'])
    newest = Math.max(newest, fs.statSync(path.join(root, file)).mtimeMs);
  return newest;
}

export function bundleIsFresh() {
  try {
    return fs.statSync(BUNDLE).mtimeMs > newestServerSource();
  } catch {
    return false;
  }
}
