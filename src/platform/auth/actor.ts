import { count, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_IDLE_MINUTES, isStaffRole, type Role, type StaffRole } from '../access/roles';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import type { Actor, StaffActor } from './actor.types';
import { accountForApiToken, tokenAllows } from './api-token.service';
import type { Auth } from './auth';
import { passkeys, sessions } from './auth.table';
import { fetchHeaders } from './bridge';

export type { Actor, StaffActor } from './actor.types';

export interface ActorResolver {
  auth: Auth;
  db: Db;
  idleMinutes: Partial<Record<Role, number>>;
}

/** Touch `last_active_at` at most this often, so reads do not write on every request. */
const TOUCH_INTERVAL_MS = 60_000;

const resolved = new WeakMap<FastifyRequest, Actor | null>();

/**
 * The caller's account from the session cookie; null when signed out, frozen or idle past the role's
 * timeout (the idle session is deleted). Resolved once per request.
 */
export async function resolveActor(
  r: ActorResolver,
  request: FastifyRequest,
  now = new Date(),
): Promise<Actor | null> {
  if (resolved.has(request)) return resolved.get(request) ?? null;
  const actor = await loadActor(r, request, now);
  resolved.set(request, actor);
  return actor;
}

async function loadActor(r: ActorResolver, request: FastifyRequest, now: Date): Promise<Actor | null> {
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) {
    const actor = await actorFromApiToken(r, authorization.slice(7).trim(), now);
    // Every request of a token is held to its access (read or write) and its route prefixes.
    if (actor?.apiToken && !tokenAllows(actor.apiToken, request.method, request.url)) {
      throw AppError.forbidden('This API token may not make this request (see its access and scopes).');
    }
    return actor;
  }
  const result = await r.auth.api.getSession({
    headers: fetchHeaders(request),
    query: { disableCookieCache: true },
  });
  if (!result) return null;
  const user = result.user as typeof result.user & {
    role?: string;
    frozenAt?: Date | null;
    twoFactorEnabled?: boolean;
  };
  const session = result.session as typeof result.session & {
    lastActiveAt?: Date | null;
    stepUpAt?: Date | null;
  };
  const role = (user.role ?? 'supporter') as Role;
  if (user.frozenAt) return null;
  const lastActive = session.lastActiveAt ? new Date(session.lastActiveAt) : new Date(session.createdAt);
  const idleMs = (r.idleMinutes[role] ?? DEFAULT_IDLE_MINUTES[role] ?? 15) * 60_000;
  if (now.getTime() - lastActive.getTime() > idleMs) {
    await r.db.delete(sessions).where(eq(sessions.id, session.id));
    request.log.info({ reason: 'idle' }, 'session ended');
    return null;
  }
  if (now.getTime() - lastActive.getTime() > TOUCH_INTERVAL_MS) {
    await r.db.update(sessions).set({ lastActiveAt: now }).where(eq(sessions.id, session.id));
  }
  const twoFactorEnabled = user.twoFactorEnabled === true;
  let secondFactor = twoFactorEnabled;
  if (!secondFactor) {
    const [keys] = await r.db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, user.id));
    secondFactor = (keys?.n ?? 0) > 0;
  }
  return {
    userId: user.id,
    name: user.name,
    email: user.email,
    role,
    sessionId: session.id,
    twoFactorEnabled,
    secondFactor,
    stepUpAt: session.stepUpAt ? new Date(session.stepUpAt) : null,
  };
}

export async function requireActor(r: ActorResolver, request: FastifyRequest): Promise<Actor> {
  const actor = await resolveActor(r, request);
  if (!actor) throw AppError.unauthenticated('Sign in to continue.');
  return actor;
}

/**
 * A signed-in staff member with a second factor enrolled. Without one, nothing but enrolment is open
 * (issue: "must enrol a second factor before seeing anything"). `roles` narrows further.
 */
export async function requireStaff(
  r: ActorResolver,
  request: FastifyRequest,
  roles?: readonly StaffRole[],
): Promise<StaffActor> {
  const actor = await requireActor(r, request);
  if (!isStaffRole(actor.role)) throw AppError.forbidden('You do not have access to this.');
  if (!actor.secondFactor) {
    throw new AppError('enrolment_required', 'Enrol an authenticator app or a passkey before you continue.');
  }
  if (roles && !roles.includes(actor.role)) throw AppError.forbidden('You do not have access to this.');
  return actor as StaffActor;
}

/**
 * An API token acts as its owner without a session: never stepped up (so never S4), and only for staff who
 * have a second factor (the token was made from such a session and dies with the burn switch).
 */
async function actorFromApiToken(r: ActorResolver, token: string, now: Date): Promise<Actor | null> {
  const found = await accountForApiToken(r.db, token, now);
  if (!found) return null;
  const { user } = found;
  const [keys] = await r.db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, user.id));
  return {
    userId: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    sessionId: `api-token:${found.tokenId}`,
    twoFactorEnabled: user.twoFactorEnabled,
    secondFactor: user.twoFactorEnabled || (keys?.n ?? 0) > 0,
    stepUpAt: null,
    apiToken: { access: found.access, scopes: found.scopes },
  };
}
