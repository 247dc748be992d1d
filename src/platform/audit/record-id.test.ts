import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { RecordIdSchema } from './audit.schema';

/**
 * Found by test/route-fuzz.test.ts: an id in the URL that the audit log cannot record (a space, `<`, `/`)
 * answered 500 when the request was refused, because the denial's audit entry named it. Ids are now checked
 * at the door, by the same rule as the audit log's codes, and answer 400.
 */
it('accepts every kind of id Passage makes, and nothing the audit log cannot name', () => {
  for (const ok of [
    '0b5f6c1e-2b7a-4f7e-9a51-3c1d2e4f5a6b',
    'Xk3b9QvT7LmN2pR4sW8yZ1aC5dE6fG0h',
    'RC-AMBER-FOX',
  ])
    expect(RecordIdSchema.safeParse(ok).success).toBe(true);
  for (const bad of ['', ' ', '<script>alert(1)</script>', 'a/b', '../x', '-x', 'a b', 'x'.repeat(101)])
    expect(RecordIdSchema.safeParse(bad).success).toBe(false);
});

describeEachDatabase('an id the audit log cannot name', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  beforeAll(async () => {
    t = await startTestApp(getDb());
    actors = await actorsFor(t.app, t.ctx);
  });
  afterAll(async () => {
    await t?.close();
  });

  it.each([
    ['POST', `/api/admin/staff/${encodeURIComponent('<script>alert(1)</script>')}/burn`],
    ['POST', `/api/rescues/partners/${encodeURIComponent('a/b')}/compromised`],
    ['PATCH', `/api/admin/staff/${encodeURIComponent('a b')}`],
    ['DELETE', `/api/me/sessions/${encodeURIComponent('<x>')}`],
  ])('%s %s answers 400 to every caller, never 500', async (method, url) => {
    for (const actor of Object.values(actors)) {
      const r = await t.app.inject(as(actor, { method: method as 'POST', url, payload: {} }));
      expect(r.statusCode, `${actor.caller}: ${r.body}`).toBeLessThan(500);
      if (actor.caller !== 'anonymous') expect([400, 401, 403]).toContain(r.statusCode);
    }
    expect(t.logs.filter((l) => l.includes('request failed'))).toEqual([]);
  });
});
