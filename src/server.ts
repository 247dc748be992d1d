import { createAuth } from './platform/auth/auth';
import { issueSetupToken } from './platform/auth/setup.service';
import type { Config } from './platform/config/config';
import { loadOrCreateSecretFile } from './platform/config/secret-file';
import { type DatabaseHandle, openDatabase } from './platform/db/client';
import { runMigrations } from './platform/db/migrate';
import { type App, buildApp } from './platform/http/app';
import type { AppContext } from './platform/http/context';
import { housekeepingJob } from './platform/jobs/housekeeping.job';
import { Jobs } from './platform/jobs/jobs';
import { createLogger, type Logger } from './platform/log/logger';
import { mailDeliveryJob } from './platform/mail/mail-delivery.job';
import { Mailer } from './platform/mail/mailer';

export interface PassageOptions {
  logger?: Logger;
  /** Run background jobs in this process (default: PASSAGE_JOBS). */
  jobs?: boolean;
  /** Serve the web shell (default true). */
  web?: boolean;
  /** Use an already open database instead of the configured one (tests). */
  database?: DatabaseHandle;
}

export interface Passage {
  app: App;
  ctx: AppContext;
  close(): Promise<void>;
}

function authSecret(config: Config): string {
  if (config.BETTER_AUTH_SECRET) return config.BETTER_AUTH_SECRET;
  if (config.NODE_ENV === 'production' && config.database.kind === 'postgres') {
    throw new Error(
      'BETTER_AUTH_SECRET must be set in production (a random secret of at least 32 characters)',
    );
  }
  return loadOrCreateSecretFile(config.dataDir, 'auth-secret').value;
}

/** The composition root: opens the database, migrates, wires the platform and the modules. */
export async function createPassage(config: Config, options: PassageOptions = {}): Promise<Passage> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const database = options.database ?? (await openDatabase(config.database));
  try {
    const applied = await runMigrations(database);
    if (applied > 0) logger.info({ applied }, 'database migrated');
    const auth = createAuth(database.db, config, authSecret(config));
    const mail = new Mailer(database, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }, logger);
    const runJobs = options.jobs ?? config.PASSAGE_JOBS;
    const jobs = runJobs ? new Jobs(database, logger) : null;
    const ctx: AppContext = { config, database, auth, mail, jobs, logger };
    if (jobs) {
      jobs.register(housekeepingJob(database.db));
      if (mail.mode === 'smtp') jobs.register(mailDeliveryJob(mail));
      await jobs.start();
    }
    const app = await buildApp(ctx, { web: options.web ?? true });
    let closed = false;
    return {
      app,
      ctx,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await jobs?.stop();
        await mail.idle();
        mail.close();
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
}

/** `passage start`: listen, print where to go, and shut down gracefully on SIGTERM or SIGINT. */
export async function startPassage(config: Config): Promise<Passage> {
  const started = Date.now();
  const passage = await createPassage(config);
  const { app, ctx } = passage;
  await app.listen({ port: config.PORT, host: config.HOST });
  const where =
    config.database.kind === 'pglite' ? `the embedded database in ${config.database.dataDir}` : 'PostgreSQL';
  const lines = ['', `  Passage is running on ${where}.`, `  Open ${config.publicUrl}`];
  const token = await issueSetupToken(ctx.database.db);
  if (token) {
    lines.push(
      '',
      '  No account exists yet. Create the first administrator with this one-time link (valid 24 hours):',
      `  ${config.publicUrl}/setup#${token}`,
    );
  }
  lines.push(`  Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Press Ctrl+C to stop.`, '');
  // The setup link goes to the terminal only, never into the structured log.
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      ctx.logger.error('shutdown took longer than 20 s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await passage.close();
      process.exit(0);
    } catch (error) {
      ctx.logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  return passage;
}
