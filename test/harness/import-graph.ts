import fs from 'node:fs';
import path from 'node:path';
import { parseSync } from 'vite';

/*
 * The module boundaries of docs/ARCHITECTURE.md as a rule over the import graph: a module is reached only
 * through its door, the platform never imports what is built on it, the browser never loads server code.
 * `findViolations` is pure (files in, violations out) so its own test can feed it each kind of mistake;
 * test/boundaries.test.ts runs it over the real tree.
 *
 * Imports are read with the oxc parser Vite ships (`import`, `export … from`, `import('…')` with a literal),
 * so a specifier in a comment or a string is never mistaken for one. Only relative specifiers are followed:
 * packages are not ours to police here. SQL is not an import, so a module's raw SQL is read too: the text of
 * its `sql` templates must not name (`from`, `join`, `update`, `into`) a table another module declares.
 */

/** A source file by its path from the project root (`src/modules/giving/gift.service.ts`) and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

export interface ImportRef {
  specifier: string;
  line: number;
  /** `import type …` / `export type … from`: erased when compiled, so it never loads the file. */
  typeOnly: boolean;
}

export type Rule =
  | 'module-door'
  | 'foreign-sql'
  | 'web-module-door'
  | 'foreign-table'
  | 'door-hands-out-table'
  | 'platform-layer'
  | 'registry-only'
  | 'browser-safe'
  | 'factory-table';

export interface Violation {
  rule: Rule;
  file: string;
  line: number;
  /** The imported file, from the project root (or the bare specifier when it does not resolve). */
  target: string;
  why: string;
}

/** The only files that import every module: the server's list of modules. */
export const REGISTRIES: readonly string[] = ['src/modules/registry.ts'];

/**
 * Files outside the web folders that the browser may load, besides `*.constants.ts` and `*.schema.ts`
 * (plain values and Zod schemas, shared by the server's validation and the pages' forms): each is pure
 * code over no server API, and each is what pages use today.
 */
export const BROWSER_SAFE: readonly string[] = [
  // Exact money arithmetic and formatting: the donate page shows the donor the exact fee cover.
  'src/platform/money/money.ts',
  // The role names the shell shows and guards routes with (re-exported by src/web/roles.ts).
  'src/platform/access/roles.ts',
  // Giving's currencies over platform/money: the donate, portal and console pages format amounts with it.
  'src/modules/giving/money.ts',
];

const SOURCE = /\.(ts|tsx)$/;
const TEST = /\.test\.tsx?$/;
const CONSTANTS = /\.constants\.ts$/;
const SCHEMA = /\.schema\.ts$/;
const TABLE = /\.table\.ts$/;

/** `giving` for any file under src/modules/giving/, null elsewhere (registry.ts belongs to no module). */
export function moduleOf(file: string): string | null {
  return /^src\/modules\/([^/]+)\//.exec(file)?.[1] ?? null;
}

const isModuleWeb = (file: string) => /^src\/modules\/[^/]+\/web\//.test(file);
const isShellWeb = (file: string) => file.startsWith('src/web/');
const isWeb = (file: string) => isModuleWeb(file) || isShellWeb(file);
const isPlatform = (file: string) => file.startsWith('src/platform/');
const isEntry = (file: string) => file === 'src/cli.ts' || file === 'src/server.ts';
const isDoor = (file: string) => /^src\/modules\/[^/]+\/index\.ts$/.test(file);
const isBrowserSafe = (file: string) =>
  CONSTANTS.test(file) || SCHEMA.test(file) || BROWSER_SAFE.includes(file);

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function parse(file: SourceFile) {
  const parsed = parseSync(file.path, file.text, { lang: file.path.endsWith('x') ? 'tsx' : 'ts' });
  if (parsed.errors.length > 0)
    throw new Error(`${file.path}: cannot be parsed: ${parsed.errors[0]?.message}`);
  return parsed;
}

