import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import {
  CHILD_DEMO_PASSWORD,
  freePort,
  killAllChildren,
  runCommand,
  sleep,
  startServerProcess,
  tokenFrom,
  type ServerProcess,
} from '../support/child-server.js';
import {
  copyName,
  copyServerDatabase,
  DEMO_PASSWORD,
  dropServerDatabase,
  seedTestDemo,
  serverUrlOf,
  TEST_DATABASE_URL,
} from '../support/copies.js';
import { databaseCopies, databaseKinds } from '../support/databases.js';
import { signInAs } from '../support/pages.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * What the service does when PostgreSQL goes away or stops answering (docs/reliability.md, "Database
 * faults"): a connection ended under it is logged and replaced, never fatal; a database that cannot be
 * reached or is too slow gets 503 with Retry-After, and the service recovers by itself when it is back;
 * a start-up without a database stops with one plain line. PGlite runs inside the process and has no
 * connections to lose, so this is the real server only.
 */

const kinds = await databaseKinds();

afterAll(async () => {
  await killAllChildren();
});

/** A database of its own on the test server with the demo data (the run's copy when there is one). */
async function demoDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const copies = await databaseCopies();
  const name = copyName(copies?.postgres?.run ?? 'faults');
  if (copies?.postgres) {
    await copyServerDatabase(copies.postgres.demo, name);
  } else {
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const database = await openDatabase({ databaseUrl: serverUrlOf(name), dataDir: '' });
    await migrateToLatest(database);
    await seedTestDemo(database);
    await database.close();
  }
  return { name, url: serverUrlOf(name), drop: () => dropServerDatabase(name) };
}

/** Runs statements on the test server as an administrator would, from outside the service. */
async function asAdministrator<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Ends every connection to the database, as a restart, a failover or pg_terminate_backend does. */
function terminateConnections(database: string): Promise<number> {
  return asAdministrator(async (admin) => {
    const { rows } = await admin.query<{ ended: number }>(
      `select count(*)::int as ended from (
         select pg_terminate_backend(pid) from pg_stat_activity
         where datname = $1 and pid <> pg_backend_pid()
       ) t`,
      [database],
    );
    return rows[0]!.ended;
  });
}

/** Holds a lock on `table` from another connection until `release` is called, so requests wait on it. */
async function lockTable(url: string, table: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('begin');
  await client.query(`lock table ${table} in access exclusive mode`);
  return {
    async release() {
      await client.query('rollback');
      await client.end();
    },
  };
}

