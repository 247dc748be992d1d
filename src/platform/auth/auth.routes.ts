import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isStaffRole } from '../access/roles';
import { appendAudit } from '../audit/audit.service';
import type { AppContext } from '../http/context';
import { resolveActor } from './actor';
import { GENERIC_SIGN_IN_FAILURE } from './auth';
import { fetchHeaders, outboundCookie } from './bridge';
import { acceptInvitation, lookupInvitation } from './invitation.service';
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from './password';
import { createFirstAdministrator, hasAnyUser } from './setup.service';
import { THROTTLED_PATHS } from './throttle';

const password = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const token = z.string().min(10, 'is missing or malformed').max(200, 'is malformed');

export const SetupInputSchema = z
  .object({
    token,
    name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    email: z.email('must be an email address').max(254, 'must be at most 254 characters'),
    password,
  })
  .superRefine((v, ctx) => {
    const problem = passwordProblem(v.password, { email: v.email, name: v.name });
    if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
  });

const SessionSchema = z.object({
  user: z
    .object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.string(),
      staff: z.boolean(),
      secondFactor: z.boolean(),
      stepUpAt: z.string().nullable(),
    })
    .nullable(),
});

export const ErrorSchema = z.object({ error: z.string(), message: z.string() });

/**
 * The better-auth endpoints Passage exposes, and nothing else of it: each is a route of our own, so it
 * appears in the authorisation matrix and every other better-auth endpoint stays unreachable. `public`: open
 * without a session (signing in); `signInStep`: the second factor's step of a sign-in, which carries
 * better-auth's two-factor cookie instead of a session; every other one needs a session first.
 */
export const AUTH_ENDPOINTS = [
  { method: 'POST', path: '/sign-in/email', public: true, summary: 'Sign in with email and password' },
  { method: 'POST', path: '/sign-out', public: true, summary: 'Sign out of this session' },
  {
    method: 'POST',
    path: '/two-factor/enable',
    summary: 'Start enrolling an authenticator app (password required)',
  },
  {
    method: 'POST',
    path: '/two-factor/verify-totp',
    signInStep: true,
    summary: 'Verify an authenticator code (sign-in or enrolment)',
  },
  {
    method: 'POST',
    path: '/two-factor/verify-backup-code',
    signInStep: true,
    summary: 'Sign in with a single-use recovery code',
  },
  {
    method: 'POST',
    path: '/two-factor/generate-backup-codes',
    summary: 'Replace the recovery codes (password required)',
  },
  { method: 'GET', path: '/passkey/generate-register-options', summary: 'Options to register a passkey' },
  { method: 'POST', path: '/passkey/verify-registration', summary: 'Register a passkey' },
  {
    method: 'GET',
    path: '/passkey/generate-authenticate-options',
    public: true,
    summary: 'Options to sign in with a passkey',
  },
  { method: 'POST', path: '/passkey/verify-authentication', public: true, summary: 'Sign in with a passkey' },
  {
    method: 'POST',
    path: '/sign-in/magic-link',
    public: true,
    summary: 'Supporters: email me a sign-in link',
  },
  { method: 'GET', path: '/magic-link/verify', public: true, summary: 'Supporters: open a sign-in link' },
] as const;

/** Calls one better-auth endpoint with the caller's headers (cookies renamed, client address set by us). */
async function callAuth(
  ctx: AppContext,
  request: FastifyRequest,
  call: { method: string; url: string; body?: unknown },
): Promise<Response> {
  const headers = fetchHeaders(request);
  // The body sent on is always JSON (an empty object when the caller sent none), so say so.
  if (call.method !== 'GET') headers.set('content-type', 'application/json');
  return ctx.auth.handler(
    new Request(new URL(call.url, ctx.config.publicUrl), {
      method: call.method,
      headers,
      body: call.method === 'GET' ? undefined : JSON.stringify(call.body ?? {}),
    }),
  );
}

function copyCookies(response: Response, reply: FastifyReply) {
  const cookies = response.headers.getSetCookie().map(outboundCookie);
  if (cookies.length) reply.header('set-cookie', cookies);
}

/**
 * A response body without any `token` property, at any depth: better-auth returns the session token at the
 * top level (sign-in) and inside `session` (email link without a callback URL, passkey sign-in).
 */
function withoutTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTokens);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'token')
        .map(([key, v]) => [key, withoutTokens(v)]),
    );
  }
  return value;
}

async function forwardToAuth(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, body?: unknown) {
  const response = await callAuth(ctx, request, { method: request.method, url: request.url, body });
  reply.status(response.status);
  response.headers.forEach((value, key) => {
    if (key !== 'set-cookie' && key !== 'content-length') reply.header(key, value);
  });
  copyCookies(response, reply);
  const text = await response.text();
  const path = new URL(request.url, ctx.config.publicUrl).pathname.replace(/^\/api\/auth/, '');
  if (response.status >= 400) {
    // One shape for every error of the API; one message for every failed sign-in, whatever the cause.
    let message = 'The request failed.';
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {}
    if (THROTTLED_PATHS.has(path) && (response.status === 401 || response.status === 429)) {
      message = GENERIC_SIGN_IN_FAILURE;
    }
    const error =
      response.status === 429
        ? 'rate_limited'
        : response.status === 401
          ? 'unauthenticated'
          : 'validation_failed';
    return reply.type('application/json').send({ error, message });
  }
  if (!text.length) return reply.send(null);
  // The session token lives in an HttpOnly cookie only; never hand it to page scripts.
  try {
    const json = JSON.parse(text) as unknown;
    return reply.type('application/json').send(JSON.stringify(withoutTokens(json)));
  } catch {
    return reply.send(text);
  }
}

