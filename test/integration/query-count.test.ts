import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { englishDate } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database, type Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { generateNationalData } from '../../src/generate/national-data.js';
import { DEMO_PASSWORD } from '../support/app.js';
import { databaseKinds, TEST_DATABASE_URL, type DatabaseKind } from '../support/databases.js';
import { signInAs, type CookieJar } from '../support/pages.js';

/**
 * No page or API answer may run one statement per row it shows (an N+1): each main request is made on
 * the demo data, then again after every list it shows has grown several times over, and must run the
 * same number of SQL statements both times.
 */

const kinds = await databaseKinds();

interface Opened {
  database: Database;
  dispose(): Promise<void>;
}

/** A migrated database whose every statement is recorded while `recording.on` is set. */
async function openCounted(kind: DatabaseKind, recording: { on: boolean; statements: string[] }) {
  const onQuery = (text: string) => {
    if (recording.on) recording.statements.push(text);
  };
  let opened: Opened;
  if (kind === 'embedded') {
    const database = await openDatabase({ databaseUrl: null, dataDir: 'memory://', onQuery });
    opened = { database, dispose: () => database.close() };
  } else {
    const schema = `test_${randomBytes(6).toString('hex')}`;
    const database = await openDatabase({
      databaseUrl: TEST_DATABASE_URL,
      dataDir: '',
      schema,
      poolSize: 5,
      onQuery,
    });
    opened = {
      database,
      async dispose() {
        await database.close();
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      },
    };
  }
  await migrateToLatest(opened.database);
  return opened;
}

/**
 * Copies of the rows of `table` that match `where`, `times` over; `overrides` gives SQL (over the row
 * `t` and the copy number `k`) for the columns that must differ, such as keys.
 */
