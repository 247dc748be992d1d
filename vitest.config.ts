import { defineConfig } from 'vitest/config';

// Dates in tests are UTC whatever the machine says (CONVENTIONS.md: deterministic tests).
process.env.TZ = 'UTC';
const env = { TZ: 'UTC', NODE_ENV: 'test' };

export default defineConfig({
  test: {
    // Once per run, for every project: a PostgreSQL server and migrated templates of both engines.
    // (Projects do not `extends: true`, or each would start its own server.)
    globalSetup: ['./test/harness/global-setup.ts'],
    // Database tests wait on I/O (a PostgreSQL server, child processes) as much as on CPU: three workers
    // keep two cores busy.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          env,
          include: ['src/**/*.test.ts', 'test/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.e2e.test.ts', 'test/e2e/**'],
          // Limits for a hung test, not timing targets (those live in bench/): generous enough that a loaded
          // 2-core machine running every database test on two engines at once does not trip them.
          testTimeout: 45_000,
          hookTimeout: 90_000,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          maxWorkers: 1,
        },
      },
    ],
  },
});
