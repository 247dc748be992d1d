import type { PassageModule } from '../registry';
import { peopleRoutes } from './people.routes';
import { peopleSeeder } from './people.seeder';

export const peopleModule: PassageModule = {
  name: 'people',
  routes: peopleRoutes,
  seeder: peopleSeeder,
};
