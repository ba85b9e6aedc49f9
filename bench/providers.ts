/**
 * Throughput of the provider register's list API against a bare baseline running the same SQL.
 *
 *   npm run bench
 *
 * For each database (real PostgreSQL, then embedded PGlite in memory) it starts:
 *   A. the whole service (buildApp) answering GET /api/providers with a bearer token, and
 *   B. a bare Fastify server (no plugins, no auth, no validation, no response schema) whose one route
 *      runs the SAME SQL as searchProviders on the same database, through a plain pg.Pool of the same
 *      size (or PGlite itself), and returns the rows as JSON.
 * The requests: page 3 by number and a name search, both with the count, and a deep page of the register
 * by cursor (keyset, no count). Before any data, and again with the real cursor, the statements the
 * service sends are recorded and compared with the baseline's; any difference stops the benchmark.
 * Both are loaded with autocannon over 127.0.0.1, alternately (A, B, A, B), at 10 and 50 connections.
 * The figure that matters is the ratio A/B from one run: absolute figures move with the machine.
 *
 * Settings (environment): BENCH_DATABASE_URL, BENCH_DATABASES (postgres,embedded), BENCH_CONNECTIONS
 * (10,50), BENCH_SECONDS (5 per run), BENCH_ROUNDS (2), BENCH_WARMUP (2 s), BENCH_PROVIDERS (5000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Kysely, PostgresDialect, sql, type Insertable } from 'kysely';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createPGlite, databaseOnPGlite, openDatabase, type Database, type Db } from '../src/db/database.js';
import { encodeCursor } from '../src/db/keyset.js';
import { cursorOf } from '../src/db/keyset-http.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { ProvidersTable, Schema } from '../src/db/schema.js';
import { seedDemoData } from '../src/demo/seed.js';
import { FIRST_WORDS, HOME_WORDS } from '../src/generate/national-data.js';
import { PROVIDER_STATUSES, PROVIDER_TYPES, type ProviderType } from '../src/providers/rules.js';
import { PROVIDER_ORDER, searchProviders } from '../src/providers/store.js';
import { DEMO_PASSWORD } from '../test/support/app.js';
import type { LoadResult, LoadSpec } from './load.js';
import { DATABASE_URL, dropSchema, listSetting, numberSetting } from './settings.js';

type DatabaseKind = 'postgres' | 'embedded';

const DATABASES = listSetting('BENCH_DATABASES', 'postgres,embedded') as DatabaseKind[];
const CONNECTIONS = listSetting('BENCH_CONNECTIONS', '10,50').map(Number);
const SECONDS = numberSetting('BENCH_SECONDS', 5);
const ROUNDS = numberSetting('BENCH_ROUNDS', 2);
const WARMUP_SECONDS = numberSetting('BENCH_WARMUP', 2);
const EXTRA_PROVIDERS = numberSetting('BENCH_PROVIDERS', 5000);
/** The service's own default (openDatabase); the baseline's pg.Pool gets the same. */
const POOL_SIZE = 10;
const PAGE_SIZE = 25;
const GOAL_RATIO = 0.6;

for (const kind of DATABASES) {
  if (kind !== 'postgres' && kind !== 'embedded')
    throw new Error(`BENCH_DATABASES: unknown database ${kind}`);
}
for (const connections of CONNECTIONS) {
  if (!Number.isInteger(connections) || connections < 1)
    throw new Error('BENCH_CONNECTIONS: whole numbers only');
}

/**
 * What a person or a client lists, each connection cycling through all three: page 3 of the whole
 * register by number (`?page=3`, as old links still ask), a name search (`?page=1&q=oak`), both with the
 * count, and a deep page of the register reached by cursor, as a client walking the list by
 * `nextCursor` reaches it (no count, read from the index by key). The cursor is the service's own
 * `nextCursor` for the middle page of the register (see deepCursor), filled in once the data is there.
 */
interface Search {
  page?: number;
  q?: string;
  cursor?: string;
}

function searchesWith(cursor: string): Search[] {
  return [{ page: 3 }, { page: 1, q: 'oak' }, { cursor }];
}

