import { modules } from '../../modules/registry';
import type { Seeder } from './seed';
import { staffSeeder } from './staff.seeder';

/** Demo data of the platform and of every module, in dependency order. */
export const seeders: Seeder[] = [staffSeeder, ...modules.flatMap((m) => (m.seeder ? [m.seeder] : []))];
