import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import {
  copyName,
  copyServerDatabase,
  dropServerDatabase,
  openEmbeddedCopy,
  serverUrlOf,
  TEST_DATABASE_URL,
  type DatabaseCopies,
} from './copies.js';

export { TEST_DATABASE_URL };

export type DatabaseKind = 'embedded' | 'postgres';

let answers: Promise<boolean> | undefined;

/** Whether the test server answers (asked once per process). */
export function serverAnswers(): Promise<boolean> {
  answers ??= (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return answers;
}

/**
 * The databases to run against: always the embedded one, and the real server when it answers. A
 * missing server is reported loudly, and under CI=true it is a failure, never a quiet skip.
 */
export async function databaseKinds(): Promise<DatabaseKind[]> {
  if (await serverAnswers()) return ['embedded', 'postgres'];
  const message = `PostgreSQL at ${TEST_DATABASE_URL} is not answering: tests on the real server are SKIPPED`;
  if (process.env.CI === 'true') throw new Error(`${message} (a skip is a failure under CI=true)`);
  console.warn(`\n*** ${message} ***\n`);
  return ['embedded'];
}

export interface TestDatabase {
  kind: DatabaseKind;
  database: Database;
  /** Drops everything the test made. */
  dispose(): Promise<void>;
}

/**
 * What the run's global setup (global-setup.ts) made, or undefined when a file runs without it: then
 * each database is built afresh, as slowly as before.
 */
export async function databaseCopies(): Promise<DatabaseCopies | undefined> {
  const { inject } = await import('vitest');
  return inject('databaseCopies');
}

/** A migrated database with no rows: a copy of the run's empty original, or migrated here without one. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  return (await openCopy(kind, 'empty')) ?? (await migrateAfresh(kind));
}

/**
 * A copy of one of the run's originals (see copies.ts): in memory for embedded, a database of its own
 * on the real server. Undefined when the run has none.
 */
export async function openCopy(
  kind: DatabaseKind,
  which: 'empty' | 'demo',
): Promise<TestDatabase | undefined> {
  const copies = await databaseCopies();
  if (kind === 'embedded') {
    if (!copies) return undefined;
    const database = await openEmbeddedCopy(copies.embedded[which]);
    await firstStatement(database);
    return { kind, database, dispose: () => database.close() };
  }
  if (!copies?.postgres) return undefined;
  const name = copyName(copies.postgres.run);
  await copyServerDatabase(copies.postgres[which], name);
  let database: Database | undefined;
  const dispose = async () => {
    await database?.close();
    await dropServerDatabase(name);
  };
  try {
    database = await openDatabase({ databaseUrl: serverUrlOf(name), dataDir: '', poolSize: 5 });
    await firstStatement(database);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { kind, database, dispose };
}

/**
 * Kysely ends its pool (and with it the embedded database) on close only if it has used it, so a copy
 * runs one statement at once, as migrating a new database did: closing it then closes it for good.
 */
async function firstStatement(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}

/** Without the run's originals: in memory for embedded, a new schema on the real server, migrated. */
async function migrateAfresh(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const database = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
    await migrateToLatest(database);
    return { kind, database, dispose: () => database.close() };
  }
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const database = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema, poolSize: 5 });
  const dispose = async () => {
    await database.close();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  };
  try {
    await migrateToLatest(database);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { kind, database, dispose };
}
