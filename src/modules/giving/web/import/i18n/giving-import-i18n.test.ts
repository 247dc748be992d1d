import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import en from './en.json';
import ko from './ko.json';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function leaves(value: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(name, v);
    else for (const [kk, vv] of leaves(v, name)) out.set(kk, vv);
  }
  return out;
}
const english = leaves(en);
const korean = leaves(ko);
const base = (key: string) => key.replace(/_(one|other)$/, '');

describe('giving import translations', () => {
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
      .readdirSync(WEB, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.tsx'));
    const known = new Set([...english.keys()].map(base));
    const missing: string[] = [];
    for (const file of files) {
      const source = fs.readFileSync(path.join(WEB, file), 'utf8');
      for (const m of source.matchAll(/(?<![.\w])t\('([\w.]+)'/g)) {
        if (m[1] && !known.has(m[1])) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
