import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Db } from '../../../platform/db/client';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { DonationInput } from '../giving.schema';
import { checkLedger } from '../ledger/ledger.service';
import { campaignProgress, insertCampaign } from './campaign.service';
import { insertFund } from './fund.service';

function donation(overrides: Record<string, unknown> = {}) {
  return DonationInput.parse({
    amountMinor: 10_000,
    currency: 'USD',
    fund: 'rescue-fund',
    donor: {
      email: `donor-${Math.random().toString(36).slice(2)}@example.org`,
      firstName: 'Dana',
      lastName: 'Donor',
    },
    testCard: '4242 4242 4242 4242',
    ...overrides,
  });
}

describeEachDatabase('campaigns', (getDb) => {
  let t: TestApp;
  let sandbox: SandboxProvider;
  let db: Db;
  let rescueFundId = '';
  let mostNeededId = '';

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;

    sandbox = new SandboxProvider();
    useProviders(t.ctx, { sandbox });

    rescueFundId = (
      await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true })
    ).id;

    mostNeededId = (
      await insertFund(db, { code: 'most-needed', name: 'Where most needed', restricted: false })
    ).id;

    await insertCampaign(db, {
      code: 'the-hundred',
      name: 'The Hundred',
      goalKind: 'units',
      goalUnits: 100,
      currency: 'USD',
      fundId: rescueFundId,
      startsAt: new Date('2026-01-01T00:00:00Z'),
    });
  }, 90_000);
  afterAll(async () => t?.close());

  it('keeps the campaign total exact under 40 donors giving to one campaign at once, and refuses a closed campaign', async () => {
    const before = await campaignProgress(db, 'the-hundred');
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        startDonation(
          db,
          t.ctx.mail,
          sandbox,
          donation({ campaign: 'the-hundred', fund: undefined, amountMinor: 1_000 + i }),
          'http://localhost',
        ),
      ),
    );
    expect(results.every((r) => r.status === 'settled')).toBe(true);
    const after = await campaignProgress(db, 'the-hundred');
    expect(after.raisedMinor - before.raisedMinor).toBe(40 * 1_000 + (39 * 40) / 2);
    expect((await checkLedger(db)).problems).toEqual([]);
    await insertCampaign(db, {
      code: 'closed-2025',
      name: 'Closed',
      goalKind: 'money',
      goalMinor: 100,
      currency: 'USD',
      fundId: mostNeededId,
      startsAt: new Date('2025-01-01T00:00:00Z'),
      endsAt: new Date('2025-02-01T00:00:00Z'),
    });
    await expect(
      startDonation(
        db,
        t.ctx.mail,
        sandbox,
        donation({ campaign: 'closed-2025', fund: undefined }),
        'http://localhost',
      ),
    ).rejects.toMatchObject({ statusCode: 400, message: 'campaign: is not open for gifts now' });
  }, 60_000);
});
