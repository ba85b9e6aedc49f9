import { buildApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { openTestDatabase, type DatabaseKind, type TestDatabase } from './databases.js';

export const DEMO_PASSWORD = 'demo-password-for-tests';

export interface TestApp {
  app: App;
  kind: DatabaseKind;
  db: TestDatabase['database']['db'];
  config: Config;
  /** A bearer token for a demo account, e.g. `tokenFor('planner')`. */
  tokenFor(role: string): Promise<string>;
  close(): Promise<void>;
}

/** The whole service on a fresh database with the demo data, ready for `app.inject` or `listen`. */
export async function startTestApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  options: { clock?: Clock; afterInspection?: boolean } = {},
): Promise<TestApp> {
  const testDatabase = await openTestDatabase(kind);
  const config = loadConfig({
    DATA_DIR: 'memory://',
    DEMO_DATA: '1',
    DEMO_PASSWORD,
    SIGN_IN_RATE_LIMIT: '1000',
    LOG_LEVEL: 'silent',
    ...env,
  });
  // The after-inspection stages depend on today's date; tests set up what they need themselves.
  await seedDemoData(testDatabase.database.db, DEMO_PASSWORD, {
    afterInspection: options.afterInspection ?? false,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp({
    config,
    database: testDatabase.database,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  await app.ready();
  const tokens = new Map<string, string>();
  return {
    app,
    kind,
    db: testDatabase.database.db,
    config,
    async tokenFor(role: string) {
      const known = tokens.get(role);
      if (known) return known;
      const response = await app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: `${role}@demo.invalid`, password: DEMO_PASSWORD },
      });
      if (response.statusCode !== 201) throw new Error(`no token for ${role}: ${response.body}`);
      const token = (response.json() as { token: string }).token;
      tokens.set(role, token);
      return token;
    },
    async close() {
      await app.close();
      await testDatabase.dispose();
    },
  };
}
