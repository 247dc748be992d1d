import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/harness/databases';
import { sessions, setupTokens, spentStepUpCodes, users, verifications } from '../auth/auth.table';
import { createLogger } from '../log/logger';
import { housekeepingJob } from './housekeeping.job';
import { Jobs } from './jobs';

const HOUR = 60 * 60 * 1000;
const id = () => crypto.randomUUID();

describeEachDatabase('jobs on pg-boss', (getDb) => {
  let jobs: Jobs;
  const logs: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
    jobs = new Jobs(getDb().handle, logger, { pollingIntervalSeconds: 0.5 });
    jobs.register(housekeepingJob(getDb().db));
    await jobs.start({ pollingIntervalSeconds: 0.5 });
  });
  afterAll(async () => {
    await jobs?.stop();
  });

  it('registers the daily housekeeping schedule at 03:15 UTC', async () => {
    const { rows } = await getDb().handle.query<{ cron: string; timezone: string }>(
      `select cron, options->>'tz' as timezone from pgboss.schedule where name = 'housekeeping'`,
    );
    expect(rows).toEqual([{ cron: '15 3 * * *', timezone: 'UTC' }]);
  });

  it('runs housekeeping sent through the queue: expired and spent rows go, live ones stay', async () => {
    const db = getDb().db;
    const now = Date.now();
    const userId = id();
    await db
      .insert(users)
      .values({ id: userId, name: 'Staff', email: `${userId}@example.org`, role: 'administrator' });
    const session = (expiresAt: number) => ({
      id: id(),
      token: id(),
      userId,
      expiresAt: new Date(expiresAt),
    });
    const [expiredSession, liveSession] = [session(now - HOUR), session(now + HOUR)];
    await db.insert(sessions).values([expiredSession, liveSession]);
    const verification = (expiresAt: number) => ({
      id: id(),
      identifier: 'x',
      value: 'y',
      expiresAt: new Date(expiresAt),
    });
    const [expiredVerification, liveVerification] = [verification(now - HOUR), verification(now + HOUR)];
    await db.insert(verifications).values([expiredVerification, liveVerification]);
    const token = (usedAt: Date | null) => ({
      id: id(),
      tokenHash: id(),
      expiresAt: new Date(now + HOUR),
      usedAt,
    });
    const [spentToken, liveToken] = [token(new Date(now - 1000)), token(null)];
    await db.insert(setupTokens).values([spentToken, liveToken]);
    await db.insert(spentStepUpCodes).values([
      { userId, codeHash: 'expired', expiresAt: new Date(now - 1000) },
      { userId, codeHash: 'live', expiresAt: new Date(now + 60_000) },
    ]);

    const jobId = await jobs.send('housekeeping');
    let state = '';
    let output: unknown;
    for (const started = Date.now(); Date.now() - started < 15_000; ) {
      const job = await jobs.boss.getJobById('housekeeping', jobId);
      state = job?.state ?? '';
      output = job?.output;
      if (state === 'completed' || state === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(state).toBe('completed');
    expect(output).toEqual({
      expiredSessions: 1,
      expiredVerifications: 1,
      spentSetupTokens: 1,
      expiredStepUpCodes: 1,
    });

    const ids = async (table: typeof sessions | typeof verifications | typeof setupTokens) =>
      (await db.select({ id: table.id }).from(table)).map((r) => r.id).sort();
    expect(await ids(sessions)).toEqual([liveSession.id]);
    expect(await ids(verifications)).toEqual([liveVerification.id]);
    expect(await ids(setupTokens)).toEqual([liveToken.id]);
    const codes = await db.select({ hash: spentStepUpCodes.codeHash }).from(spentStepUpCodes);
    expect(codes).toEqual([{ hash: 'live' }]);
    expect(logs.some((l) => l.includes('"job":"housekeeping"') && l.includes('job finished'))).toBe(true);
  });

  it('refuses to send a job that was never registered', async () => {
    await expect(jobs.send('no-such-job')).rejects.toThrow('Unknown job no-such-job');
  });
});
