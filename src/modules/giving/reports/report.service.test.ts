import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actors, actorsFor, as, staleStepUpSession } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import { auditLog } from '../../../platform/audit/audit.table';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { seedSettledGift } from '../batches/batch.service';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { gifts } from '../giving.table';
import { correctGiftFund, refundGift } from '../ledger/gift.service';
import type { GivingCurrency } from '../money';
import { donorRetention, givingTotals, lapsedDonors, rangeOrThisYear, topDonors } from './report.service';

/*
 * Known answers, worked out by hand. Seven donors over 2024–2026 in USD and KRW (dates UTC):
 *
 *   #  donor     settled                USD/KRW         fund        what happens after
 *   1  Ann       2024-03-10             USD 10,000      most-needed
 *   2  Ann       2025-06-01             USD 25,000      rescue      campaign "bridge"
 *   3  Ann       2026-02-15             USD  6,000      most-needed
 *   4  Bo        2024-11-20             KRW 50,000      most-needed
 *   5  Bo        2025-12-31 23:30       KRW 100,000     rescue      (already 2026 in Seoul: UTC counts)
 *   6  Cy        2024-05-05             USD 20,000      rescue
 *   7  Cy        2026-01-10             USD 30,000      rescue      5,000 refunded: keeps 25,000
 *   8  Dee       2025-04-01             USD 40,000      most-needed corrected to rescue
 *   9  Dee       2025-08-08             USD 15,000      most-needed refunded in full: never counts
 *  10  Dee       2026-05-05             USD  8,000      most-needed refunded in full: Dee did not give in 2026
 *  11  김은지    2025-02-02             KRW 70,000      most-needed anonymous
 *  12  Fay       2026-03-03             USD  1,000      most-needed
 *  13  Gil       2024-07-07             KRW 30,000      most-needed
 *  and a pending USD 99,999 gift from Fay in 2026 that never settled.
 *
 * Gave (kept more than nothing) per year:  2024: Ann Bo Cy Gil · 2025: Ann Bo Dee 김은지 · 2026: Ann Cy Fay
 */

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};
const auditor: Subject = { userId: 'aud-1', role: 'auditor', compartments: new Set(), stepUpAt: null };
const outreach: Subject = { userId: 'out-1', role: 'outreach', compartments: new Set(), stepUpAt: null };

