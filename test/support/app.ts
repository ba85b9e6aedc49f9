import { demoEmail } from '../../src/demo/people.js';
import type { Role } from '../../src/people/rules.js';
import { buildApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { DEMO_PASSWORD, demoToday } from './copies.js';
import {
  databaseCopies,
  openCopy,
  openTestDatabase,
  type DatabaseKind,
  type TestDatabase,
} from './databases.js';

export { DEMO_PASSWORD };

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
  const testDatabase = await withDemoData(kind, options);
  const config = loadConfig({
    DATA_DIR: 'memory://',
    DEMO_DATA: '1',
    DEMO_PASSWORD,
    SIGN_IN_RATE_LIMIT: '1000',
    SIGN_IN_ADDRESS_RATE_LIMIT: '1000',
    LOG_LEVEL: 'silent',
    ...env,
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
        payload: { email: demoEmail(role as Role), password: DEMO_PASSWORD },
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

/**
 * A database with the demo data: a copy of the run's, made by global-setup.ts, when it is what seeding
 * here would make. Without the after-inspection stages the demo reads no clock but the system's, and
 * only its date, so the copy serves every test that does not ask for those stages, on the same day.
 */
async function withDemoData(
  kind: DatabaseKind,
  options: { clock?: Clock; afterInspection?: boolean },
): Promise<TestDatabase> {
  const afterInspection = options.afterInspection ?? false;
  if (!afterInspection && (await databaseCopies())?.demoDate === demoToday()) {
    const copy = await openCopy(kind, 'demo');
    if (copy) return copy;
  }
  const testDatabase = await openTestDatabase(kind);
  // The after-inspection stages depend on today's date; tests set up what they need themselves.
  await seedDemoData(testDatabase.database.db, DEMO_PASSWORD, {
    afterInspection,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return testDatabase;
}
