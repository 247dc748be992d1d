import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { inject } from 'vitest';
import type { TestDatabase } from './databases';
import { withDatabase } from './postgres-server';

/**
 * Canaries: unique markers planted in secrets (passwords, tokens, S4 fields) that must never show up
 * where they do not belong: responses, log lines, mail, or a plaintext dump of the database
 * (SECURITY.md, "How we prove it").
 *
 * ```ts
 * const name = canary('legal-name');             // CANARY-legal-name-3f9c…
 * …plant it, exercise the app…
 * await expectNoCanary([name], { responses, logs: t.logs, outbox: db, dump: db });
 * ```
 *
 * Each marker is looked for as text (as is, lower- and upper-cased), UTF-16, hex (bytea) and base64 /
 * base64url (at every byte alignment). A failure names where it was found (response #, log line #,
 * outbox row and column, dump line and table, or data-folder file and relation), never the surrounding text.
 *
 * The dump: on PostgreSQL, `pg_dump` of the test database; on PGlite, the raw bytes of the whole data
 * folder (`dumpDataDir`, after a checkpoint), which also holds dead row versions and the write-ahead log,
 * so it is stricter than a logical dump. `excludeTables` leaves out tables where a marker is expected (the
 * invitation link in `mail_outbox`): their data on PostgreSQL; their files on PGlite, and then the
 * write-ahead log too (it holds every table's changes), with the other tables still read logically.
 */
export function canary(label: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(label))
    throw new Error('a canary label is lower-case words and hyphens');
  return `CANARY-${label}-${crypto.randomBytes(8).toString('hex')}`;
}

/** A marker: a canary, or a secret the platform made (shown in failures by its label only). */
export type Marker = string | { label: string; value: string };

interface Needle {
  marker: string;
  form: string;
  bytes: Buffer;
}

/** Every form a marker could take once stored or encoded. */
export function canaryForms(marker: string): { form: string; bytes: Buffer }[] {
  const utf8 = Buffer.from(marker, 'utf8');
  const forms: { form: string; bytes: Buffer }[] = [
    { form: 'text', bytes: utf8 },
    { form: 'lower-case text', bytes: Buffer.from(marker.toLowerCase()) },
    { form: 'upper-case text', bytes: Buffer.from(marker.toUpperCase()) },
    { form: 'UTF-16', bytes: Buffer.from(marker, 'utf16le') },
    { form: 'hex', bytes: Buffer.from(utf8.toString('hex')) },
    { form: 'upper-case hex', bytes: Buffer.from(utf8.toString('hex').toUpperCase()) },
  ];
  // Base64 of a marker inside a longer value depends on its byte offset modulo 3: keep the characters
  // that depend on the marker alone (drop a first group shared with earlier bytes, and the last group).
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), utf8]).toString('base64');
    const stable = b64.slice(pad === 0 ? 0 : 4, b64.length - 4);
    forms.push({ form: 'base64', bytes: Buffer.from(stable) });
    forms.push({ form: 'base64url', bytes: Buffer.from(stable.replaceAll('+', '-').replaceAll('/', '_')) });
  }
  const seen = new Set<string>();
  return forms.filter((f) => {
    const key = f.bytes.toString('hex');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function needlesOf(markers: readonly Marker[]): Needle[] {
  return markers.flatMap((m) => {
    const value = typeof m === 'string' ? m : m.value;
    // A canary is named by its label alone (CANARY-password), so a failure message carries no value.
    const marker = typeof m === 'string' ? m.replace(/-[0-9a-f]{16}/, '') : m.label;
    if (value.length < 8) throw new Error(`marker ${marker} is too short to look for`);
    return canaryForms(value).map((f) => ({ marker, ...f }));
  });
}

function scan(haystack: Buffer, needles: Needle[], where: (offset: number) => string, found: string[]) {
  for (const n of needles) {
    const at = haystack.indexOf(n.bytes);
    if (at >= 0) found.push(`${n.marker} (${n.form}) in ${where(at)}`);
  }
}

export interface DumpOptions {
  database: TestDatabase;
  /** Tables whose data may hold the markers (e.g. mail_outbox for an emailed link). */
  excludeTables?: string[];
}

export interface CanarySources {
  /** Response bodies (or any text sent to a client). */
  responses?: readonly string[];
  /** Captured log lines. */
  logs?: readonly string[];
  /** Every row of mail_outbox in this database. */
  outbox?: TestDatabase;
  /** A plaintext dump of this database. */
  dump?: TestDatabase | DumpOptions;
}

/** Where the markers were found, one line per place and form; empty when nowhere. */
export async function findCanaries(markers: readonly Marker[], sources: CanarySources): Promise<string[]> {
  if (markers.length === 0) throw new Error('no markers to look for');
  const needles = needlesOf(markers);
  const found: string[] = [];
  sources.responses?.forEach((body, i) => {
    scan(Buffer.from(body), needles, (at) => `response #${i + 1} at character ${at}`, found);
  });
  sources.logs?.forEach((line, i) => {
    let msg = '';
    try {
      msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
    } catch {}
    scan(
      Buffer.from(line),
      needles,
      () => `log line #${i + 1}${msg ? ` ("${msg.slice(0, 60)}")` : ''}`,
      found,
    );
  });
  if (sources.outbox) {
    const { rows } = await sources.outbox.handle.query<Record<string, string | null>>(
      'select id, to_address, subject, text_body, html_body, last_error, message_id from mail_outbox',
    );
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (column === 'id' || value === null) continue;
        scan(Buffer.from(String(value)), needles, () => `mail_outbox row ${row.id}, column ${column}`, found);
      }
    }
  }
  if (sources.dump) {
    const options: DumpOptions = 'handle' in sources.dump ? { database: sources.dump } : sources.dump;
    if (options.database.kind === 'postgres') await scanPgDump(options, needles, found);
    else await scanPgliteDataDir(options, needles, found);
  }
  return found;
}

