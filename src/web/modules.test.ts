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
