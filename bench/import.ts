/**
 * Throughput of `inspectorate import providers` against PostgreSQL's own COPY of the same file.
 *
 *   npm run bench            (or: npx tsx bench/import.ts)
 *
 * In a fresh schema `bench_import_<random>` on a real PostgreSQL server it:
 *   1. generates a published-style provider CSV of BENCH_IMPORT_ROWS rows (1,000,000) in a temporary folder;
 *   2. times COPY of that file into a plain table of text columns (the server reads the file itself, so
 *      the server must run on this machine and may read the temporary folder: a local superuser);
 *   3. times importProviders on the file into the empty register (every row new), then again (every row
 *      unchanged: the no-op merge), sampling the heap as it goes;
 *   4. times audit entries written one by one in one transaction, the figure behind AUDIT_EACH_LIMIT;
 * It prints rows per second and the ratio import / COPY (the goal is 0.3 or more), for the whole import
 * and for reading and staging alone. The schema and the file are removed on the way out.
 *
 * Settings (environment): BENCH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test), BENCH_IMPORT_ROWS.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { recordAudit } from '../src/audit/store.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { AUDIT_EACH_LIMIT, importProviders, type ImportResult } from '../src/imports/store.js';
import { DATABASE_URL, numberSetting } from './settings.js';

const ROWS = numberSetting('BENCH_IMPORT_ROWS', 1_000_000);
if (!Number.isInteger(ROWS)) throw new Error(`BENCH_IMPORT_ROWS must be a whole number, not ${ROWS}`);

const HEADER = [
  'URN',
  'Provider type',
  'Sector',
  'Local authority',
  'Region',
  'Places',
  'Registration date',
  'Provider status',
  'Latest full inspection date',
  'Overall experiences and progress of children and young people',
  'Provider name',
];
const TYPES = [
  "Children's home",
  'Independent fostering agency',
  'Supported accommodation',
  'Residential family centre',
];
const SECTORS = ['Private', 'Local authority', 'Voluntary'];
const REGIONS = [
  'North East',
  'North West',
  'London',
  'South East',
  'South West',
  'East of England',
  'West Midlands',
];
const GRADES = ['Outstanding', 'Good', 'Requires improvement to be good', 'Inadequate'];
const OUTCOMES = ['Consistently strong service delivery', 'Serious or widespread weaknesses'];
const pad = (n: number) => String(n).padStart(2, '0');

/** Rows like the published file's: 60% children's homes, most with a latest inspection and grade. */
async function writeFile(file: string, rows: number) {
  const out = createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`${HEADER.join(',')}\n`);
  for (let i = 0; i < rows; i += 1) {
    const type = i % 10 < 6 ? TYPES[0]! : TYPES[1 + (i % 3)]!;
    const inspected = i % 5 !== 0;
    const grade = type === 'Supported accommodation' ? OUTCOMES[i % 2]! : GRADES[i % 4]!;
    const fields = [
      i < 1_000_000 ? `SC${String(i).padStart(6, '0')}` : String(i).padStart(7, '0'),
      type,
      SECTORS[i % 3]!,
      `Authority ${i % 153}`,
      REGIONS[i % REGIONS.length]!,
      String(type === TYPES[1] ? 0 : 1 + (i % 8)),
      `${pad(1 + (i % 28))}/${pad(1 + (i % 12))}/${2000 + (i % 24)}`,
      'Active',
      inspected ? `${pad(1 + (i % 28))}/${pad(1 + ((i >> 2) % 12))}/2025` : '',
      inspected ? grade : '',
      i % 2 === 0 ? '' : `"Provider ${i}, Ltd"`,
    ];
    const pending = write(`${fields.join(',')}\n`);
    if (pending) await pending;
  }
  await new Promise<void>((resolve) => out.end(resolve));
}