const CALLBACK_PARAMS = ['callbackURL', 'newUserCallbackURL', 'errorCallbackURL'] as const;

/**
 * Where better-auth may send the browser after an email link: a path on this site, nothing else. better-auth
 * checks these against trusted origins only outside tests (and only when no TEST variable is set), and decodes
 * them once more with decodeURIComponent, which throws on a stray `%` (a 500). Checked here, always.
 */
function callbackProblem(...sources: unknown[]): string | null {
  for (const source of sources) {
    if (!source || typeof source !== 'object') continue;
    for (const key of CALLBACK_PARAMS) {
      const value = (source as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (typeof value !== 'string') return `${key}: must be a path on this site`;
      let decoded: string;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        return `${key}: is malformed`;
      }
      if (!/^\/(?![/\\])/.test(decoded)) return `${key}: must be a path on this site`;
    }
  }
  return null;
}

export const authRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    for (const endpoint of AUTH_ENDPOINTS) {
      app.route({
        method: endpoint.method,
        url: `/api/auth${endpoint.path}`,
        config: {
          rateLimit: { max: 30, timeWindow: '1 minute' },
          public: 'public' in endpoint && endpoint.public,
          signInStep: 'signInStep' in endpoint && endpoint.signInStep,
        },
        schema: { tags: ['auth'], summary: endpoint.summary },
        handler: async (request, reply) => {
          const problem = callbackProblem(request.query, request.body);
          if (problem) return reply.code(400).send({ error: 'validation_failed', message: problem });
          let body = request.body as Record<string, unknown> | undefined;
          // Never remember a device: every staff sign-in asks for the second factor.
          if (body && typeof body === 'object' && 'trustDevice' in body)
            body = { ...body, trustDevice: false };
          return forwardToAuth(ctx, request, reply, body);
        },
      });
    }

    app.get(
      '/api/setup',
      {
        config: { public: true },
        schema: {
          tags: ['setup'],
          summary: 'Whether the installation still needs its first administrator',
          response: { 200: z.object({ needed: z.boolean() }) },
        },
      },
      async () => ({ needed: !(await hasAnyUser(ctx.database.db)) }),
    );

    app.post(
      '/api/setup',
      {
        config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags: ['setup'],
          summary: 'Create the first administrator with the one-time setup link',
          body: SetupInputSchema,
          response: { 201: z.object({ created: z.literal(true) }), 409: ErrorSchema, 410: ErrorSchema },
        },
      },
      async (request, reply) => {
        const { userId } = await createFirstAdministrator(ctx.database.db, request.body);
        await appendAudit(ctx.database.db, {
          actorId: userId,
          actorRole: 'administrator',
          action: 'setup.first_administrator',
          resourceType: 'account',
          resourceCode: userId,
          outcome: 'succeeded',
          requestId: request.id,
        });
        return reply.code(201).send({ created: true as const });
      },
    );

    app.get(
      '/api/session',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'The signed-in account, or null',
          response: { 200: SessionSchema },
        },
      },
      async (request) => {
        const actor = await resolveActor(ctx.access, request);
        return {
          user: actor
            ? {
                id: actor.userId,
                name: actor.name,
                email: actor.email,
                role: actor.role,
                staff: isStaffRole(actor.role),
                secondFactor: actor.secondFactor,
                stepUpAt: actor.stepUpAt?.toISOString() ?? null,
              }
            : null,
        };
      },
    );

    app.post(
      '/api/invitations/lookup',
      {
        config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags: ['auth'],
          summary: 'What an invitation link is for (the token travels in the body, never in a URL)',
          body: z.object({ token }),
          response: {
            200: z.object({
              email: z.string(),
              name: z.string(),
              role: z.string(),
              reEnrolment: z.boolean(),
            }),
            410: ErrorSchema,
          },
        },
      },
      async (request) => lookupInvitation(ctx.database.db, request.body.token),
    );

    app.post(
      '/api/invitations/accept',
      {
        config: { public: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags: ['auth'],
          summary: 'Accept an invitation: set the password and sign in (second-factor enrolment comes next)',
          body: z.object({ token, password }),
          response: { 200: z.object({ signedIn: z.boolean() }), 400: ErrorSchema, 410: ErrorSchema },
        },
      },
      async (request, reply) => {
        const { email, reEnrolment } = await acceptInvitation(ctx.database.db, request.body, request.id);
        // A re-enrolled account starts with a clean slate of failed sign-ins.
        if (reEnrolment) await ctx.throttle.clear(email);
        // Sign in through better-auth so the session is made exactly as any other.
        const response = await callAuth(ctx, request, {
          method: 'POST',
          url: '/api/auth/sign-in/email',
          body: { email, password: request.body.password },
        });
        copyCookies(response, reply);
        return reply.send({ signedIn: response.ok });
      },
    );
  };
