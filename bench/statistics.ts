/**
 * The statistics at national scale: how long each figure of src/statistics takes, and the public report
 * search, over 100,000 providers, about a million inspections and two million notifications.
 *
 *   npm run bench                 (after the other benchmarks)
 *   npx tsx bench/statistics.ts   (alone)
 *
 * In a fresh schema `bench_statistics_<random>` on a real PostgreSQL server it migrates, generates the
 * register and its history in the database (bench/national-data.ts, with targets for inspections and
 * notifications), adds a published report for every completed full inspection and some multi-building
 * registration applications (also in SQL), runs ANALYZE, then computes every figure as the API does
 * (`computeFigure`, the same store functions) for the inspection year and for ten years: one warm-up,
 * then BENCH_STATS_RUNS runs, printing the median against the goal of one second. For any figure over
 * the goal it prints EXPLAIN (ANALYZE, BUFFERS) of each statement it sent, captured from the figure
 * itself. It also times GET /api/reports (the public search) through the whole service. The schema is
 * dropped at the end, also on Ctrl-C.
 *
 * Settings (environment): BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
 * BENCH_STATS_PROVIDERS (100000), BENCH_STATS_INSPECTIONS (1000000), BENCH_STATS_NOTIFICATIONS (2000000),
 * BENCH_STATS_YEARS (10), BENCH_STATS_RUNS (5), BENCH_STATS_SEED (statistics), BENCH_STATS_TODAY (today
 * in England), BENCH_STATS_YEAR_FROM (2025-04-01: the inspection year measured, and ten years to its end),
 * BENCH_STATS_KEEP (1 keeps the schema for a closer look; drop it by hand afterwards), BENCH_STATS_SCHEMA
 * (times the figures again on a schema kept before, after migrating it, instead of generating; the
 * reports and applications are added if it has none, as when generating was stopped before them),
 * BENCH_STATS_FIGURES (a comma-separated list of figure ids to time, all when empty).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { englishDate } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { fillInspectorGrades, fillReportSearchFields } from '../src/db/migrations/0012_statistics_search.js';
import type { Schema } from '../src/db/schema.js';
import { frameworks } from '../src/frameworks/frameworks.js';
import { computeFigure, FIGURES } from '../src/statistics/figures.js';
import type { Period } from '../src/statistics/rules.js';
import { generateNationalData } from './national-data.js';
import { DATABASE_URL, numberSetting } from './settings.js';

const PROVIDERS = numberSetting('BENCH_STATS_PROVIDERS', 100_000);
const INSPECTIONS = numberSetting('BENCH_STATS_INSPECTIONS', 1_000_000);
const NOTIFICATIONS = numberSetting('BENCH_STATS_NOTIFICATIONS', 2_000_000);
const YEARS = numberSetting('BENCH_STATS_YEARS', 10);
const RUNS = numberSetting('BENCH_STATS_RUNS', 5);
const SEED = process.env.BENCH_STATS_SEED || 'statistics';
const TODAY = process.env.BENCH_STATS_TODAY || englishDate(new Date());
const YEAR_FROM = process.env.BENCH_STATS_YEAR_FROM || '2025-04-01';
const REUSE = process.env.BENCH_STATS_SCHEMA || '';
const GOAL_MS = 1000;
const TIMEOUT_MS = 120_000;
const OWNER_GROUPS = 10;

for (const [name, day] of [
  ['BENCH_STATS_TODAY', TODAY],
  ['BENCH_STATS_YEAR_FROM', YEAR_FROM],
] as const)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`${name} must be an ISO date, not ${day}`);

/** The same day `years` later (or earlier). */
function shiftYears(day: string, years: number, days = 0): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d + days)).toISOString().slice(0, 10);
}

