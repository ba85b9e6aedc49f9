import { defineConfig } from 'vitest/config';

// Three layers: pure rules beside their code, integration against both databases, browser in Chromium.
// The integration and browser tests start from databases migrated and loaded once per run.
const globalSetup = ['test/support/global-setup.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Files share a worker's loaded modules instead of importing the whole service afresh each time.
          isolate: false,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup,
          // Generous: a journey with an accessibility check on every page is slow on a busy 2-core machine.
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // One journey at a time: run two at once and each takes twice as long on 2 cores (measured).
          fileParallelism: false,
        },
      },
    ],
  },
});
