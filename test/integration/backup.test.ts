import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../src/audit/store.js';
import { backup, BackupError, restore } from '../../src/db/backup.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { databaseKinds, TEST_DATABASE_URL } from '../support/databases.js';

const kinds = await databaseKinds();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-backup-'));

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Every table's row count: what a restore must bring back exactly. */
async function census(db: Db): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const result = await sql<{ n: string }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    counts[name] = Number(result.rows[0]!.n);
  }
  return counts;
}

async function fill(databaseUrl: string | null, dataDir: string) {
  const database = await openDatabase({ databaseUrl, dataDir });
  try {
    await migrateToLatest(database);
    await seedDemoData(database.db, 'demo-password-for-tests', { afterInspection: true });
    return await census(database.db);
  } finally {
    await database.close();
  }
}

async function read(databaseUrl: string | null, dataDir: string) {
  const database = await openDatabase({ databaseUrl, dataDir });
  try {
    return { counts: await census(database.db), audit: await verifyAuditTrail(database.db) };
  } finally {
    await database.close();
  }
}

describe('backup and restore of the embedded database', () => {
  const source = path.join(scratch, 'source');
  const target = path.join(scratch, 'target');
  const file = path.join(scratch, 'embedded.tar.gz');

  it('brings back every row, with the audit trail intact, in another folder', async () => {
    const before = await fill(null, source);
    expect(before.providers).toBeGreaterThan(10);
    const { bytes } = await backup({ databaseUrl: null, dataDir: source }, file);
    expect(bytes).toBeGreaterThan(1000);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    await restore({ databaseUrl: null, dataDir: target }, file);
    const after = await read(null, target);
    expect(after.counts).toEqual(before);
    expect(after.audit.ok).toBe(true);
  }, 120_000);

  it('will not overwrite a database unless told to, and then keeps the old one aside', async () => {
    await expect(restore({ databaseUrl: null, dataDir: target }, file)).rejects.toThrow(BackupError);
    const { keptAside } = await restore({ databaseUrl: null, dataDir: target }, file, { force: true });
    expect(keptAside && fs.existsSync(keptAside)).toBe(true);
    expect((await read(null, target)).counts.providers).toBeGreaterThan(10);
  }, 120_000);

  it('says so when there is nothing to back up or no backup file', async () => {
    await expect(backup({ databaseUrl: null, dataDir: path.join(scratch, 'empty') }, file)).rejects.toThrow(
      /no embedded database/,
    );
    await expect(
      restore({ databaseUrl: null, dataDir: target }, path.join(scratch, 'missing')),
    ).rejects.toThrow(/No backup file/);
  });
});

describe.skipIf(!kinds.includes('postgres'))('backup and restore on the PostgreSQL server', () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const names = [`backup_source_${suffix}`, `backup_target_${suffix}`];
  const urlOf = (name: string) => TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
  const admin = () => new pg.Client({ connectionString: TEST_DATABASE_URL });

  afterAll(async () => {
    const client = admin();
    await client.connect();
    for (const name of names) await client.query(`drop database if exists "${name}" with (force)`);
    await client.end();
  });

  it('round-trips a database through pg_dump and pg_restore', async () => {
    const client = admin();
    await client.connect();
    for (const name of names) await client.query(`create database "${name}"`);
    await client.end();
    const file = path.join(scratch, 'server.dump');
    const before = await fill(urlOf(names[0]!), '');
    await backup({ databaseUrl: urlOf(names[0]!), dataDir: '' }, file);
    await restore({ databaseUrl: urlOf(names[1]!), dataDir: '' }, file);
    const after = await read(urlOf(names[1]!), '');
    expect(after.counts).toEqual(before);
    expect(after.audit.ok).toBe(true);
  }, 120_000);
});
