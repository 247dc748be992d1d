import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type OpenTestDatabase, openTestDatabase, testEngines } from '../../../test/harness/databases';
import { isDatabaseUnavailable } from './client';

/**
 * The server ends a connection the pool had checked out (what `pg_ctl stop -m fast`, a failover or
 * pg_terminate_backend do): found by bench/crash.bench.mjs, where Passage died of an unhandled 'error' event
 * when PostgreSQL stopped under load. The transaction on that connection fails; the process lives; the next
 * query gets a new connection.
 */
const onPostgres = testEngines().includes('postgres') ? it : it.skip;
let database: OpenTestDatabase | undefined;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

beforeAll(async () => {
  if (testEngines().includes('postgres')) database = await openTestDatabase('postgres');
  process.on('uncaughtException', onUncaught);
}, 60_000);
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await database?.close();
});

onPostgres(
  'survives the server ending a connection in the middle of a transaction, and reconnects',
  async () => {
    const handle = (database as OpenTestDatabase).handle;
    const errorListenersBefore = process.listenerCount('uncaughtException');
    const work = handle.db.transaction(async (tx) => {
      const result = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as {
        rows: { pid: number }[];
      };
      const pid = result.rows[0]?.pid;
      // From another connection of the same pool, as the server's shutdown would.
      await handle.query('select pg_terminate_backend($1)', [pid]);
      // The FATAL message arrives while this connection sits idle in its transaction.
      await new Promise((r) => setTimeout(r, 300));
      await tx.execute(sql`select 1`);
    });
    await expect(work).rejects.toThrow();
    expect(uncaught).toEqual([]);
    expect(process.listenerCount('uncaughtException')).toBe(errorListenersBefore);
    // The pool opens a new connection for the next query.
    for (let i = 0; i < 25; i++)
      expect((await handle.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
  },
);

it('tells an unreachable database from a failed query', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
    code: '57P01',
  });
  const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
  const wrapped = new Error('Failed query: select 1', { cause: shutdown });
  for (const e of [refused, shutdown, starting, wrapped, new Error('Connection terminated unexpectedly')])
    expect(isDatabaseUnavailable(e)).toBe(true);
  const unique = Object.assign(new Error('duplicate key value'), { code: '23505' });
  for (const e of [unique, new Error('Failed query', { cause: unique }), new TypeError('x'), null, 'text'])
    expect(isDatabaseUnavailable(e)).toBe(false);
});
