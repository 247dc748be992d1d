/**
 * CSV export of any list, streamed (csv-stringify), safe to open in a spreadsheet: a text cell that a
 * spreadsheet would run as a formula gets a leading apostrophe (OWASP "CSV Injection": cells starting with
 * `=`, `+`, `-`, `@`, tab or carriage return). Numbers stay numbers: `-5` written from a number cannot carry
 * a formula, while the text "-5" is neutralised like any other text, because text is what an attacker
 * controls (a supporter's name, a note).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';

export type CsvCell = string | number | bigint | boolean | Date | null | undefined;

/** A column: a record's key, or a header with a function that reads the cell. */
export type CsvColumn<T> = (keyof T & string) | { header: string; value: (record: T) => CsvCell };

export interface CsvExportOptions<T> {
  /** Default: the first record's keys. */
  columns?: readonly CsvColumn<T>[];
  /** Start with a UTF-8 byte order mark, so Excel reads the file as UTF-8 (Korean names survive). */
  bom?: boolean;
  delimiter?: string;
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/** The cell as it goes in the file: formula triggers neutralised with a leading apostrophe. */
export function neutraliseCell(text: string): string {
  return text !== '' && FORMULA_START.has(text[0] as string) ? `'${text}` : text;
}

function cellText(value: CsvCell | unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return neutraliseCell(value);
  return neutraliseCell(JSON.stringify(value));
}

async function* csvRecords<T>(
  records: Iterable<T> | AsyncIterable<T>,
  columns: readonly CsvColumn<T>[] | undefined,
): AsyncGenerator<string[]> {
  let readers: ((r: T) => unknown)[] | undefined;
  const start = (cols: readonly CsvColumn<T>[]) => {
    readers = cols.map((c) => (typeof c === 'string' ? (r: T) => r[c as keyof T] : c.value));
    return cols.map((c) => neutraliseCell(typeof c === 'string' ? c : c.header));
  };
  if (columns) yield start(columns);
  for await (const record of records) {
    if (!readers) yield start(Object.keys(record as object) as CsvColumn<T>[]);
    yield (readers as ((r: T) => unknown)[]).map((read) => cellText(read(record)));
  }
}

/** A readable stream of the CSV file; pipe it to a response or a file. */
export function csvExport<T>(
  records: Iterable<T> | AsyncIterable<T>,
  options: CsvExportOptions<T> = {},
): Readable {
  const stringifier = stringify({ bom: options.bom ?? false, delimiter: options.delimiter ?? ',' });
  const source = Readable.from(csvRecords(records, options.columns));
  source.on('error', (e) => stringifier.destroy(e));
  return source.pipe(stringifier);
}

/** The whole CSV file as a string (small lists, tests). */
export async function csvExportToString<T>(
  records: Iterable<T> | AsyncIterable<T>,
  options: CsvExportOptions<T> = {},
): Promise<string> {
  let out = '';
  for await (const chunk of csvExport(records, options)) out += chunk.toString();
  return out;
}
