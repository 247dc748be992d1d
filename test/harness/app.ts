import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { createFirstAdministrator, issueSetupToken } from '../../src/platform/auth/setup.service';
import { loadConfig } from '../../src/platform/config/config';
import type { App } from '../../src/platform/http/app';
import type { AppContext } from '../../src/platform/http/context';
import { createLogger } from '../../src/platform/log/logger';
import { mailOutbox } from '../../src/platform/mail/mail.table';
import { createPassage } from '../../src/server';
import type { TestDatabase } from './databases';

export interface TestApp {
  app: App;
  ctx: AppContext;
  /** Every log line the app wrote, as JSON text, oldest first. */
  logs: string[];
  /** The temporary PASSAGE_DATA_DIR (secrets, key files); deleted by close(). */
  dataDir: string;
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  /** Run pg-boss and the registered jobs in this app (default false). */
  jobs?: boolean;
}

/**
 * The real app (createPassage) on a test database, API only, with a logger that keeps every line. `env`
 * adds or overrides environment variables for loadConfig; the process environment is not read.
 */
export async function startTestApp(
  database: TestDatabase,
  env: Record<string, string> = {},
  options: StartTestAppOptions = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'passage-app-'));
  const logs: string[] = [];
  try {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PASSAGE_JOBS: '0',
      PASSAGE_DATA_DIR: dataDir,
      ...env,
    });
    const logger = createLogger(config.LOG_LEVEL, {
      write(line: string) {
        logs.push(line.trimEnd());
      },
    });
    const passage = await createPassage(config, {
      database: database.handle,
      jobs: options.jobs ?? false,
      web: false,
      logger,
    });
    await passage.app.ready();
    return {
      app: passage.app,
      ctx: passage.ctx,
      logs,
      dataDir,
      async close() {
        try {
          await passage.close();
        } finally {
          fs.rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export interface AdministratorInput {
  email: string;
  password: string;
  name?: string;
}

/** Creates the first administrator the way the setup link does (no second factor yet). */
export async function createAdministrator(
  ctx: AppContext,
  input: AdministratorInput,
): Promise<{ userId: string }> {
  const token = await issueSetupToken(ctx.database.db);
  if (!token) throw new Error('Passage already has an account: createAdministrator makes the first one');
  return createFirstAdministrator(ctx.database.db, {
    token,
    name: input.name ?? 'Test Administrator',
    email: input.email,
    password: input.password,
  });
}

/** `name=value; name2=value2` from a response's Set-Cookie headers, merged over an earlier Cookie header. */
export function cookiesOf(response: LightMyRequestResponse, previous = ''): string {
  const jar = new Map<string, string>();
  for (const pair of previous.split(/;\s*/).filter(Boolean)) {
    const at = pair.indexOf('=');
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  for (const c of response.cookies) {
    if (c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0)) jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** The 6-digit RFC 6238 code (SHA-1, 30 s) an authenticator app shows for a base32 secret. */
export function totpCode(secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error('not a base32 secret');
    bits += v.toString(2).padStart(5, '0');
  }
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0xf;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

function post(app: App, url: string, payload: unknown, cookie?: string) {
  return app.inject({ method: 'POST', url, payload: payload as object, headers: cookie ? { cookie } : {} });
}

/**
 * Signs in through POST /api/auth/sign-in/email and answers the Cookie header value of the session. An
 * account with an authenticator app needs its `totpSecret` (from enrolTotp) to finish the sign-in.
 */
export async function signIn(
  app: App,
  email: string,
  password: string,
  options: { totpSecret?: string } = {},
): Promise<string> {
  const response = await post(app, '/api/auth/sign-in/email', { email, password });
  if (response.statusCode !== 200) {
    throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  }
  let cookie = cookiesOf(response);
  const body = response.json() as { twoFactorRedirect?: boolean };
  if (body.twoFactorRedirect) {
    if (!options.totpSecret) throw new Error('this account needs its second factor: pass totpSecret');
    const verified = await post(
      app,
      '/api/auth/two-factor/verify-totp',
      { code: totpCode(options.totpSecret) },
      cookie,
    );
    if (verified.statusCode !== 200) {
      throw new Error(`second factor refused: ${verified.statusCode} ${verified.body}`);
    }
    cookie = cookiesOf(verified, cookie);
  }
  return cookie;
}

/**
 * Enrols an authenticator app for the signed-in account, through the same endpoints the web uses, and
 * answers its base32 secret (for totpCode) and the session's Cookie header afterwards.
 */
export async function enrolTotp(
  app: App,
  cookie: string,
  password: string,
): Promise<{ secret: string; cookie: string }> {
  const enabled = await post(app, '/api/auth/two-factor/enable', { password }, cookie);
  if (enabled.statusCode !== 200) throw new Error(`enrolment refused: ${enabled.statusCode} ${enabled.body}`);
  const { totpURI } = enabled.json() as { totpURI: string };
  const secret = new URL(totpURI).searchParams.get('secret');
  if (!secret) throw new Error(`no secret in ${totpURI}`);
  let jar = cookiesOf(enabled, cookie);
  const verified = await post(app, '/api/auth/two-factor/verify-totp', { code: totpCode(secret) }, jar);
  if (verified.statusCode !== 200) {
    throw new Error(`enrolment code refused: ${verified.statusCode} ${verified.body}`);
  }
  jar = cookiesOf(verified, jar);
  return { secret, cookie: jar };
}

/**
 * The first administrator, signed in with an authenticator app enrolled, so staff-only routes answer.
 * Answers the Cookie header value and what is needed to sign in again.
 */
export async function signInAsAdministrator(
  testApp: Pick<TestApp, 'app' | 'ctx'>,
  input: AdministratorInput = { email: 'admin@example.org', password: 'river-lantern-harbour-71' },
): Promise<{ cookie: string; userId: string; totpSecret: string }> {
  const { userId } = await createAdministrator(testApp.ctx, input);
  const first = await signIn(testApp.app, input.email, input.password);
  const { secret, cookie } = await enrolTotp(testApp.app, first, input.password);
  return { cookie, userId, totpSecret: secret };
}

/**
 * The newest mail to an address as its recipient gets it (subject and text), or undefined. A test-only path:
 * a message with a one-time link keeps it sealed (the outbox's API never shows it), so this opens the seal
 * with the key ring, as delivery does.
 */
export async function lastMailTo(
  ctx: AppContext,
  to: string,
): Promise<{ subject: string; text: string } | undefined> {
  const [row] = await ctx.database.db
    .select()
    .from(mailOutbox)
    .where(eq(mailOutbox.toAddress, to.toLowerCase()))
    .orderBy(desc(mailOutbox.createdAt))
    .limit(1);
  if (!row) return undefined;
  if (!row.sealedBody) return { subject: row.subject, text: row.textBody };
  return { subject: row.subject, text: (await ctx.mail.openSealed(ctx.database.db, row)).text };
}

/** The token of the newest invitation (or re-enrolment) link mailed to an address: `/invite#<token>`. */
export async function invitationTokenFor(ctx: AppContext, email: string): Promise<string> {
  const mail = await lastMailTo(ctx, email);
  const token = mail?.text.match(/\/invite#([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error(`no invitation link mailed to ${email}`);
  return token;
}

export interface StaffMemberInput {
  email: string;
  name: string;
  role: string;
  password: string;
  /** Enrol an authenticator app after accepting (default true). */
  enrol?: boolean;
}

export interface StaffMember {
  userId: string;
  email: string;
  password: string;
  /** The Cookie header of the session made by accepting (and enrolling). */
  cookie: string;
  /** Base32 secret of the authenticator app, when enrolled. */
  totpSecret?: string;
  /** The ten recovery codes shown once at enrolment, when enrolled. */
  backupCodes?: string[];
}

/**
 * A staff member made the way people join: the administrator invites, the invitee accepts the mailed link
 * (and, by default, enrols an authenticator app through the same endpoints the web uses).
 */
export async function createStaffMember(
  testApp: Pick<TestApp, 'app' | 'ctx'>,
  adminCookie: string,
  input: StaffMemberInput,
): Promise<StaffMember> {
  const { app, ctx } = testApp;
  const invited = await post(
    app,
    '/api/admin/invitations',
    { email: input.email, name: input.name, role: input.role },
    adminCookie,
  );
  if (invited.statusCode !== 201) throw new Error(`invite failed: ${invited.statusCode} ${invited.body}`);
  const token = await invitationTokenFor(ctx, input.email);
  const accepted = await post(app, '/api/invitations/accept', { token, password: input.password });
  if (accepted.statusCode !== 200 || !(accepted.json() as { signedIn: boolean }).signedIn) {
    throw new Error(`accept failed: ${accepted.statusCode} ${accepted.body}`);
  }
  let cookie = cookiesOf(accepted);
  const session = await app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
  const userId = (session.json() as { user: { id: string } }).user.id;
  if (input.enrol === false) return { userId, email: input.email, password: input.password, cookie };
  const enabled = await post(app, '/api/auth/two-factor/enable', { password: input.password }, cookie);
  if (enabled.statusCode !== 200) throw new Error(`enrolment refused: ${enabled.statusCode} ${enabled.body}`);
  const { totpURI, backupCodes } = enabled.json() as { totpURI: string; backupCodes: string[] };
  const secret = new URL(totpURI).searchParams.get('secret') ?? '';
  cookie = cookiesOf(enabled, cookie);
  const verified = await post(app, '/api/auth/two-factor/verify-totp', { code: totpCode(secret) }, cookie);
  if (verified.statusCode !== 200) throw new Error(`code refused: ${verified.statusCode} ${verified.body}`);
  cookie = cookiesOf(verified, cookie);
  return { userId, email: input.email, password: input.password, cookie, totpSecret: secret, backupCodes };
}
