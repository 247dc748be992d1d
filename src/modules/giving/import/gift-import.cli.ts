/**
 * `passage import <file.csv>`: the dry run, then (unless `--dry-run`) the commit, with progress bars on
 * stderr and the report on stdout (as one JSON document with `--json`). The operator at the command line
 * holds the database already: the run is recorded as the command line's, not a staff member's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Db } from '../../../platform/db/client';
import { AppError } from '../../../platform/errors';
import type { CommitCounts } from './gift-import.commit';
import type { ImportLayout } from './gift-import.layouts';
import type { DateFormat } from './gift-import.row';
import { checkImport, type ImportReport, startImportCommit } from './gift-import.service';

export interface ImportCommandOptions {
  layout?: ImportLayout;
  dryRun?: boolean;
  skipBadRows?: boolean;
  json?: boolean;
  defaultCurrency?: string;
  dateFormat?: DateFormat;
  fund?: string;
  contactsOnly?: boolean;
}

/** How many bad rows are printed before "and N more" (the JSON report has them all). */
const SHOWN_ERRORS = 50;

const out = (text: string) => process.stdout.write(text);

function bar(label: string, unit: string) {
  return new SingleBar({
    format: `  ${label} [{bar}] {percentage}% | {value}/{total} ${unit}`,
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
    stream: process.stderr,
  });
}

function printReport(report: ImportReport, detected: boolean) {
  out(`Layout: ${report.layout}${detected ? ' (detected)' : ''}\n`);
  out('Mapping:\n');
  for (const header of report.headers) {
    const field = report.mapping[header];
    out(`  ${header} → ${field ?? '(left out)'}\n`);
  }
  out(
    `Rows: ${report.rowsRead} read, ${report.goodRows} good, ${report.badRows} bad${report.complete ? '' : ' (the file could not be read to the end)'}\n`,
  );
  if (report.errors.length) {
    out('Bad rows (line, column: reason):\n');
    for (const e of report.errors.slice(0, SHOWN_ERRORS))
      out(`  line ${e.line}${e.column ? `, ${e.column}` : ''}: ${e.reason}\n`);
    if (report.errors.length > SHOWN_ERRORS)
      out(`  … and ${report.errors.length - SHOWN_ERRORS} more problem(s) (--json lists them all)\n`);
  }
  for (const f of report.funds) out(`Fund ${JSON.stringify(f.value)} → ${f.fund}\n`);
  for (const c of report.campaigns)
    out(
      `Campaign ${JSON.stringify(c.value)} → ${c.campaign ?? '(none in Passage: gifts go without a campaign)'}\n`,
    );
  out(`Gifts naming no fund Passage has go to ${report.defaultFund}.\n`);
  if (report.alreadyImported) out(`Already imported (will be skipped): ${report.alreadyImported}\n`);
  if (report.pending)
    out(`Pending gifts (their contacts are imported, the gifts are not): ${report.pending}\n`);
  for (const p of report.problems) out(`Cannot commit: ${p}\n`);
}

function printCounts(counts: CommitCounts, runId: string) {
  out(
    `Imported: ${counts.giftsCreated} gift(s) (${counts.giftsSettled} settled, ${counts.giftsRefunded} refunded, ${counts.giftsFailed} failed or cancelled); ` +
      `${counts.supportersCreated} supporter(s) created, ${counts.supportersMatched} matched; ` +
      `${counts.giftsAlreadyImported} already imported, ${counts.giftsPendingSkipped} pending not imported; ` +
      `${counts.consentStatements} consent statement(s). Receipts recorded, not emailed. Run ${runId}.\n`,
  );
}

/** Runs the command; answers the exit code (0 success, 1 refused or failed). */
export async function runImportCommand(db: Db, file: string, options: ImportCommandOptions): Promise<number> {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    process.stderr.write(`passage: cannot read ${file}\n`);
    return 1;
  }
  const caller = { db, subject: null, requestId: null };
  const settings = {
    fileName: path.basename(file),
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.defaultCurrency ? { defaultCurrency: options.defaultCurrency } : {}),
    ...(options.dateFormat ? { dateFormat: options.dateFormat } : {}),
    ...(options.fund ? { defaultFund: options.fund } : {}),
    ...(options.contactsOnly ? { entity: 'contacts' as const } : {}),
  };
  if (!options.json) out(`File: ${settings.fileName} (${(size / 1e6).toFixed(1)} MB)\n`);

  const checking = bar('Checking  ', 'bytes');
  checking.start(size, 0);
  let checked: Awaited<ReturnType<typeof checkImport>>;
  try {
    checked = await checkImport(caller, fs.createReadStream(file), settings, {
      totalBytes: size,
      onProgress: (p) => checking.update(p.done),
    });
  } catch (error) {
    checking.stop();
    if (error instanceof AppError) {
      process.stderr.write(`passage: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  checking.update(size);
  checking.stop();
  const { report } = checked;
  const refused =
    !report.complete ||
    report.problems.length > 0 ||
    (report.errors.length > 0 && !options.skipBadRows) ||
    report.goodRows === 0;
  if (!options.json) printReport(report, !options.layout);

  if (options.dryRun || refused) {
    if (options.json) out(`${JSON.stringify({ dryRun: true, ...report })}\n`);
    else if (refused)
      out(
        report.errors.length && !options.skipBadRows
          ? 'Nothing was written: fix the bad rows, or run again with --skip-bad-rows to import the good ones.\n'
          : 'Nothing was written.\n',
      );
    else out('Dry run: nothing was written.\n');
    return refused ? 1 : 0;
  }

  const committing = bar('Committing', 'rows');
  committing.start(report.goodRows, 0);
  let outcome: Awaited<Awaited<ReturnType<typeof startImportCommit>>['done']>;
  try {
    const started = await startImportCommit(
      caller,
      report.run.id,
      { ...checked, settings },
      {
        skipBadRows: options.skipBadRows === true,
        onProgress: (p) => {
          committing.setTotal(p.total);
          committing.update(p.done);
        },
      },
    );
    outcome = await started.done;
  } catch (error) {
    committing.stop();
    if (error instanceof AppError) {
      process.stderr.write(`passage: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  committing.stop();
  if (options.json) {
    out(`${JSON.stringify({ dryRun: false, ...report, run: outcome.run, counts: outcome.counts })}\n`);
  } else if (outcome.counts) printCounts(outcome.counts, outcome.run.id);
  else out(`The import failed and nothing was written: ${outcome.run.failure}\n`);
  return outcome.counts ? 0 : 1;
}
