import { defineConfig } from 'vitest/config';

// Three layers: pure rules beside their code, integration against both databases, browser in Chromium.
// The integration and browser tests start from databases migrated and loaded once per run.
const globalSetup = ['test/support/global-setup.ts'];

export default defineConfig({
  test: {
    // Two at a time even on 2 cores: the journeys wait on Chromium and the database as much as they compute.
    maxWorkers: 2,
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
        },
      },
    ],
  },
});
