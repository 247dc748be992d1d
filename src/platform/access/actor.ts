import type { FastifyRequest } from 'fastify';
import type { Auth } from '../auth/auth';
import { AppError } from '../http/errors';

/** Staff roles. What each may do is decided by policy, never by the role name alone. */
export const STAFF_ROLES = ['administrator'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface Actor {
  userId: string;
  name: string;
  email: string;
  role: string;
  sessionId: string;
}

/** Resolves the caller's session from the request cookies; null when signed out. */
export async function resolveActor(auth: Auth, request: FastifyRequest): Promise<Actor | null> {
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(key, value);
    else if (Array.isArray(value)) headers.set(key, value.join(', '));
  }
  const result = await auth.api.getSession({ headers, query: { disableCookieCache: true } });
  if (!result) return null;
  const user = result.user as typeof result.user & { role?: string };
  return {
    userId: user.id,
    name: user.name,
    email: user.email,
    role: user.role ?? 'supporter',
    sessionId: result.session.id,
  };
}

export async function requireActor(auth: Auth, request: FastifyRequest): Promise<Actor> {
  const actor = await resolveActor(auth, request);
  if (!actor) throw new AppError('unauthenticated', 'Sign in to continue.', 401);
  return actor;
}

export async function requireRole(
  auth: Auth,
  request: FastifyRequest,
  roles: readonly string[],
): Promise<Actor> {
  const actor = await requireActor(auth, request);
  if (!roles.includes(actor.role)) throw new AppError('forbidden', 'You do not have access to this.', 403);
  return actor;
}
