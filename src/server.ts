import { eq } from 'drizzle-orm';
import { modules } from './modules/registry';
import { parseIdleOverrides } from './platform/access/roles';
import { appendAudit } from './platform/audit/audit.service';
import { type AuthEvents, createAuth } from './platform/auth/auth';
import { users } from './platform/auth/auth.table';
import { issueSetupToken } from './platform/auth/setup.service';
import { SignInThrottle, throttlePepper } from './platform/auth/throttle';
import type { Config } from './platform/config/config';
import { loadOrCreateSecretFile } from './platform/config/secret-file';
import { kekBannerLine, loadKek } from './platform/crypto/kek';
import { KeyRing } from './platform/crypto/key-ring';
import type { Db } from './platform/db/client';
import { type DatabaseHandle, openDatabase } from './platform/db/client';
import { runMigrations } from './platform/db/migrate';
import { type App, buildApp } from './platform/http/app';
import type { AppContext } from './platform/http/context';
import { housekeepingJob } from './platform/jobs/housekeeping.job';
import { Jobs } from './platform/jobs/jobs';
import { createLogger, type Logger } from './platform/log/logger';
import { heldMailSweepJob, mailDeliveryJob } from './platform/mail/mail-delivery.job';
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
  /** Lines for the start banner (e.g. a key file was just created). */
  notices: string[];
  close(): Promise<void>;
}

/** Sign-in outcomes go to the audit log by account id, never by the typed email or anything secret. */
function auditAuthEvents(db: Db): AuthEvents {
  return {
    async signInFailed({ path, who, reason }) {
      // By account id when the typed email is an account's; never the typed text itself.
      const [account] = who
        ? await db.select({ id: users.id }).from(users).where(eq(users.email, who.toLowerCase()))
        : [];
      await appendAudit(db, {
        actorId: null,
        actorRole: null,
        action: `auth.sign_in_failed${path.replaceAll('/', '.').replaceAll('-', '_')}`,
        resourceType: 'account',
        resourceCode: account?.id ?? null,
        outcome: reason === 'locked' || reason === 'frozen' ? 'denied' : 'failed',
        requestId: null,
      });
    },
    async signedIn({ path, userId }) {
      await appendAudit(db, {
        actorId: userId,
        actorRole: null,
        action: `auth.signed_in${path.replaceAll('/', '.').replaceAll('-', '_')}`,
        resourceType: 'account',
        resourceCode: userId,
        outcome: 'succeeded',
        requestId: null,
      });
    },
  };
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
    const kek = loadKek(config, { create: true });
    const keys = new KeyRing(kek.kek);
    const mail = new Mailer(database, { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, keys }, logger);
    const secret = authSecret(config);
    const throttle = new SignInThrottle(database.db, undefined, throttlePepper(secret));
    const auth = createAuth({
      db: database.db,
      config,
      secret,
      mail,
      throttle,
      events: auditAuthEvents(database.db),
    });
    const access = { auth, db: database.db, idleMinutes: parseIdleOverrides(config.PASSAGE_IDLE_MINUTES) };
    const runJobs = options.jobs ?? config.PASSAGE_JOBS;
    const jobs = runJobs ? new Jobs(database, logger) : null;
    const ctx: AppContext = { config, database, auth, access, throttle, keys, mail, jobs, logger };
    const notices = [kekBannerLine(kek)].filter((line): line is string => line !== null);
    if (jobs) {
      jobs.register(housekeepingJob(database.db));
      jobs.register(mail.mode === 'smtp' ? mailDeliveryJob(mail) : heldMailSweepJob(mail));
      for (const module of modules) for (const job of module.jobs?.(ctx) ?? []) jobs.register(job);
      await jobs.start();
    }
    for (const module of modules) await module.onStart?.(ctx);
    const app = await buildApp(ctx, { modules, web: options.web ?? true });
    let closed = false;
    return {
      app,
      ctx,
      notices,
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
  const { app, ctx, notices } = passage;
  await app.listen({ port: config.PORT, host: config.HOST });
  const where =
    config.database.kind === 'pglite' ? `the embedded database in ${config.database.dataDir}` : 'PostgreSQL';
  const lines = ['', `  Passage is running on ${where}.`, `  Open ${config.publicUrl}`, ...notices];
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
