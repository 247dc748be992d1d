import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, CALLERS, createActor } from './harness/actors';
import { startTestApp, type TestApp } from './harness/app';
import { type OpenTestDatabase, openTestDatabase, testEngines } from './harness/databases';
import { fuzzValue, type JsonSchema, malformedValue, validValue } from './harness/schema-arbitrary';

/**
 * Every route of the OpenAPI document, as every kind of caller, with requests drawn from the route's own
 * JSON schemas (valid, boundary and malformed values, wrong types, huge strings, NUL, lone surrogates, deep
 * nesting, unknown fields, malformed JSON, wrong content types). Two promises, checked per request:
 *   - no answer is a 5xx (and every 4xx is the `{ error, message }` shape);
 *   - a refused request (4xx) changes no row of any table: a row-level trigger installed on every table of
 *     this test database counts inserts, updates and deletes, read after each request.
 * `FUZZ_RUNS` requests per route per caller (default 1 in `npm test`, a different draw for each caller; the full run is 1,000:
 * `FUZZ_RUNS=1000 PASSAGE_TEST_ENGINES=postgres npx vitest run --project unit test/route-fuzz.test.ts`).
 * `FUZZ_ROUTES=<regex>` narrows the routes (sharding a long run); `FUZZ_SEED` changes the seed.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const ROUTE_FILTER = process.env.FUZZ_ROUTES ? new RegExp(process.env.FUZZ_ROUTES) : null;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}
interface Route {
  method: string;
  path: string;
  pathParams: Parameter[];
  query: JsonSchema | null;
  body: JsonSchema | null;
}

function routesOf(spec: { paths: Record<string, Record<string, Operation>> }): Route[] {
  return Object.entries(spec.paths).flatMap(([path, ops]) =>
    METHODS.filter((m) => m in ops).map((m) => {
      const op = ops[m] as Operation;
      const params = op.parameters ?? [];
      const queryParams = params.filter((p) => p.in === 'query');
      return {
        method: m.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path'),
        query: queryParams.length
          ? {
              type: 'object',
              properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema])),
              required: queryParams.filter((p) => p.required).map((p) => p.name),
            }
          : null,
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      };
    }),
  );
}

interface FuzzRequest {
  url: string;
  payload: string | undefined;
  contentType: string | undefined;
}

const asText = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be percent-encoded as UTF-8; send its raw (ill-formed) bytes instead.
    return '%ED%A0%80';
  }
}

function requestArbitrary(route: Route): fc.Arbitrary<FuzzRequest> {
  const segment = (p: Parameter) =>
    fc.oneof(
      { weight: 3, arbitrary: validValue(p.schema) },
      { weight: 2, arbitrary: malformedValue(p.schema) },
      { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '%00', 'a/b', ' ', '-1', '0', 'null') },
    );
  const path = fc.tuple(...route.pathParams.map(segment));
  const query = route.query
    ? fc.option(fuzzValue(route.query), { nil: undefined, freq: 4 })
    : fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 2 }), {
        nil: undefined,
        freq: 2,
      });
  const hasBody = route.method !== 'GET';
  const body: fc.Arbitrary<{ payload: string | undefined; contentType: string | undefined }> = hasBody
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: fuzzValue(route.body ?? { type: 'object', properties: {} }).map((v) => ({
            payload: JSON.stringify(v) ?? 'null',
            contentType: 'application/json',
          })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom(
              '{',
              '{"a":',
              '[1,2',
              '{"a":1}}',
              '',
              'null',
              '"text"',
              '\u0000',
              '{"__proto__":{"x":1}}',
              '{"constructor":{"prototype":{"x":1}}}',
              '\uFEFF{}',
              `{"a":"${'\\ud800'}"}`,
              `{"a":"\\u0000"}`,
              '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
            )
            .map((payload) => ({ payload, contentType: 'application/json' })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.jsonValue({ maxDepth: 2 }),
              fc.constantFrom(
                'text/plain',
                'application/x-www-form-urlencoded',
                'multipart/form-data; boundary=x',
                'application/xml',
                'application/json; charset=latin1',
                'APPLICATION/JSON',
                undefined,
              ),
            )
            .map(([v, contentType]) => ({ payload: JSON.stringify(v), contentType })),
        },
        { weight: 1, arbitrary: fc.constant({ payload: undefined, contentType: undefined }) },
      )
    : fc.constant({ payload: undefined, contentType: undefined });
  return fc.tuple(path, query, body).map(([segments, q, b]) => {
    let i = 0;
    let url = route.path.replace(/\{[^}]+\}/g, () => encodeSegment(asText(segments[i++])));
    if (q !== undefined) {
      if (q && typeof q === 'object' && !Array.isArray(q)) {
        const parts = Object.entries(q as Record<string, unknown>).map(
          ([k, v]) => `${encodeSegment(k)}=${encodeSegment(asText(v))}`,
        );
        if (parts.length) url += `?${parts.join('&')}`;
      } else {
        url += `?${encodeSegment(asText(q))}`;
      }
    }
    return { url, payload: b.payload, contentType: b.contentType };
  });
}

/**
 * What a refused request may still write, by design (docs/SECURITY.md): the audit entry recording the
 * refusal (every authorisation decision on S3/S4 data is audited, `outcome: denied`; the log is
 * append-only), the sign-in throttle's failure counters (lockouts must count failures in the database so
 * every process agrees), and the caller's session's last-activity time (the idle timeout). Nothing else.
 */
