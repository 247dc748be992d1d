import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  describeViolations,
  findViolations,
  importsOf,
  readSourceFiles,
  type SourceFile,
} from './harness/import-graph';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A tiny tree: each path with the given import lines (an empty file when none). */
const tree = (files: Record<string, string>): SourceFile[] =>
  Object.entries(files).map(([p, text]) => ({ path: p, text }));

/** The violations of a tree as `file:line target rule`, for exact comparison. */
const found = (files: Record<string, string>) =>
  findViolations(tree(files)).map((v) => `${v.file}:${v.line} ${v.target} ${v.rule}`);

// The files every fixture can import.
const base = {
  'src/modules/people/index.ts': "export { findSupporter } from './people.service';",
  'src/modules/people/people.service.ts': '',
  'src/modules/people/people.table.ts': '',
  'src/modules/people/people.constants.ts': '',
  'src/modules/people/web/people-page.tsx': '',
  'src/modules/giving/index.ts': '',
  'src/modules/giving/gift.service.ts': '',
  'src/modules/giving/giving.schema.ts': '',
  'src/modules/giving/money.ts': '',
  'src/platform/db/client.ts': '',
  'src/platform/money/money.ts': '',
  'src/web/api.ts': '',
  'src/cli.ts': '',
  'src/server.ts': '',
};

describe('importsOf', () => {
  it('reads imports, re-exports and literal dynamic imports, never a specifier in a comment or a string', () => {
    const refs = importsOf({
      path: 'src/a.ts',
      text: [
        "import type { A } from './a';",
        "import { type B, c } from './b';",
        "// import { d } from './in-a-comment';",
        "export { e } from './e';",
        "export type { F } from './f';",
        "const g = () => import('./g');",
        'const text = "import { h } from \'./in-a-string\'";',
        'const dynamic = (name: string) => import(name);',
      ].join('\n'),
    });
    expect(refs).toEqual([
      { specifier: './a', line: 1, typeOnly: true },
      { specifier: './b', line: 2, typeOnly: false },
      { specifier: './e', line: 4, typeOnly: false },
      { specifier: './f', line: 5, typeOnly: true },
      { specifier: './g', line: 6, typeOnly: false },
    ]);
  });
});

