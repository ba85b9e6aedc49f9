/**
 * The service over HTTP against the bare stack, on a generated national-style data set, in one run:
 *
 *   npx tsx bench/http.ts        (also the last part of `npm run bench`)
 *
 * On real PostgreSQL (a fresh schema, dropped at the end):
 *   - generation: `generateNationalData` (what `inspectorate generate` runs) in rows per second, against
 *     PostgreSQL's own COPY of the same rows into empty copies of the same tables (goal ratio >= 0.3);
 *   - read: GET /api/inspections/{id} and the provider search GET /api/providers, against a bare Fastify
 *     route running the very statements the service's store sends for the same request (recorded from it)
 *     through a plain pg.Pool of the same size (goal ratio >= 0.6);
 *   - write: POST /api/inspections/{id}/evidence (validation, authorisation, the audit entry), against a
 *     bare route doing one INSERT into the same evidence table (goal ratio >= 0.5): each request to the
 *     next of 200 inspections on site (as hundreds of inspectors write at once), and all to one inspection;
 *   - p99 latency of each at 50 connections (goal under 50 ms).
 * Embedded (PGlite): the time from `npm start` (`node bin/inspectorate.js serve` on a fresh DATA_DIR) to a
 * healthy service with its demo data, and the same two reads against PGlite itself.
 *
 * autocannon runs in a child process (this file with `--load`), over 127.0.0.1, alternating service and
 * baseline (A, B, A, B) so that noise on the machine hits both alike. The service is signed in with an API
 * token from POST /api/tokens (a session in the database, as a person's would be); API requests need no
 * CSRF token.
 *
 * Settings (environment): BENCH_DATABASE_URL, BENCH_HTTP_PROVIDERS (20000), BENCH_HTTP_YEARS (10),
 * BENCH_HTTP_EMBEDDED_PROVIDERS (1000), BENCH_CONNECTIONS (50), BENCH_SECONDS (5), BENCH_ROUNDS (2),
 * BENCH_WARMUP (2), BENCH_WRITE_INSPECTIONS (200), BENCH_HTTP_PARTS (generate,postgres,start,embedded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createPGlite, databaseOnPGlite, openDatabase, type Database, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { seedDemoData } from '../src/demo/seed.js';
import { generateNationalData, type NationalDataCounts } from '../src/generate/national-data.js';
import { inspectionRecord } from '../src/inspections/record.js';
import { searchProviders } from '../src/providers/store.js';
import { DATABASE_URL, dropSchema, listSetting, numberSetting } from './settings.js';

// --- The load, in a child process ------------------------------------------------------------------------

interface LoadSpec {
  url: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  requests: { method: 'GET' | 'POST'; path: string; body?: string }[];
}

interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

if (process.argv[2] === '--load') {
  const spec = JSON.parse(process.argv[3] ?? '') as LoadSpec;
  // autocannon's declarations in bench/autocannon.d.ts leave out the request body, which it accepts.
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: spec.headers,
    requests: spec.requests,
  } as Parameters<typeof autocannon>[0]);
  const summary: LoadResult = {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  process.stdout.write(JSON.stringify(summary));
  process.exit(0);
}

// --- Settings --------------------------------------------------------------------------------------------

const PROVIDERS = numberSetting('BENCH_HTTP_PROVIDERS', 20_000);
const YEARS = numberSetting('BENCH_HTTP_YEARS', 10);
const EMBEDDED_PROVIDERS = numberSetting('BENCH_HTTP_EMBEDDED_PROVIDERS', 1000);
const CONNECTIONS = numberSetting('BENCH_CONNECTIONS', 50);
const SECONDS = numberSetting('BENCH_SECONDS', 5);
const ROUNDS = numberSetting('BENCH_ROUNDS', 2);
const WARMUP_SECONDS = numberSetting('BENCH_WARMUP', 2);
const PARTS = new Set(listSetting('BENCH_HTTP_PARTS', 'generate,postgres,start,embedded'));
const POOL_SIZE = 10; // the service's default; the baseline's pool gets the same
const PASSWORD = 'demo-password-for-the-benchmark';
const SEED = 'bench-http';
const INSPECTIONS_READ = 20;
const WRITE_INSPECTIONS = numberSetting('BENCH_WRITE_INSPECTIONS', 200);
const GOALS = { read: 0.6, write: 0.5, p99: 50, generate: 0.3 };

// --- Recording what the service sends ---------------------------------------------------------------------

interface Statement {
  sql: string;
  params: unknown[];
}

/** Every statement sent through the service's Kysely while `on`; the benchmark reads it before loading. */
const recording = { on: false, statements: [] as Statement[] };
const onQuery = (text: string, parameters: readonly unknown[]) => {
  if (recording.on) recording.statements.push({ sql: text, params: [...parameters] });
};

