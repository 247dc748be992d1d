import type { PassageModule } from '../../platform/module';
import { rescueRoutes } from './rescue.routes';
import { shredDueCases } from './rescue-case.service';
import { rescuesSeeder } from './rescues.seeder';
import { raiseOverdueAlerts } from './route.service';

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