describeEachDatabase('giving reports', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let db: Db;
  const gc = (subject: Subject = development): GivingContext => ({
    db,
    subject,
    requestId: null,
    mail: t.ctx.mail,
  });
  const who: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    const rescue = await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund', restricted: true });
    const mostNeeded = await insertFund(db, {
      code: 'most-needed',
      name: 'Where most needed',
      restricted: false,
    });
    const bridge = await insertCampaign(db, {
      code: 'bridge',
      name: 'Bridge',
      goalKind: 'money',
      goalMinor: 20_000_000,
      currency: 'USD',
      fundId: rescue.id,
      startsAt: new Date('2024-01-01T00:00:00Z'),
    });
    for (const [key, firstName, lastName] of [
      ['ann', 'Ann', 'Able'],
      ['bo', 'Bo', 'Baker'],
      ['cy', 'Cy', 'Cole'],
      ['dee', 'Dee', 'Dunn'],
      ['eun', '은지', '김'],
      ['fay', 'Fay', 'Fox'],
      ['gil', 'Gil', 'Gray'],
    ] as const) {
      const row = await insertSupporter(
        db,
        {
          kind: 'individual',
          firstName,
          lastName,
          email: `${key}@example.org`,
          ...(key === 'eun' ? { displayName: '김은지' } : {}),
        },
        null,
      );
      who[key] = row.id;
    }
    const give = (
      donor: string,
      at: string,
      currency: GivingCurrency,
      amountMinor: number,
      fund: 'rescue' | 'most',
      campaignId: string | null = null,
    ) =>
      seedSettledGift(db, {
        supporterId: who[donor] as string,
        amountMinor,
        currency,
        fundId: fund === 'rescue' ? rescue.id : mostNeeded.id,
        campaignId,
        method: 'cheque',
        receivedOn: new Date(at),
      });
    await give('ann', '2024-03-10T10:00:00Z', 'USD', 10_000, 'most');
    await give('ann', '2025-06-01T10:00:00Z', 'USD', 25_000, 'rescue', bridge.id);
    await give('ann', '2026-02-15T10:00:00Z', 'USD', 6_000, 'most');
    await give('bo', '2024-11-20T10:00:00Z', 'KRW', 50_000, 'most');
    await give('bo', '2025-12-31T23:30:00Z', 'KRW', 100_000, 'rescue');
    await give('cy', '2024-05-05T10:00:00Z', 'USD', 20_000, 'rescue');
    const cy2026 = await give('cy', '2026-01-10T10:00:00Z', 'USD', 30_000, 'rescue');
    const dee2025 = await give('dee', '2025-04-01T10:00:00Z', 'USD', 40_000, 'most');
    const deeRefunded = await give('dee', '2025-08-08T10:00:00Z', 'USD', 15_000, 'most');
    const dee2026 = await give('dee', '2026-05-05T10:00:00Z', 'USD', 8_000, 'most');
    const eun = await give('eun', '2025-02-02T10:00:00Z', 'KRW', 70_000, 'most');
    await give('fay', '2026-03-03T10:00:00Z', 'USD', 1_000, 'most');
    await give('gil', '2024-07-07T10:00:00Z', 'KRW', 30_000, 'most');
    await db.transaction((tx) => refundGift({ ...gc(), db: tx }, cy2026, 5_000));
    await db.transaction((tx) => correctGiftFund({ ...gc(), db: tx }, dee2025, 'rescue-fund'));
    await db.transaction((tx) => refundGift({ ...gc(), db: tx }, deeRefunded));
    await db.transaction((tx) => refundGift({ ...gc(), db: tx }, dee2026));
    await db.update(gifts).set({ anonymous: true }).where(eq(gifts.id, eun));
    await db.insert(gifts).values({
      id: crypto.randomUUID(),
      supporterId: who.fay as string,
      amountMinor: 99_999,
      currency: 'USD',
      fundId: mostNeeded.id,
      status: 'pending',
      source: 'online',
      method: 'card',
      createdAt: new Date('2026-04-01T00:00:00Z'),
    });
  }, 120_000);
  afterAll(async () => t?.close());

  const range2025 = { from: '2025-01-01', to: '2025-12-31' };

  it('totals 2025 by fund: the correction moves Dee’s gift to the rescue fund, the refunded gift counts for nothing', async () => {
    const r = await givingTotals(gc(), 'fund', range2025);
    expect(r.rows).toEqual([
      {
        key: 'most-needed',
        label: 'Where most needed',
        currency: 'KRW',
        amountMinor: 70_000,
        gifts: 1,
        donors: 1,
      },
      {
        key: 'rescue-fund',
        label: 'Rescue fund',
        currency: 'KRW',
        amountMinor: 100_000,
        gifts: 1,
        donors: 1,
      },
      { key: 'rescue-fund', label: 'Rescue fund', currency: 'USD', amountMinor: 65_000, gifts: 2, donors: 2 },
    ]);
    expect(r.totals).toEqual([
      { currency: 'KRW', amountMinor: 170_000, gifts: 2, donors: 2 },
      { currency: 'USD', amountMinor: 65_000, gifts: 2, donors: 2 },
    ]);
  });

  it('totals 2025 by campaign, month (UTC) and currency', async () => {
    expect((await givingTotals(gc(), 'campaign', range2025)).rows).toEqual([
      { key: null, label: null, currency: 'KRW', amountMinor: 170_000, gifts: 2, donors: 2 },
      { key: 'bridge', label: 'Bridge', currency: 'USD', amountMinor: 25_000, gifts: 1, donors: 1 },
      { key: null, label: null, currency: 'USD', amountMinor: 40_000, gifts: 1, donors: 1 },
    ]);
    const months = await givingTotals(gc(), 'month', range2025);
    expect(months.timeZone).toBe('UTC');
    expect(months.rows.map((r) => [r.key, r.currency, r.amountMinor])).toEqual([
      ['2025-02', 'KRW', 70_000],
      ['2025-12', 'KRW', 100_000],
      ['2025-04', 'USD', 40_000],
      ['2025-06', 'USD', 25_000],
    ]);
    expect((await givingTotals(gc(), 'currency', range2025)).rows).toEqual([
      { key: 'KRW', label: 'KRW', currency: 'KRW', amountMinor: 170_000, gifts: 2, donors: 2 },
      { key: 'USD', label: 'USD', currency: 'USD', amountMinor: 65_000, gifts: 2, donors: 2 },
    ]);
  });

  it('counts a range by days, both ends included, and the partial refund against its gift', async () => {
    const january = await givingTotals(gc(), 'currency', { from: '2026-01-10', to: '2026-01-10' });
    expect(january.totals).toEqual([{ currency: 'USD', amountMinor: 25_000, gifts: 1, donors: 1 }]);
    const all = await givingTotals(gc(), 'currency', { from: '2024-01-01', to: '2026-12-31' });
    // USD: 10,000 + 25,000 + 6,000 + 20,000 + 25,000 + 40,000 + 1,000; KRW: 50,000 + 100,000 + 70,000 + 30,000
    expect(all.totals).toEqual([
      { currency: 'KRW', amountMinor: 250_000, gifts: 4, donors: 3 },
      { currency: 'USD', amountMinor: 127_000, gifts: 7, donors: 4 },
    ]);
    expect(rangeOrThisYear({}, new Date('2026-07-01T00:00:00Z'))).toEqual({
      from: '2026-01-01',
      to: '2026-12-31',
    });
  });

  it('lists LYBUNT 2026: Bo, Dee and 김은지, latest gift first, with last year’s totals', async () => {
    const r = await lapsedDonors(gc(), 'lybunt', 2026, 200);
    expect(r.total).toBe(3);
    expect(r.donors).toEqual([
      {
        supporterId: who.bo,
        name: 'Bo Baker',
        email: 'bo@example.org',
        lastGiftOn: '2025-12-31',
        lastGivingYear: 2025,
        lastGivingYearTotals: [{ currency: 'KRW', amountMinor: 100_000 }],
      },
      {
        supporterId: who.dee,
        name: 'Dee Dunn',
        email: 'dee@example.org',
        lastGiftOn: '2025-04-01',
        lastGivingYear: 2025,
        lastGivingYearTotals: [{ currency: 'USD', amountMinor: 40_000 }],
      },
      {
        supporterId: who.eun,
        name: '김은지',
        email: 'eun@example.org',
        lastGiftOn: '2025-02-02',
        lastGivingYear: 2025,
        lastGivingYearTotals: [{ currency: 'KRW', amountMinor: 70_000 }],
      },
    ]);
    const firstOnly = await lapsedDonors(gc(), 'lybunt', 2026, 1);
    expect([firstOnly.total, firstOnly.donors.map((d) => d.supporterId)]).toEqual([3, [who.bo]]);
  });

  it('lists SYBUNT 2026 (Gil only: Cy came back, Bo is LYBUNT) and LYBUNT 2025 (Gil, Cy)', async () => {
    const sybunt = await lapsedDonors(gc(), 'sybunt', 2026, 200);
    expect(sybunt.donors).toEqual([
      {
        supporterId: who.gil,
        name: 'Gil Gray',
        email: 'gil@example.org',
        lastGiftOn: '2024-07-07',
        lastGivingYear: 2024,
        lastGivingYearTotals: [{ currency: 'KRW', amountMinor: 30_000 }],
      },
    ]);
    const lybunt2025 = await lapsedDonors(gc(), 'lybunt', 2025, 200);
    expect(lybunt2025.donors.map((d) => [d.supporterId, d.lastGiftOn, d.lastGivingYearTotals])).toEqual([
      [who.gil, '2024-07-07', [{ currency: 'KRW', amountMinor: 30_000 }]],
      [who.cy, '2024-05-05', [{ currency: 'USD', amountMinor: 20_000 }]],
    ]);
  });

  it('computes retention for 2024–2026: new, retained, recaptured, lapsed and the rate with its base', async () => {
    const r = await donorRetention(gc(), 2026, 3);
    expect(r.years).toEqual([
      {
        year: 2024,
        donors: 4,
        lastYearDonors: 0,
        new: 4,
        retained: 0,
        recaptured: 0,
        lapsed: 0,
        retentionPercent: null,
      },
      {
        year: 2025,
        donors: 4,
        lastYearDonors: 4,
        new: 2,
        retained: 2,
        recaptured: 0,
        lapsed: 2,
        retentionPercent: 50,
      },
      {
        year: 2026,
        donors: 3,
        lastYearDonors: 4,
        new: 1,
        retained: 1,
        recaptured: 1,
        lapsed: 3,
        retentionPercent: 25,
      },
    ]);
    const earlier = await donorRetention(gc(), 2024, 2);
    expect(earlier.years.map((y) => [y.year, y.donors, y.lapsed])).toEqual([
      [2023, 0, 0],
      [2024, 4, 0],
    ]);
  });

  it('ranks top donors per currency, counting the anonymous gift and flagging it', async () => {
    const r = await topDonors(gc(), { from: '2024-01-01', to: '2026-12-31' }, { limit: 2 });
    expect(
      r.donors.map((d) => [d.currency, d.rank, d.name, d.amountMinor, d.gifts, d.anonymousGifts]),
    ).toEqual([
      ['KRW', 1, 'Bo Baker', 150_000, 2, 0],
      ['KRW', 2, '김은지', 70_000, 1, 1],
      ['USD', 1, 'Cy Cole', 45_000, 2, 0],
      ['USD', 2, 'Ann Able', 41_000, 3, 0],
    ]);
    const krw = await topDonors(
      gc(),
      { from: '2024-01-01', to: '2026-12-31' },
      { currency: 'KRW', limit: 10 },
    );
    expect(krw.donors.map((d) => d.supporterId)).toEqual([who.bo, who.eun, who.gil]);
  });

  it('lets auditors read totals and retention but not donor lists; outreach reads nothing; donor lists are audited', async () => {
    await expect(givingTotals(gc(auditor), 'fund', range2025)).resolves.toBeTruthy();
    await expect(donorRetention(gc(auditor), 2026, 2)).resolves.toBeTruthy();
    await expect(lapsedDonors(gc(auditor), 'lybunt', 2026, 10)).rejects.toMatchObject({ statusCode: 403 });
    await expect(topDonors(gc(auditor), range2025, { limit: 5 })).rejects.toMatchObject({ statusCode: 403 });
    await expect(givingTotals(gc(outreach), 'fund', range2025)).rejects.toMatchObject({ statusCode: 403 });
    const entries = await db.select().from(auditLog).where(eq(auditLog.action, 'giving.report_donors'));
    expect(entries.map((e) => e.resourceCode)).toContain('lybunt-2026');
    expect(entries.map((e) => e.resourceCode)).toContain('top-donors-2024-01-01-2026-12-31');
  });

  describe('over HTTP', () => {
    const get = (url: string, caller: keyof Actors = 'development') =>
      t.app.inject(as(actors[caller], { method: 'GET', url }));

    it('answers JSON, and a CSV download with a BOM, safe cells and amounts in their own currency', async () => {
      const json = await get('/api/giving/reports/totals?groupBy=fund&from=2025-01-01&to=2025-12-31');
      expect(json.statusCode).toBe(200);
      expect(json.json().totals).toHaveLength(2);
      const csv = await get(
        '/api/giving/reports/totals?groupBy=fund&from=2025-01-01&to=2025-12-31&format=csv',
      );
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toBe(
        'attachment; filename="giving-totals-by-fund-2025-01-01-2025-12-31.csv"',
      );
      expect(csv.body.startsWith('\uFEFF')).toBe(true);
      expect(parse(csv.body.slice(1), { columns: true })).toEqual([
        {
          row: 'group',
          fund: 'most-needed',
          name: 'Where most needed',
          currency: 'KRW',
          amount: '70000',
          amount_minor: '70000',
          gifts: '1',
          donors: '1',
        },
        {
          row: 'group',
          fund: 'rescue-fund',
          name: 'Rescue fund',
          currency: 'KRW',
          amount: '100000',
          amount_minor: '100000',
          gifts: '1',
          donors: '1',
        },
        {
          row: 'group',
          fund: 'rescue-fund',
          name: 'Rescue fund',
          currency: 'USD',
          amount: '650.00',
          amount_minor: '65000',
          gifts: '2',
          donors: '2',
        },
        {
          row: 'total',
          fund: '',
          name: '',
          currency: 'KRW',
          amount: '170000',
          amount_minor: '170000',
          gifts: '2',
          donors: '2',
        },
        {
          row: 'total',
          fund: '',
          name: '',
          currency: 'USD',
          amount: '650.00',
          amount_minor: '65000',
          gifts: '2',
          donors: '2',
        },
      ]);
    });

    it('exports LYBUNT, retention and top donors as CSV, with a Korean name intact', async () => {
      const lybunt = parse((await get('/api/giving/reports/lybunt?year=2026&format=csv')).body.slice(1), {
        columns: true,
      }) as Record<string, string>[];
      expect(lybunt.map((r) => [r.name, r.last_gift_on, r.currency, r.last_giving_year_total])).toEqual([
        ['Bo Baker', '2025-12-31', 'KRW', '100000'],
        ['Dee Dunn', '2025-04-01', 'USD', '400.00'],
        ['김은지', '2025-02-02', 'KRW', '70000'],
      ]);
      const retention = (await get('/api/giving/reports/retention?year=2026&years=2&format=csv')).body;
      expect(retention.slice(1).trim().split('\n')).toEqual([
        'year,donors,last_year_donors,new,retained,recaptured,lapsed,retention_percent',
        '2025,4,4,2,2,0,2,50.0',
        '2026,3,4,1,1,1,3,25.0',
      ]);
      const top = (
        await get(
          '/api/giving/reports/top-donors?from=2024-01-01&to=2026-12-31&currency=USD&limit=1&format=csv',
        )
      ).body;
      expect(top).toContain('USD,1,');
      expect(top).toContain('Cy Cole,cy@example.org,450.00,45000,2,0,2026-01-10');
    });

    it('refuses a CSV of donors (LYBUNT, SYBUNT, top donors) without a fresh step-up; aggregates need none', async () => {
      const stale = await staleStepUpSession(t.app, t.ctx, actors.development);
      const late = (url: string) => t.app.inject(as(stale, { method: 'GET', url }));
      for (const url of [
        '/api/giving/reports/lybunt?year=2026&format=csv',
        '/api/giving/reports/sybunt?year=2026&format=csv',
        '/api/giving/reports/top-donors?format=csv',
      ]) {
        const r = await late(url);
        expect([url, r.statusCode, r.json().error]).toEqual([url, 403, 'step_up_required']);
      }
      expect((await late('/api/giving/reports/top-donors')).statusCode).toBe(200);
      expect((await late('/api/giving/reports/totals?groupBy=fund&format=csv')).statusCode).toBe(200);
      expect((await late('/api/giving/reports/retention?format=csv')).statusCode).toBe(200);
      // A role without the list is refused as before, not asked to step up.
      const auditor = await staleStepUpSession(t.app, t.ctx, actors.auditor);
      const refused = await t.app.inject(
        as(auditor, { method: 'GET', url: '/api/giving/reports/lybunt?format=csv' }),
      );
      expect(refused.json().error).toBe('forbidden');
    });

    it('refuses bad input with the field and the reason', async () => {
      const cases: [string, string][] = [
        ['/api/giving/reports/totals?groupBy=donor', 'groupBy'],
        ['/api/giving/reports/totals?groupBy=fund&from=2026-02-30', 'from'],
        ['/api/giving/reports/totals?groupBy=fund&from=2026-03-01&to=2026-02-01', 'to'],
        ['/api/giving/reports/lybunt?year=20226', 'year'],
        ['/api/giving/reports/retention?years=11', 'years'],
        ['/api/giving/reports/top-donors?currency=XYZ', 'currency'],
        ['/api/giving/reports/top-donors?format=xlsx', 'format'],
      ];
      for (const [url, field] of cases) {
        const r = await get(url);
        expect(r.statusCode, url).toBe(400);
        expect(r.json().message, url).toContain(field);
      }
    });

    it('keeps donor lists from auditors and everyone outside development and administration', async () => {
      expect((await get('/api/giving/reports/totals?groupBy=month', 'auditor')).statusCode).toBe(200);
      expect((await get('/api/giving/reports/lybunt', 'auditor')).statusCode).toBe(403);
      expect((await get('/api/giving/reports/top-donors', 'administrator')).statusCode).toBe(200);
      expect((await get('/api/giving/reports/sybunt', 'outreach')).statusCode).toBe(403);
      expect((await get('/api/giving/reports/retention', 'anonymous')).statusCode).toBe(401);
    });
  });
});
