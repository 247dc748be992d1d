import type { PassageModule } from '../../platform/module';
import { raiseOverdueAlerts } from './alert.service';
import { shredDueCases } from './case-lifecycle.service';
import { sealPlaintextLegs } from './leg-seal';
import { rescueRoutes } from './rescue.routes';
import { rescuesSeeder } from './rescues.seeder';

export const rescuesModule: PassageModule = {
  name: 'rescues',
  routes: rescueRoutes,
  jobs: (ctx) => [
    {
      name: 'rescues.overdue-check-ins',
      schedule: '*/10 * * * *',
      run: () => raiseOverdueAlerts(ctx.database.db, ctx.mail),
    },
    {
      name: 'rescues.retention',
      schedule: '30 2 * * *',
      run: () => shredDueCases(ctx.database.db, ctx.keys),
    },
  ],
  seeder: rescuesSeeder,
  // Legs written before their route was sealed are sealed (and their plaintext cleared) before serving.
  onStart: async (ctx) => {
    const { sealed, cleared } = await sealPlaintextLegs(ctx.database.db, ctx.keys);
    if (sealed || cleared) ctx.logger.info({ sealed, cleared }, 'rescues: sealed the plaintext route legs');
  },
};