async function recorded(work: () => Promise<unknown>): Promise<Statement[]> {
  recording.statements = [];
  recording.on = true;
  try {
    await work();
  } finally {
    recording.on = false;
  }
  return recording.statements;
}

// --- Databases -------------------------------------------------------------------------------------------

interface Subject {
  kind: 'postgres' | 'embedded';
  database: Database;
  /** The bare way to run a statement: a plain pg.Pool, or PGlite itself. */
  run(statement: Statement): Promise<unknown[]>;
  dispose(): Promise<void>;
}

async function openPostgres(schema: string): Promise<Subject> {
  const database = await openDatabase({
    databaseUrl: DATABASE_URL,
    dataDir: '',
    schema,
    poolSize: POOL_SIZE,
    onQuery,
  });
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: POOL_SIZE,
    options: `-c search_path="${schema}"`,
  });
  return {
    kind: 'postgres',
    database,
    run: async ({ sql: text, params }) => (await pool.query(text, params)).rows,
    async dispose() {
      await pool.end().catch(() => undefined);
      await database.close().catch(() => undefined);
    },
  };
}

async function openEmbedded(): Promise<Subject> {
  const pglite = await createPGlite('memory://');
  const database = databaseOnPGlite(pglite, null, onQuery);
  return {
    kind: 'embedded',
    database,
    run: async ({ sql: text, params }) => (await pglite.query(text, params)).rows,
    dispose: () => database.close(),
  };
}

const totalRows = (counts: NationalDataCounts) => Object.values(counts).reduce((sum, n) => sum + n, 0);

async function fill(subject: Subject, providers: number) {
  await migrateToLatest(subject.database);
  await seedDemoData(subject.database.db, PASSWORD);
  const started = Date.now();
  const counts = await generateNationalData(subject.database.db, { providers, years: YEARS, seed: SEED });
  const ms = Date.now() - started;
  await sql`analyze`.execute(subject.database.db);
  return { counts, ms };
}

// --- Generation against COPY ---------------------------------------------------------------------------------

const GENERATED_TABLES = [
  'people',
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
];

/**
 * PostgreSQL's own COPY of the same rows: every table written out to a file by the server (not timed), then
 * read back by COPY into an empty copy of the table with the same indexes (timed). Rows per second.
 */