const WRITES_A_REFUSAL_MAY_MAKE = new Set([
  'public.audit_log:INSERT',
  'public.sign_in_throttle:INSERT',
  'public.sign_in_throttle:UPDATE',
  'public.sessions:UPDATE',
]);

/** Installs the change counter: every insert, update, delete and truncate of every table, by table. */
const INSTALL_CHANGE_COUNTER = `
create table if not exists fuzz_row_changes (tbl text primary key, n bigint not null);
create or replace function fuzz_count_change() returns trigger language plpgsql security definer as $$
begin
  insert into public.fuzz_row_changes (tbl, n) values (tg_table_schema || '.' || tg_table_name || ':' || tg_op, 1)
    on conflict (tbl) do update set n = public.fuzz_row_changes.n + 1;
  return null;
end $$;
do $$
declare t record;
begin
  for t in select schemaname, tablename from pg_tables
    where schemaname not in ('pg_catalog', 'information_schema') and tablename <> 'fuzz_row_changes'
  loop
    execute format('create trigger fuzz_rows after insert or update or delete on %I.%I for each row execute function fuzz_count_change()', t.schemaname, t.tablename);
    execute format('create trigger fuzz_truncate after truncate on %I.%I for each statement execute function fuzz_count_change()', t.schemaname, t.tablename);
  end loop;
end $$;
select count(*)::int as n from pg_trigger where tgname = 'fuzz_rows';
`;

/**
 * The engines to fuzz on: PostgreSQL (production's engine) unless FUZZ_ENGINES says otherwise; the routes and
 * their validation are the same code on both, and one engine keeps `npm test` within its minute.
 */
const ENGINES = testEngines().filter((k) => (process.env.FUZZ_ENGINES ?? 'postgres').split(',').includes(k));

// A run on other engines only (npm test's Node 24 pass is PGlite only) says so instead of finding no test.
if (ENGINES.length === 0)
  it.skip(`fuzzes on ${process.env.FUZZ_ENGINES ?? 'postgres'}, which this run does not test`, () => {});

