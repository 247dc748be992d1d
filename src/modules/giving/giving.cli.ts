import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliKit } from '../../platform/module';
import type { ImportCommandOptions } from './import/gift-import.cli';

/**
 * Giving's commands: `passage giving check`, `passage giving statements` and `passage import`. Each imports its
 * work only when it runs, so `passage start` does not pay for them.
 */
export function registerGivingCommands(program: Command, cli: CliKit): void {
  const giving = program.command('giving').description('Gifts, funds and campaigns');

  giving
    .command('check')
    .description(
      'Check the ledger: fund balances equal their entries, receipts point to settled gifts, no gift settled twice; exit 1 if not',
    )
    .action(() =>
      cli.withMigratedDatabase(async (database) => {
        const { checkLedger } = await import('./index');
        const result = await checkLedger(database.db);
        for (const problem of result.problems) process.stdout.write(`FAIL  ${problem}\n`);
        const { gifts, entries, receipts } = result.counts;
        process.stdout.write(
          result.ok
            ? `ok: ${gifts} gifts, ${entries} ledger entries, ${receipts} receipts; the ledger balances\n`
            : `BROKEN: ${result.problems.length} problem(s)\n`,
        );
        if (!result.ok) process.exitCode = 1;
      }),
    );

  giving
    .command('statements')
    .description(
      "Send the year's giving statement to every donor with an email who has not had it (once each); exit 1 when refused",
    )
    .requiredOption('--year <year>', 'the calendar year, once it has ended', (value) => {
      if (!/^\d{4}$/.test(value)) throw new InvalidArgumentError('expected a year such as 2026');
      return Number(value);
    })
    .option('--dry-run', 'count who would get one and send nothing')
    .action((options: { year: number; dryRun?: boolean }) =>
      cli.withMigratedDatabase(async (database, config) => {
        const { runStatementsCommand } = await import('./statements/statement.cli');
        process.exitCode = await runStatementsCommand(database, config, options);
      }),
    );

  program
    .command('import')
    .description(
      'Import contacts and gifts from a CiviCRM contribution or Salesforce NPSP Data Import CSV: a dry run reporting every bad row, then one all-or-nothing commit; exit 1 when refused',
    )
    .argument('<file>', 'the CSV file')
    .addOption(new Option('--layout <layout>', 'skip detection').choices(['civicrm', 'npsp']))
    .option('--dry-run', 'check the file and write nothing')
    .option('--skip-bad-rows', 'commit the good rows even when some are bad')
    .option('--json', 'print the report (and the result) as one JSON document')
    .addOption(new Option('--default-currency <code>', 'for rows without a currency (default USD)'))
    .addOption(
      new Option('--date-format <format>', 'how slashed dates are ordered').choices([
        'MM/DD/YYYY',
        'DD/MM/YYYY',
      ]),
    )
    .option('--fund <code>', 'fund for gifts naming no fund Passage has (default most-needed)')
    .option('--contacts-only', 'import the contacts of the rows, no gifts')
    .action((file: string, options: ImportCommandOptions) =>
      cli.withMigratedDatabase(async (database) => {
        const { runImportCommand } = await import('./import/gift-import.cli');
        process.exitCode = await runImportCommand(database.db, file, options);
      }),
    );
}