async function copyRate(db: Db, schema: string): Promise<{ rows: number; ms: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-bench-copy-'));
  await chmod(dir, 0o777); // the server writes and reads the files
  let rows = 0;
  let ms = 0;
  try {
    for (const table of GENERATED_TABLES) {
      const file = path.join(dir, `${table}.copy`);
      const copyTable = `"${schema}"."copy_${table}"`;
      await sql.raw(`copy "${schema}"."${table}" to '${file}'`).execute(db);
      await sql
        .raw(`create table ${copyTable} (like "${schema}"."${table}" including defaults including indexes)`)
        .execute(db);
      const started = Date.now();
      await sql.raw(`copy ${copyTable} from '${file}'`).execute(db);
      ms += Date.now() - started;
      const { rows: copied } = await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.raw(copyTable)}`.execute(db);
      rows += copied[0]?.n ?? 0;
      await sql.raw(`drop table ${copyTable}`).execute(db);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return { rows, ms };
}

// --- Servers -----------------------------------------------------------------------------------------------

async function startService(subject: Subject) {
  const config = loadConfig({
    DATA_DIR: 'memory://',
    DEMO_DATA: '1',
    DEMO_PASSWORD: PASSWORD,
    SIGN_IN_RATE_LIMIT: '1000',
    SIGN_IN_ADDRESS_RATE_LIMIT: '1000',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp({ config, database: subject.database });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const response = await fetch(`${url}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'inspector@demo.invalid', password: PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`POST /api/tokens answered ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return { app, url, headers: { authorization: `Bearer ${token}` } };
}

interface Recorded {
  inspections: Statement[][];
  providers: Statement[][];
}

/**
 * The bare server: no plugins, no authentication, no validation, no response schema. Its routes run the
 * recorded statements (an inspection's first, then the rest at once, as the store does; a search's two at
 * once) or one INSERT, and answer the rows as JSON.
 */
async function startBaseline(
  subject: Subject,
  statements: Recorded,
  evidenceFor: { inspectionIds: string[]; personId: string },
) {
  const app = Fastify();
  app.get('/inspections/:n', async (request) => {
    const list = statements.inspections[Number((request.params as { n: string }).n)]!;
    const first = await subject.run(list[0]!);
    const rest = await Promise.all(list.slice(1).map((s) => subject.run(s)));
    return { first, rest };
  });
  app.get('/providers/:n', async (request) => {
    const list = statements.providers[Number((request.params as { n: string }).n)]!;
    return Promise.all(list.map((s) => subject.run(s)));
  });
  app.post('/evidence/:n', async (request, reply) => {
    const body = request.body as { source: string; summary: string };
    const inspectionId = evidenceFor.inspectionIds[Number((request.params as { n: string }).n)]!;
    const rows = await subject.run({
      sql:
        'insert into evidence (id, version, inspection_id, source, summary, recorded_by) ' +
        'values (gen_random_uuid(), 1, $1, $2, $3, $4) returning id',
      params: [inspectionId, body.source, body.summary, evidenceFor.personId],
    });
    return reply.status(201).send(rows[0]);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url };
}

// --- Load ------------------------------------------------------------------------------------------------

let running: ChildProcess | null = null;
let stopping = false;

function load(spec: LoadSpec, name: string, warmUp = false): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    if (stopping) return reject(new Error('stopped'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', import.meta.filename, '--load', JSON.stringify(spec)],
      {
        cwd: path.resolve(import.meta.dirname, '..'),
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    running = child;
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      running = null;
      if (code !== 0) return reject(new Error(stopping ? 'stopped' : `autocannon exited with ${code}`));
      const result = JSON.parse(output) as LoadResult;
      if (result.errors > 0 || result.non2xx > 0 || (result.requests === 0 && !warmUp))
        return reject(
          new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.requests}`),
        );
      resolve(result);
    });
  });
}

interface Pair {
  label: string;
  service: LoadSpec;
  baseline: LoadSpec;
}

