import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { expect, it } from 'vitest';
import type { DatabaseHandle } from '../db/client';
import type { AppContext } from './context';
import { healthRoutes, READINESS_TIMEOUT_MS } from './health.routes';

/** A database whose queries never answer (a server stopping, a pool queue behind an outage). */
function hangingDatabase(): DatabaseHandle {
  const never = () => new Promise<never>(() => {});
  return {
    kind: 'postgres',
    db: {} as DatabaseHandle['db'],
    query: never,
    exec: never,
    close: async () => {},
  };
}

it('answers /readyz 503 within its limit when the database does not answer, never hangs', async () => {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(healthRoutes({ database: hangingDatabase() } as unknown as AppContext));
  const started = performance.now();
  const r = await app.inject({ method: 'GET', url: '/readyz' });
  const ms = performance.now() - started;
  expect(r.statusCode).toBe(503);
  expect(r.json()).toEqual({ status: 'not_ready', checks: { database: 'unreachable', migrations: null } });
  expect(ms).toBeGreaterThanOrEqual(READINESS_TIMEOUT_MS - 50);
  expect(ms).toBeLessThan(READINESS_TIMEOUT_MS + 5_000);
  await app.close();
});

it('answers /readyz 503 at once when the database refuses connections', async () => {
  const refused = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  };
  const database = { ...hangingDatabase(), query: refused, exec: refused } as DatabaseHandle;
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(healthRoutes({ database } as unknown as AppContext));
  const r = await app.inject({ method: 'GET', url: '/readyz' });
  expect(r.statusCode).toBe(503);
  await app.close();
});
