import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRescueCase } from '../../../../test/factories';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { insertSupporter } from '../../people';
import { seedSettledGift } from '../batches/batch.service';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';

/*
 * The reads behind the console's giving pages: the batch list, the units given to cases, and the names a
 * gift is read by. Through HTTP, as the pages call them.
 */
describeEachDatabase('giving console reads', (getDb) => {
  let t: TestApp;
  let actors: Actors;
  let db: Db;
  let rescueFundId = '';

  const get = (actor: keyof Actors, url: string) => t.app.inject(as(actors[actor], { method: 'GET', url }));
  const post = (url: string, payload: object) =>
    t.app.inject(as(actors.development, { method: 'POST', url, payload }));

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    rescueFundId = (
      await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true })
    ).id;
    await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false });
    await insertCampaign(db, {
      code: 'spring-appeal',
      name: 'Spring appeal',
      goalKind: 'money',
      goalMinor: 1_000_000,
      currency: 'USD',
      fundId: rescueFundId,
      startsAt: new Date('2026-01-01T00:00:00Z'),
    });
  }, 90_000);
  afterAll(async () => t?.close());

  it('GET /api/giving/batches lists open batches first, with what their gifts add up to', async () => {
    const donor = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Min-ji', lastName: 'Cho', email: 'minji.cho@example.org' },
      null,
    );
    const open = async (name: string, controlTotalMinor: number) => {
      const r = await post('/api/giving/batches', { name, currency: 'USD', controlTotalMinor });
      expect(r.statusCode).toBe(201);
      return r.json<{ id: string }>().id;
    };
    const posted = await open('Cheques, January', 5_000);
    const gift = (amountMinor: number) => ({
      supporterId: donor.id,
      amountMinor,
      method: 'cheque',
      fund: 'most-needed',
      receivedOn: '2026-01-15',
    });
    expect((await post(`/api/giving/batches/${posted}/gifts`, gift(5_000))).statusCode).toBe(201);
    expect((await post(`/api/giving/batches/${posted}/post`, {})).statusCode).toBe(200);
    const later = await open('Wires, February', 30_000);
    expect((await post(`/api/giving/batches/${later}/gifts`, gift(10_000))).statusCode).toBe(201);
    expect((await post(`/api/giving/batches/${later}/gifts`, gift(7_500))).statusCode).toBe(201);

    const list = await get('administrator', '/api/giving/batches');
    expect(list.statusCode).toBe(200);
    const batches = list.json<{ batches: Record<string, unknown>[] }>().batches;
    expect(batches.map((b) => [b.name, b.status, b.gifts, b.enteredMinor, b.controlTotalMinor])).toEqual([
      ['Wires, February', 'open', 2, 17_500, 30_000],
      ['Cheques, January', 'posted', 1, 5_000, 5_000],
    ]);
    expect((await get('development', '/api/giving/batches?limit=1')).json().batches).toHaveLength(1);

    const refused = await get('development', '/api/giving/batches?limit=0');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toContain('limit');
    expect((await get('outreach', '/api/giving/batches')).statusCode).toBe(403);
    expect((await get('rescue_coordinator', '/api/giving/batches')).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/giving/batches' })).statusCode).toBe(401);

    // The batch page reads its gifts by name too.
    const batch = (await get('development', `/api/giving/batches/${later}`)).json();
    expect(batch.gifts.map((g: Record<string, unknown>) => [g.supporterName, g.fundCode])).toEqual([
      ['Min-ji Cho', 'most-needed'],
      ['Min-ji Cho', 'most-needed'],
    ]);
  });

  it('answers gifts with the names staff read them by: supporter, fund, campaign, soft credits', async () => {
    const donor = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Joon', lastName: 'Bae', email: 'joon.bae@example.org' },
      null,
    );
    const fundraiser = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Hye-jin', lastName: 'Oh', email: 'hyejin.oh@example.org' },
      null,
    );
    const batch = (
      await post('/api/giving/batches', { name: 'DAF grants', currency: 'USD', controlTotalMinor: 250_000 })
    ).json<{ id: string }>();
    const entered = await post(`/api/giving/batches/${batch.id}/gifts`, {
      supporterId: donor.id,
      amountMinor: 250_000,
      method: 'daf',
      fund: 'rescue-fund',
      campaign: 'spring-appeal',
      receivedOn: '2026-03-01',
      softCredits: [
        { kind: 'fundraiser', ref: fundraiser.id },
        { kind: 'team', ref: 'seoul-runners' },
      ],
    });
    expect(entered.statusCode).toBe(201);

    const list = await get('development', '/api/giving/gifts?status=pending');
    const row = list.json().gifts.find((g: { id: string }) => g.id === entered.json().id);
    expect(row).toMatchObject({
      supporterName: 'Joon Bae',
      fundCode: 'rescue-fund',
      fundName: 'Rescue fund — 100% to rescues',
      campaignCode: 'spring-appeal',
      campaignName: 'Spring appeal',
      method: 'daf',
      status: 'pending',
    });

    const one = (await get('administrator', `/api/giving/gifts/${entered.json().id}`)).json();
    expect(one.gift.supporterName).toBe('Joon Bae');
    expect(
      one.softCredits.map((c: Record<string, unknown>) => [c.creditKind, c.creditName ?? c.creditRef]).sort(),
    ).toEqual([
      ['fundraiser', 'Hye-jin Oh'],
      ['team', 'seoul-runners'],
    ]);
  });

  it('GET /api/giving/allocations: units given to cases by code only, and the funded units left', async () => {
    const empty = (await get('administrator', '/api/giving/allocations')).json();
    const donor = await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Han', lastName: 'Foundation' },
      null,
    );
    await seedSettledGift(db, {
      supporterId: donor.id,
      amountMinor: 750_000,
      currency: 'USD',
      fundId: rescueFundId,
      campaignId: null,
      method: 'wire',
      receivedOn: new Date('2026-02-01T00:00:00Z'),
    });
    expect((await get('development', '/api/giving/allocations')).json().unitsAvailable).toBe(
      empty.unitsAvailable + 3,
    );

    const { code } = await buildRescueCase(t.ctx);
    const given = await post('/api/giving/allocations', { caseCode: code, units: 2 });
    expect(given.statusCode).toBe(201);
    const unknown = await post('/api/giving/allocations', { caseCode: 'NOBODY-HERE-00', units: 1 });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('No rescue case with this code.');
    // Units given for a campaign read with its code and name (its donors hear when the case is safe).
    const forCampaign = await post('/api/giving/allocations', {
      caseCode: code,
      units: 1,
      campaign: 'spring-appeal',
    });
    expect(forCampaign.statusCode).toBe(201);

    const after = (await get('administrator', '/api/giving/allocations')).json();
    expect(after.unitsAvailable).toBe(empty.unitsAvailable);
    expect(after.unitMinor).toBe(250_000);
    const byId = (id: string) => after.allocations.find((a: { id: string }) => a.id === id);
    expect(byId(given.json().id)).toEqual({
      id: given.json().id,
      caseCode: code,
      units: 2,
      campaignCode: null,
      campaignName: null,
      createdAt: expect.any(String),
    });
    expect(byId(forCampaign.json().id)).toEqual({
      id: forCampaign.json().id,
      caseCode: code,
      units: 1,
      campaignCode: 'spring-appeal',
      campaignName: 'Spring appeal',
      createdAt: expect.any(String),
    });
    expect((await get('outreach', '/api/giving/allocations')).statusCode).toBe(403);
    expect((await get('rescue_coordinator', '/api/giving/allocations')).statusCode).toBe(403);
  });
});