/** `years` whole years ending with the year that starts on `from`. */
const yearsTo = (from: string, years: number): Period => ({
  from: shiftYears(from, 1 - years),
  to: shiftYears(from, 1, -1),
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString('en-GB');

interface Timing {
  name: string;
  period: string;
  runs: number[];
  median: number;
  rows: string;
}

async function time(name: string, period: string, work: () => Promise<string>): Promise<Timing> {
  const first = performance.now();
  try {
    await work(); // warm-up: caches and the planner's first look, not measured
  } catch (error) {
    if ((error as { code?: string }).code !== '57014') throw error;
    const ms = performance.now() - first;
    return { name, period, runs: [ms], median: ms, rows: `stopped after ${TIMEOUT_MS / 1000} s` };
  }
  const runs: number[] = [];
  let rows = '';
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    rows = await work();
    runs.push(performance.now() - started);
  }
  return { name, period, runs, median: median(runs), rows };
}

/**
 * Runs `work` on a Kysely that records each statement it sends, over its own connection to the same
 * schema; then EXPLAIN (ANALYZE, BUFFERS) of each, slowest first.
 */
async function explainStatements(
  schema: string,
  work: (db: Db) => Promise<unknown>,
  settings: string[] = [],
) {
  const recorded: { query: CompiledQuery; ms: number }[] = [];
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1, options: `-c search_path="${schema}"` });
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    log(event) {
      if (event.level === 'query') recorded.push({ query: event.query, ms: event.queryDurationMillis });
    },
  });
  try {
    await work(db);
    const plans: { sql: string; ms: number; plan: string }[] = [];
    // A statement may open with a comment on why it is written so.
    const statements = recorded.filter(({ query }) => /^\s*(--[^\n]*\n\s*)*(select|with)\b/i.test(query.sql));
    for (const { query, ms } of statements.sort((a, b) => b.ms - a.ms)) {
      // In a transaction with the settings the statement ran with (store.ts sets them for a figure).
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const setting of settings) await client.query(`set local ${setting}`);
        const result = await client.query<{ 'QUERY PLAN': string }>(
          `explain (analyze, buffers) ${query.sql}`,
          query.parameters as unknown[],
        );
        await client.query('commit');
        plans.push({ sql: query.sql, ms, plan: result.rows.map((r) => r['QUERY PLAN']).join('\n') });
      } finally {
        client.release();
      }
    }
    return plans;
  } finally {
    await db.destroy();
  }
}

/**
 * A published report for every completed full inspection, as the report store would have written it
 * (the content, and the fields the public search reads), each inspection's overall grade as the
 * inspector gave it, and multi-building registration applications: none is in the generated history. One statement each, without the foreign-key triggers (a superuser only).
 */
async function addReportsAndApplications(db: Db) {
  const grades = frameworks.flatMap((f) =>
    f.gradeScale.map((g) => sql`(${f.id}::text, ${g.id}::text, ${g.label}::text)`),
  );
  const names = frameworks.map((f) => sql`(${f.id}::text, ${f.name}::text)`);
  return db.transaction().execute(async (trx) => {
    const { rows: role } = await sql<{ super: boolean }>`
      select rolsuper as super from pg_roles where rolname = current_user`.execute(trx);
    if (role[0]?.super) await sql`set local session_replication_role = replica`.execute(trx);
    let started = performance.now();
    const reports = await sql`
      insert into reports (id, inspection_id, procedure_id, status, draft_issued_on, response_due,
        finalised_on, published_on, created_at, updated_at)
      select i.id, i.id, 'post-inspection-2020', 'published', i.end_date + 10, i.end_date + 20, i.end_date + 25,
        i.end_date + 30, i.end_date::timestamptz, (i.end_date + 30)::timestamptz
      from inspections i
      where i.type = 'full' and i.status = 'completed'`.execute(trx);
    console.log(
      `  ${'reports'.padEnd(28)} ${count(Number(reports.numAffectedRows ?? 0n)).padStart(10)}  ${seconds(performance.now() - started)}`,
    );
    // Counted before the versions are joined to them: with no statistics the planner takes the new
    // table for empty and chose a plan that ran for over twenty minutes instead of one and a half.
    await sql`analyze reports`.execute(trx);
    started = performance.now();
    const versions = await sql`
      with grade (framework_id, grade_id, label) as (values ${sql.join(grades)}),
      framework (id, name) as (values ${sql.join(names)})
      insert into report_versions (report_id, version, narrative, content, changed_at)
      select r.id, 1, 'Generated narrative of the inspection.',
        jsonb_build_object(
          'provider', jsonb_build_object('id', p.id, 'name', p.name, 'urn', p.urn, 'type', p.type,
            'localAuthority', p.local_authority),
          'inspection', jsonb_build_object('id', i.id, 'type', i.type, 'startDate', i.start_date,
            'endDate', i.end_date),
          'framework', jsonb_build_object('id', i.framework_id, 'name', f.name),
          'judgements', '[]'::jsonb,
          'overallGrade', case when g.grade_id is not null then jsonb_build_object('grade', g.grade_id,
            'label', g.label, 'limitedBy', '[]'::jsonb) end,
          'requirements', '[]'::jsonb,
          'recommendations', '[]'::jsonb),
        r.created_at
      from reports r
      join inspections i on i.id = r.inspection_id
      join providers p on p.id = i.provider_id
      join framework f on f.id = i.framework_id
      left join grade g on g.framework_id = i.framework_id and g.grade_id = i.overall_grade`.execute(trx);
    console.log(
      `  ${'report_versions'.padEnd(28)} ${count(Number(versions.numAffectedRows ?? 0n)).padStart(10)}  ${seconds(performance.now() - started)}`,
    );
    // What the report and inspection stores keep beside each row, written here in bulk as migration
    // 0012 writes it for data already there.
    for (const [name, statement] of [
      ['reports: search fields', fillReportSearchFields],
      ['inspections: grades given', fillInspectorGrades],
    ] as const) {
      started = performance.now();
      const filled = await sql.raw(statement).execute(trx);
      console.log(
        `  ${name.padEnd(28)} ${count(Number(filled.numAffectedRows ?? 0n)).padStart(10)}  ${seconds(performance.now() - started)}`,
      );
    }
    started = performance.now();
    const applications = await sql`
      insert into registration_applications (provider_id, buildings, description, status, submitted_on)
      select p.id, 2 + (p.places % 3), 'Generated multi-building application.',
        (array['applied', 'in-progress', 'approved', 'approved', 'approved', 'refused', 'withdrawn'])[
          1 + abs(hashtext(p.id::text)) % 7],
        p.registered_on - 90
      from providers p
      where p.type = 'childrens-home' and abs(hashtext(p.urn)) % 20 = 0`.execute(trx);
    console.log(
      `  ${'registration_applications'.padEnd(28)} ${count(Number(applications.numAffectedRows ?? 0n)).padStart(10)}  ${seconds(performance.now() - started)}`,
    );
  });
}

