import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type LogEvent, type Transaction } from 'kysely';
import pg from 'pg';
import { acquireEmbeddedLock, type EmbeddedLock } from './embedded-lock.js';
import { databaseFault, DatabaseUnreachableError, type DatabaseTimeouts } from './faults.js';
import { PGlitePool } from './pglite-pool.js';
import type { Schema } from './schema.js';

export type Db = Kysely<Schema>;
export type Trx = Transaction<Schema>;

/** Runs `work` in the caller's transaction, or in a new one when given the database itself. */
export function inTransaction<T>(trx: Trx | Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  return trx.isTransaction ? work(trx as Trx) : trx.transaction().execute(work);
}

export interface Database {
  db: Db;
  kind: 'embedded' | 'postgres';
  /** The schema every table lives in, when not the default (tests). */
  schema: string | null;
  /** Why the database is not answering a trivial query ("connection refused"), or null when it is. */
  whyUnavailable(): Promise<string | null>;
  /** The limits the pool applies, to say which one a fault crossed. */
  timeouts: DatabaseTimeouts;
  /**
   * Runs a long job (migrations, the demo seed) without the web requests' statement timeout: on a server,
   * through a pool of its own, closed after; the embedded database has no statement timeout.
   */
  withoutStatementTimeout<T>(work: (database: Database) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** Tests only: every table lives in this schema (created if missing). */
  schema?: string;
  poolSize?: number;
  /**
   * PostgreSQL only: how long opening a connection may take before the request gives up, and the limit on
   * each statement (0 or unset: none, as for the command-line jobs). PGlite is in-process and single-user:
   * neither applies to it.
   */
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  /**
   * Told of a connection the server ended while it sat idle in the pool (a restart, a failover,
   * pg_terminate_backend, a proxy's idle timeout). The pool has already dropped it and the next request
   * opens a new one. Unset, one line goes to stderr.
   */
  onError?: (error: Error) => void;
  /**
   * Tests and benchmarks only: told every statement run through Kysely (to count statements per request).
   * Unset, Kysely does no logging at all.
   */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

/** Kysely's log hook for `onQuery`, or nothing. */
function queryLog(onQuery: DatabaseOptions['onQuery']) {
  return onQuery
    ? {
        log: (event: LogEvent) => {
          if (event.level === 'query') onQuery(event.query.sql, event.query.parameters);
        },
      }
    : {};
}

// Dates without time stay ISO strings; counts come back as numbers on both drivers.
const DATE_OID = 1082;
const INT8_OID = 20;
pg.types.setTypeParser(DATE_OID, (value: string) => value);
pg.types.setTypeParser(INT8_OID, (value: string) => Number(value));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openServer(options.databaseUrl, options);
  return openEmbedded(options.dataDir, options.schema, options.onQuery);
}

/** Without a setting, a connection that cannot be made in this long fails the request. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

function warnOnStderr(error: Error) {
  console.warn(`database connection lost (${error.message}); the next request opens a new one`);
}

async function openServer(url: string, options: DatabaseOptions): Promise<Database> {
  const timeouts: DatabaseTimeouts = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: options.statementTimeoutMs ?? 0,
  };
  if (options.schema) {
    const admin = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: timeouts.connectTimeoutMs,
    });
    try {
      await admin.connect();
      await admin.query(`create schema if not exists "${options.schema}"`);
    } catch (error) {
      throw unreachable(url, error, timeouts);
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const pool = serverPool(url, options, timeouts);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), ...queryLog(options.onQuery) });
  // Connect now, so that a wrong address or a stopped server is reported once, plainly, at start-up.
  // The operator sees PostgreSQL's own words for anything else (a wrong password, no such database).
  const failure = await firstError(db);
  if (failure) {
    await db.destroy();
    throw new DatabaseUnreachableError(
      url,
      databaseFault(failure, timeouts) ?? (failure instanceof Error ? failure.message : String(failure)),
    );
  }
  const database: Database = {
    db,
    kind: 'postgres',
    schema: options.schema ?? null,
    whyUnavailable: () => whyUnavailable(db, timeouts),
    timeouts,
    async withoutStatementTimeout(work) {
      if (!timeouts.statementTimeoutMs) return work(database);
      const long = await openServer(url, { ...options, statementTimeoutMs: 0, poolSize: 2 });
      try {
        return await work(long);
      } finally {
        await long.close();
      }
    },
    close: () => db.destroy(),
  };
  return database;
}

function unreachable(url: string, error: unknown, timeouts: DatabaseTimeouts): unknown {
  const reason = databaseFault(error, timeouts);
  return reason ? new DatabaseUnreachableError(url, reason) : error;
}

function serverPool(url: string, options: DatabaseOptions, timeouts: DatabaseTimeouts): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // Sent when each connection opens; the server cancels a statement past it (SQLSTATE 57014).
    ...(timeouts.statementTimeoutMs ? { statement_timeout: timeouts.statementTimeoutMs } : {}),
    ...(options.schema ? { options: `-c search_path="${options.schema}"` } : {}),
  });
  // Without a listener, a connection the server ends while idle is an unhandled 'error' event, which
  // stops the process. pg-pool has already removed it; the next request opens a new one.
  const onError = options.onError ?? warnOnStderr;
  pool.on('error', (error) => onError(error));
  // A connection checked out by a request has no pool listener: its death fails the request's statement
  // (answered 503) and the pool drops it on release, so here it only must not stop the process.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * An embedded database: a folder, or `memory://`. Exposed for the benchmark, which needs PGlite itself.
 * A folder is locked for this process until the PGlite is closed (see embedded-lock.ts); a caller that
 * already holds the lock (restore, which must lock before it moves the old folder aside) passes it in.
 */
export async function createPGlite(
  location: string,
  loadDataDir?: Blob,
  lock?: EmbeddedLock,
): Promise<PGlite> {
  if (location.startsWith('memory://')) return openPGlite(location, loadDataDir);
  const held = lock ?? acquireEmbeddedLock(location);
  try {
    fs.mkdirSync(location, { recursive: true });
    const pglite = loadDataDir ? await openPGlite(location, loadDataDir) : await openFolder(location);
    const close = pglite.close.bind(pglite);
    pglite.close = async () => {
      try {
        await close();
      } finally {
        held.release();
      }
    };
    return pglite;
  } catch (error) {
    held.release();
    throw error;
  }
}

/**
 * A new folder costs PGlite a whole initdb, most of a first start. The empty cluster it makes is the same
 * for every folder, so it is made once per installed PGlite and kept in node_modules/.cache; a new folder
 * starts as a copy of it. Without the cache (read-only install), or if the copy fails, initdb runs as before.
 */
async function openFolder(location: string): Promise<PGlite> {
  if (fs.existsSync(path.join(location, 'PG_VERSION')) || fs.readdirSync(location).length > 0) {
    return openPGlite(location);
  }
  const template = emptyClusterFile();
  if (template && fs.existsSync(template)) {
    try {
      return await openPGlite(location, new Blob([fs.readFileSync(template)]));
    } catch {
      fs.rmSync(location, { recursive: true, force: true });
      fs.mkdirSync(location, { recursive: true });
    }
  }
  const pglite = await openPGlite(location);
  if (template) {
    try {
      const archive = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
      fs.mkdirSync(path.dirname(template), { recursive: true });
      // Renamed into place whole, so that another process never reads half a template.
      const partial = `${template}.${process.pid}.partial`;
      fs.writeFileSync(partial, archive);
      fs.renameSync(partial, template);
    } catch {
      // Only a cache: the next new folder runs initdb again.
    }
  }
  return pglite;
}

/** Where the empty cluster is cached, named by PGlite's version; null when the version is unknown. */
function emptyClusterFile(): string | null {
  const modules = fileURLToPath(new URL('../../node_modules/', import.meta.url));
  try {
    const { version } = JSON.parse(
      fs.readFileSync(path.join(modules, '@electric-sql/pglite/package.json'), 'utf8'),
    ) as { version: string };
    return path.join(modules, '.cache/inspectorate', `pglite-${version}-empty-cluster.tar`);
  } catch {
    return null;
  }
}

function openPGlite(location: string, loadDataDir?: Blob): Promise<PGlite> {
  return PGlite.create(location, {
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: {
      [pgliteTypes.DATE]: (value: string) => value,
      [pgliteTypes.INT8]: (value: string) => Number(value),
    },
  });
}

/** The service's database on an embedded PGlite, through the same Kysely dialect as a server. */
export function databaseOnPGlite(
  pglite: PGlite,
  schema: string | null = null,
  onQuery?: DatabaseOptions['onQuery'],
): Database {
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }),
    ...queryLog(onQuery),
  });
  const timeouts = { connectTimeoutMs: 0, statementTimeoutMs: 0 };
  return {
    db,
    kind: 'embedded',
    schema,
    whyUnavailable: () => whyUnavailable(db, timeouts),
    timeouts,
    withoutStatementTimeout(work) {
      return work(this);
    },
    close: () => db.destroy(),
  };
}

/** Where the embedded database keeps its files inside DATA_DIR. */
export function embeddedLocation(dataDir: string): string {
  return dataDir.startsWith('memory://') ? dataDir : path.join(dataDir, 'pgdata');
}

async function openEmbedded(
  dataDir: string,
  schema?: string,
  onQuery?: DatabaseOptions['onQuery'],
): Promise<Database> {
  const pglite = await createPGlite(embeddedLocation(dataDir));
  if (schema) {
    await pglite.exec(`create schema if not exists "${schema}"; set search_path to "${schema}"`);
  }
  return databaseOnPGlite(pglite, schema ?? null, onQuery);
}

/** What a trivial query threw, or null when it ran. */
async function firstError(db: Db): Promise<unknown> {
  try {
    await sql`select 1`.execute(db);
    return null;
  } catch (error) {
    return error ?? new Error('unknown error');
  }
}

/** For /healthz, which anyone may call: the fault's plain reason, never the driver's own message. */
async function whyUnavailable(db: Db, timeouts: DatabaseTimeouts): Promise<string | null> {
  const error = await firstError(db);
  if (error === null) return null;
  return databaseFault(error, timeouts) ?? 'it could not run a test query';
}
