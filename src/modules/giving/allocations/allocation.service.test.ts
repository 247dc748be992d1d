import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRescueCase } from '../../../../test/factories';
import { startTestApp, type TestApp } from '../../../../test/harness/app';
import { describeEachDatabase } from '../../../../test/harness/databases';
import type { Subject } from '../../../platform/access/policy';
import type { Db } from '../../../platform/db/client';
import { fundingForCase } from '../../rescues';
import { startDonation } from '../donations/donation.service';
import { SandboxProvider, useProviders } from '../donations/payment-provider';
import { campaignProgress, insertCampaign } from '../funds/campaign.service';
import { insertFund } from '../funds/fund.service';
import type { GivingContext } from '../giving.context';
import { DonationInput } from '../giving.schema';
import { allocateUnits } from './allocation.service';

const development: Subject = {
  userId: 'dev-1',
  role: 'development',
  compartments: new Set(),
  stepUpAt: null,
};

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

describeEachDatabase('units to rescue cases', (getDb) => {
  let t: TestApp;
  let sandbox: SandboxProvider;
  let db: Db;

  const gc = (subject: Subject = development): GivingContext => ({
    db,
    subject,
    requestId: null,
    mail: t.ctx.mail,
  });

  let rescueFundId = '';

  beforeAll(async () => {
    t = await startTestApp(getDb());
    db = t.ctx.database.db;

    sandbox = new SandboxProvider();
    useProviders(t.ctx, { sandbox });

    rescueFundId = (
      await insertFund(db, { code: 'rescue-fund', name: 'Rescue fund — 100% to rescues', restricted: true })
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

  it('computes unit progress from the ledger, and allocates funded units to a case by code only', async () => {
    const before = await campaignProgress(db, 'the-hundred');
    for (let i = 0; i < 3; i++)
      await startDonation(
        db,
        t.ctx.mail,
        sandbox,
        donation({ campaign: 'the-hundred', fund: undefined, amountMinor: 250_000 }),
        'http://localhost',
      );
    const after = await campaignProgress(db, 'the-hundred');
    expect(after.raisedMinor - before.raisedMinor).toBe(750_000);
    expect(after.unitsFunded).toBe(Math.floor(after.raisedMinor / 250_000));
    const { code } = await buildRescueCase(t.ctx);
    const allocation = await allocateUnits(gc(), { caseCode: code, units: 1 });
    expect(allocation.caseCode).toBe(code);
    expect((await fundingForCase(db, code)).unitsFunded).toBe(1);
    await expect(allocateUnits(gc(), { caseCode: code, units: 100 })).rejects.toMatchObject({
      statusCode: 409,
    });
  });
});
