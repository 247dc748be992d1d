import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consoleModules, publicPages, webModules } from './modules';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Each page namespace's folder by its name, from the `defineNamespace('name', …)` call in its namespace.ts. */
function namespaceFolders(): Map<string, string> {
  const out = new Map<string, string>();
  const modules = path.join(SRC, 'modules');
  for (const file of fs.readdirSync(modules, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith(`i18n${path.sep}namespace.ts`)) continue;
    const full = path.join(modules, file);
    const name = /defineNamespace\('([\w-]+)'/.exec(fs.readFileSync(full, 'utf8'))?.[1];
    if (name) out.set(name, path.dirname(full));
  }
  return out;
}

describe('the modules’ web manifests', () => {
  it('are found, one a module, with the shell', () => {
    expect(webModules.map((m) => m.id).sort()).toEqual(['giving', 'people', 'rescues', 'shell']);
  });

  it('keep the console’s navigation and the public pages in their order', () => {
    expect(consoleModules.map((m) => m.id)).toEqual([
      'people',
      'audit',
      'outbox',
      'rescues',
      'giving',
      'giving-reports',
      'giving-import',
      'supporters',
      'pledges',
      'security',
    ]);
    expect(publicPages.map((p) => p.id)).toEqual(['invite', 'supporter-sign-in', 'field', 'portal']);
  });

  it('carry each namespace’s navigation label in the same words as its en.json and ko.json', () => {
    const folders = namespaceFolders();
    const labels = webModules.flatMap((m) => m.navLabels ?? []);
    for (const page of consoleModules) {
      const ns = page.labelKey.includes(':') ? page.labelKey.split(':')[0] : null;
      if (ns)
        expect(
          labels.map((l) => l.ns),
          page.id,
        ).toContain(ns);
    }
    for (const label of labels) {
      const folder = folders.get(label.ns);
      expect(folder, label.ns).toBeDefined();
      const read = (lng: string) =>
        JSON.parse(fs.readFileSync(path.join(folder ?? '', `${lng}.json`), 'utf8')).nav;
      expect({ en: label.en, ko: label.ko }, label.ns).toEqual({ en: read('en'), ko: read('ko') });
    }
  });
});

/** The relative imports of every TypeScript file under a folder, as paths from src/. */
function importsUnder(dir: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const file of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!/\.tsx?$/.test(file) || file.endsWith('.test.ts')) continue;
    const full = path.join(dir, file);
    for (const m of fs.readFileSync(full, 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)'/g))
      out.push({
        file: path.relative(SRC, full),
        target: path.relative(SRC, path.resolve(path.dirname(full), m[1] ?? '')),
      });
  }
  return out;
}

describe('the web side’s boundaries', () => {
  it('keeps the shell free of the modules: it finds their manifests, and imports nothing else of theirs', () => {
    const crossing = importsUnder(path.join(SRC, 'web')).filter((i) =>
      i.target.startsWith(`modules${path.sep}`),
    );
    expect(crossing).toEqual([]);
  });

  it('keeps each module’s pages to its own web files and the shell', () => {
    const crossing = importsUnder(path.join(SRC, 'modules')).filter(({ file, target }) => {
      const [, module, web] = file.split(path.sep);
      const [top, other, otherWeb] = target.split(path.sep);
      return web === 'web' && top === 'modules' && other !== module && otherWeb === 'web';
    });
    expect(crossing).toEqual([]);
  });
});
