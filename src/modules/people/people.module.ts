import type { PassageModule } from '../../platform/module';
import { peopleRoutes } from './people.routes';
import { peopleSeeder } from './people.seeder';

export const peopleModule: PassageModule = {
  name: 'people',
  routes: peopleRoutes,
  seeder: peopleSeeder,
};
