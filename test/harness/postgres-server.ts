import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL 15 cluster for the test run: initdb into a temp folder, start on a free port on
 * 127.0.0.1 with trust authentication (localhost only), stop and delete at the end. Durability is switched
 * off because nothing here needs to survive a crash, and it makes CREATE DATABASE and commits fast.
 */
export interface PostgresServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

const BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The path of one of PostgreSQL's client programs (`pg_dump`, `pg_restore`) of the same installation. */
export function postgresProgram(command: string): string {
  return path.join(BIN, command);
}

/** Postgres refuses to run as root; as root, run its binaries as the `postgres` user. */
function asPostgres(command: string, args: string[]): [string, string[]] {
  const binary = path.join(BIN, command);
  if (process.getuid?.() === 0) return ['runuser', ['-u', 'postgres', '--', binary, ...args]];
  return [binary, args];
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  const [file, argv] = asPostgres(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}:\n${output}`)),
    );
  });
}

/** The same server's URL for another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface StartPostgresOptions {
  /**
   * Keep PostgreSQL's durability (fsync, synchronous commit, full pages) as a production server does. Tests
   * switch it off for speed; benchmarks that compare against pgbench keep it, so both pay for every commit.
   */
  durable?: boolean;
}

export async function startPostgresServer(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  if (!fs.existsSync(path.join(BIN, 'initdb'))) {
    throw new Error(
      `PostgreSQL binaries not found in ${BIN}: install PostgreSQL 15, set PG_BIN, or set TEST_DATABASE_URL`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  fs.chmodSync(dir, 0o700);

  let started = false;
  const stopSync = () => {
    if (started) spawnSync(...asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']));
    started = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // If the runner dies without reaching teardown, do not leave a server behind.
  process.once('exit', stopSync);

  try {
    await run(
      'initdb',
      [
        '-D',
        data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      dir,
    );
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const serverOptions = [
        `-p ${port}`,
        `-k ${dir}`,
        '-c listen_addresses=127.0.0.1',
        ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
        '-c max_connections=300',
        '-c shared_buffers=64MB',
        "-c timezone='UTC'",
      ].join(' ');
      try {
        await run(
          'pg_ctl',
          ['-D', data, '-l', path.join(dir, 'server.log'), '-o', serverOptions, '-w', '-t', '30', 'start'],
          dir,
        );
        started = true;
        break;
      } catch (error) {
        // Another process may have taken the port between choosing and binding it.
        if (attempt >= 3) {
          const log = fs.existsSync(path.join(dir, 'server.log'))
            ? fs.readFileSync(path.join(dir, 'server.log'), 'utf8')
            : '';
          throw new Error(`${(error as Error).message}\n${log}`);
        }
      }
    }
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      dir,
      async stop() {
        process.removeListener('exit', stopSync);
        try {
          if (started) await run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '20', 'stop'], dir);
          started = false;
        } finally {
          stopSync();
        }
      },
    };
  } catch (error) {
    process.removeListener('exit', stopSync);
    stopSync();
    throw error;
  }
}