/** The national data set, with reports and applications, in the schema `db` works in. */
async function generate(db: Db) {
  console.log('generating…');
  const started = performance.now();
  const step = (name: string, rows: number, ms: number) =>
    console.log(`  ${name.padEnd(28)} ${(rows ? count(rows) : '').padStart(10)}  ${seconds(ms)}`);
  const counts = await generateNationalData(db, {
    providers: PROVIDERS,
    years: YEARS,
    seed: SEED,
    today: TODAY,
    inspections: INSPECTIONS,
    notifications: NOTIFICATIONS,
    onStep: step,
  });
  await addReportsAndApplications(db);
  console.log(`generated in ${seconds(performance.now() - started)} (seed '${SEED}', history to ${TODAY}):`);
  for (const [table, n] of Object.entries(counts)) console.log(`  ${table.padEnd(16)} ${count(n)}`);
}

async function dropSchema(schema: string) {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}

let database: Database | undefined;
let schema: string | undefined;

async function cleanUp() {
  const dropping = schema;
  schema = undefined;
  await database?.close().catch(() => undefined);
  database = undefined;
  if (dropping && (REUSE || process.env.BENCH_STATS_KEEP === '1')) console.log(`kept schema ${dropping}`);
  else if (dropping) await dropSchema(dropping);
}

