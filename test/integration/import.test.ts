import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyAuditTrail } from '../../src/audit/store.js';
import { runCli } from '../../src/cli/main.js';
import type { Db } from '../../src/db/database.js';
import { importProviders, latestPublishedOutcomes, type ImportOptions } from '../../src/imports/store.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const kinds = await databaseKinds();
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const GOOD = fixture('good.csv');
const BAD = fixture('bad.csv');
const TODAY = '2026-11-25';
const OVERALL = 'Overall experiences and progress of children and young people';

/** Everything the import can change, as one checksum. */
async function registerChecksum(db: Db): Promise<string> {
  const { rows } = await sql<{ providers: string; outcomes: string; count: number }>`
    select (select md5(coalesce(string_agg(p::text, '|' order by p.urn), '')) from providers p) as providers,
           (select md5(coalesce(string_agg(o::text, '|' order by o.provider_id, o.inspection_date), ''))
              from published_inspection_outcomes o) as outcomes,
           (select count(*)::int from providers) as count`.execute(db);
  return JSON.stringify(rows[0]);
}

async function auditCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(kinds)('importing the published provider data (%s)', (kind) => {
  let t: TestDatabase;
  let dir: string;
  const db = () => t.database.db;
  const run = (file: string, options: Partial<ImportOptions> = {}) =>
    importProviders(db(), {
      file,
      importedBy: 'operator',
      today: TODAY,
      rejectsFile: path.join(dir, `${path.basename(file, '.csv')}.rejected.csv`),
      ...options,
    });
  const provider = (urn: string) =>
    db().selectFrom('providers').selectAll().where('urn', '=', urn).executeTakeFirst();
  const outcomes = (urn: string) =>
    db()
      .selectFrom('published_inspection_outcomes as o')
      .innerJoin('providers as p', 'p.id', 'o.provider_id')
      .select(['o.inspection_date', 'o.framework_id', 'o.overall_grade_id'])
      .where('p.urn', '=', urn)
      .orderBy('o.inspection_date')
      .execute();

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-import-'));
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts a good file on the register with every field mapped, and records the latest outcomes', async () => {
    const auditBefore = await auditCount(db());
    const result = await run(GOOD);
    expect(result).toMatchObject({
      status: 'completed',
      fileName: 'good.csv',
      rowsRead: 6,
      inserted: 6,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      outcomesRecorded: 5,
      ignoredColumns: ['Provider subtype'],
      rejections: [],
      rejectsFile: null,
      audit: 'each-provider',
      sameAsImport: null,
    });
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);

    expect(await provider('SC100001')).toMatchObject({
      name: 'SC100001', // the published file withholds a children's home's name
      type: 'childrens-home',
      sector: 'private',
      local_authority: 'Leeds',
      region: 'Yorkshire and The Humber',
      places: 4,
      registered_on: '2008-11-03',
      status: 'registered',
      address_line1: '',
      town: '',
      postcode: '',
      version: 1,
    });
    expect(await provider('SC100002')).toMatchObject({
      name: 'Elm House',
      sector: 'local-authority',
      region: 'London',
      places: 6,
      registered_on: '2015-02-01',
      town: 'London',
      postcode: 'NW1 0AA',
    });
    expect(await provider('SC100003')).toMatchObject({
      type: 'independent-fostering-agency',
      sector: 'voluntary',
      places: 0,
    });
    expect(await provider('SC100004')).toMatchObject({ type: 'supported-accommodation', places: 10 });
    expect(await provider('100005')).toMatchObject({ type: 'local-authority', sector: 'local-authority' });

    expect(await outcomes('SC100001')).toEqual([
      { inspection_date: '2023-06-14', framework_id: 'childrens-homes', overall_grade_id: 'good' },
    ]);
    expect(await outcomes('SC100002')).toEqual([
      {
        inspection_date: '2024-02-02',
        framework_id: 'childrens-homes',
        overall_grade_id: 'requires-improvement-to-be-good',
      },
    ]);
    expect(await outcomes('SC100003')).toEqual([
      { inspection_date: '2022-10-10', framework_id: null, overall_grade_id: 'outstanding' },
    ]);
    expect(await outcomes('SC100004')).toEqual([
      {
        inspection_date: '2025-01-15',
        framework_id: 'supported-accommodation',
        overall_grade_id: 'consistently-strong',
      },
    ]);
    expect(await outcomes('100005')).toEqual([
      { inspection_date: '2019-07-19', framework_id: 'ilacs', overall_grade_id: 'inadequate' },
    ]);
    expect(await outcomes('SC100006')).toEqual([]);
    // Published outcomes are not judgements: no judgement rows are made up.
    const judgements = await db()
      .selectFrom('judgements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(judgements.n)).toBe(0);

    // One entry per new provider and one for the run, all on the chain.
    expect((await auditCount(db())) - auditBefore).toBe(7);
    const entries = await db()
      .selectFrom('audit_events')
      .select(['action', 'entity_type', 'after'])
      .where('id', '>', auditBefore)
      .orderBy('id')
      .execute();
    expect(entries.map((e) => e.action)).toEqual([
      ...Array(6).fill('provider.imported'),
      'provider-import.completed',
    ]);
    expect(entries[6]!.after).toMatchObject({ inserted: 6, updated: 0, unchanged: 0, rejected: 0 });
    expect((await verifyAuditTrail(db())).ok).toBe(true);

    const recorded = await db()
      .selectFrom('provider_imports')
      .selectAll()
      .where('id', '=', result.importId)
      .executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({
      file_name: 'good.csv',
      sha256: result.sha256,
      status: 'completed',
      rows_read: 6,
      inserted: 6,
      updated: 0,
      unchanged: 0,
      rejected: 0,
      imported_by: 'operator',
    });
    expect(recorded.finished_at).not.toBeNull();
  });

  it('changes nothing when the same file is imported again', async () => {
    const checksum = await registerChecksum(db());
    const auditBefore = await auditCount(db());
    const first = await db()
      .selectFrom('provider_imports')
      .select('id')
      .where('status', '=', 'completed')
      .executeTakeFirstOrThrow();
    const result = await run(GOOD);
    expect(result).toMatchObject({ inserted: 0, updated: 0, unchanged: 6, rejected: 0, outcomesRecorded: 0 });
    expect(result.sameAsImport?.id).toBe(first.id);
    expect(await registerChecksum(db())).toBe(checksum);
    // Only the run's own entry: nothing for the unchanged providers.
    expect((await auditCount(db())) - auditBefore).toBe(1);
  });

  it('applies a corrected file: only what differs is updated, and a new inspection is added', async () => {
    const corrected = path.join(dir, 'corrected.csv');
    const text = await readFile(GOOD, 'utf8');
    await writeFile(
      corrected,
      text.replace(
        "SC100001,Children's home,Children's home,Private,Leeds,Yorkshire and The Humber,4,03/11/2008,Active,14/06/2023,Good",
        "SC100001,Children's home,Children's home,Private,Leeds,Yorkshire and The Humber,5,03/11/2008,Active,20/05/2025,Outstanding",
      ),
    );
    const auditBefore = await auditCount(db());
    const result = await run(corrected);
    expect(result).toMatchObject({ inserted: 0, updated: 1, unchanged: 5, outcomesRecorded: 1 });
    expect(await provider('SC100001')).toMatchObject({ places: 5, version: 2 });
    expect(await provider('SC100002')).toMatchObject({ version: 1 });
    expect((await outcomes('SC100001')).map((o) => [o.inspection_date, o.overall_grade_id])).toEqual([
      ['2023-06-14', 'good'],
      ['2025-05-20', 'outstanding'],
    ]);
    const sc100001 = (await provider('SC100001'))!;
    expect(await latestPublishedOutcomes(db(), [sc100001.id])).toEqual([
      {
        providerId: sc100001.id,
        inspectionDate: '2025-05-20',
        frameworkId: 'childrens-homes',
        overallGradeId: 'outstanding',
        sourceImportId: result.importId,
      },
    ]);
    const change = await db()
      .selectFrom('audit_events')
      .select(['action', 'before', 'after'])
      .where('id', '>', auditBefore)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    expect(change.action).toBe('provider.changed-by-import');
    expect(change.before).toMatchObject({
      places: 4,
      latestPublishedInspection: { date: '2023-06-14', gradeId: 'good' },
    });
    expect(change.after).toMatchObject({
      places: 5,
      latestPublishedInspection: { date: '2025-05-20', gradeId: 'outstanding' },
    });
  });

  it('rejects bad rows by line number and reason, and applies the good ones', async () => {
    const result = await run(BAD);
    expect(result.rejections).toEqual([
      { line: 3, reason: "Registration date '31/02/2020' is not a date (write dd/mm/yyyy or yyyy-mm-dd)" },
      { line: 4, reason: "Provider type 'Boarding school' is not a type of provider we register" },
      { line: 7, reason: "URN 'X12' is not a reference number (SC and 6 digits, or 6 or 7 digits)" },
      {
        line: 8,
        reason:
          "Region 'North East, Yorkshire and the Humber' joins two English regions; give North East or Yorkshire and The Humber",
      },
      {
        line: 9,
        reason: `${OVERALL} 'Excellent' is not a grade under SCCIF; expected Outstanding, Good, Requires improvement to be good or Inadequate`,
      },
      { line: 10, reason: "Places 'many' is not a whole number" },
      { line: 12, reason: "URN 'SC200001' is also on row 2" },
      { line: 13, reason: `${OVERALL} 'Good' is given without a Latest full inspection date` },
    ]);
    expect(result).toMatchObject({ status: 'completed', rowsRead: 11, rejected: 8, inserted: 3, updated: 0 });
    expect(await provider('SC200001')).toMatchObject({ places: 4 }); // the first of the two rows stands
    expect(await provider('SC200004')).toMatchObject({ name: 'The Old Vicarage', sector: 'voluntary' });
    expect(await provider('SC200012')).toMatchObject({ type: 'adoption-support-agency' });
    for (const urn of ['SC200002', 'SC200003', 'SC200006', 'SC200007', 'SC200008', 'SC200011']) {
      expect(await provider(urn)).toBeUndefined();
    }

    const report = await readFile(result.rejectsFile!, 'utf8');
    const lines = report.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      `Row,Reason,URN,Provider type,Sector,Local authority,Region,Places,Registration date,Latest full inspection date,${OVERALL},Provider name`,
    );
    expect(lines).toHaveLength(9);
    expect(lines[1]).toBe(
      "3,Registration date '31/02/2020' is not a date (write dd/mm/yyyy or yyyy-mm-dd),SC200002,Children's home,Private,Leeds,Yorkshire and The Humber,4,31/02/2020,,,",
    );
    expect(report).toContain(`12,URN 'SC200001' is also on row 2`);
  });

  it('applies nothing under --strict when a row is rejected', async () => {
    const strict = path.join(dir, 'strict.csv');
    await writeFile(strict, (await readFile(BAD, 'utf8')).replace(/SC2000/g, 'SC3000'));
    const checksum = await registerChecksum(db());
    const auditBefore = await auditCount(db());
    const result = await run(strict, { strict: true });
    expect(result).toMatchObject({ status: 'aborted', rejected: 8, inserted: 0, updated: 0 });
    expect(result.rejections.map((r) => r.line)).toEqual([3, 4, 7, 8, 9, 10, 12, 13]);
    expect(await registerChecksum(db())).toBe(checksum);
    expect(await auditCount(db())).toBe(auditBefore);
    const recorded = await db()
      .selectFrom('provider_imports')
      .select(['status', 'rejected'])
      .where('id', '=', result.importId)
      .executeTakeFirstOrThrow();
    expect(recorded).toEqual({ status: 'aborted', rejected: 8 });
  });

  it('is never half-applied: a merge that fails changes nothing', async () => {
    const mixed = path.join(dir, 'mixed.csv');
    const text = await readFile(GOOD, 'utf8');
    // One changed provider, one new one, then a provider the database refuses.
    await writeFile(
      mixed,
      text.replace(',Leeds,Yorkshire and The Humber,4,', ',Leeds,Yorkshire and The Humber,7,') +
        "SC100007,Children's home,,Private,Leeds,Yorkshire and The Humber,3,05/05/2021,Active,,,,,\n" +
        "SC999999,Children's home,,Private,Leeds,Yorkshire and The Humber,3,05/05/2021,Active,,,,,\n",
    );
    await sql`create function refuse_test_provider() returns trigger language plpgsql as $$
      begin raise exception 'refused for the test'; end $$`.execute(db());
    await sql`create trigger refuse_test_provider before insert on providers
      for each row when (new.urn = 'SC999999') execute function refuse_test_provider()`.execute(db());
    const checksum = await registerChecksum(db());
    const auditBefore = await auditCount(db());
    try {
      await expect(run(mixed)).rejects.toThrow(/refused for the test/);
    } finally {
      await sql`drop trigger refuse_test_provider on providers`.execute(db());
      await sql`drop function refuse_test_provider()`.execute(db());
    }
    expect(await registerChecksum(db())).toBe(checksum);
    expect(await auditCount(db())).toBe(auditBefore);
    const failed = await db()
      .selectFrom('provider_imports')
      .select(['status', 'note'])
      .where('file_name', '=', 'mixed.csv')
      .executeTakeFirstOrThrow();
    expect(failed.status).toBe('failed');
    expect(failed.note).toMatch(/refused for the test/);
    // The run's staging table is gone.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_tables
      where tablename like 'provider_import_staging_%'`.execute(db());
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses a file whose header lacks a required column, applying nothing', async () => {
    const headless = path.join(dir, 'headless.csv');
    await writeFile(headless, "URN,Provider type\nSC400001,Children's home\n");
    await expect(run(headless)).rejects.toThrow(
      'line 1: The file has no Sector column (accepted names: Sector, Provider sector); The file has no Local authority column',
    );
    expect(await provider('SC400001')).toBeUndefined();
  });

  it('refuses a file that is not CSV, naming the line, applying nothing', async () => {
    const broken = path.join(dir, 'broken.csv');
    const text = await readFile(GOOD, 'utf8');
    await writeFile(
      broken,
      text.replace(/SC1000/g, 'SC4100') +
        'SC410009,"Children\'s home,,Private,Leeds,North West,3,05/05/2021\n',
    );
    await expect(run(broken)).rejects.toThrow(/^The file cannot be read as CSV: .*quote.* line 8$/);
    expect(await provider('SC410001')).toBeUndefined();
  });

  it('streams a large file in batches, in bounded memory', async () => {
    const big = path.join(dir, 'big.csv');
    const rows = 20_000;
    const out = createWriteStream(big);
    out.write(
      `URN,Provider type,Sector,Local authority,Region,Places,Registration date,Latest full inspection date,${OVERALL}\n`,
    );
    for (let i = 0; i < rows; i += 1) {
      const grade = ['Outstanding', 'Good', 'Requires improvement to be good', 'Inadequate'][i % 4];
      out.write(
        `SC${String(500000 + i)},Children's home,Private,Leeds,North West,${i % 9},01/02/2015,0${(i % 9) + 1}/03/2024,${grade}\n`,
      );
    }
    await new Promise<void>((resolve) => out.end(resolve));
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    let progressCalls = 0;
    const result = await run(big, {
      batchSize: 1000,
      onProgress: ({ bytes, totalBytes }) => {
        progressCalls += 1;
        expect(bytes).toBeLessThanOrEqual(totalBytes);
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    expect(result).toMatchObject({
      rowsRead: rows,
      inserted: rows,
      rejected: 0,
      outcomesRecorded: rows,
      audit: 'summary',
    });
    expect(progressCalls).toBeGreaterThanOrEqual(rows / 1000);
    expect(peak - heapBefore).toBeLessThan(200 * 1024 * 1024);
    const again = await run(big);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: rows });
  }, 300_000);
});