for (const kind of ENGINES)
  describe(`fuzzing every route as every caller [${kind}]`, () => {
    let database: OpenTestDatabase;
    const getDb = () => database;
    let t: TestApp;
    let actors: Actors;
    let routes: Route[];
    let lastChanges = new Map<string, number>();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);

    /** Tables whose counters moved since the last call, with how many rows. */
    async function changedTables(): Promise<Record<string, number>> {
      const { rows } = await getDb().handle.query<{ tbl: string; n: string | number }>(
        'select tbl, n from fuzz_row_changes',
      );
      const moved: Record<string, number> = {};
      const now = new Map(rows.map((r) => [r.tbl, Number(r.n)]));
      for (const [tbl, n] of now) {
        const before = lastChanges.get(tbl) ?? 0;
        if (n !== before) moved[tbl] = n - before;
      }
      lastChanges = now;
      return moved;
    }

    beforeAll(async () => {
      process.on('unhandledRejection', onUnhandled);
      database = await openTestDatabase(kind);
      t = await startTestApp(getDb());
      actors = await actorsFor(t.app, t.ctx);
      const { rows } = await getDb().handle.exec<{ n: number }>(INSTALL_CHANGE_COUNTER);
      expect(rows[0]?.n).toBeGreaterThan(30);
      routes = routesOf(t.app.swagger() as unknown as { paths: Record<string, Record<string, Operation>> });
      if (ROUTE_FILTER) routes = routes.filter((r) => ROUTE_FILTER.test(`${r.method} ${r.path}`));
      await changedTables();
    }, 90_000);
    afterAll(async () => {
      process.off('unhandledRejection', onUnhandled);
      await t?.close();
      await database?.close();
    });

    it('reads every route from the OpenAPI document', () => {
      if (ROUTE_FILTER) return;
      expect(routes.length).toBeGreaterThanOrEqual(130);
      const names = routes.map((r) => `${r.method} ${r.path}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'POST /api/giving/donations',
          'POST /api/giving/webhooks/{provider}',
          'POST /api/rescues',
          'PATCH /api/admin/staff/{id}',
          'POST /api/me/burn',
        ]),
      );
      // The generators understand every schema: a valid draw for each route's body and parameters.
      for (const route of routes) fc.sample(requestArbitrary(route), { numRuns: 3, seed: SEED });
    });

    it(
      'answers every route, as every caller, with no 5xx, and a refused request writes nothing',
      async () => {
        const statuses = new Map<number, number>();
        const failures: string[] = [];
        let requests = 0;
        let ip = 0;
        for (const [index, route] of routes.entries()) {
          const started = performance.now();
          const arbitrary = requestArbitrary(route);
          for (const [callerIndex, caller] of CALLERS.entries()) {
            await fc
              .assert(
                fc.asyncProperty(arbitrary, async (req) => {
                  const actor = actors[caller];
                  ip += 1;
                  const headers: Record<string, string> = { ...actor.headers };
                  if (req.contentType !== undefined) headers['content-type'] = req.contentType;
                  const r = await t.app.inject({
                    method: route.method as 'GET',
                    url: req.url,
                    headers,
                    payload: req.payload,
                    // A fresh address per request: the per-address ceilings would otherwise answer 429 to most.
                    remoteAddress: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`,
                  });
                  requests += 1;
                  statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
                  const moved = await changedTables();
                  const what = () =>
                    `${caller} ${route.method} ${req.url.slice(0, 200)} body ${String(req.payload).slice(0, 200)}`;
                  if (r.statusCode >= 500) {
                    const logged = t.logs.filter((l) => l.includes('request failed')).at(-1) ?? '';
                    throw new Error(
                      `${what()} answered ${r.statusCode}: ${r.body.slice(0, 200)} ${logged.slice(0, 600)}`,
                    );
                  }
                  if (r.statusCode >= 400) {
                    const json = JSON.parse(r.body) as { error?: unknown; message?: unknown };
                    if (typeof json.error !== 'string' || typeof json.message !== 'string')
                      throw new Error(
                        `${what()} answered ${r.statusCode} without { error, message }: ${r.body.slice(0, 200)}`,
                      );
                    const unexpected = Object.keys(moved).filter((k) => !WRITES_A_REFUSAL_MAY_MAKE.has(k));
                    if (unexpected.length)
                      throw new Error(
                        `${what()} was refused (${r.statusCode} ${json.error}) but changed rows: ${JSON.stringify(moved)}`,
                      );
                  }
                }),
                { numRuns: RUNS, seed: SEED + index * 100 + callerIndex, endOnFailure: true },
              )
              .catch((error: Error) => {
                failures.push(error.cause instanceof Error ? error.cause.message : error.message);
              });
            // A request may have ended the caller's session (sign-out, burn, a re-enrolment): sign it in again.
            const actor = actors[caller];
            if (actor.userId) {
              const s = await t.app.inject({
                method: 'GET',
                url: '/api/session',
                headers: actor.headers,
                remoteAddress: actor.remoteAddress,
              });
              if ((s.json() as { user: unknown }).user === null)
                actors[caller] = await createActor(t.app, t.ctx, caller);
              await changedTables();
            }
          }
          const ms = performance.now() - started;
          if (ms > 2000) console.info(`route fuzz: ${route.method} ${route.path} took ${Math.round(ms)} ms`);
        }
        console.info(
          `route fuzz [${getDb().kind}]: ${routes.length} routes × ${CALLERS.length} callers × ${RUNS} = ${requests} requests; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
        );
        expect(failures).toEqual([]);
        expect(unhandled).toEqual([]);
        // The requests reached the handlers, not only the validators.
        expect([...statuses.keys()].some((s) => s >= 200 && s < 300)).toBe(true);
        if (!ROUTE_FILTER) expect([...statuses.keys()]).toEqual(expect.arrayContaining([400, 403, 404]));
      },
      // A limit for a hung run, not a target: about 40 s, 2 minutes on a machine shared by several runs.
      RUNS > 10 ? 24 * 3_600_000 : 600_000,
    );
  });
