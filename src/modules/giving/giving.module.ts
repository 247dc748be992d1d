import { onSupportersMerged, registerTimelineSource } from '../people';
import type { PassageModule } from '../registry';
import { sendDonorUpdates } from './donor-updates';
import { checkLedger, moveGiftsToSurvivor } from './gift.service';
import { givingRoutes } from './giving.routes';
import { givingSeeder } from './giving.seeder';
import { givingConsoleRoutes } from './giving-console.routes';
import { pledgeRoutes } from './pledges/pledge.routes';
import { movePledgesToSurvivor } from './pledges/pledge.service';
import { issuerFromConfig, useReceiptIssuer } from './receipt-issuer';
import { reportRoutes } from './reports/report.routes';
import { givingTimelineSource } from './timeline';

// A merged supporter's gifts follow it to the survivor, inside the merge's transaction.
onSupportersMerged(moveGiftsToSurvivor);
// A merged sponsor's pledges follow it too.
onSupportersMerged(movePledgesToSurvivor);
// A supporter's timeline and page show their gifts, refunds, monthly gifts, receipts and statements.
registerTimelineSource(givingTimelineSource);

export const givingModule: PassageModule = {
  name: 'giving',
  // Each piece of giving keeps its routes in a plugin of its own; they all mount here.
  routes: (ctx) => async (app) => {
    // Receipts and statements name the configured organisation (PASSAGE_ORG_*).
    useReceiptIssuer(issuerFromConfig(ctx.config));
    for (const routes of [givingRoutes, givingConsoleRoutes, reportRoutes, pledgeRoutes])
      await app.register(routes(ctx));
  },
  jobs: (ctx) => [
    {
      name: 'giving.ledger-check',
      schedule: '15 3 * * *',
      run: async () => {
        const result = await checkLedger(ctx.database.db);
        if (!result.ok) ctx.logger.error({ problems: result.problems.length }, 'ledger check failed');
      },
    },
    {
      // Day 5 of each month, about the month before last (the delay: donor-updates.ts).
      name: 'giving.donor-updates',
      schedule: '0 6 5 * *',
      run: async () => {
        const result = await sendDonorUpdates(ctx.database.db, ctx.mail);
        ctx.logger.info(result, 'donor updates sent');
      },
    },
  ],
  seeder: givingSeeder,
};
