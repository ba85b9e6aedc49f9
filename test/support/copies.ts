import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { englishDate } from '../../src/clock.js';
import { createPGlite, databaseOnPGlite, openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/demo/seed.js';

/**
 * Databases made once per test run and copied for each test file: migrated and empty, and with the demo
 * data loaded as `startTestApp` loads it. On PostgreSQL they are template databases, copied with
 * `CREATE DATABASE ... TEMPLATE`; on PGlite they are dumps of its data directory, loaded into memory.
 */

export const DEMO_PASSWORD = 'demo-password-for-tests';

/** The real server the integration tests use. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Where each copy's original is: a dump file (embedded) or a template database's name (postgres). */
export interface Originals {
  empty: string;
  demo: string;
}

export interface DatabaseCopies {
  embedded: Originals;
  /** Null when the run does not use the real server (the browser tests, or no server answering). */
  postgres: (Originals & { run: string }) | null;
  /**
   * The English date the demo data was loaded on. The demo places its notifications, concerns and past
   * visits relative to that day, so after midnight a file loads the demo afresh instead of copying it.
   */
  demoDate: string;
}

/** The address of another database on the test server. */
export function serverUrlOf(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A new database copied from a template; the template must have no one connected to it. */
export async function copyServerDatabase(template: string, name: string): Promise<void> {
  await onServer((admin) => admin.query(`create database ${quote(name)} template ${quote(template)}`));
}

export async function dropServerDatabase(name: string): Promise<void> {
  await onServer((admin) => admin.query(`drop database if exists ${quote(name)} with (force)`));
}

/** A copy's database on the server: `<run>_<random>`, so that the run's teardown can find leftovers. */
export function copyName(run: string): string {
  return `${run}_${randomBytes(6).toString('hex')}`;
}

/** Loads a dumped data directory into a new PGlite in memory. */
export async function openEmbeddedCopy(dump: string): Promise<Database> {
  return databaseOnPGlite(await createPGlite('memory://', new Blob([fs.readFileSync(dump)])));
}

/** The PGlite's data directory as one file, checkpointed first so that loading it replays no WAL. */
async function dump(pglite: PGlite, file: string): Promise<void> {
  await pglite.exec('checkpoint');
  fs.writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
}

/** The seeding every test app gets unless it asks for a clock's after-inspection stages. */
export async function seedTestDemo(database: Database): Promise<void> {
  await seedDemoData(database.db, DEMO_PASSWORD, { afterInspection: false });
}

/**
 * Each run's dumps live in a folder of the temporary directory named after its process; folders of
 * processes that no longer exist (a run killed before its teardown) are removed.
 */
function dumpFolder(): string {
  const prefix = 'inspectorate-test-copies-';
  for (const entry of fs.readdirSync(os.tmpdir())) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !processExists(pid))
      fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}${process.pid}-`));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function buildEmbeddedOriginals(): Promise<{ originals: Originals; remove(): void }> {
  const folder = dumpFolder();
  const originals = { empty: path.join(folder, 'empty.tar'), demo: path.join(folder, 'demo.tar') };
  const pglite = await createPGlite('memory://');
  const database = databaseOnPGlite(pglite);
  try {
    await migrateToLatest(database);
    await dump(pglite, originals.empty);
    await seedTestDemo(database);
    await dump(pglite, originals.demo);
  } finally {
    await database.close();
  }
  return { originals, remove: () => fs.rmSync(folder, { recursive: true, force: true }) };
}

/**
 * Every database of a run is named `itest_<8 hex>_...`, and the run holds an advisory lock on its name
 * on the test server's own database for as long as it lasts. A run killed before its teardown loses the
 * lock with its connection, so the next run knows its databases are left over, and only those.
 */
const RUN_LOCK = 0x17e57;
const RUN_NAME = /^(itest_[0-9a-f]{8})_/;

export async function buildServerOriginals(): Promise<{
  originals: Originals & { run: string };
  remove(): Promise<void>;
}> {
  const run = `itest_${randomBytes(4).toString('hex')}`;
  const holder = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await holder.connect();
  await holder.query('select pg_advisory_lock($1, hashtext($2))', [RUN_LOCK, run]);
  await dropLeftovers(holder);

  const originals = { run, empty: `${run}_empty`, demo: `${run}_demo` };
  const remove = async () => {
    try {
      await dropRun(holder, run);
    } finally {
      await holder.end();
    }
  };
  try {
    await onServer((admin) => admin.query(`create database ${quote(originals.empty)}`));
    await onTemplate(originals.empty, async (database) => {
      await migrateToLatest(database);
    });
    await copyServerDatabase(originals.empty, originals.demo);
    await onTemplate(originals.demo, seedTestDemo);
  } catch (error) {
    await remove();
    throw error;
  }
  return { originals, remove };
}

/** Fills a template, then closes it to connections: a copy cannot be made while anyone is connected. */
async function onTemplate(name: string, fill: (database: Database) => Promise<void>): Promise<void> {
  const database = await openDatabase({ databaseUrl: serverUrlOf(name), dataDir: '', poolSize: 2 });
  try {
    await fill(database);
  } finally {
    await database.close();
  }
  await onServer((admin) => admin.query(`alter database ${quote(name)} with allow_connections false`));
}

async function runDatabases(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ datname: string }>(
    `select datname from pg_database where datname like 'itest\\_%' order by datname`,
  );
  return rows.map((row) => row.datname).filter((name) => RUN_NAME.test(name));
}

async function dropRun(admin: pg.Client, run: string): Promise<void> {
  for (const name of await runDatabases(admin)) {
    if (RUN_NAME.exec(name)![1] === run)
      await admin.query(`drop database if exists ${quote(name)} with (force)`);
  }
}

async function dropLeftovers(admin: pg.Client): Promise<void> {
  const runs = new Set((await runDatabases(admin)).map((name) => RUN_NAME.exec(name)![1]!));
  for (const run of runs) {
    const { rows } = await admin.query<{ free: boolean }>(
      'select pg_try_advisory_lock($1, hashtext($2)) as free',
      [RUN_LOCK, run],
    );
    if (!rows[0]!.free) continue; // a run still going
    await dropRun(admin, run);
    await admin.query('select pg_advisory_unlock($1, hashtext($2))', [RUN_LOCK, run]);
  }
}

/** Today's English date, as the demo data reads it. */
export function demoToday(): string {
  return englishDate(new Date());
}
