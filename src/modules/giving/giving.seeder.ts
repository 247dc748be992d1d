import type { Scale, Seeder } from '../../platform/seed/seed';
import { liveSupporterIds } from '../people';
import { seedSettledGift } from './batches/batch.service';
import { insertCampaign } from './funds/campaign.service';
import { insertFund } from './funds/fund.service';
import { DEFAULT_UNIT_MINOR } from './giving.schema';
import type { GivingCurrency } from './money';

/*
 * The two funds every install starts with, the campaigns of the demo ("The Hundred": fund 100 rescues;
 * "Bridge": US$200,000), and settled offline gifts from the demo supporters (people.seeder.ts runs first).
 * Amounts are invented; a third of "The Hundred" is funded so its progress bar has something to show.
 */
const GIFTS: Record<Scale, number> = { small: 40, medium: 600, large: 8_000 };
const AMOUNTS: [number, GivingCurrency][] = [
  [2_500, 'USD'],
  [10_000, 'USD'],
  [25_000, 'USD'],
  [250_000, 'USD'],
  [50_000, 'KRW'],
  [1_000_000, 'KRW'],
  [5_000, 'CAD'],
  [2_000, 'GBP'],
  [7_500, 'EUR'],
  [10_000, 'AUD'],
];

export const givingSeeder: Seeder = {
  name: 'giving',
  count: (scale) => GIFTS[scale] + 4,
  async run({ db }, scale, progress) {
    const rescueFund = await insertFund(db, {
      code: 'rescue-fund',
      name: 'Rescue fund — 100% to rescues',
      restricted: true,
      description: 'Spent only on rescues: every dollar moves someone along the route to safety.',
    });
    const mostNeeded = await insertFund(db, {
      code: 'most-needed',
      name: 'Where most needed',
      restricted: false,
    });
    progress(2);
    const year = new Date().getUTCFullYear();
    const hundred = await insertCampaign(db, {
      code: 'the-hundred',
      name: 'The Hundred',
      goalKind: 'units',
      goalUnits: 100,
      unitMinor: DEFAULT_UNIT_MINOR,
      currency: 'USD',
      fundId: rescueFund.id,
      startsAt: new Date(Date.UTC(year, 0, 1)),
      endsAt: new Date(Date.UTC(year, 11, 31)),
    });
    const bridge = await insertCampaign(db, {
      code: 'bridge',
      name: 'Bridge',
      goalKind: 'money',
      goalMinor: 20_000_000,
      currency: 'USD',
      fundId: mostNeeded.id,
      startsAt: new Date(Date.UTC(year, 0, 1)),
    });
    progress(4);
    const supporterIds = await liveSupporterIds(db, 1000);
    if (supporterIds.length === 0) return;
    for (let i = 0; i < GIFTS[scale]; i++) {
      const [amountMinor, currency] = AMOUNTS[i % AMOUNTS.length] as [number, GivingCurrency];
      const toHundred = amountMinor === 250_000 || i % 3 === 0;
      await seedSettledGift(db, {
        supporterId: supporterIds[i % supporterIds.length] as string,
        amountMinor,
        currency,
        fundId: toHundred ? rescueFund.id : mostNeeded.id,
        campaignId: toHundred ? hundred.id : bridge.id,
        method: ['cheque', 'wire', 'cash', 'daf'][i % 4] as string,
        receivedOn: new Date(Date.UTC(year, i % 12, 1 + (i % 27))),
      });
      progress(4 + i + 1);
    }
  },
};