/** The register's indexes and the outcomes' constraints, as the catalogue defines them. */
async function registerShape(db: Db): Promise<string[]> {
  const { rows } = await sql<{ what: string }>`
    select pg_get_indexdef(i.indexrelid) as what from pg_index i
    where i.indrelid in ('providers'::regclass, 'published_inspection_outcomes'::regclass)
    union all
    select conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
    where conrelid in ('providers'::regclass, 'published_inspection_outcomes'::regclass)
    order by 1`.execute(db);
  return rows.map((row) => row.what);
}

describe.each(kinds)('a first import into an empty register, loaded in bulk (%s)', (kind) => {
  let t: TestDatabase;
  let dir: string;
  const db = () => t.database.db;
  // Bulk loading is for large files; from one new provider here, so that the small fixtures take that path.
  const run = (file: string, options: Partial<ImportOptions> = {}) =>
    importProviders(db(), {
      file,
      importedBy: 'operator',
      today: TODAY,
      bulkLoadFrom: 1,
      rejectsFile: path.join(dir, `${path.basename(file, '.csv')}.rejected.csv`),
      ...options,
    });
  const outcomesByUrn = async () =>
    (
      await db()
        .selectFrom('published_inspection_outcomes as o')
        .innerJoin('providers as p', 'p.id', 'o.provider_id')
        .select(['p.urn', 'o.inspection_date', 'o.overall_grade_id'])
        .orderBy('p.urn')
        .orderBy('o.inspection_date')
        .execute()
    ).map((o) => `${o.urn} ${o.inspection_date} ${o.overall_grade_id}`);

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-import-bulk-'));
  }, 120_000);

  afterAll(async () => {
    await t?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts nothing on the register and keeps every index when the bulk load fails', async () => {
    const shape = await registerShape(db());
    const refused = path.join(dir, 'refused.csv');
    await writeFile(
      refused,
      (await readFile(GOOD, 'utf8')) +
        "SC999999,Children's home,,Private,Leeds,Yorkshire and The Humber,3,05/05/2021,Active,01/02/2024,Good,,,\n",
    );
    await sql`create function refuse_test_outcome() returns trigger language plpgsql as $$
      begin raise exception 'refused for the test'; end $$`.execute(db());
    await sql`create trigger refuse_test_outcome before insert on published_inspection_outcomes
      for each row when (new.inspection_date = '2024-02-01') execute function refuse_test_outcome()`.execute(
      db(),
    );
    try {
      await expect(run(refused)).rejects.toThrow(/refused for the test/);
    } finally {
      await sql`drop trigger refuse_test_outcome on published_inspection_outcomes`.execute(db());
      await sql`drop function refuse_test_outcome()`.execute(db());
    }
    const count = await db()
      .selectFrom('providers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect(await registerShape(db())).toEqual(shape);
  });

  it('loads a first file with the same result as a row-by-row merge, and the same indexes after', async () => {
    const shape = await registerShape(db());
    expect(shape.some((what) => what.includes('providers_name'))).toBe(true);
    const result = await run(GOOD);
    expect(result).toMatchObject({
      status: 'completed',
      bulkLoad: true,
      inserted: 6,
      updated: 0,
      outcomesRecorded: 5,
      audit: 'each-provider',
    });
    expect(await registerShape(db())).toEqual(shape);
    expect(await outcomesByUrn()).toEqual([
      '100005 2019-07-19 inadequate',
      'SC100001 2023-06-14 good',
      'SC100002 2024-02-02 requires-improvement-to-be-good',
      'SC100003 2022-10-10 outstanding',
      'SC100004 2025-01-15 consistently-strong',
    ]);
    // The foreign key is back, and checked: an outcome for no provider is refused.
    await expect(
      sql`insert into published_inspection_outcomes (provider_id, inspection_date, source_import_id)
        values (gen_random_uuid(), '2024-01-01', ${result.importId})`.execute(db()),
    ).rejects.toThrow(/foreign key/);
    expect((await verifyAuditTrail(db())).ok).toBe(true);
  });

  it('gives each provider its own outcomes when new and changed providers come in one file', async () => {
    const mixed = path.join(dir, 'mixed.csv');
    const text = await readFile(GOOD, 'utf8');
    await writeFile(
      mixed,
      text
        // a changed grade for the same date, and a newer inspection for another provider
        .replace('14/06/2023,Good', '14/06/2023,Inadequate')
        .replace('10/10/2022,Outstanding', '09/09/2025,Good') +
        "SC100007,Children's home,,Private,Leeds,Yorkshire and The Humber,3,05/05/2021,Active,01/02/2024,Outstanding,,,\n" +
        "SC100008,Children's home,,Private,York,Yorkshire and The Humber,2,05/05/2021,Active,,,,,\n",
    );
    const result = await run(mixed);
    // Not empty any more: merged row by row.
    expect(result).toMatchObject({
      bulkLoad: false,
      inserted: 2,
      updated: 2,
      unchanged: 4,
      outcomesRecorded: 3,
    });
    expect(await outcomesByUrn()).toEqual([
      '100005 2019-07-19 inadequate',
      'SC100001 2023-06-14 inadequate',
      'SC100002 2024-02-02 requires-improvement-to-be-good',
      'SC100003 2022-10-10 outstanding',
      'SC100003 2025-09-09 good',
      'SC100004 2025-01-15 consistently-strong',
      'SC100007 2024-02-01 outstanding',
    ]);
    const again = await run(mixed);
    expect(again).toMatchObject({ inserted: 0, updated: 0, unchanged: 8, outcomesRecorded: 0 });
  });
});

