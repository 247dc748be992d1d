import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from './en.json';
import ko from './ko.json';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(name, value);
    else for (const [k, v] of leaves(value, name)) out.set(k, v);
  }
  return out;
}

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('web translations', () => {
  const english = leaves(en as Tree);
  const korean = leaves(ko as Tree);

  it('has the same keys in English and Korean', () => {
    expect([...korean.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it('has no empty text in either language', () => {
    const empty = [...english, ...korean].filter(([, v]) => !v.trim()).map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('uses the same {{placeholders}} in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const different = [...english]
      .filter(([k, v]) => JSON.stringify(names(v)) !== JSON.stringify(names(korean.get(k) ?? '')))
      .map(([k]) => k);
    expect(different).toEqual([]);
  });

  it('has an English text for every literal key the shell asks for', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(WEB)) {
      const source = fs.readFileSync(file, 'utf8');
      for (const match of source.matchAll(/(?:\bt\(\s*|labelKey: )'([\w.]+)'/g)) {
        const key = match[1] ?? '';
        if (!english.has(key)) missing.push(`${path.relative(WEB, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
