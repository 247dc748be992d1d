import type { PassageModule } from '../../platform/module';
import { raiseOverdueAlerts } from './alert.service';
import { shredDueCases } from './case-lifecycle.service';
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
};