describe('inspectorate import providers', () => {
  let dir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-import-cli-'));
  });

  afterAll(async () => {
    process.env = env;
    await rm(dir, { recursive: true, force: true });
  });

  it('imports from the command line on the embedded database, reporting rejected rows', async () => {
    // Only what an operator would set: the test runner's own variables (BASE_URL is one) are left out.
    process.env = { PATH: env.PATH, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const written = (spy: typeof out) => spy.mock.calls.map((call) => String(call[0])).join('');
    try {
      expect(await runCli(['migrate']), written(err)).toBe(0);
      out.mockClear();
      expect(await runCli(['import', 'providers', GOOD]), written(err)).toBe(0);
      expect(written(out)).toContain(
        'Imported good.csv: 6 rows read: 6 inserted, 0 updated, 0 unchanged, 0 rejected; 5 published inspection outcomes recorded',
      );
      expect(written(out)).toContain('Columns not read: Provider subtype');
      expect(written(err)).toMatch(/6 rows in [\d.]+ s \(\d+ rows\/s\)/);

      out.mockClear();
      err.mockClear();
      const rejects = path.join(dir, 'rejected.csv');
      expect(await runCli(['import', 'providers', BAD, '--rejects', rejects])).toBe(2);
      expect(written(out)).toContain(
        'Imported bad.csv: 11 rows read: 3 inserted, 0 updated, 0 unchanged, 8 rejected',
      );
      expect(written(err)).toContain("row 3: Registration date '31/02/2020' is not a date");
      expect(written(err)).toContain(`Every rejected row, with its reasons: ${rejects}`);
      expect(await readFile(rejects, 'utf8')).toContain("Provider type 'Boarding school'");

      out.mockClear();
      expect(await runCli(['import', 'providers', GOOD])).toBe(0);
      expect(written(out)).toContain('6 rows read: 0 inserted, 0 updated, 6 unchanged, 0 rejected');
      expect(written(out)).toMatch(/The same file \(sha256 [0-9a-f]{64}\) was imported before/);

      err.mockClear();
      expect(await runCli(['import', 'providers', path.join(dir, 'missing.csv')])).toBe(1);
      expect(written(err)).toContain('Nothing imported: there is no file');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }, 180_000);
});
