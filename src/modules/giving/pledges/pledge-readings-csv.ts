import { parse } from 'csv-parse/sync';
import { MAX_READING_LINES, MAX_READING_VALUE } from './pledge.schema';

/*
 * A sponsor's readings as a small CSV: `date,value[,note]`, one reading a line, an optional header line
 * (`date,value,note`). Every bad line is reported with its line number and column, and nothing is written
 * unless every line is good (SECURITY.md rule 12).
 */

export interface ReadingsCsvProblem {
  line: number;
  column: 'date' | 'value' | 'note' | null;
  reason: string;
}

export interface ParsedReading {
  line: number;
  readOn: Date;
  value: number;
  note: string | null;
}

const quote = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** `2026-03-01` as midnight UTC, or null when it is not a real day. */
export function parseDay(text: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== text ? null : d;
}

export function parseReadingsCsv(text: string): {
  readings: ParsedReading[];
  problems: ReadingsCsvProblem[];
} {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1;
    return {
      readings: [],
      problems: [
        { line, column: null, reason: `is not valid CSV (${(error as Error).message.split(':')[0]})` },
      ],
    };
  }
  const first = records[0]?.record[0]?.toLowerCase();
  if (first === 'date') records = records.slice(1);
  if (records.length === 0)
    return { readings: [], problems: [{ line: 1, column: null, reason: 'has no readings' }] };
  if (records.length > MAX_READING_LINES)
    return {
      readings: [],
      problems: [
        {
          line: records[MAX_READING_LINES]?.info.lines ?? 1,
          column: null,
          reason: `the file may hold at most ${MAX_READING_LINES} readings`,
        },
      ],
    };

  const readings: ParsedReading[] = [];
  const problems: ReadingsCsvProblem[] = [];
  for (const { record, info } of records) {
    const line = info.lines;
    const [dateText = '', valueText = '', noteText = ''] = record;
    if (record.length < 2 || record.length > 3) {
      problems.push({
        line,
        column: null,
        reason: `has ${record.length} column${record.length === 1 ? '' : 's'}; expected date,value[,note]`,
      });
      continue;
    }
    const readOn = parseDay(dateText);
    if (!readOn)
      problems.push({ line, column: 'date', reason: `${quote(dateText)} is not a date such as 2026-03-01` });
    const value = /^\d{1,13}$/.test(valueText) ? Number(valueText) : Number.NaN;
    if (!Number.isSafeInteger(value) || value > MAX_READING_VALUE)
      problems.push({
        line,
        column: 'value',
        reason: `${quote(valueText)} is not a whole number from 0 to ${MAX_READING_VALUE}`,
      });
    if (noteText.length > 200)
      problems.push({ line, column: 'note', reason: 'must be at most 200 characters' });
    if (readOn && Number.isSafeInteger(value) && value <= MAX_READING_VALUE && noteText.length <= 200)
      readings.push({ line, readOn, value, note: noteText || null });
  }
  return { readings, problems };
}
