import crypto from 'node:crypto';
import { STAFF_ROLES } from '../access/roles';
import { users } from '../auth/auth.table';
import type { Scale, Seeder } from './seed';

const GIVEN = [
  'Ji-woo',
  'Min-jun',
  'Seo-yeon',
  'Hyun-woo',
  'Grace',
  'Daniel',
  'Esther',
  'Joon',
  'Hana',
  'Sam',
  'Yuna',
  'Paul',
];
const FAMILY = ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon', 'Jang', 'Lim', 'Han', 'Oh'];
const SIZES: Record<Scale, number> = { small: 12, medium: 60, large: 240 };

/**
 * Demo staff accounts, one of every role in turn. They have no password and cannot sign in: no default
 * password exists anywhere. An administrator gives one access with a re-enrolment link after freezing it,
 * or invites real people instead.
 */
export const staffSeeder: Seeder = {
  name: 'staff accounts',
  count: (scale) => SIZES[scale],
  async run({ db }, scale, progress) {
    const total = SIZES[scale];
    const batch = 100;
    for (let start = 0; start < total; start += batch) {
      const rows = [];
      for (let i = start; i < Math.min(total, start + batch); i++) {
        const given = GIVEN[i % GIVEN.length] as string;
        const family = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length] as string;
        rows.push({
          id: crypto.randomUUID(),
          name: `${given} ${family}`,
          email: `demo.staff.${i + 1}@passage.invalid`,
          role: STAFF_ROLES[i % STAFF_ROLES.length] as string,
        });
      }
      await db.insert(users).values(rows).onConflictDoNothing({ target: users.email });
      progress(Math.min(total, start + batch));
    }
  },
};