function queryString(search: Search) {
  const params = new URLSearchParams();
  if (search.page !== undefined) params.set('page', String(search.page));
  if (search.q) params.set('q', search.q);
  if (search.cursor) params.set('cursor', search.cursor);
  return params.toString();
}

/** A short name for a request in the output: a cursor is a long opaque string. */
const describe = (search: Search) => (search.cursor ? 'cursor=(deep page)' : queryString(search));

// --- The baseline's SQL, written out, and checked against what the service actually sends -----------

const FROM = ' from "providers" as "p" left join "owner_groups" as "g" on "g"."id" = "p"."owner_group_id"';
// The sort key of each row as text, which the service reads to make the page's cursors.
const KEYS = ', (lower(p.name))::text as "keyset_0", ("p"."id")::text as "keyset_1"';
const ORDER = ' order by lower(p.name) asc, "p"."id" asc';
const nameSearch = (first: number) =>
  `("p"."name" ilike $${first} or "p"."urn" ilike $${first + 1} or "p"."town" ilike $${first + 2} ` +
  `or "p"."postcode" ilike $${first + 3} or "p"."local_authority" ilike $${first + 4})`;
const afterKey = (first: number) =>
  `(lower(p.name), "p"."id") > (cast($${first} as text), cast($${first + 1} as uuid))`;

interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * The sort key a cursor carries, read the bare way: base64url of a JSON array of the list's name, `a`
 * (rows after it), then the key. The benchmark only follows `nextCursor`, so only `a` is handled.
 */
function keyOfCursor(cursor: string): [name: string, id: string] {
  const [, side, name, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as string[];
  if (side !== 'a' || name === undefined || id === undefined) throw new Error(`not a next cursor: ${cursor}`);
  return [name, id];
}

/**
 * The statements the service sends for a request: the page (one row more than the page, to know
 * whether there is a next one; an offset only for a numbered page after the first; after the cursor's
 * key when there is one) and, without a cursor, the count of all matches.
 */
function baselineStatements(search: Search): Statement[] {
  const q = search.q?.trim() || undefined;
  const page = search.page ?? 1;
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(nameSearch(params.length + 1));
    params.push(pattern, pattern, pattern, pattern, pattern);
  }
  const countParams = [...params];
  const countWhere = conditions.length > 0 ? ` where ${conditions.join(' and ')}` : '';
  if (search.cursor) {
    conditions.push(afterKey(params.length + 1));
    params.push(...keyOfCursor(search.cursor));
  }
  const where = conditions.length > 0 ? ` where ${conditions.join(' and ')}` : '';
  let pageSql = `select "p".*, "g"."name" as "owner_group_name"${KEYS}${FROM}${where}${ORDER} limit $${params.length + 1}`;
  params.push(PAGE_SIZE + 1);
  if (!search.cursor && page > 1) {
    pageSql += ` offset $${params.length + 1}`;
    params.push((page - 1) * PAGE_SIZE);
  }
  const statements: Statement[] = [{ sql: pageSql, params }];
  if (!search.cursor)
    statements.push({ sql: `select count(*) as "n"${FROM}${countWhere}`, params: countParams });
  return statements;
}

/** The statements GET /api/providers sends for a request (as its route calls searchProviders), recorded without a database. */
async function serviceStatements(search: Search): Promise<Statement[]> {
  const recorded: Statement[] = [];
  const client = {
    async query(text: string, params: unknown[]) {
      recorded.push({ sql: text, params: [...params] });
      // Only the SQL sent matters here; what comes back is not a provider, so the mapping may fail.
      return { command: 'SELECT', rowCount: 1, rows: [{ n: 1 }] };
    },
    release() {},
  };
  const recorder = new Kysely<Schema>({
    dialect: new PostgresDialect({
      pool: { connect: async () => client, end: async () => undefined } as never,
    }),
  });
  await searchProviders(
    recorder,
    { kind: 'all' },
    {
      q: search.q?.trim() || undefined,
      page: search.page ?? 1,
      pageSize: PAGE_SIZE,
      cursor: cursorOf(PROVIDER_ORDER, search.cursor),
      count: search.cursor === undefined,
    },
  ).catch(() => undefined);
  return recorded;
}