/** Fails, naming every place a marker was found (and nothing else of what is there). */
export async function expectNoCanary(markers: readonly Marker[], sources: CanarySources): Promise<void> {
  const found = await findCanaries(markers, sources);
  if (found.length) throw new Error(`canary found where it must not be:\n  ${found.join('\n  ')}`);
}

const execFileAsync = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

async function currentDatabase(database: TestDatabase): Promise<string> {
  const { rows } = await database.handle.query<{ name: string }>('select current_database() as name');
  const name = rows[0]?.name;
  if (!name) throw new Error('cannot tell which database this is');
  return name;
}

/** `pg_dump` of the test database as plain SQL text. */
export async function pgDump(database: TestDatabase, excludeTables: readonly string[] = []): Promise<string> {
  const url = withDatabase(inject('postgresAdminUrl'), await currentDatabase(database));
  const args = ['--no-owner', '--no-privileges', ...excludeTables.map((t) => `--exclude-table-data=${t}`)];
  const { stdout } = await execFileAsync(path.join(PG_BIN, 'pg_dump'), [...args, `--dbname=${url}`], {
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'buffer',
  });
  return stdout.toString('utf8');
}

async function scanPgDump(options: DumpOptions, needles: Needle[], found: string[]) {
  const text = await pgDump(options.database, options.excludeTables);
  let table = 'schema';
  text.split('\n').forEach((line, i) => {
    const copy = /^COPY ([\w."]+) /.exec(line);
    if (copy) table = copy[1] ?? table;
    else if (line === '\\.') table = 'schema';
    scan(Buffer.from(line), needles, () => `pg_dump line ${i + 1} (${table})`, found);
  });
}

/** The entries of a tar archive (ustar, as PGlite writes it). */
export function tarEntries(tar: Buffer): { name: string; data: Buffer }[] {
  const entries: { name: string; data: Buffer }[] = [];
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    entries.push({ name, data: tar.subarray(offset + 512, offset + 512 + size) });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

async function scanPgliteDataDir(options: DumpOptions, needles: Needle[], found: string[]) {
  const { handle } = options.database;
  if (!handle.dumpDataDir) throw new Error('this database cannot dump its data folder');
  // Which table each relation file belongs to (a TOAST table or an index counts as its table's).
  const { rows } = await handle.query<{ node: string; rel: string; tbl: string }>(`
    select c.relfilenode::text as node, c.relname as rel,
      coalesce(owner.relname, indexed.relname, toast_owner.relname, c.relname) as tbl
    from pg_class c
    left join pg_class owner on owner.reltoastrelid = c.oid
    left join pg_index ix on ix.indexrelid = c.oid
    left join pg_class indexed on indexed.oid = ix.indrelid and indexed.relkind <> 't'
    left join pg_class toast on toast.oid = ix.indrelid and toast.relkind = 't'
    left join pg_class toast_owner on toast_owner.reltoastrelid = toast.oid
    where c.relfilenode <> 0`);
  const tableOf = new Map(rows.map((r) => [r.node, r.tbl]));
  const excluded = new Set(options.excludeTables ?? []);
  await handle.exec('checkpoint');
  const tar = zlib.gunzipSync(Buffer.from(await (await handle.dumpDataDir()).arrayBuffer()));
  for (const entry of tarEntries(tar)) {
    const node = /^(\d+)(?:_[a-z]+)?(?:\.\d+)?$/.exec(path.basename(entry.name))?.[1];
    const table = node && /(^|\/)base\//.test(entry.name) ? tableOf.get(node) : undefined;
    if (table && excluded.has(table)) continue;
    if (excluded.size && /(^|\/)pg_wal\//.test(entry.name)) continue;
    const what = table ? `${entry.name} (${table})` : entry.name;
    scan(entry.data, needles, (at) => `PGlite data folder file ${what} at byte ${at}`, found);
  }
  if (excluded.size) {
    // The write-ahead log was skipped: read every other table logically instead.
    const { rows: tables } = await handle.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables
       where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    for (const { name } of tables) {
      if (excluded.has(name.replace(/^public\./, ''))) continue;
      const { rows: data } = await handle.query<{ row: string }>(`select t::text as row from ${name} t`);
      data.forEach((r, i) => {
        scan(Buffer.from(r.row), needles, () => `table ${name}, row ${i + 1}`, found);
      });
    }
  }
}
