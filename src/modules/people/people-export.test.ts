import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as, staleStepUpSession } from '../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { auditLog } from '../../platform/audit/audit.table';
import { insertSupporter } from './people.service';
import { supporterTags } from './people.table';
import { SUPPORTER_EXPORT_AUDIT_ACTION } from './people-export';

/* `GET /api/people?format=csv`: the search's supporters as a file, every page of them, neutralised, audited. */
describeEachDatabase('supporters CSV export', (getDb) => {
  let t: TestApp;
  let actors: Actors;

  const get = (url: string, actor: keyof Actors = 'development') =>
    t.app.inject(as(actors[actor], { method: 'GET', url }));
  const rowsOf = (body: string) => parse(body, { columns: true, bom: true }) as Record<string, string>[];

  beforeAll(async () => {
    t = await startTestApp(getDb());
    actors = await actorsFor(t.app, t.ctx);
    const db = t.ctx.database.db;
    const link = await insertSupporter(
      db,
      { kind: 'individual', displayName: '=HYPERLINK("http://x")', email: 'link@example.org' },
      null,
    );
    await insertSupporter(db, { kind: 'individual', displayName: '+1+1', email: 'plus@example.org' }, null);
    await insertSupporter(
      db,
      { kind: 'individual', displayName: '김민준', email: 'minjun@example.org', postcode: '04524' },
      null,
    );
    // More than a page of 500, so the file is read page by page and still holds every match.
    for (let i = 0; i < 520; i++)
      await insertSupporter(
        db,
        {
          kind: 'individual',
          displayName: `Donor ${String(i).padStart(3, '0')}`,
          email: `d${i}@example.org`,
        },
        null,
      );
    await db.insert(supporterTags).values({ supporterId: link.id, tag: 'gala-2026' });
  }, 180_000);
  afterAll(async () => t?.close());

  it('answers the same supporters as the list, every page of them, names neutralised, audited', async () => {
    const r = await get('/api/people?format=csv');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    expect(r.headers['content-disposition']).toBe(
      `attachment; filename="supporters-${new Date().toISOString().slice(0, 10)}.csv"`,
    );
    const rows = rowsOf(r.body);
    expect(rows).toHaveLength(523);
    expect(new Set(rows.map((s) => s.supporter_id)).size).toBe(523);
    const first200 = (await get('/api/people?limit=200')).json().supporters as { id: string }[];
    expect(rows.slice(0, 200).map((s) => s.supporter_id)).toEqual(first200.map((s) => s.id));
    const names = rows.map((s) => s.name);
    expect(names).toContain(`'=HYPERLINK("http://x")`);
    expect(names).toContain("'+1+1");
    expect(names).not.toContain('+1+1');

    const searched = rowsOf((await get('/api/people?format=csv&q=minjun')).body);
    expect(searched.map((s) => [s.name, s.email, s.postcode])).toEqual([
      ['김민준', 'minjun@example.org', '04524'],
    ]);
    const tagged = rowsOf((await get('/api/people?format=csv&tag=gala-2026', 'administrator')).body);
    expect(tagged.map((s) => s.email)).toEqual(['link@example.org']);
    // A tag with a space: the file, not a 500 (its audit code writes the space as a dot).
    const spaced = await get(
      `/api/people?format=csv&tag=${encodeURIComponent('major donor')}`,
      'administrator',
    );
    expect(spaced.statusCode).toBe(200);

    const audited = await t.ctx.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, SUPPORTER_EXPORT_AUDIT_ACTION));
    // By list and filters: never the searched words, which may be a name.
    expect(audited.map((e) => e.resourceCode)).toEqual([
      'supporters',
      'supporters:searched',
      'supporters:tag.gala-2026',
      'supporters:tag.major.donor',
    ]);
    expect(JSON.stringify(audited)).not.toContain('minjun');
  });

  it('refuses the file exactly as it refuses the list', async () => {
    for (const actor of ['outreach', 'auditor', 'rescue_coordinator', 'anonymous', 'supporter'] as const) {
      const list = await get('/api/people', actor);
      const csv = await get('/api/people?format=csv', actor);
      expect([actor, csv.statusCode, csv.json()]).toEqual([actor, list.statusCode, list.json()]);
    }
    expect((await get('/api/people?format=pdf')).json().message).toContain('format');
  });

  it('refuses the file without a fresh step-up (a stale session, an API token) and audits nothing', async () => {
    const db = t.ctx.database.db;
    const count = async () =>
      (await db.select().from(auditLog).where(eq(auditLog.action, SUPPORTER_EXPORT_AUDIT_ACTION))).length;
    const before = await count();
    const stale = await staleStepUpSession(t.app, t.ctx, actors.development);
    const late = await t.app.inject(as(stale, { method: 'GET', url: '/api/people?format=csv' }));
    expect([late.statusCode, late.json().error]).toEqual([403, 'step_up_required']);
    expect((await t.app.inject(as(stale, { method: 'GET', url: '/api/people' }))).statusCode).toBe(200);
    const minted = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/me/tokens',
        payload: { name: 'csv', days: 1, scopes: ['people'] },
      }),
    );
    const token = await t.app.inject({
      method: 'GET',
      url: '/api/people?format=csv',
      headers: { authorization: `Bearer ${minted.json().token}` },
    });
    expect([token.statusCode, token.json().error]).toEqual([403, 'step_up_required']);
    expect(await count()).toBe(before);
  });
});