async function copyRows(
  db: Db,
  table: string,
  where: string,
  times: number,
  overrides: Record<string, string>,
) {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} and is_identity = 'NO'
    order by ordinal_position`.execute(db);
  const columns = rows.map((r) => r.column_name);
  const values = columns.map((c) => overrides[c] ?? `t."${c}"`);
  await sql
    .raw(
      `insert into ${table} (${columns.map((c) => `"${c}"`).join(', ')})
       select ${values.join(', ')} from ${table} t cross join generate_series(1, ${times}) k where ${where}`,
    )
    .execute(db);
}

const derivedId = (column: string) => `md5(t.${column}::text || '-' || k)::uuid`;

describe.each(kinds)('SQL statements per request on %s', (kind) => {
  const recording = { on: false, statements: [] as string[] };
  let opened: Opened;
  let app: App;
  const jars: Record<string, CookieJar> = {};
  const tokens: Record<string, string> = {};
  let inspectionId: string;
  let providerId: string;
  let sizes: Record<string, number> = {};
  let lastSize = 0;

  beforeAll(async () => {
    opened = await openCounted(kind, recording);
    const db = opened.database.db;
    await seedDemoData(db, DEMO_PASSWORD);
    const config = loadConfig({
      DATA_DIR: 'memory://',
      DEMO_DATA: '1',
      DEMO_PASSWORD,
      SIGN_IN_RATE_LIMIT: '1000',
      SIGN_IN_ADDRESS_RATE_LIMIT: '1000',
      LOG_LEVEL: 'silent',
    });
    app = await buildApp({ config, database: opened.database });
    await app.ready();
    for (const role of ['planner', 'inspector', 'complaints']) {
      jars[role] = await signInAs(app, role, DEMO_PASSWORD);
      const response = await app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: `${role}@demo.invalid`, password: DEMO_PASSWORD },
      });
      tokens[role] = (response.json() as { token: string }).token;
    }
    const onSite = await db
      .selectFrom('inspections')
      .where('status', '=', 'on-site')
      .select('id')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    inspectionId = onSite.id;
    const published = await db
      .selectFrom('reports as r')
      .innerJoin('inspections as i', 'i.id', 'r.inspection_id')
      .where('r.status', '=', 'published')
      .select('i.provider_id')
      .executeTakeFirstOrThrow();
    providerId = published.provider_id;
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await opened?.dispose();
  });

  const requests = () =>
    [
      ['provider list API', 'planner', 'api', '/api/providers?pageSize=100'],
      ['provider list page', 'planner', 'page', '/providers?pageSize=100'],
      ['provider page', 'planner', 'page', `/providers/${providerId}`],
      ['inspection API', 'inspector', 'api', `/api/inspections/${inspectionId}`],
      ['inspection page', 'inspector', 'page', `/inspections/${inspectionId}`],
      ['inspection evidence page', 'inspector', 'page', `/inspections/${inspectionId}/evidence`],
      ['complaint list page', 'complaints', 'page', '/complaints'],
      ['complaint list API', 'complaints', 'api', '/api/complaints?pageSize=100'],
      ['report search page', 'public', 'page', '/reports?q=e'],
      ['report list page', 'public', 'page', '/reports'],
      ['plan page', 'planner', 'page', '/plan?pageSize=100'],
    ] as const;

  /** Statements run by each request, made twice so that anything done once per process is left out. */
  async function statementsPerRequest(): Promise<Record<string, string[]>> {
    const counted: Record<string, string[]> = {};
    sizes = {};
    for (const [name, role, kindOf, url] of requests()) {
      const headers: Record<string, string> =
        role === 'public'
          ? {}
          : kindOf === 'api'
            ? { authorization: `Bearer ${tokens[role]}` }
            : { cookie: jars[role]!.header(), accept: 'text/html' };
      for (const counting of [false, true]) {
        recording.statements = [];
        recording.on = counting;
        const response = await app.inject({ method: 'GET', url, headers });
        recording.on = false;
        expect(response.statusCode, `${name}: ${response.body.slice(0, 300)}`).toBe(200);
        lastSize = response.body.length;
      }
      counted[name] = recording.statements;
      sizes[name] = lastSize;
    }
    return counted;
  }

  it('is the same for a few rows and for many', async () => {
    const few = await statementsPerRequest();
    const fewSizes = sizes;
    for (const [name, statements] of Object.entries(few)) expect(statements.length, name).toBeGreaterThan(0);

    const db = opened.database.db;
    // More of everything: a generated register beside the demo one, ten times the rows of the inspection
    // on site, and ten more inspections, published reports and complaints for the provider shown.
    await generateNationalData(db, {
      providers: 200,
      years: 3,
      seed: 'query-count',
      today: englishDate(new Date()),
      evidencePerInspection: 2,
      complaintRate: 0.2,
    });
    const onSite = `t.inspection_id = '${inspectionId}'`;
    await copyRows(db, 'evidence', onSite, 10, { id: 'gen_random_uuid()' });
    await copyRows(db, 'lines_of_enquiry', onSite, 10, { id: 'gen_random_uuid()' });
    await copyRows(db, 'dialogue_entries', onSite, 10, { id: 'gen_random_uuid()' });
    const published = `(select inspection_id from reports where status = 'published')`;
    await copyRows(db, 'inspections', `t.id in ${published}`, 10, { id: derivedId('id') });
    await copyRows(db, 'reports', `t.status = 'published'`, 10, {
      id: derivedId('id'),
      inspection_id: derivedId('inspection_id'),
    });
    await copyRows(
      db,
      'report_versions',
      `t.report_id in (select id from reports where status = 'published')`,
      10,
      {
        report_id: derivedId('report_id'),
      },
    );
    await copyRows(db, 'judgements', `t.inspection_id in ${published}`, 10, {
      inspection_id: derivedId('inspection_id'),
    });
    await copyRows(db, 'complaints', 'true', 10, {
      id: 'gen_random_uuid()',
      reference: `t.reference || '-' || k`,
    });
    await sql`analyze`.execute(db);

    const many = await statementsPerRequest();
    for (const [name] of requests()) {
      // Every list shows more than before (so a statement per row would have shown); the inspection's
      // own page shows counts and links, not the rows.
      if (name !== 'inspection page')
        expect(sizes[name], `${name} shows no more rows than before`).toBeGreaterThan(fewSizes[name]! * 1.1);
      expect(
        many[name]!.length,
        `${name}: ${few[name]!.length} statements with few rows, ${many[name]!.length} with many:\n` +
          many[name]!.join('\n'),
      ).toBe(few[name]!.length);
    }
  }, 240_000);
});
