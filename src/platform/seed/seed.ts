import type { Db } from '../db/client';

export const SCALES = ['small', 'medium', 'large'] as const;
export type Scale = (typeof SCALES)[number];

/** One module's demo data. `count(scale)` is the number of progress steps `run` reports. */
export interface Seeder {
  name: string;
  count(scale: Scale): number;
  run(db: Db, scale: Scale, progress: (done: number) => void): Promise<void>;
}
