import type { PassageModule } from '../../platform/module';
import { onSupportersMerged, registerTimelineSource } from '../people';
import { sendDonorUpdates } from './allocations/donor-updates';
import { donateRoutes } from './donate.routes';
import { providersFor } from './donations/payment-provider';
import { givingTimelineSource } from './donors/timeline';
import { registerGivingCommands } from './giving.cli';
import { givingRoutes } from './giving.routes';
import { givingSeeder } from './giving.seeder';
import { givingConsoleRoutes } from './giving-console.routes';
import { sweepAbandonedImportCommits } from './import/gift-import.recovery';
import { giftImportRoutes } from './import/gift-import.routes';
import { moveGiftsToSurvivor } from './ledger/gift.service';
import { checkLedger } from './ledger/ledger.service';
import { pledgeRoutes } from './pledges/pledge.routes';
import { movePledgesToSurvivor } from './pledges/pledge.service';
import { portalRoutes } from './portal.routes';
import { issuerFromConfig, setReceiptIssuer } from './receipts/receipt-issuer';
import { chargeDueRecurringGifts } from './recurring/recurring.service';
import { recurringRoutes } from './recurring.routes';
import { reportRoutes } from './reports/report.routes';
import { STATEMENTS_JOB, statementRoutes } from './statements/statement.routes';
import { sendYearEndStatements } from './statements/statement.service';

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
    setReceiptIssuer(issuerFromConfig(ctx.config));
    // An import commit whose process stopped is marked failed at start-up (import/gift-import.recovery.ts);
    // a failed sweep is logged and left to the job, never a reason not to start.
    app.addHook('onReady', async () => {
      await sweepAbandonedImportCommits(ctx.database.db, ctx.logger, ctx.keys).catch((error: unknown) =>
        ctx.logger.error({ err: error }, 'abandoned import commits not swept'),
      );
    });
    for (const routes of [
      givingRoutes,
      givingConsoleRoutes,
      donateRoutes,
      reportRoutes,
      statementRoutes,
      recurringRoutes,
      portalRoutes,
      pledgeRoutes,
      giftImportRoutes,
    ])
      await app.register(routes(ctx));
  },
  jobs: (ctx) => [
    {
      // Queued by POST /api/giving/statements/:year/send; safe to retry (each statement is sent once).
      name: STATEMENTS_JOB,
      run: async (data: object) => {
        const run = await sendYearEndStatements(ctx.database.db, ctx.mail, (data as { year: number }).year, {
          publicUrl: ctx.config.publicUrl,
        });
        ctx.logger.info(run, 'year-end statements sent');
      },
    },
    {
      // Monthly gifts the sandbox keeps (Stripe charges its own): whatever is due, safe to run twice at once.
      name: 'giving.charge-monthly',
      schedule: '*/10 * * * *',
      run: async () => {
        const run = await chargeDueRecurringGifts(
          ctx.database.db,
          ctx.mail,
          providersFor(ctx),
          ctx.config.publicUrl,
          { logger: ctx.logger },
        );
        if (run.charged || run.skipped) ctx.logger.info(run, 'monthly gifts charged');
      },
    },
    {
      // Import commits of another process that stopped (several servers, or `passage import` from a shell),
      // and checked files past their time.
      name: 'giving.import-abandoned',
      schedule: '*/15 * * * *',
      run: () => sweepAbandonedImportCommits(ctx.database.db, ctx.logger, ctx.keys),
    },
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
  commands: registerGivingCommands,
  // The donate page is its own small entry (no Mantine, no router): light on a phone.
  pages: [
    { path: '/give', html: 'donate.html' },
    { path: '/give/thank-you', html: 'donate.html' },
  ],
};
