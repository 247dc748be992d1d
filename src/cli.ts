import fs from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { config as loadDotenv } from 'dotenv';
import type { ImportCommandOptions } from './modules/giving/import/gift-import.cli';
import { verifyAuditChain } from './platform/audit/audit.service';
import { type Config, ConfigError, loadConfig } from './platform/config/config';
import { CryptoError } from './platform/crypto/crypto.errors';
import { kekFingerprint, type LoadedKek, loadKek, readKekFile, writeNewKekFile } from './platform/crypto/kek';
import { KeyRing, rotateKek } from './platform/crypto/key-ring';
import { openDatabase } from './platform/db/client';
import { migrationStatus, runMigrations } from './platform/db/migrate';
import { seeders } from './platform/seed/registry';
import { SCALES, type Scale } from './platform/seed/seed';

// An optional .env in the working folder; real environment variables win.
if (fs.existsSync('.env')) loadDotenv({ path: '.env', quiet: true });

function fail(message: string): never {
  process.stderr.write(`passage: ${message}\n`);
  process.exit(1);
}

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

const program = new Command()
  .name('passage')
  .description('Passage: operations for a refugee-rescue nonprofit.')
  .showSuggestionAfterError(true)
  .configureOutput({ outputError: (text, write) => write(`passage: ${text.replace(/^error: /, '')}`) });

program
  .command('start')
  .description('Migrate the database and serve Passage (API, web and jobs) on PORT')
  .action(async () => {
    const { startPassage } = await import('./server');
    await startPassage(config());
  });

program
  .command('migrate')
  .description('Apply the committed database migrations that are not yet applied')
  .action(async () => {
    const c = config();
    const db = await openDatabase(c.database);
    try {
      const applied = await runMigrations(db);
      const status = await migrationStatus(db);
      process.stdout.write(
        `Applied ${applied} migration(s); ${status.applied} of ${status.committed} in place.\n`,
      );
    } finally {
      await db.close();
    }
  });

const parseScale = (value: string): Scale => {
  if (!(SCALES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${SCALES.join(', ')}`);
  }
  return value as Scale;
};

program
  .command('seed-demo')
  .description('Fill the database with synthetic, realistic demo data for every module')
  .addOption(
    new Option('--scale <scale>', `how much data: ${SCALES.join(', ')}`)
      .argParser(parseScale)
      .default('small'),
  )
  .action(async (options: { scale: Scale }) => {
    const c = config();
    const db = await openDatabase(c.database);
    try {
      await runMigrations(db);
      // Demo identities are encrypted like real ones, under this installation's key.
      const keys = new KeyRing(loadKek(c, { create: true }).kek);
      const bar = new SingleBar({
        format: '  {module} [{bar}] {value}/{total}',
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      });
      for (const seeder of seeders) {
        bar.start(seeder.count(options.scale), 0, { module: seeder.name.padEnd(18) });
        await seeder.run({ db: db.db, keys }, options.scale, (done) => bar.update(done));
        bar.stop();
      }
      process.stdout.write(`Demo data (${options.scale}) written.\n`);
    } finally {
      await db.close();
    }
  });

program
  .command('backup')
  .description('Write a backup of the embedded database to a file (stop Passage first)')
  .requiredOption('--out <file>', 'where to write the backup (.tar.gz)')
  .action(async (options: { out: string }) => {
    const c = config();
    if (c.database.kind !== 'pglite') {
      fail('backup works on the embedded database; on PostgreSQL use pg_dump (see docs/OPERATIONS.md)');
    }
    if (fs.existsSync(options.out)) fail(`${options.out} already exists; choose a new file`);
    const db = await openDatabase(c.database);
    try {
      const blob = await db.dumpDataDir?.();
      if (!blob) fail('this database cannot be dumped');
      fs.writeFileSync(options.out, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
      process.stdout.write(
        `Backup written to ${options.out} (${blob.size} bytes). Keep the key files of ${c.dataDir} backed up separately.\n`,
      );
    } finally {
      await db.close();
    }
  });

program
  .command('restore')
  .description('Restore the embedded database from a backup into an empty data folder')
  .requiredOption('--from <file>', 'a backup written by `passage backup`')
  .action(async (options: { from: string }) => {
    const c = config();
    if (c.database.kind !== 'pglite') {
      fail('restore works on the embedded database; on PostgreSQL use pg_restore (see docs/OPERATIONS.md)');
    }
    if (!fs.existsSync(options.from)) fail(`${options.from} does not exist`);
    if (fs.existsSync(c.database.dataDir) && fs.readdirSync(c.database.dataDir).length > 0) {
      fail(`${c.database.dataDir} is not empty; restore into a new PASSAGE_DATA_DIR`);
    }
    const blob = new Blob([fs.readFileSync(options.from)]);
    const db = await openDatabase(c.database, { loadDataDir: blob });
    try {
      const status = await migrationStatus(db);
      process.stdout.write(
        `Restored into ${c.database.dataDir}: ${status.applied} migration(s) recorded; \`passage start\` applies any newer ones.\n`,
      );
    } finally {
      await db.close();
    }
  });

