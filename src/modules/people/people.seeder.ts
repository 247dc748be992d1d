import type { Scale, Seeder } from '../../platform/seed/seed';
import type { SupporterInput } from './people.schema';
import { insertConsent, insertSupporter } from './people.service';

/*
 * Invented supporters (example.org addresses, no real person), with two planted duplicates so the
 * duplicate list has something to show: the same email twice, and the same name at the same postcode.
 */
const SIZES: Record<Scale, number> = { small: 30, medium: 400, large: 5_000 };
const FIRST = [
  'Grace',
  'Daniel',
  'Hannah',
  'Samuel',
  'Esther',
  'Joseph',
  'Ruth',
  'David',
  'Miriam',
  'Paul',
  'Sarah',
  'Jae',
];
const LAST = [
  'Kim',
  'Lee',
  'Park',
  'Smith',
  'Johnson',
  'Nguyen',
  'Garcia',
  'Brown',
  'Choi',
  'Miller',
  'Davis',
  'Wilson',
];
const ORGANISATIONS: SupporterInput[] = [
  {
    kind: 'organisation',
    organisationType: 'church',
    displayName: 'Hope Community Church',
    email: 'giving@hope-church.example.org',
    postcode: '90210',
  },
  {
    kind: 'organisation',
    organisationType: 'school',
    displayName: 'Lincoln High School Rescue Team',
    postcode: '60601',
  },
  {
    kind: 'organisation',
    organisationType: 'foundation',
    displayName: 'Open Doors Family Foundation',
    email: 'grants@opendoors.example.org',
  },
  {
    kind: 'organisation',
    organisationType: 'company',
    displayName: 'Northwind Traders',
    email: 'csr@northwind.example.org',
  },
  { kind: 'household', displayName: 'The Park household', postcode: '10001' },
];

export const DEMO_SUPPORTER_COUNT = (scale: Scale) => SIZES[scale] + ORGANISATIONS.length + 2;

export const peopleSeeder: Seeder = {
  name: 'people',
  count: (scale) => DEMO_SUPPORTER_COUNT(scale),
  async run({ db }, scale, progress) {
    let done = 0;
    for (const org of ORGANISATIONS) {
      await insertSupporter(db, org, null);
      progress(++done);
    }
    for (let i = 0; i < SIZES[scale]; i++) {
      const firstName = FIRST[i % FIRST.length] as string;
      const lastName = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
      const row = await insertSupporter(
        db,
        {
          kind: 'individual',
          firstName,
          lastName,
          email: `${firstName}.${lastName}.${i}@example.org`.toLowerCase(),
          postcode: String(10000 + ((i * 7919) % 89999)),
        },
        null,
      );
      if (i % 3 !== 2)
        await insertConsent(db, row.id, { channel: 'email', granted: true, method: 'donate_form' }, null);
      progress(++done);
    }
    // Planted duplicates.
    await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Grace', lastName: 'Kim', email: 'grace.kim.0@example.org' },
      null,
    );
    progress(++done);
    await insertSupporter(
      db,
      { kind: 'individual', firstName: 'Daniel', lastName: 'Kim', postcode: String(10000 + 7919) },
      null,
    );
    progress(++done);
  },
};