/** The comparison is only fair while the baseline runs exactly what the service runs. */
async function checkBaselineSql(searches: Search[]) {
  for (const search of searches) {
    const service = await serviceStatements(search);
    const baseline = baselineStatements(search);
    if (JSON.stringify(service) !== JSON.stringify(baseline)) {
      throw new Error(
        `The baseline's SQL no longer matches the service's for ${queryString(search)}:\n` +
          `service:  ${JSON.stringify(service)}\nbaseline: ${JSON.stringify(baseline)}`,
      );
    }
  }
}

// --- Databases ------------------------------------------------------------------------------------------

interface Subject {
  kind: DatabaseKind;
  label: string;
  database: Database;
  /** The bare way to run a statement: a plain pg.Pool, or PGlite itself. */
  run(statement: Statement): Promise<unknown[]>;
  dispose(): Promise<void>;
}

async function openPostgres(): Promise<Subject> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: '', schema, poolSize: POOL_SIZE });
  } catch (error) {
    await dropSchema(schema).catch(() => undefined);
    throw error;
  }
  const pool = new pg.Pool({
    connectionString: DATABASE_URL,
    max: POOL_SIZE,
    options: `-c search_path="${schema}"`,
  });
  const version = (await pool.query<{ server_version: string }>('show server_version')).rows[0]
    ?.server_version;
  return {
    kind: 'postgres',
    label: `PostgreSQL ${version ?? ''} (schema ${schema}, pools of ${POOL_SIZE})`,
    database,
    run: async ({ sql: text, params }) => (await pool.query(text, params)).rows,
    async dispose() {
      await pool.end().catch(() => undefined);
      await database.close().catch(() => undefined);
      await dropSchema(schema);
    },
  };
}

/** PGlite in memory, set up as openDatabase sets it up, but keeping hold of PGlite for the baseline. */
async function openEmbedded(): Promise<Subject> {
  const pglite = await createPGlite('memory://');
  const database = databaseOnPGlite(pglite);
  return {
    kind: 'embedded',
    label: 'embedded PGlite (in memory, one session shared through PGlitePool)',
    database,
    run: async ({ sql: text, params }) => (await pglite.query(text, params)).rows,
    dispose: () => database.close(),
  };
}

// --- Data -----------------------------------------------------------------------------------------------

const AGENCY_WORDS: Partial<Record<ProviderType, string>> = {
  'independent-fostering-agency': 'Fostering',
  'voluntary-adoption-agency': 'Adoption',
  'adoption-support-agency': 'Adoption Support',
  'residential-family-centre': 'Family Centre',
  'residential-special-school': 'School',
};
const PLACES: [town: string, localAuthority: string, region: string, outward: string][] = [
  ['Gateshead', 'Gateshead', 'North East', 'NE8'],
  ['Durham', 'County Durham', 'North East', 'DH1'],
  ['Bolton', 'Bolton', 'North West', 'BL1'],
  ['Preston', 'Lancashire', 'North West', 'PR1'],
  ['Bradford', 'Bradford', 'Yorkshire and The Humber', 'BD1'],
  ['Hull', 'Kingston upon Hull', 'Yorkshire and The Humber', 'HU1'],
  ['Derby', 'Derby', 'East Midlands', 'DE1'],
  ['Leicester', 'Leicester', 'East Midlands', 'LE1'],
  ['Coventry', 'Coventry', 'West Midlands', 'CV1'],
  ['Telford', 'Telford and Wrekin', 'West Midlands', 'TF3'],
  ['Norwich', 'Norfolk', 'East of England', 'NR2'],
  ['Luton', 'Luton', 'East of England', 'LU1'],
  ['Croydon', 'Croydon', 'London', 'CR0'],
  ['Enfield', 'Enfield', 'London', 'EN1'],
  ['Reading', 'Reading', 'South East', 'RG1'],
  ['Brighton', 'Brighton and Hove', 'South East', 'BN1'],
  ['Plymouth', 'Plymouth', 'South West', 'PL1'],
  ['Swindon', 'Swindon', 'South West', 'SN1'],
];
const TYPES = Object.keys(PROVIDER_TYPES) as ProviderType[];
const STATUSES = Object.keys(PROVIDER_STATUSES);
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

