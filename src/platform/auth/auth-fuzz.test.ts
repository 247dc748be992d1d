import { count } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { signInAsAdministrator, startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { STAFF_ROLES } from '../access/roles';
import { accounts, apiTokens, invitations, passkeys, sessions, twoFactors, users } from './auth.table';

/** The routes of accounts and sign-in: every one of them is fuzzed. */
const PREFIXES = ['/api/auth/', '/api/setup', '/api/invitations/', '/api/me/', '/api/admin/'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Requests per route (each is one of: anonymous, signed in as an enrolled administrator, garbage credentials). */
const RUNS_PER_ROUTE = Number(process.env.PASSAGE_FUZZ_RUNS ?? 30);

const TABLES = { users, sessions, accounts, invitations, twoFactors, passkeys, apiTokens };

// Bodies: random JSON of any shape, and objects with the field names our routes read, holding wrong types,
// huge strings, arrays, nulls and near-miss values (never a fully valid body that would legitimately write).
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ minLength: 1000, maxLength: 5000 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '999999',
    '123456',
    'burn',
    'administrator',
    ...STAFF_ROLES,
    'supporter',
  ),
);
const knownKeys = fc.record(
  {
    email: fc.oneof(
      anyValue,
      fc.constantFrom('admin@example.org', 'ADMIN@EXAMPLE.ORG', 'nobody@example.org'),
    ),
    password: anyValue,
    token: anyValue,
    code: anyValue,
    name: anyValue,
    role: anyValue,
    days: anyValue,
    confirm: anyValue,
    trustDevice: anyValue,
    callbackURL: fc.oneof(
      anyValue,
      fc.constantFrom('https://evil.example', '//evil.example', 'javascript:alert(1)'),
    ),
    response: anyValue,
    disableSession: anyValue,
    __proto__: fc.dictionary(fc.string({ maxLength: 5 }), anyValue, { maxKeys: 2 }),
    constructor: anyValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { weight: 3, arbitrary: knownKeys.map((v) => ({ json: v })) },
  { weight: 2, arbitrary: fc.object({ maxDepth: 3 }).map((v) => ({ json: v as unknown })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ json: v as unknown })) },
  // Malformed JSON and raw text.
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.constantFrom(
          '{',
          '{"email":',
          '[1,2',
          '{"a":1}}',
          'null',
          '"str"',
          '\u0000',
          '{"__proto__":{"x":1}}',
        ),
      )
      .map((raw) => ({ raw })),
  },
  { weight: 1, arbitrary: fc.constant({ none: true }) },
);
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/xml',
      '',
      undefined,
    ),
  },
);
const segment = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 300 }),
  fc.constantFrom('0', '-1', 'null', 'undefined', '..', '%00', 'a'.repeat(101)),
);
const query = fc.option(
  fc.dictionary(
    fc.constantFrom('token', 'callbackURL', 'errorCallbackURL', 'limit', 'x'),
    fc.string({ maxLength: 60 }),
    {
      maxKeys: 3,
    },
  ),
  { nil: undefined },
);

describeEachDatabase('fuzzing the account and sign-in routes', (getDb) => {
  let t: TestApp;
  let adminCookie: string;
  let baseline: Record<string, number>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  const counts = async () => {
    const out: Record<string, number> = {};
    for (const [name, table] of Object.entries(TABLES)) {
      out[name] = (await getDb().db.select({ n: count() }).from(table))[0]?.n ?? -1;
    }
    return out;
  };

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    t = await startTestApp(getDb());
    ({ cookie: adminCookie } = await signInAsAdministrator(t));
    baseline = await counts();
  });
  afterEach(async () => {
    expect(await counts()).toEqual(baseline);
    expect(unhandled).toEqual([]);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t?.close();
  });

  it('has the routes to fuzz', async () => {
    const spec = t.app.swagger() as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(spec.paths).flatMap(([path, ops]) =>
      METHODS.filter((m) => m in ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const fuzzed = routes.filter((r) => PREFIXES.some((p) => r.split(' ')[1]?.startsWith(p)));
    expect(fuzzed.length).toBeGreaterThanOrEqual(30);
    expect(fuzzed).toEqual(
      expect.arrayContaining([
        'POST /api/auth/sign-in/email',
        'POST /api/setup',
        'POST /api/invitations/accept',
        'POST /api/me/burn',
        'PATCH /api/admin/staff/{id}',
      ]),
    );
  });

  // The route list comes from the app itself, so a new route under these prefixes is fuzzed without edits here.
  it('answers every malformed request to every route without a 5xx, and writes nothing', async () => {
    const spec = t.app.swagger() as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(spec.paths)
      .filter(([path]) => PREFIXES.some((p) => path.startsWith(p)))
      .flatMap(([path, ops]) =>
        METHODS.filter((m) => m in ops).map((m) => ({ method: m.toUpperCase(), path })),
      );
    let ipSeq = 0;
    const seen = new Map<number, number>();
    for (const route of routes) {
      const skipSignedIn = route.path === '/api/auth/sign-out';
      await fc.assert(
        fc.asyncProperty(
          body,
          contentType,
          fc.array(segment, { minLength: 3, maxLength: 3 }),
          query,
          fc.constantFrom('anonymous', 'admin', 'garbage-cookie', 'garbage-bearer'),
          async (b, type, segments, q, who) => {
            const params = [...segments];
            let url = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(params.shift() ?? 'x'));
            if (q) url += `?${new URLSearchParams(q).toString()}`;
            const headers: Record<string, string> = {};
            if (type !== undefined) headers['content-type'] = type;
            if (who === 'admin' && !skipSignedIn) headers.cookie = adminCookie;
            if (who === 'garbage-cookie')
              headers.cookie = 'passage.session_token=abc.def; __Host-passage.session_token=x';
            if (who === 'garbage-bearer') headers.authorization = 'Bearer psg_not-a-real-token';
            const payload =
              'none' in b || route.method === 'GET' ? undefined : 'raw' in b ? b.raw : JSON.stringify(b.json);
            ipSeq += 1;
            const r = await t.app.inject({
              method: route.method as 'GET',
              url,
              headers,
              payload,
              remoteAddress: `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`,
            });
            seen.set(r.statusCode, (seen.get(r.statusCode) ?? 0) + 1);
            if (r.statusCode >= 500) {
              throw new Error(`${route.method} ${url} answered ${r.statusCode}: ${r.body.slice(0, 300)}`);
            }
            if (r.statusCode >= 400) expect(r.json()).toMatchObject({ error: expect.any(String) });
          },
        ),
        { numRuns: RUNS_PER_ROUTE, seed: 20260301, endOnFailure: true },
      );
      expect(await counts(), `${route.method} ${route.path} changed the database`).toEqual(baseline);
    }
    // Some requests must get past validation to the handlers, not only be refused at the door.
    expect([...seen.keys()].some((s) => s === 401 || s === 403 || s === 404 || s === 410)).toBe(true);
  }, 120_000);

  it('still answers a failed sign-in with 401 after the fuzzing', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'nobody-after-fuzzing@example.org', password: 'definitely-wrong-password' },
      remoteAddress: '10.255.255.254',
    });
    expect(r.statusCode).toBe(401);
  });
});
