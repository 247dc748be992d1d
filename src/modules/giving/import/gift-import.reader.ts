/**
 * Streaming CSV import of contacts and gifts: read the header, detect the layout, apply the mapping, then
 * normalise record by record. Nothing is written anywhere: the result is the validated rows and every bad
 * row's problems, and the service commits all of them in one transaction or none (or the good rows only,
 * when the import asked to skip bad ones). Memory holds the normalised rows, not the file.
 */
import { Readable } from 'node:stream';
import { CsvError, type Info, parse } from 'csv-parse';
import { isCurrency } from '../../../platform/money/money';
import {
  defaultMapping,
  detectLayout,
  IMPORT_FIELDS,
  type ImportField,
  type ImportLayout,
  type ImportMapping,
} from './gift-import.layouts';
import {
  type Cells,
  type ContactKind,
  type DateFormat,
  type ImportError,
  type ImportRow,
  normaliseRow,
} from './gift-import.row';

export type ImportSource = string | Uint8Array | NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>;

export interface ImportOptions {
  /** `gifts` (default): contribution rows, each a contact and a gift. `contacts`: contacts only. */
  entity?: 'gifts' | 'contacts';
  /** Skip detection. */
  layout?: ImportLayout;
  /** Changes to the layout's default mapping, by header: a field, or `null` to leave the column out. */
  mapping?: ImportMapping;
  /** For rows without a currency column or cell. Default `USD`. */
  defaultCurrency?: string;
  /** How slashed dates are ordered. Default `auto` (ISO and YYYYMMDD only). */
  dateFormat?: DateFormat;
  /** For rows that do not say (CiviCRM imports one contact type per file). Default `individual`. */
  contactKind?: ContactKind;
  /** Commit the good rows even when some are bad. Default false: all or nothing. */
  skipBadRows?: boolean;
  delimiter?: string;
  /** Called every `progressEvery` records (default 1,000) and once at the end. */
  onProgress?: (progress: { rowsRead: number }) => void;
  progressEvery?: number;
  /** Refuse files with more data rows than this. Default 1,000,000. */
  maxRows?: number;
  /** Currencies the importing system takes (default: every ISO currency). */
  currencies?: readonly string[];
  /** The largest amount of one gift, in minor units (default: none beyond a bigint). */
  maxAmountMinor?: bigint;
}

export interface ImportResult {
  layout: ImportLayout;
  headers: string[];
  /** The mapping used: every header, to a field or `null`. */
  mapping: ImportMapping;
  /** Good rows, in file order. */
  rows: ImportRow[];
  /** Every problem of every bad row, in file order. */
  errors: ImportError[];
  rowsRead: number;
  badRows: number;
  /** The whole file was read (false after a CSV syntax error or the row limit). */
  complete: boolean;
  /** What the service may commit: `rows`, when the file was read whole and is clean or bad rows are skipped. */
  committable: boolean;
}

/** A mapping that cannot work: the import stops before reading rows. */
export class ImportMappingError extends Error {
  override name = 'ImportMappingError';
  readonly id = 'validation_failed';
  constructor(readonly problems: string[]) {
    super(`mapping: ${problems.join('; ')}`);
  }
}

interface Column {
  index: number;
  header: string;
  field: ImportField;
}

export interface ImportPlan {
  layout: ImportLayout;
  headers: string[];
  mapping: ImportMapping;
  columns: Column[];
}

/**
 * The mapping step: the layout (detected unless given), the default mapping with the caller's changes, and
 * the problems that stop an import before any row (a required field unmapped, a header mapped that the file
 * does not have, a duplicate header in use).
 */