program
  .command('check')
  .description('Validate the configuration and check the database, migrations, data folder and mail')
  .action(async () => {
    const c = config();
    const results: [string, boolean, string][] = [['configuration', true, `valid (${c.NODE_ENV})`]];
    if (c.database.kind === 'pglite') {
      try {
        fs.mkdirSync(c.dataDir, { recursive: true });
        fs.accessSync(c.dataDir, fs.constants.W_OK);
        results.push(['data folder', true, `${c.dataDir} is writable`]);
      } catch {
        results.push(['data folder', false, `${c.dataDir} is not writable`]);
      }
    }
    try {
      const db = await openDatabase(c.database);
      try {
        const status = await migrationStatus(db);
        results.push(['database', true, `${db.kind} reachable`]);
        results.push([
          'migrations',
          status.current,
          status.current
            ? `${status.applied} applied, current`
            : `${status.applied} of ${status.committed} applied: run \`passage migrate\``,
        ]);
      } finally {
        await db.close();
      }
    } catch (error) {
      results.push(['database', false, `unreachable: ${(error as Error).message.split('\n')[0]}`]);
    }
    if (c.SMTP_URL) {
      const nodemailer = (await import('nodemailer')).default;
      const transport = nodemailer.createTransport(c.SMTP_URL);
      try {
        await transport.verify();
        results.push(['mail', true, 'SMTP server accepted the connection']);
      } catch (error) {
        results.push(['mail', false, `SMTP failed: ${(error as Error).message}`]);
      } finally {
        transport.close();
      }
    } else {
      results.push(['mail', true, 'no SMTP_URL: messages are held in the outbox for staff to read']);
    }
    for (const [name, ok, detail] of results)
      process.stdout.write(`${ok ? 'ok  ' : 'FAIL'}  ${name.padEnd(14)} ${detail}\n`);
    if (results.some(([, ok]) => !ok)) process.exit(1);
  });

const keys = program
  .command('keys')
  .description('Envelope encryption: the key-encryption key (KEK) and the data keys it wraps');

