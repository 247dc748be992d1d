import crypto from 'node:crypto';
import { base32 } from '@better-auth/utils/base32';
import { generateRandomString, hashPassword, symmetricEncrypt } from 'better-auth/crypto';
import { eq } from 'drizzle-orm';
import type { InjectOptions } from 'fastify';
import { compartmentMembers, compartments } from '../../src/platform/access/compartment.table';
import { STAFF_ROLES, type StaffRole } from '../../src/platform/access/roles';
import { accounts, sessions, twoFactors, users } from '../../src/platform/auth/auth.table';
import type { Db } from '../../src/platform/db/client';
import type { App } from '../../src/platform/http/app';
import type { AppContext } from '../../src/platform/http/context';
import { cookiesOf, totpCode } from './app';

/**
 * Signed-in test accounts for every kind of caller, made quickly: the account rows are written straight to
 * the database (a scrypt hash from better-auth, and an authenticator secret encrypted exactly as the
 * two-factor plugin stores it), but every session is real: it comes from POST /api/auth/sign-in/email and
 * /api/auth/two-factor/verify-totp, through the same hooks (frozen check, throttle, audit) as a person.
 *
 * Callers: `anonymous` (no cookie), `supporter`, `unenrolled` (an administrator with no second factor yet:
 * every staff route must answer 403 enrolment_required) and one account per staff role.
 */
export const CALLERS = ['anonymous', 'supporter', 'unenrolled', ...STAFF_ROLES] as const;
export type Caller = (typeof CALLERS)[number];

export interface TestActor {
  caller: Caller;
  /** null for anonymous. */
  userId: string | null;
  role: StaffRole | 'supporter' | null;
  email: string | null;
  password: string | null;
  /** Base32 authenticator secret (for totpCode); null without an authenticator app. */
  totpSecret: string | null;
  /** Ten recovery codes, as the person was shown them. */
  recoveryCodes: string[];
  /** Spread into app.inject: `{ cookie }` (empty for anonymous). */
  headers: Record<string, string>;
  /** Each actor calls from its own address, so per-address rate limits and sign-in throttles never mix. */
  remoteAddress: string;
}

/** The password of every account made here: long, not common, not built from the name or email. */
export const ACTOR_PASSWORD = 'quartz-meadow-lantern-4417';

let addressCounter = 0;
/** A fresh client address from TEST-NET-2 (never routable), one per actor or request. */
export function nextTestAddress(): string {
  addressCounter += 1;
  return `198.51.${Math.floor(addressCounter / 250) % 250}.${(addressCounter % 250) + 1}`;
}

let passwordHash: Promise<string> | undefined;

export interface CreateAccountOptions {
  role: StaffRole | 'supporter';
  /** Enrol an authenticator app (default: true for staff, false for supporters). */
  totp?: boolean;
  email?: string;
  name?: string;
  /** Override the password (default ACTOR_PASSWORD; a custom one is hashed again). */
  password?: string;
}

/** Writes an account (user, password, and optionally an enrolled authenticator app) straight to the db. */
export async function createAccount(
  ctx: AppContext,
  options: CreateAccountOptions,
): Promise<{
  userId: string;
  email: string;
  password: string;
  totpSecret: string | null;
  recoveryCodes: string[];
}> {
  const db = ctx.database.db;
  const userId = crypto.randomUUID();
  const email = (options.email ?? `${options.role}-${userId.slice(0, 8)}@example.org`).toLowerCase();
  const password = options.password ?? ACTOR_PASSWORD;
  passwordHash ??= hashPassword(ACTOR_PASSWORD);
  const hash = options.password ? await hashPassword(options.password) : await passwordHash;
  const withTotp = options.totp ?? options.role !== 'supporter';
  await db.insert(users).values({
    id: userId,
    name: options.name ?? `Test ${options.role.replaceAll('_', ' ')}`,
    email,
    emailVerified: true,
    role: options.role,
    twoFactorEnabled: withTotp,
  });
  await db.insert(accounts).values({
    id: crypto.randomUUID(),
    accountId: userId,
    providerId: 'credential',
    userId,
    password: hash,
  });
  let totpSecret: string | null = null;
  let recoveryCodes: string[] = [];
  if (withTotp) {
    // The same shapes better-auth's two-factor plugin writes on /two-factor/enable + verify.
    const { secretConfig } = await ctx.auth.$context;
    const raw = generateRandomString(32);
    recoveryCodes = Array.from({ length: 10 }, () => generateRandomString(12, 'a-z', '0-9', 'A-Z')).map(
      (c) => `${c.slice(0, 5)}-${c.slice(5)}`,
    );
    await db.insert(twoFactors).values({
      id: crypto.randomUUID(),
      userId,
      secret: await symmetricEncrypt({ key: secretConfig, data: raw }),
      backupCodes: await symmetricEncrypt({ key: secretConfig, data: JSON.stringify(recoveryCodes) }),
      verified: true,
    });
    totpSecret = base32.encode(raw, { padding: false });
  }
  return { userId, email, password, totpSecret, recoveryCodes };
}

/**
 * Signs an account in through the real endpoints (password, then the authenticator code when it has one)
 * and answers the Cookie header value of the new session.
 */