async function main() {
  // A figure that runs away is stopped and reported, not waited for.
  process.env.PGOPTIONS = `${process.env.PGOPTIONS ?? ''} -c statement_timeout=${TIMEOUT_MS}`.trim();
  schema = REUSE || `bench_statistics_${randomBytes(6).toString('hex')}`;
  database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: '', schema, poolSize: 2 });
  const db = database.db;
  const { rows: versionRows } = await sql<{ server_version: string }>`show server_version`.execute(db);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `The statistics at national scale\n` +
      `machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, ` +
      `Node ${process.version}, PostgreSQL ${versionRows[0]?.server_version ?? '?'} (schema ${schema})\n` +
      `load average at the start: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(', ')}`,
  );

  await migrateToLatest(database);
  let started = performance.now();
  if (REUSE) {
    console.log(`reusing the data in schema ${REUSE} (migrated to the latest)`);
    // A run stopped while generating keeps the history without the reports, added in one transaction.
    const { rows: reported } = await sql<{ any: boolean }>`
      select exists (select 1 from reports) as any`.execute(db);
    if (!reported[0]?.any) await addReportsAndApplications(db);
  } else await generate(db);
  // VACUUM as well as ANALYZE: a live database has been vacuumed, and without it every index-only scan
  // would still read the table to learn which rows are visible.
  started = performance.now();
  await sql`vacuum (analyze)`.execute(db);
  const { rows: sizeRows } = await sql<{ size: string }>`
    select pg_size_pretty(sum(pg_total_relation_size(c.oid))) as size
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r'`.execute(db);
  console.log(
    `vacuumed and analyzed in ${seconds(performance.now() - started)}; tables and indexes: ${sizeRows[0]?.size}`,
  );
  const { rows: shape } = await sql<{ table: string; n: number }>`
    select c.relname as table, c.reltuples::bigint as n
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r' and c.reltuples >= 1000
    order by c.reltuples desc`.execute(db);
  console.log(`rows (estimated by ANALYZE): ${shape.map((r) => `${r.table} ${count(r.n)}`).join(', ')}`);

  const periods: [label: string, period: Period][] = [
    ['year', yearsTo(YEAR_FROM, 1)],
    ['ten years', yearsTo(YEAR_FROM, 10)],
  ];
  console.log(`\nperiods: ${periods.map(([label, p]) => `${label} ${p.from} to ${p.to}`).join('; ')}`);

  const timings: Timing[] = [];
  const slow: { name: string; period: Period; figure: (typeof FIGURES)[number] }[] = [];
  const only = (process.env.BENCH_STATS_FIGURES ?? '').split(',').filter(Boolean);
  for (const figure of FIGURES.filter((f) => only.length === 0 || only.includes(f.id))) {
    for (const [label, period] of periods) {
      const timing = await time(figure.id, label, async () => {
        const result = await computeFigure(db, figure, period, { n: OWNER_GROUPS });
        return `${result.rows.length} rows`;
      });
      console.log(`  ${figure.id.padEnd(32)} ${label.padEnd(10)} ${timing.median.toFixed(0).padStart(6)} ms`);
      timings.push(timing);
      if (timing.median >= GOAL_MS) slow.push({ name: `${figure.id} (${label})`, period, figure });
    }
  }

  // The public search, through the whole service as a member of the public calls it.
  const app = await buildApp({
    config: loadConfig({
      DATA_DIR: 'memory://',
      DEMO_DATA: '0',
      SESSION_SECRET: randomBytes(24).toString('hex'),
      LOG_LEVEL: 'silent',
    }),
    database,
  });
  try {
    const { rows: sample } = await sql<{ urn: string }>`
      select p.urn from reports r join inspections i on i.id = r.inspection_id
      join providers p on p.id = i.provider_id order by r.id limit 1`.execute(db);
    const searches: [string, string][] = [
      ['first page, no query', '/api/reports'],
      ['a name (q=Willow)', '/api/reports?q=Willow'],
      ['a name and grade (q=Willow&grade=inadequate)', '/api/reports?q=Willow&grade=inadequate'],
      [`a URN (q=${sample[0]?.urn ?? '?'})`, `/api/reports?q=${sample[0]?.urn ?? 'none'}`],
      ['a local authority (localAuthority=Leeds)', '/api/reports?localAuthority=Leeds'],
    ];
    for (const [label, url] of searches) {
      const timing = await time(`GET /api/reports: ${label}`, '–', async () => {
        const response = await app.inject({ method: 'GET', url });
        if (response.statusCode !== 200)
          throw new Error(`${url} answered ${response.statusCode}: ${response.body}`);
        const body = response.json<{ items: unknown[]; total: number }>();
        return `${body.items.length} of ${count(body.total)}`;
      });
      console.log(`  ${timing.name.padEnd(60)} ${timing.median.toFixed(0).padStart(6)} ms`);
      timings.push(timing);
      if (timing.median >= GOAL_MS) {
        console.log(`\n--- EXPLAIN of ${url} ---`);
        const plans = await explainStatements(schema, async (recorder) => {
          const probe = await buildApp({
            config: loadConfig({
              DATA_DIR: 'memory://',
              DEMO_DATA: '0',
              SESSION_SECRET: randomBytes(24).toString('hex'),
              LOG_LEVEL: 'silent',
            }),
            database: { ...database!, db: recorder },
          });
          try {
            await probe.inject({ method: 'GET', url });
          } finally {
            await probe.close();
          }
        });
        for (const { sql: text, ms, plan } of plans) {
          console.log(`\n(${ms.toFixed(0)} ms when recorded) ${text.replace(/\s+/g, ' ').trim()}`);
          console.log(`\nEXPLAIN (ANALYZE, BUFFERS):\n${plan}`);
        }
      }
    }
  } finally {
    await app.close();
  }

  for (const { name, period, figure } of slow) {
    const plans = await explainStatements(
      schema,
      (recorder) => computeFigure(recorder, figure, period, { n: OWNER_GROUPS }),
      ['jit = off', "work_mem = '64MB'"],
    );
    for (const [index, { sql: text, ms, plan }] of plans.entries()) {
      console.log(
        `\n--- ${name}: statement ${index + 1} of ${plans.length} (${ms.toFixed(0)} ms when recorded) ---`,
      );
      console.log(text.replace(/\s+/g, ' ').trim());
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS):\n${plan}`);
    }
  }

  console.log(
    `\nload average at the end: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(', ')}`,
  );
  console.log(`\n| figure | period | median of ${RUNS} | runs (ms) | result | goal |`);
  console.log('|---|---|--:|---|---|---|');
  for (const t of timings) {
    console.log(
      `| ${t.name} | ${t.period} | ${t.median.toFixed(0)} ms | ${t.runs.map((r) => r.toFixed(0)).join(', ')} | ` +
        `${t.rows} | ${t.median < GOAL_MS ? 'met' : '**not met**'} (< ${GOAL_MS} ms) |`,
    );
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error('Stopping: dropping the schema…');
    cleanUp().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
