import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import type { Db } from '../../src/db/database.js';
import { fillInspectorGrades } from '../../src/db/migrations/0012_statistics_search.js';
import { generateNationalData, type NationalDataCounts } from '../../src/generate/national-data.js';
import { PROVIDER_TYPES } from '../../src/providers/rules.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const kinds = await databaseKinds();

const OPTIONS = { providers: 250, years: 5, seed: 'test-seed', today: '2026-11-25' };

const TABLES = [
  'owner_groups',
  'providers',
  'inspections',
  'judgements',
  'evidence',
  'requirements',
  'complaints',
  'concerns',
  'event_notifications',
  'provider_changes',
] as const;

/** One digest of every generated row of each table (without what the database itself assigns). */
async function fingerprint(db: Db): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of TABLES) {
    const { rows } = await sql<{ n: number; digest: string }>`
      select count(*)::int as n,
        md5(coalesce(string_agg(r, '|' order by r), '')) as digest
      from (select (to_jsonb(t) - 'row_id' - 'created_at' - 'updated_at')::text as r
            from ${sql.table(table)} t) x`.execute(db);
    result[table] = `${rows[0]!.n}:${rows[0]!.digest}`;
  }
  return result;
}

async function count(db: Db, table: (typeof TABLES)[number]): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
  return rows[0]!.n;
}

describe.each(kinds)('the national data set on %s', (kind) => {
  const opened: TestDatabase[] = [];
  let first: TestDatabase;
  let counts: NationalDataCounts;

  beforeAll(async () => {
    first = await openTestDatabase(kind);
    opened.push(first);
    counts = await generateNationalData(first.database.db, OPTIONS);
  }, 120_000);

  afterAll(async () => {
    for (const database of opened) await database.dispose();
  });

  it('holds what it reports, of every kind a register has', async () => {
    const db = first.database.db;
    expect(await count(db, 'providers')).toBe(OPTIONS.providers);
    expect(await count(db, 'inspections')).toBe(counts.inspections);
    expect(await count(db, 'judgements')).toBe(counts.judgements);
    expect(await count(db, 'evidence')).toBe(counts.evidence);
    expect(await count(db, 'complaints')).toBe(counts.complaints);
    for (const [key, value] of Object.entries(counts)) expect(value, key).toBeGreaterThan(0);

    const types = await db.selectFrom('providers').select('type').distinct().execute();
    expect(types.map((t) => t.type).sort()).toEqual(Object.keys(PROVIDER_TYPES).sort());
    const regions = await db.selectFrom('providers').select('region').distinct().execute();
    expect(regions.length).toBe(9);

    // About ten pieces of evidence per inspection held, and every held inspection has some.
    const held = await db
      .selectFrom('inspections')
      .where('status', '!=', 'planned')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const perInspection = counts.evidence / Number(held.n);
    expect(perInspection).toBeGreaterThan(7);
    expect(perInspection).toBeLessThan(11);
    const withoutEvidence = await sql<{ n: number }>`
      select count(*)::int as n from inspections i
      where i.status <> 'planned' and not exists (select 1 from evidence e where e.inspection_id = i.id)`.execute(
      db,
    );
    expect(withoutEvidence.rows[0]!.n).toBe(0);

    // Owner groups have a long tail: the largest holds several times the median.
    const { rows: sizes } = await sql<{ n: number }>`
      select count(*)::int as n from providers where owner_group_id is not null
      group by owner_group_id order by n desc`.execute(db);
    expect(sizes[0]!.n).toBeGreaterThan(2 * sizes[Math.floor(sizes.length / 2)]!.n);

    // The grade each inspector gave is kept, and is what the framework's rule gives from their judgements;
    // moderated inspections end a grade lower than given.
    const given = async () =>
      (
        await sql<{ id: string; grade: string | null }>`
          select id, inspector_overall_grade as grade from inspections where type = 'full' and status <> 'planned'
          order by id`.execute(db)
      ).rows;
    const generated = await given();
    expect(generated.every((row) => row.grade !== null)).toBe(true);
    await sql`update inspections set inspector_overall_grade = null`.execute(db);
    await sql.raw(fillInspectorGrades).execute(db);
    expect(await given()).toEqual(generated);
    const { rows: moderated } = await sql<{ n: number }>`
      select count(*)::int as n from inspections where overall_grade <> inspector_overall_grade`.execute(db);
    expect(moderated[0]!.n).toBeGreaterThan(0);

    // Every complaint is about an inspection that has ended, under the procedure in force then.
    const { rows: early } = await sql<{ n: number }>`
      select count(*)::int as n from complaints c join inspections i on i.id = c.inspection_id
      where c.received_on <= i.end_date or i.end_date < date '2020-09-01'`.execute(db);
    expect(early[0]!.n).toBe(0);
  });

  it('gives the same rows for the same seed, and different ones for another', async () => {
    const again = await openTestDatabase(kind);
    opened.push(again);
    await generateNationalData(again.database.db, OPTIONS);
    expect(await fingerprint(again.database.db)).toEqual(await fingerprint(first.database.db));

    const other = await openTestDatabase(kind);
    opened.push(other);
    await generateNationalData(other.database.db, { ...OPTIONS, seed: 'another seed' });
    const a = await fingerprint(first.database.db);
    const b = await fingerprint(other.database.db);
    expect(b.providers).not.toEqual(a.providers);
    expect(b.evidence).not.toEqual(a.evidence);
  }, 120_000);
});

describe('inspectorate generate', () => {
  let dir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-generate-'));
  });

  afterAll(async () => {
    process.env = env;
    await rm(dir, { recursive: true, force: true });
  });

  it('fills an empty embedded database, then refuses to add to it without --force', async () => {
    // Only what an operator would set: the test runner's own variables (BASE_URL is one) are left out.
    process.env = { PATH: env.PATH, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const printed = (spy: typeof out) => spy.mock.calls.map((call) => String(call[0])).join('');
    try {
      const args = [
        'generate',
        '--providers',
        '200',
        '--years',
        '2',
        '--seed',
        'cli',
        '--today',
        '2026-11-25',
      ];
      expect(await runCli(args), printed(err)).toBe(0);
      expect(printed(out)).toMatch(/^\s+200 providers$/m);
      expect(printed(out)).toMatch(/pieces of evidence/);

      out.mockClear();
      err.mockClear();
      expect(await runCli(args)).toBe(1);
      expect(printed(err)).toMatch(/Nothing generated: .* already holds 200 providers.*--force/);
      expect(printed(out)).toBe('');

      expect(await runCli(['generate', '--providers', '12'])).toBe(1);
      expect(printed(err)).toMatch(/--providers must be a whole number of 153 or more/);

      // With --force a set with another seed is added beside the first.
      expect(await runCli([...args.slice(0, -4), '--seed', 'second', '--force']), printed(err)).toBe(0);
      expect(printed(out)).toMatch(/^\s+200 providers$/m);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }, 120_000);
});
