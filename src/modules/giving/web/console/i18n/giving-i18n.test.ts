import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CREDIT_KINDS, DEFAULT_UNIT_MINOR, GIFT_STATUSES, OFFLINE_METHODS } from '../../../giving.schema';
import {
  CREDIT_KIND_LIST,
  GIFT_STATUS_LIST,
  OFFLINE_METHOD_LIST,
  parseMinor,
  parseMinorOrZero,
  DEFAULT_UNIT_MINOR as WEB_UNIT,
} from '../giving-api';
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

describe('giving console translations', () => {
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

  it('names every status, method and credit kind the server knows, from the same lists', () => {
    expect(GIFT_STATUS_LIST).toEqual(GIFT_STATUSES);
    expect(OFFLINE_METHOD_LIST).toEqual(OFFLINE_METHODS);
    expect(CREDIT_KIND_LIST).toEqual(CREDIT_KINDS);
    expect(WEB_UNIT).toBe(DEFAULT_UNIT_MINOR);
    for (const s of GIFT_STATUSES) expect(english.has(`status.${s}`), s).toBe(true);
    for (const m of [...OFFLINE_METHODS, 'card']) expect(english.has(`method.${m}`), m).toBe(true);
    for (const k of CREDIT_KINDS) expect(english.has(`creditKind.${k}`), k).toBe(true);
  });
});

describe('amounts typed into the giving pages', () => {
  it('reads them exactly in minor units, per currency, and refuses what is not an amount', () => {
    expect(parseMinor('1,250.50', 'USD')).toBe(125_050);
    expect(parseMinor('$50', 'USD')).toBe(5_000);
    expect(parseMinor('50,000', 'KRW')).toBe(50_000);
    expect(parseMinor('0.1', 'KRW')).toBeNull();
    expect(parseMinor('12.345', 'USD')).toBeNull();
    expect(parseMinor('0', 'USD')).toBeNull();
    expect(parseMinor('-5', 'USD')).toBeNull();
    expect(parseMinor('ten', 'USD')).toBeNull();
    expect(parseMinorOrZero('', 'USD')).toBe(0);
    expect(parseMinorOrZero('0', 'USD')).toBe(0);
    expect(parseMinorOrZero('75', 'USD')).toBe(7_500);
  });
});