/** Every import, re-export and literal dynamic import of a file, in source order. */
export function importsOf(file: SourceFile): ImportRef[] {
  const { module } = parse(file);
  const refs: (ImportRef & { at: number })[] = [];
  const typeOnlyStatement = (start: number) =>
    /^(import|export)\s+type\b/.test(file.text.slice(start, start + 20));
  for (const s of module.staticImports) {
    refs.push({
      specifier: s.moduleRequest.value,
      at: s.start,
      line: lineAt(file.text, s.start),
      typeOnly: typeOnlyStatement(s.start),
    });
  }
  for (const s of module.staticExports) {
    const from = s.entries.find((e) => e.moduleRequest)?.moduleRequest;
    if (!from) continue;
    refs.push({
      specifier: from.value,
      at: s.start,
      line: lineAt(file.text, s.start),
      typeOnly: typeOnlyStatement(s.start),
    });
  }
  for (const d of module.dynamicImports) {
    const literal = /^(['"`])([^'"`$]*)\1$/.exec(file.text.slice(d.moduleRequest.start, d.moduleRequest.end));
    if (!literal?.[2]) continue;
    refs.push({ specifier: literal[2], at: d.start, line: lineAt(file.text, d.start), typeOnly: false });
  }
  return refs.sort((a, b) => a.at - b.at).map(({ at: _at, ...ref }) => ref);
}

/** The text of every `sql` tagged template of a file (the parts between its `${…}`), with its line. */
export function sqlTextsOf(file: SourceFile): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const n = node as {
      type?: string;
      tag?: { type?: string; name?: string };
      quasi?: { quasis: { value: { raw: string } }[]; start: number };
    };
    if (
      n.type === 'TaggedTemplateExpression' &&
      n.tag?.type === 'Identifier' &&
      n.tag.name === 'sql' &&
      n.quasi
    ) {
      out.push({
        text: n.quasi.quasis.map((q) => q.value.raw).join(' '),
        line: lineAt(file.text, n.quasi.start),
      });
    }
    for (const value of Object.values(n)) if (value && typeof value === 'object') visit(value);
  };
  visit(parse(file).program);
  return out;
}