function extraProvider(i: number, ownerGroupIds: string[]): Insertable<ProvidersTable> {
  // Mostly children's homes, as in the real register; the rest spread over the other types.
  const type: ProviderType =
    i % 10 < 6
      ? 'childrens-home'
      : i % 10 < 8
        ? 'supported-accommodation'
        : TYPES[2 + (i % (TYPES.length - 3))]!;
  const [town, localAuthority, region, outward] = PLACES[(i * 7) % PLACES.length]!;
  const first = FIRST_WORDS[i % FIRST_WORDS.length]!;
  const name = AGENCY_WORDS[type]
    ? `${first} ${AGENCY_WORDS[type]} ${town}`
    : `${first} ${HOME_WORDS[Math.floor(i / FIRST_WORDS.length) % HOME_WORDS.length]}`;
  return {
    urn: String(2_000_000 + i),
    name,
    type,
    sector: i % 9 === 0 ? 'local-authority' : i % 7 === 0 ? 'voluntary' : 'private',
    address_line1: `${1 + ((i * 13) % 180)} ${['Church', 'Station', 'Mill', 'Park', 'Victoria', 'High'][i % 6]} Road`,
    address_line2: i % 5 === 0 ? 'Annexe' : null,
    town,
    postcode: `${outward} ${1 + (i % 9)}${LETTERS[i % 20]}${LETTERS[(i * 7) % 20]}`,
    local_authority: localAuthority,
    region,
    places: type === 'childrens-home' ? 2 + (i % 6) : type === 'supported-accommodation' ? 4 + (i % 10) : 0,
    status: i % 20 === 0 ? STATUSES[1 + (i % (STATUSES.length - 1))]! : 'registered',
    owner_group_id: i % 5 < 2 ? ownerGroupIds[i % ownerGroupIds.length]! : null,
    registered_on: `${2005 + (i % 20)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
  };
}

/** Migrated, the demo data, then the extra providers in multi-row INSERTs of a few hundred. */
async function fill(subject: Subject): Promise<number> {
  const db: Db = subject.database.db;
  await migrateToLatest(subject.database);
  await seedDemoData(db, DEMO_PASSWORD);
  const ownerGroupIds = (await db.selectFrom('owner_groups').select('id').orderBy('name').execute()).map(
    (g) => g.id,
  );
  const BATCH = 500;
  for (let start = 0; start < EXTRA_PROVIDERS; start += BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(start + BATCH, EXTRA_PROVIDERS); i++)
      rows.push(extraProvider(i, ownerGroupIds));
    await db.insertInto('providers').values(rows).execute();
  }
  // Fresh statistics, so that the planner is not working blind and autovacuum does not analyse mid-run.
  await sql`analyze`.execute(db);
  const { n } = await db
    .selectFrom('providers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

// --- Servers ---------------------------------------------------------------------------------------------

async function startService(subject: Subject) {
  const config = loadConfig({
    DATA_DIR: 'memory://',
    DEMO_DATA: '1',
    DEMO_PASSWORD,
    SIGN_IN_RATE_LIMIT: '1000',
    SIGN_IN_ADDRESS_RATE_LIMIT: '1000',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp({ config, database: subject.database });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const response = await fetch(`${url}/api/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'planner@demo.invalid', password: DEMO_PASSWORD }),
  });
  if (response.status !== 201)
    throw new Error(`POST /api/tokens answered ${response.status}: ${await response.text()}`);
  const { token } = (await response.json()) as { token: string };
  return { app, url, headers: { authorization: `Bearer ${token}` } };
}