describe.runIf(kinds.includes('postgres'))('database faults (PostgreSQL)', () => {
  describe('connections ended under the running service (its own process)', () => {
    let database: Awaited<ReturnType<typeof demoDatabase>>;
    let server: ServerProcess;
    let exitCode: number | null | undefined;
    let token: string;
    const get = (path: string) =>
      fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(30_000),
      });

    beforeAll(async () => {
      database = await demoDatabase();
      server = await startServerProcess('faults', {
        DATABASE_URL: database.url,
        SESSION_SECRET: 's'.repeat(32),
        DEMO_DATA: '0',
        DEMO_PASSWORD: CHILD_DEMO_PASSWORD,
        LOG_LEVEL: 'warn',
        // Long enough that a request waiting on a lock is still waiting when the test ends its connection.
        DATABASE_STATEMENT_TIMEOUT_MS: '60000',
      });
      void server.exited.then((code) => (exitCode = code));
      token = await tokenFrom(server, 'planner');
    }, 300_000);

    afterAll(async () => {
      await server?.kill();
      await database?.drop();
    }, 60_000);

    it('logs a connection ended while idle in the pool, stays up and serves the next requests', async () => {
      // Several requests at once, so that the pool holds several connections when they are ended.
      const first = await Promise.all(Array.from({ length: 6 }, () => get('/api/providers')));
      expect(first.map((r) => r.status)).toEqual(Array(6).fill(200));

      expect(await terminateConnections(database.name)).toBeGreaterThanOrEqual(2);
      await sleep(1000);

      expect(exitCode, `the service stopped:\n${server.output().slice(-3000)}`).toBeUndefined();
      for (let i = 0; i < 5; i++) expect((await get('/api/providers')).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(server.logs().some((line) => /connection lost while idle/.test(String(line.msg)))).toBe(true);
      expect(exitCode).toBeUndefined();
    });

    it('answers 503 to a request whose connection is ended mid-statement, and carries on', async () => {
      const lock = await lockTable(database.url, 'providers');
      let pending: Promise<Response> | undefined;
      try {
        pending = get('/api/providers');
        // The request's backend waits on the lock: end that connection only.
        const waiting = await asAdministrator(async (admin) => {
          for (let tries = 0; tries < 200; tries++) {
            const { rows } = await admin.query<{ pid: number }>(
              `select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock'`,
              [database.name],
            );
            if (rows[0]) {
              await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
              return rows[0].pid;
            }
            await sleep(100);
          }
          return null;
        });
        expect(waiting, 'no request waited on the lock').not.toBeNull();
        const response = await pending;
        expect(response.status).toBe(503);
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect(response.headers.get('retry-after')).toBe('60');
        expect(((await response.json()) as { detail: string }).detail).toMatch(/ended the connection/);
      } finally {
        await lock.release();
      }
      await sleep(500);
      expect(exitCode, `the service stopped:\n${server.output().slice(-3000)}`).toBeUndefined();
      for (let i = 0; i < 3; i++) expect((await get('/api/providers')).status).toBe(200);
    });
  });

  describe('a database that stops answering, refuses, is too slow, then comes back', () => {
    let demo: Awaited<ReturnType<typeof demoDatabase>>;
    let proxy: TcpProxy;
    let database: Database;
    let app: App;
    let token: string;
    let cookie: string;
    const lost: Error[] = [];

    const api = () =>
      app.inject({ method: 'GET', url: '/api/providers', headers: { authorization: `Bearer ${token}` } });
    const page = () => app.inject({ method: 'GET', url: '/', headers: { cookie, accept: 'text/html' } });
    const health = () => app.inject({ method: 'GET', url: '/healthz' });

    beforeAll(async () => {
      demo = await demoDatabase();
      proxy = await TcpProxy.start(demo.url);
      database = await openDatabase({
        databaseUrl: proxy.urlFor(demo.url),
        dataDir: '',
        poolSize: 4,
        connectTimeoutMs: 1000,
        statementTimeoutMs: 1000,
        onError: (error) => lost.push(error),
      });
      app = await buildApp({
        config: loadConfig({
          DATA_DIR: 'memory://',
          DEMO_DATA: '1',
          DEMO_PASSWORD,
          SIGN_IN_RATE_LIMIT: '1000',
          LOG_LEVEL: 'silent',
        }),
        database,
      });
      await app.ready();
      const response = await app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: 'planner@demo.invalid', password: DEMO_PASSWORD },
      });
      token = (response.json() as { token: string }).token;
      cookie = (await signInAs(app, 'planner', DEMO_PASSWORD)).header();
    }, 120_000);

    afterAll(async () => {
      await app?.close();
      await database?.close();
      await proxy?.close();
      await demo?.drop();
    }, 60_000);

    function expectUnavailableApi(response: Awaited<ReturnType<typeof api>>, reason: RegExp) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.headers['retry-after']).toBe('60');
      expect(response.json()).toMatchObject({ status: 503, title: 'Service unavailable' });
      expect((response.json() as { detail: string }).detail).toMatch(reason);
    }

    function expectUnavailablePage(response: Awaited<ReturnType<typeof page>>) {
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.headers['retry-after']).toBe('60');
      expect(response.body).toContain('Sorry, the service is unavailable');
      expect(response.body).toContain('Try again in a minute');
      // Nothing technical on the page: no stack, no driver message.
      expect(response.body).not.toMatch(
        /\n\s+at |ECONN|did not answer|statement timeout|connection refused/i,
      );
    }

    it('serves normally through the proxy', async () => {
      expect((await api()).statusCode).toBe(200);
      expect((await page()).statusCode).toBe(200);
      expect((await health()).statusCode).toBe(200);
    });

    it('answers 503 within the connect timeout when the database stops answering', async () => {
      await proxy.silent();
      await sleep(200);
      // The pool's idle connections were cut: reported to the hook, not fatal.
      expect(lost.length).toBeGreaterThanOrEqual(1);
      expectUnavailableApi(await api(), /did not answer within 1 s/);
      expectUnavailablePage(await page());
      const healthz = await health();
      expect(healthz.statusCode).toBe(503);
      expect(healthz.headers['retry-after']).toBe('60');
      expect(healthz.json()).toMatchObject({
        detail: 'The database is unavailable: it did not answer within 1 s.',
      });
    });

    it('answers 503 naming a refused connection when the database is down', async () => {
      await proxy.down();
      expectUnavailableApi(await api(), /connection refused/);
      expectUnavailablePage(await page());
      expect((await health()).json()).toMatchObject({
        detail: 'The database is unavailable: connection refused.',
      });
    });

    it('recovers by itself when the database is back, with no restart', async () => {
      await proxy.forward();
      expect((await api()).statusCode).toBe(200);
      expect((await page()).statusCode).toBe(200);
      expect((await health()).json()).toEqual({ status: 'ok' });
    });

    it('answers 503 to a statement past the statement timeout, then recovers when it is not', async () => {
      // The sign-in check reads sessions on every request: held up there, API and pages both wait.
      const lock = await lockTable(demo.url, 'sessions');
      try {
        expectUnavailableApi(await api(), /a statement took longer than the 1 s allowed/);
        expectUnavailablePage(await page());
      } finally {
        await lock.release();
      }
      expect((await api()).statusCode).toBe(200);
      expect((await page()).statusCode).toBe(200);
    });
  });

  describe('starting with no database to reach', () => {
    const secret = { SESSION_SECRET: 's'.repeat(32), DEMO_DATA: '0' };

    /** stderr's lines, apart from blank ones. */
    const linesOf = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

    it('stops with one plain line when the connection is refused', async () => {
      const port = await freePort();
      const url = `postgres://inspectorate:secret-password@127.0.0.1:${port}/inspectorate`;
      for (const command of [['serve'], ['migrate']]) {
        const { code, stderr } = await runCommand(command, { ...secret, DATABASE_URL: url });
        expect(code, command.join(' ')).not.toBe(0);
        expect(linesOf(stderr)).toEqual([
          `Cannot reach the database at postgres://inspectorate@127.0.0.1:${port}/inspectorate: ` +
            'connection refused. Check DATABASE_URL and that PostgreSQL is running.',
        ]);
        expect(stderr).not.toContain('    at ');
        expect(stderr).not.toContain('secret-password');
      }
    });

    it('stops with one plain line when the database never answers', async () => {
      const proxy = await TcpProxy.start(TEST_DATABASE_URL);
      try {
        await proxy.silent();
        const { code, stderr } = await runCommand(['serve'], {
          ...secret,
          DATABASE_URL: proxy.urlFor(TEST_DATABASE_URL),
          DATABASE_CONNECT_TIMEOUT_MS: '500',
        });
        expect(code).not.toBe(0);
        expect(linesOf(stderr)).toHaveLength(1);
        expect(stderr).toMatch(/^Cannot reach the database at .*: it did not answer within 0\.5 s\. Check/);
      } finally {
        await proxy.close();
      }
    });
  });
});
