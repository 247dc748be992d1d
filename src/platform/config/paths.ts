import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding Passage's package.json. Found by walking up from this file, so it is right both when
 * the sources run through tsx and when the server runs from its bundle in `dist/server/`.
 */
function findProjectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'passage'
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('Cannot find the Passage project folder (package.json named "passage")');
    dir = parent;
  }
}

export const PROJECT_ROOT = findProjectRoot();
