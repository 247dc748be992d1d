import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Actors, actorsFor, as } from '../../../../test/harness/actors';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import { DonationInput } from '../giving.schema';
import { gifts } from '../giving.table';

/*
 * GET /api/giving/recurring as the console's "Monthly gifts" page reads it: who gives (name and id, for
 * the link to the supporter), the fund and the campaign by name, and `can`, what this caller may do from
 * the console (development pauses and cancels; nobody on staff resumes or changes the amount; an
 * administrator only reads).
 */
describeEachDatabase('monthly gifts in the staff console', (getDb) => {
  let t: TestApp;
  let db: Db;
  let actors: Actors;
  let sandbox: SandboxProvider;
  let n = 0;

  const give = (firstName: string, overrides: Record<string, unknown> = {}) =>
    startDonation(
      db,
      t.ctx.mail,
      sandbox,
      DonationInput.parse({
        frequency: 'monthly',
        amountMinor: 30_000,
        currency: 'KRW',
        fund: 'rescue-fund',
        donor: { email: `console-monthly-${++n}@example.org`, firstName, lastName: 'Yoon' },
        testCard: '4242 4242 4242 4242',
        ...overrides,
      }),
      t.ctx.config.publicUrl,
    );
  const scheduleIdOf = async (giftId: string) => {
    const [gift] = await db.select().from(gifts).where(eq(gifts.id, giftId));
    return gift?.recurringGiftId ?? '';
  };
  const list = async (actor: keyof Actors, query = '') => {
    const r = await t.app.inject(as(actors[actor], { method: 'GET', url: `/api/giving/recurring${query}` }));
    return { status: r.statusCode, body: r.json() };
  };
  type Listed = {
    id: string;
    status: string;
    supporterId: string;
    supporterName: string;
    fundName: string;
    campaignCode: string | null;
    campaignName: string | null;
    amountMinor: number;
    currency: string;
    failedAttempts: number;
    nextChargeAt: string | null;
    can: Record<string, boolean>;
  };
  const find = (body: { recurringGifts: Listed[] }, id: string) =>
    body.recurringGifts.find((r) => r.id === id);

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;
    actors = await actorsFor(t.app, t.ctx);
    sandbox = new SandboxProvider();
    useProviders(t.ctx, { sandbox });
    const fund = await insertFund(db, {
      code: 'rescue-fund',
      name: 'Rescue fund — 100% to rescues',
      restricted: true,
    });
    await insertCampaign(db, {
      code: 'the-hundred',
      name: 'The Hundred',
      goalKind: 'units',
      goalUnits: 100,
      currency: 'USD',
      fundId: fund.id,
      startsAt: new Date('2020-01-01T00:00:00Z'),
    });
  }, 90_000);
  afterAll(async () => t?.close());

  it('names the supporter, the fund and the campaign, and tells development it may pause and cancel', async () => {
    const withCampaign = await scheduleIdOf((await give('Hana', { campaign: 'the-hundred' })).giftId);
    const plain = await scheduleIdOf((await give('Jun')).giftId);
    const { status, body } = await list('development');
    expect(status).toBe(200);
    const a = find(body, withCampaign);
    expect(a).toMatchObject({
      status: 'active',
      supporterName: 'Hana Yoon',
      supporterId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fundName: 'Rescue fund — 100% to rescues',
      campaignCode: 'the-hundred',
      campaignName: 'The Hundred',
      amountMinor: 30_000,
      currency: 'KRW',
      failedAttempts: 0,
      nextChargeAt: expect.any(String),
      can: { pause: true, resume: false, cancel: true, changeAmount: false },
    });
    expect(find(body, plain)).toMatchObject({ campaignCode: null, campaignName: null });
  });

  it('offers an administrator nothing to change, and development nothing a state does not allow', async () => {
    const id = await scheduleIdOf((await give('Min')).giftId);
    expect(find((await list('administrator')).body, id)?.can).toEqual({
      pause: false,
      resume: false,
      cancel: false,
      changeAmount: false,
    });
    const pause = await t.app.inject(
      as(actors.development, { method: 'POST', url: `/api/giving/recurring/${id}/pause` }),
    );
    expect(pause.statusCode).toBe(200);
    // Paused: only the donor resumes, from the portal; staff may still cancel.
    expect(find((await list('development', '?status=paused')).body, id)?.can).toEqual({
      pause: false,
      resume: false,
      cancel: true,
      changeAmount: false,
    });
    // A first charge refused on the donate page: the monthly gift lapsed unstarted, nothing to do.
    const refused = await scheduleIdOf((await give('Bo', { testCard: '4000 0000 0000 0002' })).giftId);
    const lapsed = await list('development', '?status=lapsed');
    expect(find(lapsed.body, refused)).toMatchObject({
      status: 'lapsed',
      can: { pause: false, resume: false, cancel: false, changeAmount: false },
    });
    expect(lapsed.body.recurringGifts.every((r: Listed) => r.status === 'lapsed')).toBe(true);
  });

  it('refuses an unknown status with the field named, and callers outside giving', async () => {
    const bad = await list('development', '?status=stopped');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('status');
    expect((await list('outreach')).status).toBe(403);
    expect((await list('rescue_coordinator')).status).toBe(403);
  });
});
