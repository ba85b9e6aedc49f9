/**
 * The plan at national scale: how long `planFor` and `workloadByMonth` take for the whole country.
 *
 *   npm run bench            (after the provider list benchmark)
 *   npx tsx bench/plan.ts    (alone)
 *
 * In a fresh schema `bench_plan_<random>` on a real PostgreSQL server it migrates, generates a national
 * register with its history in the database (bench/national-data.ts: 100,000 providers, ten years of
 * inspections with grades, requirements, concerns, notifications and changes of manager or owner),
 * runs ANALYZE, then times each query: one warm-up, then BENCH_PLAN_RUNS runs, printing the median
 * against the goal of one second. It prints EXPLAIN (ANALYZE, BUFFERS) of every statement the plan
 * sends, captured from the query itself, so the plan shown is always the one in use. It checks that the
 * due dates stored on provider_schedule give the same page and workload as dates worked out from
 * scratch, and fails if not. The schema is dropped at the end, also on Ctrl-C.
 *
 * Settings (environment): BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
 * BENCH_PLAN_PROVIDERS (100000), BENCH_PLAN_YEARS (10), BENCH_PLAN_RUNS (5), BENCH_PLAN_SEED (national),
 * BENCH_PLAN_TODAY (today in England).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { englishDate } from '../src/clock.js';
import { openDatabase, type Database, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Schema } from '../src/db/schema.js';
import { intervalTable } from '../src/planning/rules.js';
import { planFor, workloadByMonth } from '../src/planning/store.js';
import { generateNationalData } from './national-data.js';
import { DATABASE_URL, dropSchema, numberSetting } from './settings.js';

const PROVIDERS = numberSetting('BENCH_PLAN_PROVIDERS', 100_000);
const YEARS = numberSetting('BENCH_PLAN_YEARS', 10);
const RUNS = numberSetting('BENCH_PLAN_RUNS', 5);
const SEED = process.env.BENCH_PLAN_SEED || 'national';
const TODAY = process.env.BENCH_PLAN_TODAY || englishDate(new Date());
const GOAL_MS = 1000;
const PAGE_SIZE = 50;

if (!/^\d{4}-\d{2}-\d{2}$/.test(TODAY)) throw new Error(`BENCH_PLAN_TODAY must be an ISO date, not ${TODAY}`);

/** A day `months` after `day`, clamped to the month's end. */
function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Timing {
  name: string;
  runs: number[];
  median: number;
  rows: string;
}

async function time(name: string, work: () => Promise<string>): Promise<Timing> {
  await work(); // warm-up: caches and the planner's first look, not measured
  const runs: number[] = [];
  let rows = '';
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    rows = await work();
    runs.push(performance.now() - started);
  }
  return { name, runs, median: median(runs), rows };
}

/**
 * Runs `work` on a Kysely that records each statement it sends, with its duration, over its own
 * connection to the same schema; then EXPLAIN (ANALYZE, BUFFERS) of each, slowest first.
 */
