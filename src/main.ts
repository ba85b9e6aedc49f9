import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './app.js';
import { loadConfig, type Config } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { startDeadlineWorker } from './deadlines/worker.js';
import { DEMO_PEOPLE, seedDemoData } from './demo/seed.js';
import { startNotifyDelivery } from './messages/notify.js';
import { withoutTokens } from './people/accounts.js';

/** Start-up: configuration → database → migrations → demo data → server, and a clean stop on signals. */
export async function startServer(config: Config = loadConfig()) {
  // The app's logger exists only once the app is built; until then a lost connection goes to stderr.
  const log: { to?: FastifyBaseLogger } = {};
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    onError: (error) => {
      const message = 'database connection lost while idle; the next request opens a new one';
      if (log.to) log.to.warn({ err: error }, message);
      else console.warn(`${message} (${error.message})`);
    },
  });
  // Migrations may take far longer than a web request is allowed.
  const applied = await database.withoutStatementTimeout((long) => migrateToLatest(long));
  const app = await buildApp({
    config,
    database,
    logger: {
      level: config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      serializers: {
        // A one-time link's token is as good as a password until used: never in the logs.
        req: (request: { method: string; url: string; ip?: string }) => ({
          method: request.method,
          url: withoutTokens(request.url),
          remoteAddress: request.ip,
        }),
      },
    },
  });
  log.to = app.log;
  if (applied.length > 0) app.log.info({ migrations: applied }, 'database migrated');
  if (
    config.demoData &&
    (await database.withoutStatementTimeout((long) => seedDemoData(long.db, config.demoPassword)))
  ) {
    app.log.info('demo data created');
  }
  if (config.demoData) {
    app.log.info(
      { people: DEMO_PEOPLE.map((p) => p.email), password: config.demoPassword },
      'demo accounts (one per role) use the demo password',
    );
  }
  startDeadlineWorker(app, config.deadlineSweepSeconds);
  if (config.notify) startNotifyDelivery(app, config.notify);
  const address = await app.listen({ port: config.port, host: config.host });
  app.log.info({ database: database.kind }, `Inspectorate is ready on ${address}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping: finishing requests in flight');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  return app;
}
