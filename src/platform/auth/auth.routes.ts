import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { resolveActor } from '../access/actor';
import type { AppContext } from '../http/context';
import { PASSWORD_MAX, PASSWORD_MIN } from './password';
import { createFirstAdministrator, hasAnyUser } from './setup.service';

export const SetupInputSchema = z.object({
  token: z.string().min(10, 'is missing or malformed').max(200, 'is malformed'),
  name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  email: z.email('must be an email address').max(254, 'must be at most 254 characters'),
  password: z
    .string()
    .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`),
});

const SessionSchema = z.object({
  user: z.object({ id: z.string(), name: z.string(), email: z.string(), role: z.string() }).nullable(),
});

const ErrorSchema = z.object({ error: z.string(), message: z.string() });

export const authRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    // better-auth speaks the Fetch API; bridge Fastify's request to it and its response back.
    app.route({
      method: ['GET', 'POST'],
      url: '/api/auth/*',
      schema: { hide: true },
      async handler(request, reply) {
        const url = new URL(request.url, ctx.config.publicUrl);
        const headers = new Headers();
        for (const [key, value] of Object.entries(request.headers)) {
          if (typeof value === 'string') headers.append(key, value);
          else if (Array.isArray(value)) for (const v of value) headers.append(key, v);
        }
        const response = await ctx.auth.handler(
          new Request(url, {
            method: request.method,
            headers,
            body: request.body ? JSON.stringify(request.body) : undefined,
          }),
        );
        reply.status(response.status);
        response.headers.forEach((value, key) => {
          if (key !== 'set-cookie') reply.header(key, value);
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length) reply.header('set-cookie', cookies);
        const text = await response.text();
        return reply.send(text.length ? text : null);
      },
    });

    app.get(
      '/api/setup',
      {
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
        config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
        schema: {
          tags: ['setup'],
          summary: 'Create the first administrator with the one-time setup link',
          body: SetupInputSchema,
          response: { 201: z.object({ created: z.literal(true) }), 409: ErrorSchema, 410: ErrorSchema },
        },
      },
      async (request, reply) => {
        await createFirstAdministrator(ctx.database.db, request.body);
        request.log.info('first administrator created');
        return reply.code(201).send({ created: true as const });
      },
    );

    app.get(
      '/api/session',
      {
        schema: {
          tags: ['auth'],
          summary: 'The signed-in account, or null',
          response: { 200: SessionSchema },
        },
      },
      async (request) => {
        const actor = await resolveActor(ctx.auth, request);
        return {
          user: actor ? { id: actor.userId, name: actor.name, email: actor.email, role: actor.role } : null,
        };
      },
    );
  };
