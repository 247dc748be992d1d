import { defineConfig } from 'vitest/config';

// Dates in tests are UTC whatever the machine says (CONVENTIONS.md: deterministic tests).
process.env.TZ = 'UTC';

export default defineConfig({
  test: {
    // One PostgreSQL server and migrated templates for the whole run, shared by every project.
    globalSetup: ['./test/harness/global-setup.ts'],
    env: { TZ: 'UTC', NODE_ENV: 'test' },
    // Database tests wait on I/O (a PostgreSQL server, child processes) more than on CPU: three workers
    // keep two cores busy.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/*.test.ts'],
          exclude: ['**/node_modules/**', 'src/web/**/*.e2e.test.ts', 'test/e2e/**', '**/*.e2e.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
