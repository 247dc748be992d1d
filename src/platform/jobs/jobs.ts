import PgBoss from 'pg-boss';
import type { DatabaseHandle } from '../db/client';
import type { Logger } from '../log/logger';

/** A background job: a named queue, an optional cron schedule (UTC) and what it does. */
export interface JobDefinition<T extends object = object> {
  name: string;
  /** Cron expression in UTC, e.g. '15 3 * * *' for 03:15 every day. */
  schedule?: string;
  retryLimit?: number;
  run(data: T): Promise<unknown>;
}

/**
 * pg-boss on whichever database Passage runs on. pg-boss sends its SQL through our own connection, so the
 * embedded PGlite (one connection, no server) and a PostgreSQL pool both work without a second driver.
 */
export class Jobs {
  readonly boss: PgBoss;
  private readonly definitions = new Map<string, JobDefinition>();

  constructor(
    private readonly database: DatabaseHandle,
    private readonly logger: Logger,
    options: { pollingIntervalSeconds?: number } = {},
  ) {
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => executeForBoss(database, text, values) },
      schema: 'pgboss',
      // Scheduling, maintenance and the monitor poll the database; keep the embedded engine quiet.
      cronMonitorIntervalSeconds: 30,
      maintenanceIntervalSeconds: database.kind === 'pglite' ? 600 : 120,
      monitorStateIntervalSeconds: database.kind === 'pglite' ? 600 : 120,
      ...(options.pollingIntervalSeconds ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'));
  }

  register<T extends object>(definition: JobDefinition<T>): void {
    this.definitions.set(definition.name, definition as JobDefinition);
  }

  async start(options: { pollingIntervalSeconds?: number } = {}): Promise<void> {
    await this.boss.start();
    for (const definition of this.definitions.values()) {
      await this.boss.createQueue(definition.name, {
        name: definition.name,
        retryLimit: definition.retryLimit ?? 3,
      });
      if (definition.schedule)
        await this.boss.schedule(definition.name, definition.schedule, {}, { tz: 'UTC' });
      await this.boss.work<object>(
        definition.name,
        { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
        async ([job]) => {
          if (!job) return;
          const started = Date.now();
          const result = await definition.run(job.data);
          this.logger.info({ job: definition.name, ms: Date.now() - started }, 'job finished');
          return result;
        },
      );
    }
  }

  async send(name: string, data: object = {}): Promise<string> {
    if (!this.definitions.has(name)) throw new Error(`Unknown job ${name}`);
    const id = await this.boss.send(name, data);
    if (!id) throw new Error(`Job ${name} was not queued`);
    return id;
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}

/** pg-boss sends installation scripts as several statements without parameters. */
async function executeForBoss(database: DatabaseHandle, text: string, values?: unknown[]) {
  if ((!values || values.length === 0) && database.kind === 'pglite') return database.exec(text);
  return database.query(text, values);
}