describe('findViolations', () => {
  it('allows a module its own files, another module through its index.ts, and registry.ts every module', () => {
    expect(
      found({
        ...base,
        'src/modules/giving/gift.service.ts': [
          "import { findSupporter } from '../people';",
          "import { KINDS } from '../people/people.constants';",
          "import { db } from '../../platform/db/client';",
          "import { x } from './giving.schema';",
        ].join('\n'),
        'src/modules/giving/web/gift-page.tsx': [
          "import { KINDS } from '../../people/people.constants';",
          "import { api } from '../../../web/api';",
          "import { formatAmount } from '../../../platform/money/money';",
          "import { formatMoney } from '../money';",
          "import { GiftInput } from '../giving.schema';",
          "import type { Gift } from '../gift.service';",
        ].join('\n'),
        'src/modules/registry.ts': "import { giving } from './giving';\nimport { people } from './people';",
        'src/server.ts': "import { modules } from './modules/registry';",
        'src/cli.ts': "const giving = () => import('./modules/giving');",
      }),
    ).toEqual([]);
  });

  it("reports a module reaching into another module's internals (tests too)", () => {
    expect(
      found({
        ...base,
        'src/modules/giving/gift.service.ts': "import { findSupporter } from '../people/people.service';",
        'src/modules/giving/gift.service.test.ts': "import type { X } from '../people/people.service';",
      }),
    ).toEqual([
      'src/modules/giving/gift.service.test.ts:1 src/modules/people/people.service.ts module-door',
      'src/modules/giving/gift.service.ts:1 src/modules/people/people.service.ts module-door',
    ]);
  });

  it("reports a module importing another module's tables, and a door that hands out its tables", () => {
    expect(
      found({
        ...base,
        'src/modules/giving/gift.service.ts': "import { supporters } from '../people/people.table';",
        'src/modules/people/index.ts': "export { supporters } from './people.table';",
      }),
    ).toEqual([
      'src/modules/giving/gift.service.ts:1 src/modules/people/people.table.ts foreign-table',
      'src/modules/people/index.ts:1 src/modules/people/people.table.ts door-hands-out-table',
    ]);
  });

  it("reports a module's SQL naming another module's table, never its own tables or words in a comment", () => {
    expect(
      found({
        ...base,
        'src/modules/people/people.table.ts': "export const supporters = pgTable(\n  'supporters', {});",
        'src/modules/giving/giving.table.ts': "export const gifts = pgTable('gifts', {});",
        'src/modules/giving/gift.service.ts': [
          '// Gifts keep the supporter id; names come from supporters through people.',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a fixture file
          'const mine = sql`select * from gifts g where g.id = ${id}`;',
          'const names = sql`select g.id, s.display_name from gifts g',
          '  left join "supporters" s on s.id = g.supporter_id`;',
        ].join('\n'),
        'src/modules/people/people.service.ts': 'const all = sql`select id from supporters`;',
      }),
    ).toEqual(['src/modules/giving/gift.service.ts:3 table supporters (people) foreign-sql']);
  });

  it('reports a page reaching another module through its index.ts or its pages (only *.constants.ts)', () => {
    expect(
      found({
        ...base,
        'src/modules/giving/web/gift-page.tsx': [
          "import { findSupporter } from '../../people';",
          "import { PeoplePage } from '../../people/web/people-page';",
        ].join('\n'),
      }),
    ).toEqual([
      'src/modules/giving/web/gift-page.tsx:1 src/modules/people/index.ts web-module-door',
      'src/modules/giving/web/gift-page.tsx:2 src/modules/people/web/people-page.tsx web-module-door',
    ]);
  });

  it('reports the platform importing a module, the registry, the web shell or an entry point', () => {
    expect(
      found({
        ...base,
        'src/modules/registry.ts': '',
        'src/platform/db/schema.ts': [
          "import * as people from '../../modules/people/people.table';",
          "import { modules } from '../../modules/registry';",
          "import { api } from '../../web/api';",
          "import { start } from '../../server';",
          "const cli = () => import('../../cli');",
        ].join('\n'),
      }),
    ).toEqual([
      'src/platform/db/schema.ts:1 src/modules/people/people.table.ts platform-layer',
      'src/platform/db/schema.ts:2 src/modules/registry.ts platform-layer',
      'src/platform/db/schema.ts:3 src/web/api.ts platform-layer',
      'src/platform/db/schema.ts:4 src/server.ts platform-layer',
      'src/platform/db/schema.ts:5 src/cli.ts platform-layer',
    ]);
  });

  it("reports the web shell importing a module, and an entry point reaching past a module's index.ts", () => {
    expect(
      found({
        ...base,
        'src/web/modules.ts': "const page = () => import('../modules/people/web/people-page');",
        'src/cli.ts': "import { findSupporter } from './modules/people/people.service';",
      }),
    ).toEqual([
      'src/cli.ts:1 src/modules/people/people.service.ts registry-only',
      'src/web/modules.ts:1 src/modules/people/web/people-page.tsx registry-only',
    ]);
  });

  it('reports a page loading server code: the platform beyond its browser-safe files, or a service', () => {
    expect(
      found({
        ...base,
        'src/web/api.ts': "import { openDatabase } from '../platform/db/client';",
        'src/modules/giving/web/gift-page.tsx': [
          "import { recordGift } from '../gift.service';",
          "import type { Gift } from '../gift.service';",
        ].join('\n'),
        // A test beside a page never reaches the browser.
        'src/modules/giving/web/gift-page.test.ts': "import { recordGift } from '../gift.service';",
      }),
    ).toEqual([
      'src/modules/giving/web/gift-page.tsx:1 src/modules/giving/gift.service.ts browser-safe',
      'src/web/api.ts:1 src/platform/db/client.ts browser-safe',
    ]);
  });

  it("reports a test factory importing a module's tables", () => {
    expect(
      found({
        ...base,
        'test/factories/people.ts': [
          "import { supporters } from '../../src/modules/people/people.table';",
          "import { findSupporter } from '../../src/modules/people';",
        ].join('\n'),
      }),
    ).toEqual(['test/factories/people.ts:1 src/modules/people/people.table.ts factory-table']);
  });

  it('says which file, line, import and rule, and why', () => {
    const violations = findViolations(
      tree({
        ...base,
        'src/modules/giving/gift.service.ts': "\nimport { s } from '../people/people.service';",
      }),
    );
    expect(describeViolations(violations)).toBe(
      'src/modules/giving/gift.service.ts:2 imports src/modules/people/people.service.ts [module-door] giving reaches people only through src/modules/people/index.ts',
    );
  });
});

describe('the source tree', () => {
  it('keeps every module boundary (docs/ARCHITECTURE.md)', () => {
    const violations = findViolations(readSourceFiles(ROOT, ['src', 'test/factories']));
    expect(describeViolations(violations)).toBe('');
  });
});