async function startBaseline(subject: Subject) {
  const app = Fastify();
  app.get('/providers', async (request) => {
    const { page, q, cursor } = request.query as { page?: string; q?: string; cursor?: string };
    const [pageOf, countOf] = baselineStatements({ page: page ? Number(page) : undefined, q, cursor });
    const [rows, counted] = await Promise.all([subject.run(pageOf!), countOf ? subject.run(countOf) : null]);
    // The extra row only says whether there is a next page; like the service, leave it out.
    const items = rows.slice(0, PAGE_SIZE);
    return counted ? { items, total: Number((counted[0] as { n: number | string }).n) } : { items };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, headers: {} as Record<string, string> };
}

/**
 * The cursor a client walking the register by `nextCursor` holds on reaching its middle: the service's
 * own, from its answer for the page before (asked for by number, which is cheaper than walking there).
 */
async function deepCursor(service: { url: string; headers: Record<string, string> }): Promise<string> {
  const ask = async (query: string) => {
    const response = await fetch(`${service.url}/api/providers?${query}`, { headers: service.headers });
    if (response.status !== 200) throw new Error(`?${query}: service ${response.status}`);
    return (await response.json()) as { totalPages?: number; nextCursor: string | null };
  };
  const { totalPages } = await ask('page=1');
  const page = Math.max(1, Math.floor((totalPages ?? 0) / 2));
  const { nextCursor } = await ask(`page=${page}`);
  if (!nextCursor) throw new Error(`page ${page} of the register has no next page: too few providers`);
  console.log(
    `  the page by cursor: ${page + 1} of ${totalPages}, after the service's nextCursor for ${page}`,
  );
  return nextCursor;
}

/** Both servers give the same providers, in the same order, with the same total (or none, by cursor). */
async function checkSameAnswers(searches: Search[], service: Target, baseline: Target) {
  for (const [i, search] of searches.entries()) {
    const fromService = await fetch(`${service.url}${service.paths[i]}`, { headers: service.headers });
    const fromBaseline = await fetch(`${baseline.url}${baseline.paths[i]}`);
    if (fromService.status !== 200 || fromBaseline.status !== 200) {
      throw new Error(`${describe(search)}: service ${fromService.status}, baseline ${fromBaseline.status}`);
    }
    const a = (await fromService.json()) as { items: { id: string }[]; total?: number };
    const b = (await fromBaseline.json()) as { items: { id: string }[]; total?: number };
    const same =
      a.items.length === b.items.length &&
      a.items.every((item, i) => item.id === b.items[i]?.id) &&
      a.total === b.total;
    if (!same || b.items.length === 0)
      throw new Error(`${describe(search)}: the service and the baseline disagree`);
    const of = a.total === undefined ? 'no count' : `of ${a.total}`;
    console.log(`  ${describe(search).padEnd(18)} ${b.items.length} providers (${of}), same on both`);
  }
}

// --- Load -------------------------------------------------------------------------------------------------

interface Target {
  name: 'service' | 'baseline';
  url: string;
  paths: string[];
  headers: Record<string, string>;
}

let running: ChildProcess | null = null;
let stopping = false;

function load(target: Target, connections: number, seconds: number): Promise<LoadResult> {
  const spec: LoadSpec = {
    url: target.url,
    paths: target.paths,
    connections,
    seconds,
    headers: target.headers,
  };
  return new Promise((resolve, reject) => {
    if (stopping) return reject(new Error('stopped'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'load.ts'), JSON.stringify(spec)],
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
      if (result.errors > 0 || result.non2xx > 0 || result.requests === 0) {
        return reject(
          new Error(
            `${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors out of ${result.requests}`,
          ),
        );
      }
      resolve(result);
    });
  });
}

interface Row {
  database: string;
  connections: number;
  service: LoadResult[];
  baseline: LoadResult[];
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

async function measure(subject: Subject, service: Target, baseline: Target): Promise<Row[]> {
  const busiest = Math.max(...CONNECTIONS);
  console.log(`  warm-up: ${WARMUP_SECONDS} s each at ${busiest} connections`);
  await load(service, busiest, WARMUP_SECONDS);
  await load(baseline, busiest, WARMUP_SECONDS);
  const rows: Row[] = [];
  for (const connections of CONNECTIONS) {
    const row: Row = { database: subject.kind, connections, service: [], baseline: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of [service, baseline]) {
        const result = await load(target, connections, SECONDS);
        row[target.name].push(result);
        console.log(
          `  ${String(connections).padStart(3)} conn, round ${round}, ${target.name.padEnd(8)} ` +
            `${result.requestsPerSecond.toFixed(0).padStart(6)} req/s   p99 ${String(result.p99).padStart(4)} ms`,
        );
      }
    }
    rows.push(row);
  }
  return rows;
}