async function explainStatements(schema: string, work: (db: Db) => Promise<unknown>) {
  const recorded: { query: CompiledQuery; ms: number }[] = [];
  // JIT off and work_mem as in the plan's own transactions (src/planning/store.ts), so that the plans shown are theirs.
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: 1,
    options: `-c search_path="${schema}" -c jit=off -c work_mem=64MB`,
  });
  const db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool }),
    log(event) {
      if (event.level === 'query') recorded.push({ query: event.query, ms: event.queryDurationMillis });
    },
  });
  try {
    await work(db);
    const plans: { sql: string; ms: number; plan: string }[] = [];
    const queries = recorded.filter(({ query }) => /^\s*(with|select)\b/i.test(query.sql)); // not begin, set, commit
    for (const { query, ms } of queries.sort((a, b) => b.ms - a.ms)) {
      const result = await pool.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers) ${query.sql}`,
        query.parameters as unknown[],
      );
      plans.push({ sql: query.sql, ms, plan: result.rows.map((r) => r['QUERY PLAN']).join('\n') });
    }
    return plans;
  } finally {
    await db.destroy();
  }
}

let database: Database | undefined;
let schema: string | undefined;

async function cleanUp() {
  const dropping = schema;
  schema = undefined;
  await database?.close().catch(() => undefined);
  database = undefined;
  if (dropping) await dropSchema(dropping);
}

async function main() {
  schema = `bench_plan_${randomBytes(6).toString('hex')}`;
  database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: '', schema, poolSize: 2 });
  const db = database.db;
  const { rows: versionRows } = await sql<{ server_version: string }>`show server_version`.execute(db);
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `The plan at national scale\n` +
      `machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB memory, ` +
      `Node ${process.version}, PostgreSQL ${versionRows[0]?.server_version ?? '?'} (schema ${schema})`,
  );

  await migrateToLatest(database);
  console.log('generating…');
  let started = performance.now();
  const counts = await generateNationalData(db, {
    providers: PROVIDERS,
    years: YEARS,
    seed: SEED,
    today: TODAY,
    onStep: (step, rows, ms) =>
      console.log(
        `  ${step.padEnd(28)} ${(rows ? rows.toLocaleString('en-GB') : '').padStart(10)}  ${seconds(ms)}`,
      ),
  });
  const generated = performance.now() - started;
  console.log(`generated in ${seconds(generated)} (seed '${SEED}', history to ${TODAY}):`);
  for (const [table, n] of Object.entries(counts))
    console.log(`  ${table.padEnd(16)} ${n.toLocaleString('en-GB')}`);
  started = performance.now();
  await sql`analyze`.execute(db);
  const { rows: sizeRows } = await sql<{ size: string }>`
    select pg_size_pretty(sum(pg_total_relation_size(c.oid))) as size
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'r'`.execute(db);
  console.log(
    `analyzed in ${seconds(performance.now() - started)}; tables and indexes: ${sizeRows[0]?.size}`,
  );

  // A quarter from today, as the planner opens the plan.
  const query = { from: TODAY, to: addMonths(TODAY, 3), today: TODAY, page: 1, pageSize: PAGE_SIZE };
  const year = { from: TODAY, to: addMonths(TODAY, 12), today: TODAY };
  console.log(
    `\nplan for ${query.from} to ${query.to}, page 1 of ${PAGE_SIZE}; workload for ${year.from} to ${year.to}`,
  );
  const planPage = async (on: Db) => {
    const page = await planFor(on, query);
    return `${page.items.length} rows of ${page.total.toLocaleString('en-GB')}`;
  };
  const workload = async (on: Db) => {
    const months = await workloadByMonth(on, year);
    return `${months.length} months, ${months.reduce((n, m) => n + m.count, 0).toLocaleString('en-GB')} inspections`;
  };
  const timings = [
    await time('planFor (page 1 of 50)', () => planPage(db)),
    await time('workloadByMonth (12 months)', () => workload(db)),
  ];
  // The same on connections with PostgreSQL's JIT compiler off: for queries this size it can spend
  // seconds compiling, more than it saves (the query plans below show its timing).
  const noJit = new Kysely<Schema>({
    dialect: new PostgresDialect({
      pool: new pg.Pool({
        connectionString: DATABASE_URL,
        max: 1,
        options: `-c search_path="${schema}" -c jit=off -c work_mem=64MB`,
      }),
    }),
  });
  try {
    timings.push(await time('planFor, JIT off', () => planPage(noJit)));
    timings.push(await time('workloadByMonth, JIT off', () => workload(noJit)));
  } finally {
    await noJit.destroy();
  }

  // The stored dates against the same plan worked out from scratch (an override equal to the current
  // interval takes the what-if's path, which works out every provider's dates at query time).
  const current = intervalTable()[0]!;
  const same = [{ frameworkId: current.frameworkId, gradeId: current.gradeId, months: current.months }];
  const [stored, scratch] = [await planFor(db, query), await planFor(db, { ...query, intervals: same })];
  const [storedYear, scratchYear] = [
    await workloadByMonth(db, year),
    await workloadByMonth(db, { ...year, intervals: same }),
  ];
  const agree =
    JSON.stringify(stored) === JSON.stringify(scratch) &&
    JSON.stringify(storedYear) === JSON.stringify(scratchYear);
  console.log(
    `stored dates give the same page and workload as dates worked out from scratch: ${agree ? 'yes' : 'NO'}`,
  );
  if (!agree) process.exitCode = 1;

  const explained = {
    planFor: await explainStatements(schema, (recorder) => planFor(recorder, query)),
    workloadByMonth: await explainStatements(schema, (recorder) => workloadByMonth(recorder, year)),
  };
  for (const [name, plans] of Object.entries(explained)) {
    for (const [index, { sql: text, ms, plan }] of plans.entries()) {
      console.log(
        `\n--- ${name} statement ${index + 1} of ${plans.length} (${ms.toFixed(0)} ms when recorded) ---`,
      );
      console.log(text.replace(/\s+/g, ' ').trim());
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS):\n${plan}`);
    }
  }

  console.log(`\n| query | median of ${RUNS} | runs (ms) | result | goal |`);
  console.log('|---|--:|---|---|---|');
  for (const t of timings) {
    console.log(
      `| ${t.name} | ${t.median.toFixed(0)} ms | ${t.runs.map((r) => r.toFixed(0)).join(', ')} | ${t.rows} | ` +
        `${t.median < GOAL_MS ? 'met' : 'NOT MET'} (< ${GOAL_MS} ms) |`,
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
