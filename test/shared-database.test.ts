import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { insertFund } from '../src/modules/giving/funds/fund.service';
import { gifts } from '../src/modules/giving/giving.table';
import { createAccount } from './harness/actors';
import { startTestApp, totpCode } from './harness/app';
import { type OpenTestDatabase, openTestDatabase, testEngines } from './harness/databases';
import { freePort, withDatabase } from './harness/postgres-server';

/**
 * docs/OPERATIONS.md: run as many `passage start` processes on one PostgreSQL as you like, they share nothing
 * but the database. Two real processes (`node bin/passage.mjs start`, two ports, two data folders) on one
 * database of the test server: a file checked on one is committed on the other, and an authenticator code
 * spent on a step-up on one is refused on the other. Only what an installation shares is the same: the
 * database, the session secret and the key-encryption key.
 */
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/passage.mjs');
const SHARED = {
  /** The address people open: the load balancer's, the same for both processes. */
  PUBLIC_URL: 'http://localhost:3000',
  BETTER_AUTH_SECRET: crypto.randomBytes(32).toString('base64'),
  PASSAGE_KEK: crypto.randomBytes(32).toString('base64'),
};

/** What these tests read of an answer (an import run's, or an error). */
type Answer = Record<string, unknown> & { run: { id: string; status: string } };

interface Server {
  url: string;
  child: ChildProcess;
  output: () => string;
}

async function startServer(work: string, name: string, databaseUrl: string): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'start'], {
    cwd: work,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: work,
      TZ: 'UTC',
      PORT: String(port),
      HOST: '127.0.0.1',
      PASSAGE_DATA_DIR: path.join(work, name),
      DATABASE_URL: databaseUrl,
      PASSAGE_JOBS: '0',
      LOG_LEVEL: 'warn',
      ...SHARED,
    },
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (const started = Date.now(); ; ) {
    if (child.exitCode !== null) throw new Error(`${name} exited early:\n${output}`);
    if (Date.now() - started > 60_000) throw new Error(`${name} did not get ready:\n${output}`);
    const ready = await fetch(`${url}/readyz`).catch(() => null);
    if (ready?.status === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child, output: () => output };
}

async function stopServer(server: Server | undefined): Promise<void> {
  const child = server?.child;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** A client of one server, carrying the session's cookies like a browser would. */
function client(server: Server, cookie = '') {
  const jar = new Map(
    cookie
      .split(/;\s*/)
      .filter(Boolean)
      .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as [string, string]),
  );
  const send = async (method: string, url: string, body?: object) => {
    const response = await fetch(`${server.url}${url}`, {
      method,
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        // As a browser on the shared public address sends it.
        origin: SHARED.PUBLIC_URL,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair = ''] = set.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (value === '' || /max-age=0/i.test(set)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), value);
    }
    return {
      status: response.status,
      body: (await response.json().catch(() => null)) as Answer,
    };
  };
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, body: object) => send('POST', url, body),
    cookie: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
  };
}

describe.skipIf(!testEngines().includes('postgres'))('two passage start processes on one PostgreSQL', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-shared-'));
  let database: OpenTestDatabase | undefined;
  let one: Server | undefined;
  let two: Server | undefined;
  let staff: { email: string; password: string; totpSecret: string | null };

  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    // The account and the fund, written by a third app that is gone before the two servers start.
    const setup = await startTestApp(database, SHARED);
    try {
      staff = await createAccount(setup.ctx, { role: 'development' });
      await insertFund(database.db, { code: 'most-needed', name: 'Where most needed', restricted: false });
    } finally {
      await setup.close();
    }
    const url = withDatabase(inject('postgresAdminUrl'), database.name);
    // From the TypeScript sources (no bundle yet, as in `npm test`) on a busy machine, a start takes a while.
    [one, two] = await Promise.all([startServer(work, 'one', url), startServer(work, 'two', url)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([stopServer(one), stopServer(two)]);
    await database?.close();
    fs.rmSync(work, { recursive: true, force: true });
  }, 60_000);

  /** Signed in on server one; the same session is good on server two (it lives in the database). */
  async function signedIn() {
    const a = client(one as Server);
    const first = await a.post('/api/auth/sign-in/email', { email: staff.email, password: staff.password });
    expect(first.status).toBe(200);
    const second = await a.post('/api/auth/two-factor/verify-totp', {
      code: totpCode(staff.totpSecret ?? ''),
    });
    expect(second.status).toBe(200);
    return { a, b: client(two as Server, a.cookie()) };
  }

  it('commits on one process an import checked on the other', async () => {
    const { a, b } = await signedIn();
    const csv = [
      'Contact ID,Email,First Name,Last Name,Total Amount,Currency,Receive Date,Financial Type,Transaction ID',
      '1,ana@example.org,Ana,Kim,100.00,USD,2024-03-01,Donation,TP-1',
      '2,ben@example.org,Ben,Lee,25.00,USD,2024-03-02,Donation,TP-2',
      '',
    ].join('\n');
    const checked = await a.post('/api/giving/imports', { fileName: 'two.csv', csv });
    expect(checked.status).toBe(201);
    const id = checked.body.run.id as string;

    expect((await b.get(`/api/giving/imports/${id}`)).body).toMatchObject({
      run: { status: 'checked' },
      held: true,
    });
    const started = await b.post(`/api/giving/imports/${id}/commit`, { skipBadRows: false });
    expect(started.status).toBe(202);
    let run = (await b.get(`/api/giving/imports/${id}`)).body;
    for (let i = 0; i < 200 && run.run.status === 'committing'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await b.get(`/api/giving/imports/${id}`)).body;
    }
    expect(run).toMatchObject({ run: { status: 'committed', giftsCreated: 2 }, held: false });
    // Seen the same from the process that checked it; and it cannot be committed twice, from either.
    expect((await a.get(`/api/giving/imports/${id}`)).body).toMatchObject({ run: { status: 'committed' } });
    expect((await a.post(`/api/giving/imports/${id}/commit`, { skipBadRows: false })).status).toBe(410);
    const written = await (database as OpenTestDatabase).db
      .select()
      .from(gifts)
      .where(eq(gifts.importRunId, id));
    expect(written.map((g) => g.externalRef).sort()).toEqual(['civicrm:trxn:TP-1', 'civicrm:trxn:TP-2']);
  });

  it('refuses on one process an authenticator code spent on a step-up on the other', async () => {
    const { a, b } = await signedIn();
    const code = totpCode(staff.totpSecret ?? '');
    const first = await a.post('/api/me/step-up', { password: staff.password, code });
    expect(first.status).toBe(200);
    const replay = await b.post('/api/me/step-up', { password: staff.password, code });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({
      error: 'unauthenticated',
      message: 'Re-authentication failed. Check your password and code.',
    });
  });
});