export function planImport(headers: string[], options: ImportOptions = {}): ImportPlan {
  const layout = options.layout ?? detectLayout(headers);
  const mapping = { ...defaultMapping(layout, headers), ...(options.mapping ?? {}) };
  const problems: string[] = [];
  const known = new Set(headers);
  for (const [header, field] of Object.entries(mapping)) {
    if (!known.has(header)) problems.push(`the file has no column ${JSON.stringify(header)}`);
    else if (field !== null && !IMPORT_FIELDS.includes(field)) {
      problems.push(`${JSON.stringify(field)} is not a Passage field (${IMPORT_FIELDS.join(', ')})`);
    }
  }
  const columns: Column[] = [];
  const seen = new Set<string>();
  headers.forEach((header, index) => {
    const field = mapping[header];
    if (seen.has(header) && field) problems.push(`column ${JSON.stringify(header)} appears twice`);
    seen.add(header);
    if (field && IMPORT_FIELDS.includes(field)) columns.push({ index, header, field });
  });
  const mapped = new Set(columns.map((c) => c.field));
  if ((options.entity ?? 'gifts') === 'gifts') {
    for (const field of ['amount', 'receivedOn'] as const) {
      if (!mapped.has(field)) {
        problems.push(
          `no column is mapped to ${field} (${layout === 'custom' ? 'layout not recognised: map the columns' : `layout ${layout}`})`,
        );
      }
    }
  }
  if (
    !['contactSourceId', 'externalId', 'email', 'firstName', 'lastName', 'organisationName'].some((f) =>
      mapped.has(f as ImportField),
    )
  ) {
    problems.push('no column identifies the contact (contact id, external identifier, email or name)');
  }
  const currency = options.defaultCurrency ?? 'USD';
  if (!isCurrency(currency)) problems.push(`default currency ${JSON.stringify(currency)} is not supported`);
  if (problems.length) throw new ImportMappingError(problems);
  return { layout, headers, mapping, columns };
}

const LINE_BREAK = /\r\n|\r|\n/g;

interface Record_ {
  record: string[];
  info: Info;
}

function toStream(source: ImportSource): NodeJS.ReadableStream | AsyncIterable<string | Uint8Array> {
  if (typeof source === 'string' || source instanceof Uint8Array) return Readable.from([source]);
  return source;
}

/**
 * The parser's records, each with the line it starts on (the header is line 1). Records are taken from
 * 'data' events rather than the stream's async iterator: when a chunk both completes records and breaks the
 * CSV, the iterator drops the completed ones with the error, and the dry run must report them. (No pause:
 * a paused parser would hold records back behind the error too. The queue stays short because the source is
 * read a chunk at a time and the consumer runs between chunks.)
 */
async function* records(
  source: ImportSource,
  delimiter: string,
): AsyncGenerator<{ cells: string[]; line: number }> {
  // max_record_size: an unclosed quote near the top must not pull a whole large file into one cell.
  const parser = parse({
    bom: true,
    delimiter,
    info: true,
    max_record_size: 1_000_000,
    relax_column_count: true,
    skip_empty_lines: true,
  });
  let queue: Record_[] = [];
  let next = 0;
  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  parser.on('data', (r: Record_) => {
    queue.push(r);
    notify();
  });
  parser.on('error', (e: Error) => {
    failure ??= e;
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });

  const input = toStream(source);
  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        if (parser.destroyed || failure) return;
        if (!parser.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off('drain', done);
              parser.off('close', done);
              resolve();
            };
            parser.on('drain', done);
            parser.on('close', done);
          });
        }
      }
      if (!parser.destroyed) parser.end();
    } catch (e) {
      failure ??= e as Error;
      notify();
    }
  })();

  // Lines are counted here, not taken from info.lines: csv-parse counts a CRLF inside a quoted cell as two
  // lines. Each record spans one line plus the line breaks in its cells; skipped blank lines come before it.
  let end = 0;
  let emptyBefore = 0;
  try {
    for (;;) {
      while (next < queue.length) {
        const { record, info } = queue[next++] as Record_;
        const line = end + 1 + (info.empty_lines - emptyBefore);
        emptyBefore = info.empty_lines;
        let breaks = 0;
        for (const cell of record) {
          if (cell.includes('\n') || cell.includes('\r')) breaks += cell.match(LINE_BREAK)?.length ?? 0;
        }
        end = line + breaks;
        yield { cells: record, line };
      }
      queue = [];
      next = 0;
      if (failure) {
        // A syntax error belongs to the record after the last one read.
        throw Object.assign(failure, { recordLine: end + 1 });
      }
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    parser.destroy();
    await feeding;
  }
}

/** The header and its mapping, for the mapping step of the UI or CLI; reads no further than line 1. */
export async function inspectImport(
  source: ImportSource,
  options: Pick<ImportOptions, 'layout' | 'delimiter'> = {},
): Promise<{ layout: ImportLayout; headers: string[]; mapping: ImportMapping }> {
  try {
    for await (const { cells } of records(source, options.delimiter ?? ',')) {
      const headers = cells.map((h) => h.trim());
      const layout = options.layout ?? detectLayout(headers);
      return { layout, headers, mapping: defaultMapping(layout, headers) };
    }
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    throw new ImportMappingError([
      `the header line is not valid CSV: ${e.message.replace(/ at line \d+$/, '')}`,
    ]);
  }
  throw new ImportMappingError(['the file is empty']);
}