function rate(rows: number, ms: number) {
  return Math.round(rows / (ms / 1000));
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function importOnce(database: Database, file: string, dir: string) {
  let peakHeap = process.memoryUsage().heapUsed;
  const run = await timed(() =>
    importProviders(database.db, {
      file,
      importedBy: 'bench',
      today: new Date().toISOString().slice(0, 10),
      rejectsFile: path.join(dir, 'rejected.csv'),
      onProgress: () => {
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      },
    }),
  );
  return { result: run.value, ms: run.ms, peakHeap };
}

function describeRun(label: string, run: { result: ImportResult; ms: number; peakHeap: number }) {
  const r = run.result;
  console.log(
    `${label}: ${(run.ms / 1000).toFixed(1)} s, ${rate(r.rowsRead, run.ms).toLocaleString('en-GB')} rows/s ` +
      `(${r.inserted} inserted, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected} rejected; ` +
      `audit: ${r.audit}${r.bulkLoad ? '; bulk load' : ''}; reading and staging ${(r.timings.readMs / 1000).toFixed(1)} s, merge ` +
      `${(r.timings.mergeMs / 1000).toFixed(1)} s; peak heap ${Math.round(run.peakHeap / 1024 / 1024)} MB)`,
  );
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-bench-import-'));
  await chmod(dir, 0o755); // the server reads the file for COPY
  const file = path.join(dir, 'providers.csv');
  const schema = `bench_import_${randomBytes(6).toString('hex')}`;
  let database: Database | null = null;
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    console.log(
      `Load average at the start: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(', ')}`,
    );
    const generated = await timed(() => writeFile(file, ROWS));
    const size = (await stat(file)).size;
    console.log(
      `Generated ${ROWS.toLocaleString('en-GB')} rows (${(size / 1024 / 1024).toFixed(0)} MB) in ${(generated.ms / 1000).toFixed(1)} s`,
    );
    const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]
      ?.server_version;
    console.log(
      `PostgreSQL ${version}, schema ${schema}, Node ${process.version}, ${os.cpus().length} cores`,
    );

    database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: '', schema });
    await migrateToLatest(database);

    // The baseline: the server's own COPY of the same file into a plain table.
    await admin.query(
      `create table "${schema}".plain_copy (${HEADER.map((_, i) => `c${i} text`).join(', ')})`,
    );
    const copy = await timed(() =>
      admin.query(
        `copy "${schema}".plain_copy from '${file.replace(/'/g, "''")}' with (format csv, header true)`,
      ),
    );
    console.log(
      `COPY into a plain table: ${(copy.ms / 1000).toFixed(1)} s, ${rate(ROWS, copy.ms).toLocaleString('en-GB')} rows/s`,
    );

    const first = await importOnce(database, file, dir);
    describeRun('Import, empty register', first);
    const again = await importOnce(database, file, dir);
    describeRun('Import again, same file', again);

    // Audit entries one by one in one transaction: what one entry per changed provider would cost.
    const entries = 2000;
    const audit = await timed(() =>
      database!.db.transaction().execute(async (trx) => {
        for (let i = 0; i < entries; i += 1) {
          await recordAudit(trx, {
            actorId: null,
            action: 'bench.audit',
            entityType: 'bench',
            entityId: String(i),
            before: null,
            after: { i },
          });
        }
        await sql`select 1`.execute(trx);
      }),
    );
    console.log(
      `Audit entries in one transaction: ${rate(entries, audit.ms).toLocaleString('en-GB')} per second ` +
        `(${AUDIT_EACH_LIMIT} entries, the per-provider limit, take ${((AUDIT_EACH_LIMIT / rate(entries, audit.ms)) * 1000).toFixed(0)} ms)`,
    );

    const copyRate = rate(ROWS, copy.ms);
    const ratio = (ms: number) => (rate(ROWS, ms) / copyRate).toFixed(3);
    console.log(
      `\nRatio of rows per second, import / COPY (goal 0.3 or more; COPY ${copyRate.toLocaleString('en-GB')} rows/s):`,
    );
    console.log(`  import into the empty register:      ${ratio(first.ms)}`);
    console.log(`  import of the same file again:        ${ratio(again.ms)}`);
    console.log(`  reading and staging alone (first):    ${ratio(first.result.timings.readMs)}`);
    console.log(
      `Load average at the end: ${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(', ')}`,
    );
  } finally {
    await database?.close();
    await admin.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
