export type DatabaseKind = 'pglite' | 'postgres';

/** PASSAGE_TEST_ENGINES=pglite runs the database suites on one engine only (local iteration, the Node 24 pass). */
export function testEngines(): DatabaseKind[] {
  const wanted = (process.env.PASSAGE_TEST_ENGINES ?? 'pglite,postgres').split(',').map((s) => s.trim());
  return (['pglite', 'postgres'] as const).filter((k) => wanted.includes(k));
}