interface Measured {
  label: string;
  database: string;
  service: LoadResult;
  baseline: LoadResult;
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

async function measure(database: string, pair: Pair): Promise<Measured> {
  await load({ ...pair.service, seconds: WARMUP_SECONDS }, `${pair.label} warm-up`, true);
  await load({ ...pair.baseline, seconds: WARMUP_SECONDS }, `${pair.label} baseline warm-up`, true);
  const runs: { service: LoadResult[]; baseline: LoadResult[] } = { service: [], baseline: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const side of ['service', 'baseline'] as const) {
      const result = await load(pair[side], `${pair.label} ${side}`);
      runs[side].push(result);
      console.log(
        `  ${pair.label.padEnd(42)} round ${round} ${side.padEnd(8)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${String(result.p99).padStart(5)} ms`,
      );
    }
  }
  const summary = (results: LoadResult[]): LoadResult => ({
    requestsPerSecond: mean(results.map((r) => r.requestsPerSecond)),
    p50: mean(results.map((r) => r.p50)),
    p99: mean(results.map((r) => r.p99)),
    requests: results.reduce((sum, r) => sum + r.requests, 0),
    errors: 0,
    non2xx: 0,
  });
  return { label: pair.label, database, service: summary(runs.service), baseline: summary(runs.baseline) };
}

const SEARCHES = ['page=3', 'page=1&q=oak'];
const EVIDENCE = {
  source: 'observation',
  summary: 'Observed the evening routine: children were settled and staff knew them well.',
};

/** Records the statements, starts both servers, and loads the reads (and, on PostgreSQL, the write). */
async function loadBoth(subject: Subject, withWrite: boolean): Promise<Measured[]> {
  const db = subject.database.db;
  const database = subject.kind === 'postgres' ? 'PostgreSQL' : 'embedded (PGlite)';
  const inspections = await db
    .selectFrom('inspections')
    .where('status', '=', 'completed')
    .where('type', '=', 'full')
    .select('id')
    .orderBy('id')
    .limit(INSPECTIONS_READ)
    .execute();
  const statements: Recorded = { inspections: [], providers: [] };
  for (const { id } of inspections)
    statements.inspections.push(await recorded(() => inspectionRecord(db, id)));
  for (const search of SEARCHES) {
    const query = new URLSearchParams(search);
    statements.providers.push(
      await recorded(() =>
        searchProviders(
          db,
          { kind: 'all' },
          {
            page: Number(query.get('page')),
            pageSize: 25,
            q: query.get('q') ?? undefined,
          },
        ),
      ),
    );
  }
  const inspector = await db
    .selectFrom('people')
    .where('email', '=', 'inspector@demo.invalid')
    .select('id')
    .executeTakeFirstOrThrow();
  const onSite = await db
    .selectFrom('inspections')
    .where('status', '=', 'on-site')
    .where('lead_inspector_id', '=', inspector.id)
    .select('id')
    .executeTakeFirstOrThrow();
  // Hundreds of inspectors write at once, each on their own inspection: generated planned inspections are
  // put on site, led by the demo inspector (the only inspector who can sign in), and each write goes to the
  // next one in turn. The single-inspection write is kept beside it as the worst case (a team on one site).
  const spread = withWrite
    ? (
        await db
          .updateTable('inspections')
          .set({ status: 'on-site', lead_inspector_id: inspector.id })
          .where(
            'id',
            'in',
            db
              .selectFrom('inspections')
              .where('status', '=', 'planned')
              .select('id')
              .orderBy('id')
              .limit(WRITE_INSPECTIONS),
          )
          .returning('id')
          .execute()
      ).map((r) => r.id)
    : [];
  if (withWrite && spread.length < WRITE_INSPECTIONS)
    console.log(`  only ${spread.length} planned inspections to put on site for the spread writes`);
  const evidence = await db
    .selectFrom('evidence')
    .where('inspection_id', '=', inspections[0]!.id)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  console.log(
    `  reading ${inspections.length} completed inspections (the first with ${evidence.n} pieces of evidence, ` +
      `${statements.inspections[0]!.length} statements each) and ${SEARCHES.length} provider searches`,
  );

  const servers: FastifyInstance[] = [];
  try {
    const service = await startService(subject);
    servers.push(service.app);
    const baseline = await startBaseline(subject, statements, {
      inspectionIds: [onSite.id, ...spread],
      personId: inspector.id,
    });
    servers.push(baseline.app);
    const spec = (
      url: string,
      headers: Record<string, string>,
      requests: LoadSpec['requests'],
    ): LoadSpec => ({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers,
      requests,
    });
    const pairs: Pair[] = [
      {
        label: 'read GET /api/inspections/{id}',
        service: spec(
          service.url,
          service.headers,
          inspections.map(({ id }) => ({ method: 'GET', path: `/api/inspections/${id}` })),
        ),
        baseline: spec(
          baseline.url,
          {},
          inspections.map((_, n) => ({ method: 'GET', path: `/inspections/${n}` })),
        ),
      },
      {
        label: 'read GET /api/providers (search)',
        service: spec(
          service.url,
          service.headers,
          SEARCHES.map((s) => ({ method: 'GET', path: `/api/providers?${s}` })),
        ),
        baseline: spec(
          baseline.url,
          {},
          SEARCHES.map((_, n) => ({ method: 'GET', path: `/providers/${n}` })),
        ),
      },
    ];
    if (withWrite) {
      const json = { 'content-type': 'application/json' };
      const body = JSON.stringify(EVIDENCE);
      // Index 0 of the baseline's list is the demo inspection on site; the spread ones follow it.
      if (spread.length > 0)
        pairs.push({
          label: `write POST …/evidence, ${spread.length} inspections`,
          service: spec(
            service.url,
            { ...service.headers, ...json },
            spread.map((id) => ({ method: 'POST', path: `/api/inspections/${id}/evidence`, body })),
          ),
          baseline: spec(
            baseline.url,
            json,
            spread.map((_, n) => ({ method: 'POST', path: `/evidence/${n + 1}`, body })),
          ),
        });
      pairs.push({
        label: 'write POST …/evidence, one inspection',
        service: spec(service.url, { ...service.headers, ...json }, [
          { method: 'POST', path: `/api/inspections/${onSite.id}/evidence`, body },
        ]),
        baseline: spec(baseline.url, json, [{ method: 'POST', path: '/evidence/0', body }]),
      });
    }
    const results: Measured[] = [];
    for (const pair of pairs) results.push(await measure(database, pair));
    return results;
  } finally {
    for (const server of servers.reverse()) await server.close().catch(() => undefined);
  }
}

