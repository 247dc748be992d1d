import crypto from 'node:crypto';
import type { HTTPMethods } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isStaffRole } from '../src/platform/access/roles';
import type { App } from '../src/platform/http/app';
import {
  AUTHORIZATION_MATRIX,
  type MatrixEntry,
  type Outcome,
  type RequestSpec,
} from './authorization-matrix';
import {
  type Actors,
  actorsFor,
  addToCompartment,
  as,
  CALLERS,
  type Caller,
  createActor,
  createTestCompartment,
  freshSession,
  staleStepUpSession,
  type TestActor,
} from './harness/actors';
import { startTestApp, type TestApp } from './harness/app';
import { describeEachDatabase } from './harness/databases';

/**
 * Every route the app registers, as `METHOD /url`, read from Fastify's route tree. HEAD routes that
 * Fastify adds beside a GET are left out. Each parsed route is checked against the router (hasRoute), so a
 * change in the tree's printed format fails here instead of silently dropping routes.
 */
export function registeredRoutes(app: App): string[] {
  const found: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (!line.trim()) continue;
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) throw new Error(`cannot read the route tree line ${JSON.stringify(line)}`);
    const depth = (m[1] ?? '').length / 4;
    stack.length = depth;
    const segment = m[2] ?? '';
    const full = `${stack[depth - 1] ?? ''}${segment}`;
    const url = full.startsWith('/') ? full : `/${full}`;
    stack.push(url === '/*' ? '/' : url);
    const methods = (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s && s !== '-');
    for (const method of methods) {
      if (method === 'HEAD' && methods.includes('GET')) continue;
      if (!app.hasRoute({ method: method as HTTPMethods, url })) {
        throw new Error(`read ${method} ${url} from the route tree, but the router does not know it`);
      }
      found.push(`${method} ${url}`);
    }
  }
  return found.sort();
}

function matches(outcome: Outcome, status: number): boolean {
  if (status >= 500) return false;
  if (outcome === 'allow') return status !== 401 && status !== 403;
  return status === outcome;
}

const describeOutcome = (o: Outcome) => (o === 'allow' ? 'allowed (not 401/403)' : String(o));

function fillUrl(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? crypto.randomUUID()),
  );
}

