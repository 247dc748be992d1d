import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as, staleStepUpSession } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import { auditLog } from '../../../platform/audit/audit.table';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { seedSettledGift } from '../batches/batch.service';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import { gifts, importRuns, recurringGifts, unitAllocations } from '../giving.table';
import { listGifts } from '../ledger/gift.service';
import { GIVING_EXPORT_AUDIT_ACTION } from './giving-export';

/*
 * `?format=csv` on every staff giving list: the same rows as the JSON list, formula injection neutralised,
 * amounts in the currency's precision, donor lists audited, the list's own refusal for everyone else.
 */
describeEachDatabase('giving CSV exports', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let db: Db;
  let fundId = '';
  const ids: Record<string, string> = {};

  const get = (url: string, actor: keyof Actors = 'development') =>
    t.app.inject(as(actors[actor], { method: 'GET', url }));
  const csvOf = async (url: string, actor: keyof Actors = 'development') => {
    const r = await get(url, actor);
    expect(r.statusCode, `${url}: ${r.body.slice(0, 200)}`).toBe(200);
    expect(r.headers['content-type']).toContain('text/csv');
    return {
      response: r,
      rows: parse(r.body, { columns: true, bom: true }) as Record<string, string>[],
      header:
        r.body
          .replace(/^\uFEFF/, '')
          .split('\n')[0]
          ?.split(',') ?? [],
    };
  };
  const exportsAudited = async () =>
    (await db.select().from(auditLog).where(eq(auditLog.action, GIVING_EXPORT_AUDIT_ACTION))).map(
      (e) => e.resourceCode,
    );

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    fundId = (await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund', restricted: true })).id;
    await insertFund(db, { code: 'empty-fund', name: 'Nothing yet', restricted: false });
    const campaign = await insertCampaign(db, {
      code: 'spring-appeal',
      name: 'Spring appeal',
      goalKind: 'money',
      goalMinor: 1_000_000,
      currency: 'USD',
      fundId,
      startsAt: new Date('2026-01-01T00:00:00Z'),
    });
    const person = (displayName: string, email: string) =>
      insertSupporter(db, { kind: 'individual', displayName, email }, null);
    ids.link = (await person('=HYPERLINK("http://x")', 'link@example.org')).id;
    ids.plus = (await person('+1+1', 'plus@example.org')).id;
    ids.minjun = (await person('김민준', 'minjun@example.org')).id;
    const gift = (supporterId: string, amountMinor: number, currency: 'USD' | 'KRW', day: string) =>
      seedSettledGift(db, {
        supporterId,
        amountMinor,
        currency,
        fundId,
        campaignId: currency === 'USD' ? campaign.id : null,
        method: 'cheque',
        receivedOn: new Date(`${day}T00:00:00Z`),
      });
    await gift(ids.link as string, 12_345, 'USD', '2026-03-01');
    await gift(ids.plus as string, 500, 'USD', '2026-03-02');
    await gift(ids.minjun as string, 50_000, 'KRW', '2026-03-03');
    await db.insert(recurringGifts).values([
      {
        id: crypto.randomUUID(),
        supporterId: ids.minjun as string,
        amountMinor: 30_000,
        currency: 'KRW',
        fundId,
        provider: 'sandbox',
        status: 'active',
        dayOfMonth: 5,
        nextChargeAt: new Date('2026-12-05T00:00:00Z'),
      },
      {
        id: crypto.randomUUID(),
        supporterId: ids.plus as string,
        amountMinor: 2_500,
        currency: 'USD',
        fundId,
        provider: 'sandbox',
        status: 'paused',
        dayOfMonth: 1,
      },
    ]);
    await db.insert(unitAllocations).values({
      id: crypto.randomUUID(),
      fundId,
      caseCode: 'QUIET-HERON-27',
      units: 1,
      campaignId: campaign.id,
      createdBy: actors.development.userId ?? 'dev',
    });
    await db.insert(importRuns).values({
      id: crypto.randomUUID(),
      layout: 'civicrm',
      fileName: '@gifts.csv',
      fileSha256: 'a'.repeat(64),
      status: 'committed',
      totalRows: 3,
      goodRows: 3,
      badRows: 0,
      createdBy: actors.development.userId ?? 'dev',
    } as typeof importRuns.$inferInsert);
  }, 120_000);
  afterAll(async () => t?.close());

  it('answers the gift list as a CSV file: the same gifts, names neutralised, KRW without decimals, audited', async () => {
    const json = (await get('/api/giving/gifts?limit=200')).json<{ gifts: Record<string, unknown>[] }>()
      .gifts;
    const { response, rows, header } = await csvOf('/api/giving/gifts?format=csv');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="gifts-${new Date().toISOString().slice(0, 10)}.csv"`,
    );
    expect(response.body.startsWith('\uFEFF')).toBe(true);
    expect(header.slice(0, 6)).toEqual([
      'gift_id',
      'date',
      'supporter_id',
      'supporter_name',
      'currency',
      'amount',
    ]);
    expect(rows.map((r) => r.gift_id)).toEqual(json.map((g) => g.id));
    expect(rows.map((r) => [r.supporter_name, r.currency, r.amount, r.fund_code, r.status])).toEqual([
      ['김민준', 'KRW', '50000', 'rescue-fund', 'settled'],
      ["'+1+1", 'USD', '5.00', 'rescue-fund', 'settled'],
      [`'=HYPERLINK("http://x")`, 'USD', '123.45', 'rescue-fund', 'settled'],
    ]);
    expect(rows[0]?.date).toBe('2026-03-03T00:00:00.000Z');
    expect(rows[2]?.campaign_code).toBe('spring-appeal');
    // Nothing in the file could be a card number: no column holds one, and no cell is a long digit run.
    expect(response.body).not.toMatch(/\d{13,19}/);

    // The filters of the list apply to the file.
    const one = await csvOf(`/api/giving/gifts?format=csv&supporterId=${ids.plus}&status=settled`);
    expect(one.rows.map((r) => r.amount)).toEqual(['5.00']);
    expect(await exportsAudited()).toEqual(
      expect.arrayContaining(['gifts', `gifts:status.settled:supporter.${ids.plus}`]),
    );
  });

  it('walks every page of a list by keyset, even through gifts that share a commit time', async () => {
    // Three gifts in one transaction share now(): the next page must neither skip nor repeat any of them.
    const supporterId = ids.minjun as string;
    await db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++)
        await tx.insert(gifts).values({
          id: crypto.randomUUID(),
          supporterId,
          amountMinor: 1_000 + i,
          currency: 'KRW',
          fundId,
          status: 'pending',
          source: 'offline',
          method: 'cash',
        });
    });
    const subject = {
      userId: 'dev',
      role: 'development' as const,
      compartments: new Set<string>(),
      stepUpAt: null,
    };
    const gc = { db, subject, requestId: null, mail: t.ctx.mail };
    const all = (await listGifts(gc, { supporterId, limit: 200 })).gifts.map((g) => g.id);
    const walked: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = (await listGifts(gc, { supporterId, limit: 1, ...(after ? { afterId: after } : {}) }))
        .gifts;
      if (page.length === 0) break;
      walked.push(...page.map((g) => g.id));
      after = page[0]?.id;
    }
    expect(walked).toEqual(all);
    expect(all).toHaveLength(4);
    const csv = await csvOf(`/api/giving/gifts?format=csv&supporterId=${supporterId}`);
    expect(csv.rows.map((r) => r.gift_id)).toEqual(all);
    expect(
      csv.rows
        .filter((r) => r.status === 'pending')
        .map((r) => r.amount)
        .sort(),
    ).toEqual(['1000', '1001', '1002']);
  });

  it('answers monthly gifts, batches, a batch’s gifts, campaigns, funds, units given and import runs', async () => {
    const monthly = (await get('/api/giving/recurring')).json().recurringGifts as Record<string, unknown>[];
    const m = await csvOf('/api/giving/recurring?format=csv');
    expect(m.rows.map((r) => r.monthly_gift_id)).toEqual(monthly.map((r) => r.id));
    // Both were written by one statement (one created_at): their order is the id's, so compare sorted.
    expect(m.rows.map((r) => [r.currency, r.supporter_name, r.amount_per_month, r.status]).sort()).toEqual([
      ['KRW', '김민준', '30000', 'active'],
      ['USD', "'+1+1", '25.00', 'paused'],
    ]);
    expect((await csvOf('/api/giving/recurring?format=csv&status=active')).rows).toHaveLength(1);
    expect(m.response.headers['content-disposition']).toContain('monthly-gifts-');

    const batchId = (
      await t.app.inject(
        as(actors.development, {
          method: 'POST',
          url: '/api/giving/batches',
          payload: { name: '=cmd batch', currency: 'KRW', controlTotalMinor: 70_000 },
        }),
      )
    ).json().id as string;
    const added = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: `/api/giving/batches/${batchId}/gifts`,
        payload: {
          supporterId: ids.link,
          amountMinor: 70_000,
          method: 'cash',
          fund: 'rescue-fund',
          receivedOn: '2026-04-01',
        },
      }),
    );
    expect(added.statusCode).toBe(201);
    const batches = await csvOf('/api/giving/batches?format=csv');
    expect(batches.rows.map((b) => b.batch_id)).toEqual(
      (await get('/api/giving/batches')).json().batches.map((b: { id: string }) => b.id),
    );
    expect(batches.rows[0]).toMatchObject({
      name: "'=cmd batch",
      currency: 'KRW',
      entered: '70000',
      control_total: '70000',
      difference: '0',
    });
    const batchGifts = await csvOf(`/api/giving/batches/${batchId}?format=csv`);
    expect(batchGifts.rows.map((g) => [g.supporter_name, g.amount, g.currency])).toEqual([
      [`'=HYPERLINK("http://x")`, '70000', 'KRW'],
    ]);

    const campaigns = await csvOf('/api/giving/campaigns?format=csv');
    expect(
      campaigns.rows.filter((c) => c.row === 'campaign').map((c) => [c.code, c.currency, c.raised, c.goal]),
    ).toEqual([['spring-appeal', 'USD', '128.45', '10000.00']]);
    const funds = await csvOf('/api/giving/funds?format=csv');
    expect(funds.rows.map((f) => [f.code, f.currency, f.balance]).sort()).toEqual([
      ['empty-fund', '', ''],
      ['rescue-fund', 'KRW', '50000'],
      ['rescue-fund', 'USD', '128.45'],
    ]);
    const units = await csvOf('/api/giving/allocations?format=csv');
    expect(units.header).toEqual([
      'case_code',
      'units',
      'unit_amount',
      'currency',
      'campaign_code',
      'campaign_name',
      'given_at',
    ]);
    expect(units.rows).toEqual([
      expect.objectContaining({ case_code: 'QUIET-HERON-27', units: '1', unit_amount: '2500.00' }),
    ]);
    const runs = await csvOf('/api/giving/imports?format=csv');
    expect(runs.rows.map((r) => [r.file_name, r.status, r.total_rows])).toEqual([
      ["'@gifts.csv", 'committed', '3'],
    ]);

    expect(await exportsAudited()).toEqual(
      expect.arrayContaining([
        'monthly_gifts',
        'monthly_gifts:status.active',
        `batch_gifts:batch.${batchId}`,
      ]),
    );
  });

  it('answers pledges and a pledge’s invoices, audited', async () => {
    const created = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/giving/pledges',
        payload: {
          kind: 'matching',
          sponsorId: ids.plus,
          name: '@match',
          currency: 'KRW',
          fund: 'rescue-fund',
          capMinor: 1_000_000,
          startsAt: '2026-01-01T00:00:00Z',
          endsAt: '2027-01-01T00:00:00Z',
        },
      }),
    );
    expect(created.statusCode, created.body).toBe(201);
    const pledgeId = created.json().id as string;
    const pledges = await csvOf('/api/giving/pledges?format=csv');
    expect(pledges.rows.map((p) => p.pledge_id)).toEqual(
      (await get('/api/giving/pledges')).json().pledges.map((p: { id: string }) => p.id),
    );
    expect(pledges.rows[0]).toMatchObject({
      name: "'@match",
      sponsor_name: "'+1+1",
      currency: 'KRW',
      cap: '1000000',
    });
    const invoices = await csvOf(`/api/giving/pledges/${pledgeId}?format=csv`);
    expect(invoices.header).toEqual([
      'number',
      'period_start',
      'period_end',
      'currency',
      'amount',
      'status',
      'gift_id',
      'emailed',
      'issued_at',
    ]);
    expect(invoices.rows).toEqual([]);
    const audited = await db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, GIVING_EXPORT_AUDIT_ACTION),
          eq(auditLog.resourceCode, `pledge_invoices:pledge.${pledgeId}`),
        ),
      );
    expect(audited).toHaveLength(1);
    expect(await exportsAudited()).toContain('pledges');
  });

  it('refuses a CSV exactly as it refuses the list, and writes no audit entry for a refusal', async () => {
    const before = (await exportsAudited()).length;
    for (const url of [
      '/api/giving/gifts',
      '/api/giving/recurring',
      '/api/giving/batches',
      '/api/giving/campaigns',
      '/api/giving/funds',
      '/api/giving/allocations',
      '/api/giving/imports',
      '/api/giving/pledges',
    ])
      for (const actor of ['outreach', 'auditor', 'anonymous', 'supporter'] as const) {
        const list = await get(url, actor);
        const csv = await get(`${url}?format=csv`, actor);
        expect([url, actor, csv.statusCode, csv.json()]).toEqual([url, actor, list.statusCode, list.json()]);
        expect(csv.statusCode).toBeGreaterThanOrEqual(401);
      }
    expect((await exportsAudited()).length).toBe(before);
    const bad = await get('/api/giving/gifts?format=xlsx');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('format');
  });

  it('refuses a donor-level CSV without a fresh step-up (a stale session, an API token), audits nothing; aggregates need none', async () => {
    const stale = await staleStepUpSession(t.app, t.ctx, actors.development);
    const minted = await t.app.inject(
      as(actors.development, {
        method: 'POST',
        url: '/api/me/tokens',
        payload: { name: 'export', days: 1, scopes: ['giving'] },
      }),
    );
    expect(minted.statusCode, minted.body).toBe(201);
    const bearer = { headers: { authorization: `Bearer ${minted.json().token}` } };
    const batchId = (await get('/api/giving/batches')).json().batches[0].id as string;
    const pledgeId = (await get('/api/giving/pledges')).json().pledges[0].id as string;
    const before = (await exportsAudited()).length;
    for (const url of [
      '/api/giving/gifts',
      '/api/giving/recurring',
      `/api/giving/batches/${batchId}`,
      '/api/giving/pledges',
      `/api/giving/pledges/${pledgeId}`,
    ]) {
      const late = await t.app.inject(as(stale, { method: 'GET', url: `${url}?format=csv` }));
      expect([url, late.statusCode, late.json().error]).toEqual([url, 403, 'step_up_required']);
      const token = await t.app.inject({ method: 'GET', url: `${url}?format=csv`, ...bearer });
      expect([url, token.statusCode, token.json().error]).toEqual([url, 403, 'step_up_required']);
      // The screen's list is still open to both: only the file needs the step-up.
      expect((await t.app.inject(as(stale, { method: 'GET', url }))).statusCode).toBe(200);
    }
    expect((await exportsAudited()).length).toBe(before);
    for (const url of ['/api/giving/funds', '/api/giving/campaigns', '/api/giving/batches'])
      expect((await t.app.inject(as(stale, { method: 'GET', url: `${url}?format=csv` }))).statusCode).toBe(
        200,
      );
  });

  it('counts CSV downloads in their own bucket of 30 a minute, leaving the screen’s reads alone', async () => {
    const first = await get('/api/giving/funds?format=csv');
    expect(first.headers['x-ratelimit-limit']).toBe('30');
    const left = Number(first.headers['x-ratelimit-remaining']);
    for (let i = 0; i < left; i++) expect((await get('/api/giving/funds?format=csv')).statusCode).toBe(200);
    const refused = await get('/api/giving/funds?format=csv');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toBe('rate_limited');
    const screen = await get('/api/giving/funds');
    expect(screen.statusCode).toBe(200);
    expect(screen.headers['x-ratelimit-limit']).toBe('600');
  });
});
