import fs from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { type Config, ConfigError, loadConfig } from './platform/config/config';
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
      const bar = new SingleBar({
        format: '  {module} [{bar}] {value}/{total}',
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 2000,
      });
      for (const seeder of seeders) {
        bar.start(seeder.count(options.scale), 0, { module: seeder.name.padEnd(18) });
        await seeder.run(db.db, options.scale, (done) => bar.update(done));
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

program.parseAsync(process.argv).catch((error: unknown) => {
  fail(error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error));
});
