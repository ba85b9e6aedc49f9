import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateTo, migrateToLatest } from '../../src/db/migrate.js';
import { databaseKinds, TEST_DATABASE_URL } from '../support/databases.js';

const kinds = await databaseKinds();

/**
 * Data written before migrations 0023 (the day a provider left the register) and 0025 (additional
 * visits counted with the inspection they complete) comes through them as the statistics now read it.
 */
describe.each(kinds)('register and inspections written before 0023 and 0025 (%s)', (kind) => {
  let old: Database;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    if (kind === 'embedded') {
      old = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
      dispose = () => old.close();
    } else {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      old = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema, poolSize: 2 });
      dispose = async () => {
        await old.close();
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      };
    }
    await migrateTo(old, '0021_statistics_summaries_bulk_load');
  }, 60_000);

  afterAll(async () => {
    await dispose?.();
  });

  it('keep the day each provider left, and count an additional visit with the inspection it completes', async () => {
    const db = old.db;
    const provider = async (urn: string, status: string, updatedAt: string) =>
      (
        await sql<{ id: string }>`
          insert into providers (urn, name, type, sector, address_line1, town, postcode, local_authority,
            region, places, status, registered_on, updated_at)
          values (${urn}, ${urn}, 'childrens-home', 'private', '1 Road', 'Leeds', 'LS1 4AB', 'Leeds',
            'London', 3, ${status}, '2001-01-01', ${updatedAt}::timestamptz)
          returning id`.execute(db)
      ).rows[0]!.id;
    const audited = await provider('SC000001', 'closed', '2024-05-05T10:00:00Z');
    await provider('SC000002', 'cancelled', '2019-03-04T23:30:00Z');
    const registered = await provider('SC000003', 'registered', '2024-05-05T10:00:00Z');
    // The audit trail says when SC000001 closed (the day in England: 23:30 UTC on 30 June is 1 July).
    for (const [at, before, after] of [
      ['2010-02-03T12:00:00Z', null, 'registered'],
      ['2018-06-30T23:30:00Z', 'registered', 'closed'],
      ['2024-05-05T10:00:00Z', 'closed', 'closed'],
    ] as const) {
      await sql`insert into audit_events (at, action, entity_type, entity_id, before, after)
        values (${at}::timestamptz, 'provider.changed', 'provider', ${audited},
          ${before ? JSON.stringify({ status: before }) : null}::jsonb, ${JSON.stringify({ status: after })}::jsonb)`.execute(
        db,
      );
    }

    const lead = (
      await sql<{ id: string }>`insert into people (email, name, password_hash, roles)
        values ('lead@migration.invalid', 'Lead', 'x', '{inspector}') returning id`.execute(db)
    ).rows[0]!.id;
    const inspection = async (
      start: string,
      status: string,
      type: string,
      of: string | null,
      grade: string | null,
    ) =>
      (
        await sql<{ id: string }>`
          insert into inspections (provider_id, framework_id, type, notice, start_date, end_date,
            lead_inspector_id, status, additional_visit_of, overall_grade)
          values (${registered}, 'childrens-homes', ${type}, 'none', ${start}::date, ${start}::date, ${lead},
            ${status}, ${of}::uuid, ${grade})
          returning id`.execute(db)
      ).rows[0]!.id;
    // Declared incomplete, then its first additional visit declared incomplete too; the second completed it.
    const original = await inspection('2020-03-02', 'incomplete', 'full', null, null);
    const first = await inspection('2020-03-16', 'incomplete', 'additional-visit', original, null);
    const second = await inspection('2020-04-06', 'completed', 'additional-visit', first, 'good');

    await migrateToLatest(old);

    const left = await sql<{ urn: string; left_register_on: string | null }>`
      select urn, left_register_on::text from providers order by urn`.execute(db);
    expect(left.rows).toEqual([
      { urn: 'SC000001', left_register_on: '2018-07-01' },
      { urn: 'SC000002', left_register_on: '2019-03-04' },
      { urn: 'SC000003', left_register_on: null },
    ]);

    const visits = await sql<{
      id: string;
      original_type: string | null;
      original_start_date: string | null;
    }>`
      select id, original_type, original_start_date::text from inspections order by start_date`.execute(db);
    expect(visits.rows).toEqual([
      { id: original, original_type: null, original_start_date: null },
      { id: first, original_type: 'full', original_start_date: '2020-03-02' },
      { id: second, original_type: 'full', original_start_date: '2020-03-02' },
    ]);
    const firsts = await sql`select inspection_id, status, start_date::text, overall_grade
      from statistics_first_inspections where provider_id = ${registered}`.execute(db);
    expect(firsts.rows).toEqual([
      { inspection_id: second, status: 'completed', start_date: '2020-03-02', overall_grade: 'good' },
    ]);
    const full = await sql`select month::text, inspections from statistics_full_inspection_months
      where inspections <> 0`.execute(db);
    expect(full.rows).toEqual([{ month: '2020-03-01', inspections: 1 }]);
  });
});