export async function signInActor(
  app: App,
  account: { email: string; password: string; totpSecret: string | null },
  remoteAddress: string,
): Promise<string> {
  const post = (url: string, payload: object, cookie?: string) =>
    app.inject({ method: 'POST', url, payload, remoteAddress, headers: cookie ? { cookie } : {} });
  const first = await post('/api/auth/sign-in/email', { email: account.email, password: account.password });
  if (first.statusCode !== 200) throw new Error(`sign-in failed: ${first.statusCode} ${first.body}`);
  let cookie = cookiesOf(first);
  if ((first.json() as { twoFactorRedirect?: boolean }).twoFactorRedirect) {
    if (!account.totpSecret) throw new Error('this account needs an authenticator code');
    const second = await post(
      '/api/auth/two-factor/verify-totp',
      { code: totpCode(account.totpSecret) },
      cookie,
    );
    if (second.statusCode !== 200)
      throw new Error(`second factor refused: ${second.statusCode} ${second.body}`);
    cookie = cookiesOf(second, cookie);
  }
  if (!/session_token=/.test(cookie)) throw new Error('sign-in set no session cookie');
  return cookie;
}

/** One signed-in actor of the given kind, with an account of its own. */
export async function createActor(app: App, ctx: AppContext, caller: Caller): Promise<TestActor> {
  const remoteAddress = nextTestAddress();
  if (caller === 'anonymous') {
    return {
      caller,
      userId: null,
      role: null,
      email: null,
      password: null,
      totpSecret: null,
      recoveryCodes: [],
      headers: {},
      remoteAddress,
    };
  }
  const role = caller === 'unenrolled' ? 'administrator' : caller;
  const account = await createAccount(ctx, {
    role,
    totp: caller !== 'unenrolled' && caller !== 'supporter',
    name: `Test ${caller.replaceAll('_', ' ')}`,
  });
  const cookie = await signInActor(app, account, remoteAddress);
  return { caller, role, ...account, headers: { cookie }, remoteAddress };
}

/** A second, independent session of an existing actor (for calls that end the session, like sign-out). */
export async function freshSession(app: App, actor: TestActor): Promise<TestActor> {
  if (!actor.email || !actor.password) return { ...actor };
  const remoteAddress = nextTestAddress();
  const cookie = await signInActor(
    app,
    { email: actor.email, password: actor.password, totpSecret: actor.totpSecret },
    remoteAddress,
  );
  return { ...actor, headers: { cookie }, remoteAddress };
}

/** The session token inside an actor's cookie (better-auth signs it: `<token>.<signature>`). */
export function sessionTokenOf(actor: TestActor): string | null {
  const m = /session_token=([^;]+)/.exec(actor.headers.cookie ?? '');
  return m?.[1] ? (decodeURIComponent(m[1]).split('.')[0] ?? null) : null;
}

/**
 * A second session of the actor whose step-up ran out: a sign-in with an authenticator code counts as a
 * step-up, so this moves it back past the five-minute window (what a session gets after a coffee break).
 */
export async function staleStepUpSession(app: App, ctx: AppContext, actor: TestActor): Promise<TestActor> {
  const fresh = await freshSession(app, actor);
  const token = sessionTokenOf(fresh);
  if (!token) return fresh;
  await ctx.database.db
    .update(sessions)
    .set({ stepUpAt: new Date(Date.now() - 10 * 60_000) })
    .where(eq(sessions.token, token));
  return fresh;
}

export type Actors = Record<Caller, TestActor>;

/** Every kind of caller, signed in on this app (about a second on either engine). */
export async function actorsFor(app: App, ctx: AppContext): Promise<Actors> {
  const made = await Promise.all(CALLERS.map((caller) => createActor(app, ctx, caller)));
  return Object.fromEntries(made.map((a) => [a.caller, a])) as Actors;
}

/** `app.inject` options for an actor: its cookie and address, merged under the request's own. */
export function as(actor: TestActor, request: InjectOptions): InjectOptions {
  return {
    ...request,
    remoteAddress: actor.remoteAddress,
    headers: { ...actor.headers, ...(request.headers ?? {}) },
  };
}

/** A compartment made straight in the database (no audit entry): for setting up tests only. */
export async function createTestCompartment(
  db: Db,
  input: { code?: string; name?: string; createdBy?: string } = {},
): Promise<{ id: string; code: string }> {
  const id = crypto.randomUUID();
  const code = input.code ?? `TEST-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
  await db.insert(compartments).values({
    id,
    code,
    name: input.name ?? `Test compartment ${code}`,
    createdBy: input.createdBy ?? 'test',
  });
  return { id, code };
}

/** Puts actors into a compartment directly (the audited path is grantMembership; this is test setup). */
export async function addToCompartment(
  db: Db,
  compartmentId: string,
  ...members: TestActor[]
): Promise<void> {
  const rows = members
    .filter((m): m is TestActor & { userId: string } => m.userId !== null)
    .map((m) => ({ compartmentId, userId: m.userId, grantedBy: 'test' }));
  if (rows.length) await db.insert(compartmentMembers).values(rows).onConflictDoNothing();
}
