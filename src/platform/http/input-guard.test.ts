import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createStaffMember,
  signInAsAdministrator,
  startTestApp,
  type TestApp,
} from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { findInputProblem, MAX_INPUT_DEPTH } from './input-guard';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { inner: value };
  return value;
};

describe('findInputProblem', () => {
  it('names the field holding a NUL, a lone surrogate, or a key with one', () => {
    expect(findInputProblem({ name: 'Kim\u0000' }, 'body')).toEqual({
      field: 'name',
      message: 'must not contain a NUL character',
    });
    expect(findInputProblem({ travellers: [{ notes: 'ok' }, { notes: 'bad \uD800 here' }] }, 'body')).toEqual(
      {
        field: 'travellers.1.notes',
        message: 'must be well-formed Unicode (it holds a lone surrogate)',
      },
    );
    expect(findInputProblem({ 'a\u0000b': 1 }, 'body')?.message).toBe(
      'holds a key that must not contain a NUL character',
    );
    expect(findInputProblem('\uDC00', 'body')?.field).toBe('body');
  });

  it('passes ordinary text: Korean, emoji (a surrogate pair), accents, empty strings and numbers', () => {
    expect(
      findInputProblem({ name: '김철수', note: 'safe 🕊️ café', empty: '', n: 3, list: [1, null] }, 'body'),
    ).toBe(null);
  });

  it('refuses nesting deeper than the limit without recursing, even a million levels', () => {
    expect(findInputProblem(nested(MAX_INPUT_DEPTH - 1), 'body')).toBe(null);
    expect(findInputProblem(nested(MAX_INPUT_DEPTH + 1), 'body')?.message).toBe(
      `is nested deeper than ${MAX_INPUT_DEPTH} levels`,
    );
    let deep: unknown = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(findInputProblem(deep, 'body')?.message).toMatch(/nested deeper/);
  });
});

describeEachDatabase('bad input over HTTP', (getDb) => {
  let t: TestApp;
  let auditorCookie: string;
  beforeAll(async () => {
    t = await startTestApp(getDb());
    const admin = await signInAsAdministrator(t);
    ({ cookie: auditorCookie } = await createStaffMember(t, admin.cookie, {
      email: 'auditor@example.org',
      name: 'Audit Reader',
      role: 'auditor',
      password: 'copper-lantern-meadow-2291',
    }));
  });
  afterAll(() => t?.close());

  const signIn = (payload: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });

  it('answers a NUL or a lone surrogate with 400 naming the field, without a session', async () => {
    const nul = await signIn({ email: 'someone\u0000@example.org', password: 'whatever-it-is-1234' });
    expect([nul.statusCode, nul.json()]).toEqual([
      400,
      expect.objectContaining({
        error: 'validation_failed',
        message: 'email: must not contain a NUL character',
      }),
    ]);
    const lone = await signIn({ email: 'someone@example.org', password: 'pass\uD83Dword' });
    expect(lone.statusCode).toBe(400);
    expect(lone.json().message).toBe('password: must be well-formed Unicode (it holds a lone surrogate)');
  });

  it('answers deeply nested JSON to the sign-in routes with 400, not a server error', async () => {
    let body = '"x"';
    for (let i = 0; i < 20_000; i++) body = `{"a":${body}}`;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toBe('validation_failed');
  });

  it('refuses an audit search for an action that is not an action name with 400, as the service would', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/audit?action=${encodeURIComponent("rescue_case.read' or 1=1")}`,
      headers: { cookie: auditorCookie },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/^action: a lower-case name such as "rescue_case.read"/);
    const ok = await t.app.inject({
      method: 'GET',
      url: '/api/audit?action=auth.signed_in',
      headers: { cookie: auditorCookie },
    });
    expect(ok.statusCode).toBe(200);
  });
});
