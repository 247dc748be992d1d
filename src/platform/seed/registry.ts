import type { Seeder } from './seed';
import { staffSeeder } from './staff.seeder';

/** Demo data of every module, in dependency order. Modules append their seeder as they land. */
export const seeders: Seeder[] = [staffSeeder];
