/**
 * Answering a list as a CSV download: the reply (type, attachment name, the streamed file with a BOM so
 * Excel reads Korean names), the `?format=csv` switch, a rate limit that only counts CSV downloads, and
 * a reader that walks a whole list page by page so an export is never capped like a screen's page.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type CsvColumn, csvExport } from './csv-export';

/** Sends the records as a CSV download (formula injection neutralised; a BOM so Excel reads Korean names). */
export function sendCsv<T>(
  reply: FastifyReply,
  fileName: string,
  records: Iterable<T> | AsyncIterable<T>,
  columns: readonly CsvColumn<T>[],
) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${fileName}.csv"`)
    .send(csvExport(records, { columns, bom: true }));
}

/** A download's name: the list and the day it was taken (UTC), `gifts-2026-11-22`. */
export function csvFileName(list: string, now = new Date()): string {
  return `${list}-${now.toISOString().slice(0, 10)}`;
}

/** A list route's `format` query: the screen's JSON (default) or a CSV file. */
export const ListFormat = z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json');

/** Whether the request asks for its list as a CSV file (`?format=csv`). */
export function wantsCsv(request: FastifyRequest): boolean {
  return (request.query as { format?: unknown } | undefined)?.format === 'csv';
}

/** The ceiling every route has (platform/http/app.ts); a list's screen reads stay under it. */
const SCREEN_MAX = 600;
/** Donor lists as files are an exfiltration path: a person downloads a few a minute, a scraper many. */
export const CSV_EXPORTS_PER_MINUTE = 30;

/**
 * A route's rate limit when the route answers its list as JSON or as a CSV file: CSV downloads count in
 * their own bucket per address, at the reports' donor-list rate, so paging through the screen never uses
 * up the downloads and a scraper cannot download faster than a person would.
 */
export const csvExportRateLimit = {
  rateLimit: {
    max: (request: FastifyRequest) => (wantsCsv(request) ? CSV_EXPORTS_PER_MINUTE : SCREEN_MAX),
    keyGenerator: (request: FastifyRequest) => (wantsCsv(request) ? `csv|${request.ip}` : request.ip),
    timeWindow: '1 minute',
  },
};

/**
 * Every record of a list, one page at a time: `readPage(after)` answers the page after the last record
 * of the previous one (keyset paging, so a page costs the same at the end of a long list as at the start)
 * and a short page ends the list. Each page is read when the file's writer wants more.
 */
export async function* inPages<T>(
  readPage: (after: T | null) => Promise<T[]>,
  pageSize: number,
): AsyncGenerator<T> {
  let after: T | null = null;
  for (;;) {
    const page = await readPage(after);
    yield* page;
    if (page.length < pageSize) return;
    after = page[page.length - 1] as T;
  }
}
