import crypto from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { adminRoutes } from '../admin/admin.routes';
import { requireStaff, resolveActor } from '../auth/actor';
import { authRoutes } from '../auth/auth.routes';
import { hasPendingSignIn } from '../auth/bridge';
import { securityRoutes } from '../auth/security.routes';
import { isDatabaseUnavailable } from '../db/client';
import { AppError } from '../errors';
import { mailRoutes } from '../mail/mail.routes';
import type { PassageModule } from '../module';
import type { AppContext } from './context';
import { healthRoutes } from './health.routes';
import { findInputProblem } from './input-guard';
import { webRoutes } from './web';

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Open to callers without a session or API token. Every /api route is protected unless it says so: the
     * platform refuses an anonymous caller with 401 before the route's schema runs (see `authenticateFirst`).
     */
    public?: boolean;
    /** Open to a caller between the password and the second factor of a sign-in (better-auth's cookie). */
    signInStep?: boolean;
  }
}

/**
 * What of an unexpected error may be logged. Drizzle puts a failed query's parameters into its message, and a
 * parameter can be a person's data, so the message is cut before them; the stack stays for the engineer.
 */
export function loggableError(error: unknown): {
  type: string;
  message: string;
  code?: string;
  stack?: string;
} {
  const e = error as {
    name?: string;
    message?: string;
    stack?: string;
    cause?: { code?: string; name?: string };
  };
  const cut = (text: string) => text.split(/\nparams:|params:/)[0]?.slice(0, 500) ?? '';
  return {
    type: e?.cause?.name ?? e?.name ?? typeof error,
    message: cut(String(e?.message ?? error)),
    ...(e?.cause?.code ? { code: e.cause.code } : {}),
    ...(e?.stack ? { stack: cut(e.stack) } : {}),
  };
}

/** Believes the nearest `hops` proxies (hop 0 is the socket's peer), as Fastify does for a number. */
function trustHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

export interface BuildAppOptions {
  /** The capability modules whose routes (and standalone pages) to mount, from the composition root. */
  modules?: readonly PassageModule[];
  /** Serve the React shell (built assets, or Vite in development). Off for API-only tests. */
  web?: boolean;
}

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    genReqId: () => crypto.randomUUID(),
    // Only the proxies TRUSTED_PROXIES names may set the client's address (X-Forwarded-For); by default
    // nobody, so a client cannot rotate the header past sign-in lockouts and rate limits.
    trustProxy:
      typeof ctx.config.trustProxy === 'number' ? trustHops(ctx.config.trustProxy) : ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Give in-flight requests time to finish on SIGTERM; idle keep-alive sockets are closed at once.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => {
        const field =
          v.instancePath.replace(/^\//, '').replaceAll('/', '.') || String(error.validationContext ?? 'body');
        return { field, message: v.message ?? 'is invalid' };
      });
      const first = issues[0];
      return reply.code(400).send({
        error: 'validation_failed',
        message: first ? `${first.field}: ${first.message}` : 'The request is invalid.',
        issues,
      });
    }
    if (error instanceof AppError) {
      return reply.code(error.statusCode).send({ error: error.id, message: error.message });
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const id = status === 429 ? 'rate_limited' : status === 404 ? 'not_found' : 'validation_failed';
      return reply.code(status).send({ error: id, message: (error as Error).message });
    }
    request.log.error({ err: loggableError(error) }, 'request failed');
    if (isDatabaseUnavailable(error)) {
      // The database is down or restarting: nothing was done, and the same request may succeed shortly.
      return reply.code(503).header('Retry-After', '5').send({
        error: 'unavailable',
        message: 'Passage cannot reach its database just now. Try again in a moment.',
      });
    }
    // Generic on purpose: no stack, no driver message (SECURITY.md rule 11).
    return reply
      .code(500)
      .send({ error: 'internal', message: 'Something went wrong. The error has been logged.' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` }),
  );

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // Mantine sets CSS variables through style attributes; attributes cannot carry a nonce.
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: ctx.config.publicUrl.startsWith('https://') ? [] : null,
      },
    },
    hsts: { maxAge: 63072000, includeSubDomains: true, preload: false },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
  });

  // Cross-site state changes are refused: cookies are SameSite=Strict, and any Origin must be our own.
  const ownOrigin = new URL(ctx.config.publicUrl).origin;
  app.addHook('onRequest', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    const origin = request.headers.origin;
    if (origin && origin !== ownOrigin) {
      return reply.code(403).send({ error: 'forbidden', message: 'Cross-site request refused.' });
    }
    // Only JSON bodies: an HTML form on another site cannot produce one without a CORS preflight.
    const hasBody =
      Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'];
    if (hasBody && !String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return reply
        .code(415)
        .send({ error: 'validation_failed', message: 'Send the body as application/json.' });
    }
  });

  // Authenticate, then validate: an /api route not marked `config: { public: true }` refuses a caller without
  // a live session or API token before any schema runs, so a stranger learns neither a protected route's
  // fields nor its messages. The actor is resolved once here and reused by requireActor/requireStaff.
  app.addHook('preValidation', async (request, reply) => {
    const config = request.routeOptions.config;
    if (request.is404 || config.public || !request.url.startsWith('/api/')) return;
    if (config.signInStep && hasPendingSignIn(request)) return;
    if (await resolveActor(ctx.access, request)) return;
    return reply.code(401).send({ error: 'unauthenticated', message: 'Sign in to continue.' });
  });

  // Text no route can store faithfully (NUL, lone surrogates) and absurd nesting: 400 naming the field,
  // before any route's own schema runs (input-guard.ts).
  app.addHook('preValidation', async (request, reply) => {
    const parts: [string, unknown][] = [
      ['body', request.body],
      ['querystring', request.query],
      ['params', request.params],
    ];
    for (const [part, value] of parts) {
      const problem = findInputProblem(value, part);
      if (problem) {
        return reply.code(400).send({
          error: 'validation_failed',
          message: `${problem.field}: ${problem.message}`,
          issues: [problem],
        });
      }
    }
  });

  // A ceiling for every route per address; sensitive routes set tighter limits in their own config.
  // Counters live in this process: behind several processes, each enforces its own share.
  await app.register(rateLimit, {
    global: true,
    max: 600,
    timeWindow: '1 minute',
    allowList: (request) => request.url === '/healthz' || request.url === '/readyz',
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: 'rate_limited',
      message: `Too many requests. Try again in ${Math.ceil(context.ttl / 1000)} seconds.`,
    }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Passage API',
        version: '0.1.0',
        description: 'Every route of Passage, generated from its Zod schemas.',
      },
    },
    transform: jsonSchemaTransform,
  });

  await app.register(healthRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(securityRoutes(ctx));
  await app.register(adminRoutes(ctx));
  await app.register(mailRoutes(ctx));
  const modules = options.modules ?? [];
  for (const module of modules) await app.register(module.routes(ctx));

  // The API's map names every route, the administration, burn and audit ones included: staff only.
  app.get('/api/openapi.json', { schema: { hide: true } }, async (request) => {
    await requireStaff(ctx.access, request);
    return app.swagger();
  });

  if (options.web)
    await app.register(
      webRoutes(
        ctx,
        modules.flatMap((m) => m.pages ?? []),
      ),
    );
  return app;
}