function printTable(rows: Row[]) {
  const lines = [
    '| database | connections | service req/s | service p99 ms | baseline req/s | baseline p99 ms | ratio service/baseline |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    const serviceRps = mean(row.service.map((r) => r.requestsPerSecond));
    const baselineRps = mean(row.baseline.map((r) => r.requestsPerSecond));
    const ratio = serviceRps / baselineRps;
    lines.push(
      `| ${row.database === 'postgres' ? 'PostgreSQL' : 'embedded (PGlite)'} | ${row.connections} | ` +
        `${serviceRps.toFixed(0)} | ${mean(row.service.map((r) => r.p99)).toFixed(0)} | ` +
        `${baselineRps.toFixed(0)} | ${mean(row.baseline.map((r) => r.p99)).toFixed(0)} | ` +
        `${ratio.toFixed(2)}${ratio < GOAL_RATIO ? ' (below goal)' : ''} |`,
    );
  }
  console.log(`\n${lines.join('\n')}\n`);
  console.log(
    `Goal: ratio >= ${GOAL_RATIO} (informational only). Figures are means of ${ROUNDS} alternating run(s) ` +
      `of ${SECONDS} s; p99 is the mean of the runs' p99.`,
  );
}

/** The requests with a made-up cursor (the key of a row named "Oak House"), for the check before any data. */
const EXAMPLE = searchesWith(
  encodeCursor(PROVIDER_ORDER, {
    before: false,
    values: ['oak house', '00000000-0000-4000-8000-000000000000'],
  }),
);

// --- Main -------------------------------------------------------------------------------------------------

async function benchmark(kind: DatabaseKind): Promise<Row[]> {
  const subject = kind === 'postgres' ? await openPostgres() : await openEmbedded();
  const servers: FastifyInstance[] = [];
  try {
    console.log(`\n${subject.label}`);
    const started = Date.now();
    const providers = await fill(subject);
    console.log(
      `  migrated, demo data and ${EXTRA_PROVIDERS} extra providers: ${providers} in all (${Date.now() - started} ms)`,
    );
    const service = await startService(subject);
    servers.push(service.app);
    const baseline = await startBaseline(subject);
    servers.push(baseline.app);
    const searches = searchesWith(await deepCursor(service));
    const serviceTarget: Target = {
      name: 'service',
      url: service.url,
      headers: service.headers,
      paths: searches.map((s) => `/api/providers?${queryString(s)}`),
    };
    const baselineTarget: Target = {
      name: 'baseline',
      url: baseline.url,
      headers: {},
      paths: searches.map((s) => `/providers?${queryString(s)}`),
    };
    console.log(`  service ${service.url}, baseline ${baseline.url}`);
    // Checked again with the real cursor: its key is a parameter of the statement.
    await checkBaselineSql(searches);
    await checkSameAnswers(searches, serviceTarget, baselineTarget);
    return await measure(subject, serviceTarget, baselineTarget);
  } finally {
    for (const server of servers.reverse()) await server.close().catch(() => undefined);
    await subject.dispose();
  }
}

async function main() {
  const started = Date.now();
  console.log(
    `Provider list benchmark: GET /api/providers?${EXAMPLE.map(describe).join(', ?')} (page size ${PAGE_SIZE})\n` +
      `machine: ${os.cpus().length} cores, ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}\n` +
      `runs: ${SECONDS} s, ${ROUNDS} round(s) at ${CONNECTIONS.join(' and ')} connections, alternating service and baseline`,
  );
  // Before any data: the SQL's shape, with a cursor made up for the check (the real one comes later).
  await checkBaselineSql(EXAMPLE);
  const rows: Row[] = [];
  for (const kind of DATABASES) rows.push(...(await benchmark(kind)));
  printTable(rows);
  console.log(`Total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
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