/** The configured KEK for a maintenance command: never creates one (that is `start`'s job). */
function configuredKek(c: Config): LoadedKek {
  try {
    return loadKek(c, { create: false });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

const kekSource = (k: LoadedKek) => (k.source === 'PASSAGE_KEK' ? 'PASSAGE_KEK' : `${k.source} ${k.file}`);

keys
  .command('new-kek')
  .description('Write a new random KEK (base64) to a new file with mode 0600, for `keys rotate`')
  .requiredOption('--out <file>', 'where to write it (must not exist)')
  .action((options: { out: string }) => {
    if (fs.existsSync(options.out)) fail(`${options.out} already exists; choose a new file`);
    const { fingerprint } = writeNewKekFile(options.out);
    process.stdout.write(`New KEK written to ${options.out} (fingerprint ${fingerprint}).\n`);
  });

keys
  .command('rotate')
  .description('Re-wrap every live data key with a new KEK, in one transaction (stop Passage first)')
  .requiredOption('--new-kek-file <path>', 'a file holding the new KEK (32 random bytes in base64)')
  .action(async (options: { newKekFile: string }) => {
    const c = config();
    const current = configuredKek(c);
    let next: Buffer;
    try {
      next = readKekFile(options.newKekFile, '--new-kek-file');
    } catch (error) {
      if (error instanceof ConfigError) fail(error.message);
      throw error;
    }
    const db = await openDatabase(c.database);
    try {
      if (!(await migrationStatus(db)).current)
        fail('the database is not migrated: run `passage migrate` first');
      const { rewrapped, alreadyCurrent } = await rotateKek(db.db, current.kek, next);
      const swap =
        current.source === 'PASSAGE_KEK'
          ? `set PASSAGE_KEK to the contents of ${options.newKekFile}`
          : current.source === 'PASSAGE_KEK_FILE'
            ? `point PASSAGE_KEK_FILE at ${options.newKekFile}`
            : `replace ${current.file} with ${options.newKekFile} (keep mode 0600)`;
      process.stdout.write(
        [
          `Re-wrapped ${rewrapped} data key(s) with the new KEK (fingerprint ${kekFingerprint(next)})` +
            (alreadyCurrent > 0 ? `; ${alreadyCurrent} already used it.` : '.'),
          `Now ${swap}, then start Passage. Until then encrypted fields cannot be read.`,
          `Keep the old KEK (fingerprint ${current.fingerprint}) only as long as you keep backups made before now;`,
          'destroying it makes the keys in those backups, including shredded ones, unrecoverable.',
          '',
        ].join('\n'),
      );
    } catch (error) {
      if (error instanceof CryptoError) fail(`${error.message} Nothing was changed.`);
      throw error;
    } finally {
      await db.close();
    }
  });

keys
  .command('status')
  .description('Count live and shredded data keys and check that the configured KEK unwraps them')
  .action(async () => {
    const c = config();
    const kek = configuredKek(c);
    const db = await openDatabase(c.database);
    try {
      if (!(await migrationStatus(db)).current)
        fail('the database is not migrated: run `passage migrate` first');
      const s = await new KeyRing(kek.kek).status(db.db);
      process.stdout.write(`data keys: ${s.live} live, ${s.shredded} shredded\n`);
      const where = `KEK fingerprint ${s.fingerprint} (${kekSource(kek)})`;
      if (s.mismatched === 0) {
        process.stdout.write(`${where}: matches all ${s.live} live key(s)\n`);
      } else {
        process.stdout.write(
          `${where}: DOES NOT MATCH ${s.mismatched} of ${s.live} live key(s), wrapped by ${s.others.join(', ')}\n`,
        );
        process.exitCode = 1;
      }
    } catch (error) {
      if (error instanceof CryptoError) fail(error.message);
      throw error;
    } finally {
      await db.close();
    }
  });

const giving = program.command('giving').description('Gifts, funds and campaigns');

giving
  .command('check')
  .description(
    'Check the ledger: fund balances equal their entries, receipts point to settled gifts, no gift settled twice; exit 1 if not',
  )
  .action(async () => {
    const c = config();
    const db = await openDatabase(c.database);
    try {
      if (!(await migrationStatus(db)).current)
        fail('the database is not migrated: run `passage migrate` first');
      const { checkLedger } = await import('./modules/giving');
      const result = await checkLedger(db.db);
      for (const problem of result.problems) process.stdout.write(`FAIL  ${problem}\n`);
      const { gifts, entries, receipts } = result.counts;
      process.stdout.write(
        result.ok
          ? `ok: ${gifts} gifts, ${entries} ledger entries, ${receipts} receipts; the ledger balances\n`
          : `BROKEN: ${result.problems.length} problem(s)\n`,
      );
      if (!result.ok) process.exitCode = 1;
    } finally {
      await db.close();
    }
  });

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
  .action(async (options: { year: number; dryRun?: boolean }) => {
    const c = config();
    const db = await openDatabase(c.database);
    try {
      if (!(await migrationStatus(db)).current)
        fail('the database is not migrated: run `passage migrate` first');
      const { runStatementsCommand } = await import('./modules/giving/statements/statement.cli');
      process.exitCode = await runStatementsCommand(db, c, options);
    } finally {
      await db.close();
    }
  });

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
  .action(async (file: string, options: ImportCommandOptions) => {
    const c = config();
    const db = await openDatabase(c.database);
    try {
      if (!(await migrationStatus(db)).current)
        fail('the database is not migrated: run `passage migrate` first');
      const { runImportCommand } = await import('./modules/giving/import/gift-import.cli');
      process.exitCode = await runImportCommand(db.db, file, options);
    } finally {
      await db.close();
    }
  });

const audit = program.command('audit').description('The hash-chained audit log');

const parseAnchor = (value: string): { seq: number; hash: string } => {
  const match = /^#?(\d+):([0-9a-f]{64})$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected <seq>:<hash> as printed by an earlier verify');
  return { seq: Number(match[1]), hash: match[2] as string };
};

audit
  .command('verify')
  .description('Recompute the hash chain of the whole audit log; exit 1 if it is broken')
  .addOption(
    new Option('--anchor <seq:hash>', 'an entry recorded earlier that must still be there').argParser(
      parseAnchor,
    ),
  )
  .action(async (options: { anchor?: { seq: number; hash: string } }) => {
    const c = config();
    const db = await openDatabase(c.database);
    try {
      if (!(await migrationStatus(db)).current)
        fail('the database is not migrated: run `passage migrate` first');
      const result = await verifyAuditChain(db.db, options.anchor ? { anchor: options.anchor } : {});
      if (result.ok) {
        process.stdout.write(`ok: ${result.checked} entries, chain intact\n`);
        // Recorded elsewhere, the head lets a later `--anchor` detect removal of the newest entries.
        if (result.head) process.stdout.write(`head: ${result.head.seq}:${result.head.hash}\n`);
      } else {
        process.stdout.write(`BROKEN at entry #${result.firstBroken?.seq}: ${result.firstBroken?.reason}\n`);
        process.exitCode = 1;
      }
    } finally {
      await db.close();
    }
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  fail(error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error));
});