describeEachDatabase('authorisation matrix', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let routes: string[];
  let memberCompartment: string;
  let outsiderCompartment: string;

  beforeAll(async () => {
    t = await startTestApp(getDb());
    actors = await actorsFor(t.app, t.ctx);
    routes = registeredRoutes(t.app);
    memberCompartment = (await createTestCompartment(t.ctx.database.db)).id;
    outsiderCompartment = (await createTestCompartment(t.ctx.database.db)).id;
    await addToCompartment(t.ctx.database.db, memberCompartment, ...Object.values(actors));
  });
  afterAll(() => t?.close());

  it('has an entry for every registered route', () => {
    const missing = routes.filter((r) => !(r in AUTHORIZATION_MATRIX));
    expect(
      missing,
      missing
        .map(
          (r) =>
            `${r} has no entry in AUTHORIZATION_MATRIX: add '${r}': { expect: … } to test/authorization-matrix.ts`,
        )
        .join('\n'),
    ).toEqual([]);
  });

  it('has no entry for a route that no longer exists', () => {
    const stale = Object.entries(AUTHORIZATION_MATRIX)
      .filter(([key, entry]) => !entry.webOnly && !routes.includes(key))
      .map(([key]) => key);
    expect(
      stale,
      stale
        .map((r) => `${r} is in test/authorization-matrix.ts but no such route is registered: remove it`)
        .join('\n'),
    ).toEqual([]);
  });

  it('reads a route tree that covers what it should (health, auth, admin, OpenAPI)', () => {
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /healthz',
        'GET /readyz',
        'GET /api/openapi.json',
        'POST /api/auth/sign-in/email',
        'DELETE /api/admin/compartments/:id/members/:userId',
      ]),
    );
  });

  /** Each caller's second session whose step-up ran out, made once when a variant first asks for it. */
  const stale = new Map<Caller, Promise<TestActor>>();
  const staleOf = (caller: TestActor): Promise<TestActor> => {
    let made = stale.get(caller.caller);
    if (!made) {
      made = staleStepUpSession(t.app, t.ctx, caller);
      stale.set(caller.caller, made);
    }
    return made;
  };

  async function call(
    key: string,
    entry: MatrixEntry & { stale?: boolean },
    caller: TestActor,
    prepared?: Record<string, string>,
  ): Promise<number> {
    const [method, pattern] = key.split(' ') as [HTTPMethods, string];
    const unique = crypto.randomBytes(5).toString('hex');
    const spec: RequestSpec = entry.request?.({ caller, unique, ...(prepared ? { prepared } : {}) }) ?? {};
    let who = entry.stale ? await staleOf(caller) : caller;
    if (entry.fresh === 'session') who = await freshSession(t.app, caller);
    if (entry.fresh === 'account' && caller.caller !== 'anonymous')
      who = await createActor(t.app, t.ctx, caller.caller);
    const response = await t.app.inject(
      as(who, {
        method,
        url: fillUrl(pattern, { ...prepared, ...spec.params }),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.body !== undefined ? { payload: spec.body as object } : {}),
      }),
    );
    return response.statusCode;
  }

  it('refuses an anonymous caller 401 before validating: an invalid request reveals no schema', async () => {
    // Authentication runs before validation (app.ts): a stranger's malformed request must not learn which
    // fields a protected route wants. Every row whose anonymous outcome is 401 gets a request that fails
    // any schema (an array body, ids that are not ids, a query of nonsense) and must still answer 401.
    const revealing: string[] = [];
    const keys = Object.entries(AUTHORIZATION_MATRIX)
      .filter(([key, entry]) => entry.expect.anonymous === 401 && routes.includes(key))
      .map(([key]) => key);
    expect(keys.length).toBeGreaterThan(100);
    await Promise.all(
      keys.map(async (key) => {
        const [method, pattern] = key.split(' ') as [HTTPMethods, string];
        const url = pattern.replace(/:([A-Za-z0-9_]+)/g, 'not-an-id');
        const response = await t.app.inject({
          method,
          url,
          query: { limit: 'many', from: 'yesterday', format: 'xml' },
          ...(method === 'GET' || method === 'HEAD' ? {} : { payload: [1, 'not an object'] }),
        });
        if (response.statusCode !== 401)
          revealing.push(`${key}: ${response.statusCode} ${response.body.slice(0, 120)}`);
      }),
    );
    expect(revealing, revealing.join('\n')).toEqual([]);
  });

  describe('every caller gets what the matrix says', () => {
    for (const [key, entry] of Object.entries(AUTHORIZATION_MATRIX)) {
      it(key, async (context) => {
        if (!routes.includes(key)) {
          // Web-only routes are absent from API-only apps; a missing API route fails the stale-entry test.
          context.skip();
          return;
        }
        const wrong: string[] = [];
        const check = async (caller: Caller, expected: Outcome, compartmentId?: string, label = '') => {
          const prepared = compartmentId
            ? await entry.compartment?.prepare({ ctx: t.ctx, compartmentId })
            : undefined;
          const status = await call(key, entry, actors[caller], prepared);
          if (!matches(expected, status))
            wrong.push(`${caller}${label}: expected ${describeOutcome(expected)}, got ${status}`);
        };
        await Promise.all(
          CALLERS.map(async (caller) => {
            const expected = entry.expect[caller];
            if (!entry.compartment) return check(caller, expected);
            await check(caller, expected, memberCompartment, ' (member)');
            const outsider =
              expected === 'allow' && isStaffRole(caller) ? entry.compartment.outsider : expected;
            await check(caller, outsider, outsiderCompartment, ' (not a member)');
          }),
        );
        expect(wrong, `${key}:\n  ${wrong.join('\n  ')}`).toEqual([]);
      });
      for (const variant of entry.also ?? []) {
        it(`${key} (${variant.label})`, async (context) => {
          if (!routes.includes(key)) {
            context.skip();
            return;
          }
          const asEntry: MatrixEntry & { stale?: boolean } = {
            ...entry,
            expect: variant.expect,
            ...(variant.request ? { request: variant.request } : {}),
            stale: variant.stepUp === 'stale',
          };
          const wrong: string[] = [];
          await Promise.all(
            CALLERS.map(async (caller) => {
              const expected = variant.expect[caller];
              const status = await call(key, asEntry, actors[caller]);
              if (!matches(expected, status))
                wrong.push(`${caller}: expected ${describeOutcome(expected)}, got ${status}`);
            }),
          );
          expect(wrong, `${key} (${variant.label}):\n  ${wrong.join('\n  ')}`).toEqual([]);
        });
      }
    }
  });
});