// --- npm start ----------------------------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `node bin/inspectorate.js serve` (what `npm start` runs) on a fresh DATA_DIR, until /healthz answers 200. */
async function timeToHealthy(): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-bench-start-'));
  const port = await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, ['bin/inspectorate.js', 'serve'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    // Only what an operator would set: none of this process's own settings.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: os.homedir(),
      DATA_DIR: dir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running = child;
  try {
    for (;;) {
      if (stopping || child.exitCode !== null) throw new Error(`the service stopped (${child.exitCode})`);
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      if (answer?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const ms = Date.now() - started;
    // With its demo data: the demo accounts sign in.
    const token = await fetch(`http://127.0.0.1:${port}/api/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'planner@demo.invalid', password: 'demo-password-2026' }),
    });
    if (token.status !== 201) throw new Error(`the demo planner could not sign in (${token.status})`);
    return ms;
  } finally {
    const exited = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGTERM');
    await exited;
    running = null;
    await rm(dir, { recursive: true, force: true });
  }
}

// --- Main ------------------------------------------------------------------------------------------------

function ratioCell(ratio: number, goal: number) {
  return `${ratio.toFixed(2)} (goal ≥ ${goal}: ${ratio >= goal ? 'met' : 'NOT met'})`;
}

async function main() {
  const started = Date.now();
  console.log(
    `The service against the bare stack over HTTP\n` +
      `machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}\n` +
      `runs: ${SECONDS} s each, ${ROUNDS} alternating rounds, ${CONNECTIONS} connections; data: ${PROVIDERS} providers ` +
      `and ${YEARS} years on PostgreSQL, ${EMBEDDED_PROVIDERS} on PGlite (seed ${SEED})`,
  );
  const lines: string[] = [];
  const measured: Measured[] = [];

  if (PARTS.has('generate') || PARTS.has('postgres')) {
    const schema = `bench_http_${randomBytes(6).toString('hex')}`;
    const subject = await openPostgres(schema);
    try {
      const version = (
        await sql<{ v: string }>`select current_setting('server_version') as v`.execute(subject.database.db)
      ).rows[0]?.v;
      console.log(`\nPostgreSQL ${version} (schema ${schema})`);
      const { counts, ms } = await fill(subject, PROVIDERS);
      const rows = totalRows(counts);
      console.log(
        `  generated ${rows.toLocaleString('en-GB')} rows in ${(ms / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`,
      );
      if (PARTS.has('generate')) {
        const copy = await copyRate(subject.database.db, schema);
        const generated = rows / (ms / 1000);
        const copied = copy.rows / (copy.ms / 1000);
        console.log(
          `  COPY of the same tables: ${copy.rows.toLocaleString('en-GB')} rows in ${(copy.ms / 1000).toFixed(1)} s`,
        );
        lines.push(
          `| generation, rows/s (PostgreSQL) | ${Math.round(generated).toLocaleString('en-GB')} | ` +
            `COPY ${Math.round(copied).toLocaleString('en-GB')} | ${ratioCell(generated / copied, GOALS.generate)} | |`,
        );
      }
      if (PARTS.has('postgres')) measured.push(...(await loadBoth(subject, true)));
    } finally {
      await subject.dispose();
      await dropSchema(schema);
    }
  }

  let startMs: number | null = null;
  if (PARTS.has('start')) {
    console.log('\nnpm start on a fresh embedded database');
    startMs = await timeToHealthy();
    console.log(`  healthy with demo data after ${startMs} ms`);
  }

  if (PARTS.has('embedded')) {
    const subject = await openEmbedded();
    try {
      console.log('\nembedded PGlite (in memory)');
      const { counts, ms } = await fill(subject, EMBEDDED_PROVIDERS);
      console.log(
        `  generated ${totalRows(counts).toLocaleString('en-GB')} rows in ${(ms / 1000).toFixed(1)} s`,
      );
      measured.push(...(await loadBoth(subject, false)));
    } finally {
      await subject.dispose();
    }
  }

  for (const m of measured) {
    const ratio = m.service.requestsPerSecond / m.baseline.requestsPerSecond;
    const goal = m.label.startsWith('write') ? GOALS.write : GOALS.read;
    const p99 =
      m.database === 'PostgreSQL'
        ? `${m.service.p99.toFixed(0)} ms (goal < ${GOALS.p99}: ${m.service.p99 < GOALS.p99 ? 'met' : 'NOT met'})`
        : `${m.service.p99.toFixed(0)} ms`;
    lines.push(
      `| ${m.label}, req/s (${m.database}) | ${m.service.requestsPerSecond.toFixed(0)}, p99 ${p99} | ` +
        `${m.baseline.requestsPerSecond.toFixed(0)}, p99 ${m.baseline.p99.toFixed(0)} ms | ${ratioCell(ratio, goal)} | |`,
    );
  }
  if (startMs !== null) lines.push(`| npm start to healthy with demo data (PGlite) | ${startMs} ms | | | |`);

  console.log(
    `\n| measure | service | baseline | ratio | |\n|---|--:|--:|--:|---|\n${lines.join('\n')}\n\n` +
      `Figures are means of ${ROUNDS} alternating run(s) of ${SECONDS} s at ${CONNECTIONS} connections. ` +
      `Load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}. Total ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Stop the load; main() then closes the servers and drops the schema on its way out.
    stopping = true;
    running?.kill('SIGTERM');
    process.exitCode = 130;
  });
}

try {
  await main();
} catch (error) {
  console.error(stopping ? 'Stopped; cleaned up.' : error);
  process.exitCode ||= 1;
}
