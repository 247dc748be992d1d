import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { myCompartments } from '../access/compartment.service';
import { STEP_UP_WINDOW_MS } from '../access/policy';
import { RecordIdSchema } from '../audit/audit.schema';
import type { AppContext } from '../http/context';
import {
  burnAccount,
  listMyPasskeys,
  listMySessions,
  removeMyPasskey,
  revokeMySession,
  stepUpWithPassword,
} from './account-security.service';
import { requireActor, requireStaff } from './actor';
import { ApiTokenCreateSchema, ApiTokenView } from './api-token.schema';
import { createApiToken, listApiTokens, revokeApiToken } from './api-token.service';
import { ErrorSchema } from './auth.routes';

const SessionView = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.string(),
  lastActiveAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  ipAddress: z.string().nullable(),
});
const PasskeyView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  deviceType: z.string(),
  backedUp: z.boolean(),
  createdAt: z.string().nullable(),
});
const BurnResult = z.object({
  sessions: z.number().int(),
  passkeys: z.number().int(),
  recoveryCodeSets: z.number().int(),
  apiTokens: z.number().int(),
});
const id = RecordIdSchema;

/** The signed-in person's own security page: sessions, passkeys, step-up and the burn switch. */
export const securityRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    const db = ctx.database.db;

    app.get(
      '/api/me/security',
      {
        schema: {
          tags: ['my account'],
          summary: 'My sessions, passkeys and second-factor state',
          response: {
            200: z.object({
              twoFactorEnabled: z.boolean(),
              secondFactor: z.boolean(),
              stepUpWindowSeconds: z.number().int(),
              stepUpAt: z.string().nullable(),
              sessions: z.array(SessionView),
              passkeys: z.array(PasskeyView),
            }),
          },
        },
      },
      async (request) => {
        const actor = await requireActor(ctx.access, request);
        const [sessions, passkeys] = await Promise.all([
          listMySessions(db, actor),
          listMyPasskeys(db, actor),
        ]);
        return {
          twoFactorEnabled: actor.twoFactorEnabled,
          secondFactor: actor.secondFactor,
          stepUpWindowSeconds: STEP_UP_WINDOW_MS / 1000,
          stepUpAt: actor.stepUpAt?.toISOString() ?? null,
          sessions,
          passkeys,
        };
      },
    );

    app.delete(
      '/api/me/sessions/:id',
      {
        schema: {
          tags: ['my account'],
          summary: 'Sign out one of my sessions',
          params: z.object({ id }),
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireActor(ctx.access, request);
        await revokeMySession(db, actor, request.params.id, request.id);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/api/me/passkeys/:id',
      {
        schema: {
          tags: ['my account'],
          summary: 'Remove one of my passkeys',
          params: z.object({ id }),
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireActor(ctx.access, request);
        await removeMyPasskey(db, actor, request.params.id, request.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/me/step-up',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags: ['my account'],
          summary: 'Re-authenticate (password and authenticator code) to open sensitive fields for 5 minutes',
          body: z.object({
            password: z.string().min(1, 'is required').max(128, 'must be at most 128 characters'),
            code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code of your authenticator app'),
          }),
          response: { 200: z.object({ stepUpUntil: z.string() }), 401: ErrorSchema },
        },
      },
      async (request) => {
        const actor = await requireActor(ctx.access, request);
        return stepUpWithPassword(db, ctx.auth, ctx.throttle, actor, request.body, request.id);
      },
    );

    app.post(
      '/api/me/burn',
      {
        schema: {
          tags: ['my account'],
          summary:
            'I lost my device: revoke every session, passkey, recovery code and token, and freeze my account',
          body: z.object({ confirm: z.literal('BURN', { error: 'must be the word BURN' }) }),
          response: { 200: BurnResult },
        },
      },
      async (request) => {
        const actor = await requireActor(ctx.access, request);
        return burnAccount(db, ctx.mail, actor, actor.userId, request.id);
      },
    );

    app.get(
      '/api/me/tokens',
      {
        schema: {
          tags: ['my account'],
          summary: 'My API tokens',
          response: { 200: z.object({ tokens: z.array(ApiTokenView) }) },
        },
      },
      async (request) => {
        const actor = await requireStaff(ctx.access, request);
        return { tokens: await listApiTokens(db, actor) };
      },
    );

    app.post(
      '/api/me/tokens',
      {
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags: ['my account'],
          summary:
            'Create an API token for an integration (shown once): read or write, for the route prefixes named; needs a fresh step-up',
          body: ApiTokenCreateSchema,
          response: { 201: z.object({ token: z.string(), apiToken: ApiTokenView }), 403: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request);
        return reply.code(201).send(await createApiToken(db, actor, request.body, request.id));
      },
    );

    app.delete(
      '/api/me/tokens/:id',
      {
        schema: {
          tags: ['my account'],
          summary: 'Revoke one of my API tokens',
          params: z.object({ id }),
          response: { 204: z.null(), 404: ErrorSchema },
        },
      },
      async (request, reply) => {
        const actor = await requireStaff(ctx.access, request);
        await revokeApiToken(db, actor, request.params.id, request.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/me/compartments',
      {
        schema: {
          tags: ['my account'],
          summary: 'The compartments I am a member of',
          response: {
            200: z.object({
              compartments: z.array(z.object({ id: z.string(), code: z.string(), name: z.string() })),
            }),
          },
        },
      },
      async (request) => {
        const actor = await requireStaff(ctx.access, request);
        return { compartments: await myCompartments(db, actor.userId) };
      },
    );
  };