/**
 * The dry run, and the read before a commit: every record normalised or reported. Throws
 * `ImportMappingError` when the mapping cannot work; everything about the rows is in the result.
 */
export async function readImport(source: ImportSource, options: ImportOptions = {}): Promise<ImportResult> {
  const rowOptions = {
    entity: options.entity ?? 'gifts',
    defaultCurrency: options.defaultCurrency ?? 'USD',
    dateFormat: options.dateFormat ?? 'auto',
    contactKind: options.contactKind ?? 'individual',
    ...(options.currencies ? { currencies: options.currencies } : {}),
    ...(options.maxAmountMinor !== undefined ? { maxAmountMinor: options.maxAmountMinor } : {}),
  };
  const every = Math.max(1, options.progressEvery ?? 1000);
  const maxRows = options.maxRows ?? 1_000_000;
  const rows: ImportRow[] = [];
  const errors: ImportError[] = [];
  // A source system's id names one gift: a second row with it would be the same gift twice.
  const idLines = { transactionId: new Map<string, number>(), sourceId: new Map<string, number>() };
  let plan: ImportPlan | undefined;
  let rowsRead = 0;
  let badRows = 0;
  let complete = true;

  try {
    for await (const { cells: record, line } of records(source, options.delimiter ?? ',')) {
      if (!plan) {
        plan = planImport(
          record.map((h) => h.trim()),
          options,
        );
        continue;
      }
      if (rowsRead === maxRows) {
        errors.push({ line, column: '', reason: `the file has more than ${maxRows} rows; split it` });
        complete = false;
        break;
      }
      rowsRead++;
      const errorsBefore = errors.length;
      if (record.length !== plan.headers.length && !(record.length === 1 && record[0] === '')) {
        errors.push({
          line,
          column: '',
          reason: `has ${record.length} cells; the header has ${plan.headers.length}`,
        });
      } else {
        const cells: Cells = {};
        for (const c of plan.columns) {
          const value = record[c.index]?.trim() ?? '';
          if (value !== '' && !cells[c.field]) cells[c.field] = { value, header: c.header };
        }
        const row = normaliseRow(cells, line, rowOptions, errors);
        for (const [key, field] of [
          ['transactionId', 'transactionId'],
          ['sourceId', 'giftSourceId'],
        ] as const) {
          const id = row?.gift?.[key];
          if (id === undefined) continue;
          const first = idLines[key].get(id);
          if (first !== undefined) {
            errors.push({
              line,
              column: cells[field]?.header ?? '',
              reason: `${JSON.stringify(id)} is already on line ${first}`,
            });
          } else idLines[key].set(id, line);
        }
        if (row && errors.length === errorsBefore) rows.push(row);
      }
      if (errors.length > errorsBefore) badRows++;
      if (options.onProgress && rowsRead % every === 0) options.onProgress({ rowsRead });
    }
  } catch (e) {
    if (e instanceof ImportMappingError) throw e;
    // Every parse error is a CsvError; not every one's code starts with CSV_ (INVALID_OPENING_QUOTE does
    // not, and answered 500: found by test/route-fuzz.test.ts).
    if (!(e instanceof CsvError)) throw e;
    const err = e as CsvError & { recordLine?: number };
    if (!plan)
      throw new ImportMappingError([
        `the header line is not valid CSV: ${err.message.replace(/ at line \d+$/, '')}`,
      ]);
    // csv-parse's message names its own line count, which a CRLF inside a quoted cell throws off.
    const message = err.message.replace(/ at line \d+$/, '');
    errors.push({ line: err.recordLine ?? 0, column: '', reason: `is not valid CSV: ${message}` });
    complete = false;
  }
  if (!plan) throw new ImportMappingError(['the file is empty']);
  options.onProgress?.({ rowsRead });

  return {
    layout: plan.layout,
    headers: plan.headers,
    mapping: plan.mapping,
    rows,
    errors,
    rowsRead,
    badRows,
    complete,
    committable: complete && (errors.length === 0 || options.skipBadRows === true),
  };
}
