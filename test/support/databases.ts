import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type DatabaseKind = 'embedded' | 'postgres';

/** The real server the integration tests use; each test file gets a schema of its own in it. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let serverAnswers: Promise<boolean> | undefined;

async function postgresAnswers(): Promise<boolean> {
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
}

/**
 * The databases to run against: always the embedded one, and the real server when it answers. A
 * missing server is reported loudly, and under CI=true it is a failure, never a quiet skip.
 */
export async function databaseKinds(): Promise<DatabaseKind[]> {
  serverAnswers ??= postgresAnswers();
  if (await serverAnswers) return ['embedded', 'postgres'];
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

/** A freshly migrated database: in memory for embedded, a new schema on the real server. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
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
