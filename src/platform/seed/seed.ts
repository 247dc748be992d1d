import type { KeyRing } from '../crypto/key-ring';
import type { Db } from '../db/client';

export const SCALES = ['small', 'medium', 'large'] as const;
export type Scale = (typeof SCALES)[number];

export interface SeedContext {
  db: Db;
  keys: KeyRing;
}

/** One module's demo data. `count(scale)` is the number of progress steps `run` reports. */
export interface Seeder {
  name: string;
  count(scale: Scale): number;
  run(ctx: SeedContext, scale: Scale, progress: (done: number) => void): Promise<void>;
}