/** Which module declares each table (`supporters` → `people`), from the `pgTable('…'` of its *.table.ts. */
export function moduleTables(files: readonly SourceFile[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of files) {
    const owner = moduleOf(file.path);
    if (!owner || !TABLE.test(file.path)) continue;
    for (const m of file.text.matchAll(/pgTable\(\s*['"]([a-z0-9_]+)['"]/g)) if (m[1]) out.set(m[1], owner);
  }
  return out;
}

/**
 * The file a relative specifier names, from the project root, as the bundler resolves it (`./x` is
 * `x.ts`, `x.tsx`, `x/index.ts` or `x/index.tsx` among `known`; anything else, such as a CSS or JSON
 * file, keeps its own name). null for a package.
 */
export function resolveSpecifier(from: string, specifier: string, known: ReadonlySet<string>): string | null {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return null;
  const base = path.posix.normalize(
    path.posix.join(path.posix.dirname(from), specifier.replace(/\?.*$/, '')),
  );
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    if (known.has(candidate)) return candidate;
  }
  return base;
}

/** What `from` may not import, or null when the edge is allowed. One rule per edge, the most specific. */
function check(from: string, to: string, ref: ImportRef): Omit<Violation, 'file' | 'line' | 'target'> | null {
  const source = moduleOf(from);
  const target = moduleOf(to);

  if (from.startsWith('test/factories/')) {
    return target && TABLE.test(to)
      ? {
          rule: 'factory-table',
          why: `a factory builds through the ${target} module's services, not its tables`,
        }
      : null;
  }

  if (isPlatform(from) && (target || to.startsWith('src/modules/') || isWeb(to) || isEntry(to))) {
    return {
      rule: 'platform-layer',
      why: 'the platform is built on by modules, the web shell and the entry points; it never imports them',
    };
  }

  if (source && target && source !== target) {
    if (CONSTANTS.test(to)) return null;
    if (TABLE.test(to)) {
      return {
        rule: 'foreign-table',
        why: `${target}'s tables are its own: ask ${target} for a read model through its index.ts`,
      };
    }
    if (isModuleWeb(from)) {
      return {
        rule: 'web-module-door',
        why: `a page reaches ${target} only through its *.constants.ts (its index.ts is server code)`,
      };
    }
    if (!isDoor(to)) {
      return {
        rule: 'module-door',
        why: `${source} reaches ${target} only through src/modules/${target}/index.ts`,
      };
    }
  }

  if (isDoor(from) && source === target && TABLE.test(to)) {
    return {
      rule: 'door-hands-out-table',
      why: `${source}'s index.ts exports functions and types, never tables`,
    };
  }

  if (!source && !REGISTRIES.includes(from) && to.startsWith('src/modules/') && !REGISTRIES.includes(to)) {
    const door = target && (isDoor(to) || CONSTANTS.test(to)) && !isShellWeb(from);
    if (!door) {
      return {
        rule: 'registry-only',
        why: isShellWeb(from)
          ? 'the web shell knows no module: modules register their pages and translations'
          : `outside the modules, ${target ?? 'a module'} is reached through its index.ts or ${REGISTRIES.join(', ')}`,
      };
    }
  }

  if (isWeb(from) && !TEST.test(from) && !ref.typeOnly && to.startsWith('src/')) {
    const sameWeb = isShellWeb(to) || (isModuleWeb(to) && target === source);
    if (!sameWeb && !isBrowserSafe(to)) {
      return {
        rule: 'browser-safe',
        why: 'the browser loads only web files, *.constants.ts, *.schema.ts and the BROWSER_SAFE list (import type is free)',
      };
    }
  }
  return null;
}

/** A module's SQL (its tests' too) naming a table another module declares. */
function foreignSql(file: SourceFile, tables: ReadonlyMap<string, string>): Violation[] {
  const source = moduleOf(file.path);
  if (!source || TABLE.test(file.path)) return [];
  const out: Violation[] = [];
  for (const { text, line } of sqlTextsOf(file)) {
    for (const m of text.matchAll(/\b(?:from|join|update|into)\s+"?([a-z0-9_]+)"?/gi)) {
      const table = m[1]?.toLowerCase() ?? '';
      const owner = tables.get(table);
      if (!owner || owner === source) continue;
      out.push({
        rule: 'foreign-sql',
        file: file.path,
        line,
        target: `table ${table} (${owner})`,
        why: `${owner}'s tables are its own: ask ${owner} for a read model through its index.ts`,
      });
    }
  }
  return out;
}

/** Every import (and module SQL) that crosses a boundary, in file and line order. */
export function findViolations(files: readonly SourceFile[]): Violation[] {
  const known = new Set(files.map((f) => f.path));
  const tables = moduleTables(files);
  const out: Violation[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const found: Violation[] = [];
    for (const ref of importsOf(file)) {
      const to = resolveSpecifier(file.path, ref.specifier, known);
      if (!to) continue;
      const broken = check(file.path, to, ref);
      if (broken) found.push({ ...broken, file: file.path, line: ref.line, target: to });
    }
    found.push(...foreignSql(file, tables));
    out.push(...found.sort((a, b) => a.line - b.line));
  }
  return out;
}

/** One line per violation: `src/a.ts:3 imports src/b.ts [rule] why`. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file}:${v.line} imports ${v.target} [${v.rule}] ${v.why}`).join('\n');
}

/** The .ts and .tsx files under `folders` of `root`, paths from the root with forward slashes. */
export function readSourceFiles(root: string, folders: readonly string[]): SourceFile[] {
  const out: SourceFile[] = [];
  for (const folder of folders) {
    const dir = path.join(root, folder);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !SOURCE.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
      const full = path.join(entry.parentPath, entry.name);
      out.push({
        path: path.relative(root, full).split(path.sep).join('/'),
        text: fs.readFileSync(full, 'utf8'),
      });
    }
  }
  return out;
}
