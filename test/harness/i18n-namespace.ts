import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/** Every translated text of a bundle, by its dotted key (`monthly.status.active`). */
export function translationLeaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(name, v);
    else for (const [kk, vv] of translationLeaves(v, name)) out.set(kk, vv);
  }
  return out;
}

/** The key a page asks for, before i18next adds its plural suffix. */
const pluralBase = (key: string) => key.replace(/_(one|other)$/, '');

/**
 * Declares, inside the caller's `describe`, the checks every page namespace must pass: the same keys in
 * English and Korean with none empty, the same {{placeholders}} in both, and an English text for every
 * literal `t('key')` in the namespace's pages (the `.tsx` files under the directory above its i18n/ folder,
 * found from `testFileUrl`, the test file's `import.meta.url`). A Korean reader must never see a raw key.
 */
export function itChecksNamespaceBundles(bundles: { en: unknown; ko: unknown; testFileUrl: string }): void {
  const english = translationLeaves(bundles.en);
  const korean = translationLeaves(bundles.ko);
  const pagesDir = path.resolve(path.dirname(fileURLToPath(bundles.testFileUrl)), '..');

  it('has the same keys in English and Korean, none empty', () => {
    expect([...korean.keys()].sort()).toEqual([...english.keys()].sort());
    expect([...english, ...korean].filter(([, v]) => !v.trim())).toEqual([]);
  });

  it('uses the same {{placeholders}} in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of english) expect(names(korean.get(key) ?? ''), key).toEqual(names(text));
  });

  it('has an English text for every literal key the pages ask for', () => {
    const files = fs
      .readdirSync(pagesDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.tsx'));
    const known = new Set([...english.keys()].map(pluralBase));
    const missing: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(pagesDir, file), 'utf8');
      for (const m of source.matchAll(/(?<![.\w])t\('([\w.]+)'/g)) {
        if (m[1] && !known.has(m[1])) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
}
