import { expect, it } from 'vitest';
import { startTestApp } from '../../../test/harness/app';
import { describeEachDatabase } from '../../../test/harness/databases';
import { peopleModule } from '../people';
import { campaignProgress } from './funds/campaign.service';
import { givingSeeder } from './giving.seeder';
import { checkLedger } from './ledger/ledger.service';

describeEachDatabase('giving demo data', (getDb) => {
  it('seeds funds, "The Hundred" (100 rescues) and "Bridge" ($200,000), and a ledger that checks', async () => {
    const t = await startTestApp(getDb());
    try {
      const ctx = { db: t.ctx.database.db, keys: t.ctx.keys };
      let steps = 0;
      const peopleSeeder = peopleModule.seeder;
      if (!peopleSeeder) throw new Error('people has no demo data');
      await peopleSeeder.run(ctx, 'small', () => steps++);
      await givingSeeder.run(ctx, 'small', (done) => {
        steps = done;
      });
      expect(steps).toBe(givingSeeder.count('small'));
      const hundred = await campaignProgress(ctx.db, 'the-hundred');
      expect([hundred.goalKind, hundred.goalUnits, hundred.unitMinor]).toEqual(['units', 100, 250_000]);
      expect(hundred.unitsFunded).toBeGreaterThan(0);
      const bridge = await campaignProgress(ctx.db, 'bridge');
      expect([bridge.goalKind, bridge.goalMinor, bridge.currency]).toEqual(['money', 20_000_000, 'USD']);
      expect(await checkLedger(ctx.db)).toMatchObject({ ok: true, problems: [] });
    } finally {
      await t.close();
    }
  }, 60_000);
});
