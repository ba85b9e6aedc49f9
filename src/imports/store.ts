import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { parse } from 'csv-parse';
import { sql, type RawBuilder } from 'kysely';
import { recordAudit } from '../audit/store.js';
import type { IsoDate } from '../calendar/working-days.js';
import type { Db, Trx } from '../db/database.js';
import { csvLine, readHeader, readRow, type ColumnMap, type ImportedProvider } from './rules.js';

/**
 * Importing the regulator's published provider data: the file is streamed, each row checked on its own,
 * valid rows written in batches to a staging table of this run, then one transaction merges the staging
 * table into the register. Until that transaction commits nothing on the register has changed.
 */

export interface ImportOptions {
  file: string;
  /** Any rejected row aborts the import with nothing applied. */
  strict?: boolean;
  /** Where the full rejected-rows report goes; by default beside the file, `<name>.rejected.csv`. */
  rejectsFile?: string;
  /** Who ran the import, as the run records it ("operator" from the command line). */
  importedBy: string;
  today: IsoDate;
  /** Rows per multi-row insert into the staging table. */
  batchSize?: number;
  /**
   * Into an empty register, at least this many new providers are loaded with the secondary indexes
   * rebuilt once at the end (see docs/import.md).
   */
  bulkLoadFrom?: number;
  /** Told as the file is read: bytes read of the file's size, and rows so far. */
  onProgress?: (progress: { bytes: number; totalBytes: number; rows: number }) => void;
}

export interface Rejection {
  line: number;
  reason: string;
}

export interface ImportResult {
  importId: string;
  status: 'completed' | 'aborted';
  fileName: string;
  sha256: string;
  rowsRead: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Published inspection outcomes added or corrected. */
  outcomesRecorded: number;
  /** Columns the file has that the import does not read. */
  ignoredColumns: string[];
  /** The first rejected rows, in file order (all of them are in the rejects file). */
  rejections: Rejection[];
  rejectsFile: string | null;
  /** One audit entry per changed provider, or only the run's summary entry (large imports). */
  audit: 'each-provider' | 'summary';
  /** Loaded into an empty register with the secondary indexes rebuilt at the end. */
  bulkLoad: boolean;
  /** An earlier completed import of a file with the same checksum. */
  sameAsImport: { id: string; finishedAt: string } | null;
  /** Milliseconds spent reading and staging the file, and merging it (0 when nothing was merged). */
  timings: { readMs: number; mergeMs: number };
}

/** The header or the CSV itself is unreadable: nothing is applied. */
export class ImportFileError extends Error {
  override readonly name = 'ImportFileError';
}

/** How many rejected rows the result carries; the rejects file holds them all. */
export const REJECTIONS_SHOWN = 50;

/**
 * Above this many new or changed providers, one audit entry per provider would hold the merge transaction
 * (and the audit chain's lock) for minutes; the run's summary entry and the run record stand for them.
 */
export const AUDIT_EACH_LIMIT = 1000;

/** Below this many new providers, setting indexes aside and rebuilding them costs more than it saves. */
export const BULK_LOAD_FROM = 10_000;

/** Imports are merged one at a time (with the schema, the key of an advisory lock). */
const IMPORT_LOCK = 7301;

/** The staging table's columns, with the key of each in a staged row. */
const STAGING_COLUMNS: readonly (readonly [string, string, keyof StagedRow])[] = [
  ['line', 'int', 'line'],
  ['urn', 'text', 'urn'],
  ['name', 'text', 'name'],
  ['type', 'text', 'type'],
  ['sector', 'text', 'sector'],
  ['local_authority', 'text', 'localAuthority'],
  ['region', 'text', 'region'],
  ['places', 'int', 'places'],
  ['registered_on', 'date', 'registeredOn'],
  ['status', 'text', 'status'],
  ['address_line1', 'text', 'addressLine1'],
  ['address_line2', 'text', 'addressLine2'],
  ['town', 'text', 'town'],
  ['postcode', 'text', 'postcode'],
  ['inspection_date', 'date', 'inspectionDate'],
  ['framework_id', 'text', 'frameworkId'],
  ['grade_id', 'text', 'gradeId'],
];

type StagedRow = { line: number } & ImportedProvider;

/** Counts bytes and hashes them as they pass, so the file is read once. */
class Tap extends Transform {
  bytes = 0;
  readonly hash = createHash('sha256');
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
    this.bytes += chunk.length;
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/** Writes the rejected rows as CSV: the row number, the reasons, then the row as the file had it. */
class RejectsWriter {
  private stream: fs.WriteStream | null = null;
  count = 0;
  readonly first: Rejection[] = [];

  constructor(
    private readonly file: string,
    private readonly header: readonly string[],
  ) {}

  async add(line: number, reasons: string[], values: readonly string[]) {
    this.count += 1;
    if (this.first.length < REJECTIONS_SHOWN) this.first.push({ line, reason: reasons.join('; ') });
    if (!this.stream) {
      this.stream = fs.createWriteStream(this.file);
      this.stream.write(csvLine(['Row', 'Reason', ...this.header]));
    }
    if (!this.stream.write(csvLine([line, reasons.join('; '), ...values]))) {
      await new Promise<void>((resolve) => this.stream!.once('drain', () => resolve()));
    }
  }

  async close(): Promise<string | null> {
    if (!this.stream) {
      await fs.promises.rm(this.file, { force: true });
      return null;
    }
    const stream = this.stream;
    await new Promise<void>((resolve, reject) =>
      stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return this.file;
  }
}

export function defaultRejectsFile(file: string): string {
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}.rejected.csv`);
}

function stagingTable(importId: string) {
  return `provider_import_staging_${importId.replace(/-/g, '')}`;
}

/** Imports a published provider file; see docs/import.md. */
export async function importProviders(db: Db, options: ImportOptions): Promise<ImportResult> {
  const file = path.resolve(options.file);
  await fs.promises.access(file, fs.constants.R_OK);
  // One connection for the whole run: the staging table is a temporary table of that session.
  return db.connection().execute((connection) => importOn(connection, file, options));
}

async function importOn(db: Db, file: string, options: ImportOptions): Promise<ImportResult> {
  const totalBytes = (await fs.promises.stat(file)).size;
  const started = performance.now();
  let readMs = 0;
  const batchSize = options.batchSize ?? 2000;
  const rejectsPath = path.resolve(options.rejectsFile ?? defaultRejectsFile(file));

  const run = await db
    .insertInto('provider_imports')
    .values({
      file_name: path.basename(file),
      sha256: '',
      status: 'running',
      strict: options.strict ?? false,
      imported_by: options.importedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const importId = run.id;
  const staging = stagingTable(importId);
  const table = sql.table(staging);

  let rejects: RejectsWriter | null = null;
  let finished = false;
  try {
    // Temporary: written once and read once, it needs no write-ahead log, and it goes with the session.
    await sql`create temporary table ${table} (${sql.raw(
      STAGING_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', '),
    )})`.execute(db);

    // Reading and staging: valid rows go to the staging table a batch at a time, in file order.
    const tap = new Tap();
    // Without csv-parse's `info`, which costs more than the parsing itself: lines are counted here.
    const parser = parse({ bom: true, relax_column_count: true });
    const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    source.on('error', (error) => parser.destroy(error));
    source.pipe(tap).pipe(parser);

    let columns: ColumnMap | null = null;
    let rowsRead = 0;
    let batch: StagedRow[] = [];
    // One batch is written while the next is read: on a server, the database works beside the parser.
    let writing: Promise<void> | null = null;
    const flush = async () => {
      if (batch.length === 0) return;
      const rows = batch;
      batch = [];
      if (writing) await writing;
      writing = insertBatch(db, staging, rows);
      writing.catch(() => undefined); // awaited, and so reported, by the next flush
    };

    /** One record of the file; a promise only when it has to wait (a batch to write, a reject to log). */
    const take = (line: number, values: string[]): Promise<void> | undefined => {
      if (values.length === 1 && values[0]!.trim() === '') return; // a blank line
      if (!columns) {
        const header = readHeader(values);
        if (!header.ok) throw new ImportFileError(`line ${line}: ${header.problems.join('; ')}`);
        columns = header.columns;
        rejects = new RejectsWriter(rejectsPath, values);
        return;
      }
      if (values.every((value) => value.trim() === '')) return;
      rowsRead += 1;
      if (rowsRead % 1000 === 0) options.onProgress?.({ bytes: tap.bytes, totalBytes, rows: rowsRead });
      const result = readRow(values, columns, options.today);
      if (!result.ok) return rejects!.add(line, result.reasons, values);
      batch.push({ line, ...result.provider });
      return batch.length >= batchSize ? flush() : undefined;
    };

    let nextLine = 1;
    try {
      for await (const values of parser as AsyncIterable<string[]>) {
        // The line the record starts on; a quoted value may run over several lines.
        const line = nextLine;
        nextLine += 1;
        for (const value of values) if (value.includes('\n')) nextLine += value.split('\n').length - 1;
        const waiting = take(line, values);
        if (waiting) await waiting;
      }
    } catch (error) {
      if (error instanceof Error && 'code' in error && String(error.code).startsWith('CSV_')) {
        throw new ImportFileError(`The file cannot be read as CSV: ${error.message}`);
      }
      throw error;
    }
    // Set inside take, which the compiler cannot follow.
    const header = columns as ColumnMap | null;
    if (!header) throw new ImportFileError('The file is empty: it has no header row');
    await flush();
    if (writing) await writing;
    readMs = performance.now() - started;
    options.onProgress?.({ bytes: tap.bytes, totalBytes, rows: rowsRead });
    const sha256 = tap.hash.digest('hex');

    // A URN twice in one file: the first row stands, the later ones are rejected.
    const duplicates = await repeatedUrns(db, staging);
    for (const duplicate of duplicates) {
      await rejects!.add(
        duplicate.line,
        [
          `${header.header[header.index.urn!]!.trim()} '${duplicate.urn}' is also on row ${duplicate.first_line}`,
        ],
        [],
      );
    }
    if (duplicates.length > 0) {
      await sql`delete from ${table} where line = any(${duplicates.map((d) => d.line)}::int[])`.execute(db);
    }
    await sql`analyze ${table}`.execute(db);

    const rejectWriter: RejectsWriter = rejects!;
    const rejectsFile = await rejectWriter.close();
    const rejections = [...rejectWriter.first].sort((a, b) => a.line - b.line).slice(0, REJECTIONS_SHOWN);
    const sameAs = await db
      .selectFrom('provider_imports')
      .select(['id', 'finished_at'])
      .where('sha256', '=', sha256)
      .where('status', '=', 'completed')
      .orderBy('finished_at', 'desc')
      .executeTakeFirst();
    const base = {
      importId,
      fileName: path.basename(file),
      sha256,
      rowsRead,
      rejected: rejectWriter.count,
      ignoredColumns: header.ignored,
      rejections,
      rejectsFile,
      sameAsImport: sameAs
        ? { id: sameAs.id, finishedAt: new Date(sameAs.finished_at!).toISOString() }
        : null,
    };

    if (options.strict && rejectWriter.count > 0) {
      await db
        .updateTable('provider_imports')
        .set({
          sha256,
          status: 'aborted',
          rows_read: rowsRead,
          rejected: rejectWriter.count,
          ignored_columns: header.ignored,
          note: 'strict: rejected rows, nothing applied',
          finished_at: new Date(),
        })
        .where('id', '=', importId)
        .execute();
      finished = true;
      return {
        ...base,
        status: 'aborted',
        inserted: 0,
        updated: 0,
        unchanged: 0,
        outcomesRecorded: 0,
        audit: 'summary',
        bulkLoad: false,
        timings: { readMs, mergeMs: 0 },
      };
    }

    const mergeStarted = performance.now();
    const merged = await db.transaction().execute((trx) =>
      mergeStaging(trx, {
        importId,
        staging,
        fileName: path.basename(file),
        sha256,
        rowsRead,
        rejected: rejectWriter.count,
        ignoredColumns: header.ignored,
        bulkLoadFrom: options.bulkLoadFrom ?? BULK_LOAD_FROM,
      }),
    );
    finished = true;
    return {
      ...base,
      status: 'completed',
      ...merged,
      timings: { readMs, mergeMs: performance.now() - mergeStarted },
    };
  } catch (error) {
    if (!finished) {
      await db
        .updateTable('provider_imports')
        .set({
          status: 'failed',
          note: (error instanceof Error ? error.message : String(error)).slice(0, 1000),
          finished_at: new Date(),
        })
        .where('id', '=', importId)
        .execute()
        .catch(() => undefined);
    }
    await (rejects as RejectsWriter | null)?.close().catch(() => undefined);
    throw error;
  } finally {
    await sql`drop table if exists ${table}`.execute(db).catch(() => undefined);
  }
}

/**
 * One multi-row insert, the batch sent as one JSON parameter: the runtime's own JSON writer and the
 * server's JSON reader cost a fraction of what one array parameter per column did.
 */
async function insertBatch(db: Db, staging: string, rows: StagedRow[]) {
  const record = STAGING_COLUMNS.map(([, type, key]) => `"${key}" ${type}`).join(', ');
  const keys = STAGING_COLUMNS.map(([, , key]) => `"${key}"`).join(', ');
  await sql`insert into ${sql.table(staging)} (${sql.raw(STAGING_COLUMNS.map(([name]) => name).join(', '))})
    select ${sql.raw(keys)} from json_to_recordset(${JSON.stringify(rows)}::json) as r(${sql.raw(record)})`.execute(
    db,
  );
}

async function repeatedUrns(db: Db, staging: string) {
  const table = sql.table(staging);
  const { rows } = await sql<{ line: number; urn: string; first_line: number }>`
    select s.line, s.urn, f.first_line
    from ${table} s
    join (select urn, min(line) as first_line from ${table} group by urn having count(*) > 1) f on f.urn = s.urn
    where s.line > f.first_line
    order by s.line`.execute(db);
  return rows;
}

// The merge. `s` is a staged row, `p` the provider with its URN (if any), `o` the published outcome for
// the staged inspection date (if any). An empty optional value in the file leaves the register's value.

const FILE_VALUES =
  sql.raw(`coalesce(s.name, p.name), s.type, s.sector, s.local_authority, s.region, s.places,
  s.registered_on, coalesce(s.status, p.status), coalesce(s.address_line1, p.address_line1),
  coalesce(s.address_line2, p.address_line2), coalesce(s.town, p.town), coalesce(s.postcode, p.postcode)`);
const REGISTER_VALUES = sql.raw(`p.name, p.type, p.sector, p.local_authority, p.region, p.places,
  p.registered_on, p.status, p.address_line1, p.address_line2, p.town, p.postcode`);
const PROVIDER_DIFFERS = sql`(${REGISTER_VALUES}) is distinct from (${FILE_VALUES})`;
const OUTCOME_DIFFERS = sql.raw(`(s.inspection_date is not null and (o.provider_id is null
  or (o.framework_id, o.overall_grade_id) is distinct from (s.framework_id, s.grade_id)))`);

/** A provider as its audit entries show it, with its latest published outcome. */
function auditView(alias: string): RawBuilder<unknown> {
  return sql.raw(`jsonb_build_object(
    'urn', ${alias}.urn, 'name', ${alias}.name, 'type', ${alias}.type, 'sector', ${alias}.sector,
    'addressLine1', ${alias}.address_line1, 'addressLine2', ${alias}.address_line2, 'town', ${alias}.town,
    'postcode', ${alias}.postcode, 'localAuthority', ${alias}.local_authority, 'region', ${alias}.region,
    'places', ${alias}.places, 'status', ${alias}.status, 'registeredOn', ${alias}.registered_on,
    'version', ${alias}.version,
    'latestPublishedInspection', (select jsonb_build_object('date', lo.inspection_date,
        'frameworkId', lo.framework_id, 'gradeId', lo.overall_grade_id)
      from published_inspection_outcomes lo where lo.provider_id = ${alias}.id
      order by lo.inspection_date desc limit 1))`);
}

interface MergeInput {
  importId: string;
  staging: string;
  fileName: string;
  sha256: string;
  rowsRead: number;
  rejected: number;
  ignoredColumns: string[];
  bulkLoadFrom: number;
}

type MergeCounts = Pick<
  ImportResult,
  'inserted' | 'updated' | 'unchanged' | 'outcomesRecorded' | 'audit' | 'bulkLoad'
>;

async function mergeStaging(trx: Trx, input: MergeInput): Promise<MergeCounts> {
  const staging = sql.table(input.staging);
  const plan = sql.table(`${input.staging}_plan`);
  // One merge at a time per schema; a second import is told at once rather than left waiting behind it.
  const { rows: locked } = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(${IMPORT_LOCK}, hashtext(current_schema())) as locked`.execute(trx);
  if (!locked[0]?.locked) {
    throw new ImportFileError(
      'Another import is being merged into the register; run this one when it has finished',
    );
  }

  // Room for the joins of a large file to hash in memory, and for index builds to sort in memory.
  await sql`set local work_mem = '128MB'`.execute(trx);
  await sql`set local maintenance_work_mem = '256MB'`.execute(trx);

  // The plan: each staged row joined once to the register and classified. Every statement after this
  // reads the plan alone, so none joins the whole register again; a new provider's id is chosen here,
  // so its outcome is written from the same row without looking the provider up.
  await sql`
    create temporary table ${plan} on commit drop as
    select s.*, p.id as existing_id, coalesce(p.id, gen_random_uuid()) as provider_id,
      (p.id is not null and ${PROVIDER_DIFFERS}) as provider_changed,
      ${OUTCOME_DIFFERS} as outcome_changed
    from ${staging} s
      left join providers p on p.urn = s.urn
      left join published_inspection_outcomes o
        on o.provider_id = p.id and o.inspection_date = s.inspection_date`.execute(trx);
  await sql`analyze ${plan}`.execute(trx);

  const counts = (
    await sql<{ inserted: number; updated: number; unchanged: number; outcomes: number }>`
      select count(*) filter (where existing_id is null)::int as inserted,
             count(*) filter (where existing_id is not null and (provider_changed or outcome_changed))::int
               as updated,
             count(*) filter (where existing_id is not null and not (provider_changed or outcome_changed))::int
               as unchanged,
             count(*) filter (where outcome_changed)::int as outcomes
      from ${plan}`.execute(trx)
  ).rows[0]!;

  // Small enough to audit each provider: remember each one's state before the merge.
  const auditEach = counts.inserted + counts.updated <= AUDIT_EACH_LIMIT;
  const touched = auditEach
    ? (
        await sql<{ urn: string; before: unknown }>`
          select s.urn, case when p.id is null then null else ${auditView('p')} end as before
          from ${plan} s left join providers p on p.id = s.existing_id
          where s.existing_id is null or s.provider_changed or s.outcome_changed
          order by s.line`.execute(trx)
      ).rows
    : [];

  // Into an empty register, a large file is loaded the way a bulk load is: the secondary indexes and
  // the outcomes' foreign key are set aside and rebuilt once at the end, which is far cheaper than
  // keeping them up to date row by row. All of it is in this transaction: a failure puts them back.
  const bulk = counts.inserted >= input.bulkLoadFrom && (await registerIsEmpty(trx));
  const setAside = bulk ? await setAsideIndexes(trx) : null;

  await sql`
    update providers p set
      (name, type, sector, local_authority, region, places, registered_on, status, address_line1,
       address_line2, town, postcode) = (${FILE_VALUES}),
      version = p.version + 1,
      updated_at = now()
    from ${plan} s
    where p.id = s.existing_id and s.provider_changed`.execute(trx);

  // A provider the register does not hold yet. The published files withhold the names and addresses of
  // children's homes; until someone enters them the name is the reference number and the address blank.
  await sql`
    insert into providers (id, urn, name, type, sector, local_authority, region, places, registered_on,
      status, address_line1, address_line2, town, postcode)
    select s.provider_id, s.urn, coalesce(s.name, s.urn), s.type, s.sector, s.local_authority, s.region,
      s.places, s.registered_on, coalesce(s.status, 'registered'), coalesce(s.address_line1, ''),
      s.address_line2, coalesce(s.town, ''), coalesce(s.postcode, '')
    from ${plan} s
    where s.existing_id is null
    order by s.urn`.execute(trx);

  // A new outcome, or a corrected grade for a date already published. Ordered by the primary key, so
  // its index is filled from one end rather than at random.
  await sql`
    insert into published_inspection_outcomes
      (provider_id, inspection_date, framework_id, overall_grade_id, source_import_id)
    select s.provider_id, s.inspection_date, s.framework_id, s.grade_id, ${input.importId}::uuid
    from ${plan} s
    where s.outcome_changed
    order by s.provider_id, s.inspection_date
    ${
      // Into an empty register nothing can conflict, and a plain insert skips the check for each row.
      setAside
        ? sql``
        : sql`on conflict (provider_id, inspection_date) do update
            set framework_id = excluded.framework_id,
                overall_grade_id = excluded.overall_grade_id,
                source_import_id = excluded.source_import_id`
    }`.execute(trx);
  const outcomesRecorded = counts.outcomes;

  if (setAside) await restoreIndexes(trx, setAside);
  // After a large insert the planner's idea of the register is stale.
  if (counts.inserted + counts.updated > 10_000) {
    await sql`analyze providers`.execute(trx);
    await sql`analyze published_inspection_outcomes`.execute(trx);
  }

  if (auditEach && touched.length > 0) {
    const after = await sql<{ id: string; urn: string; after: unknown }>`
      select p.id, p.urn, ${auditView('p')} as after from providers p
      where p.urn in (${sql.join(touched.map((row) => row.urn))})`.execute(trx);
    const byUrn = new Map(after.rows.map((row) => [row.urn, row]));
    for (const row of touched) {
      const now = byUrn.get(row.urn)!;
      await recordAudit(trx, {
        actorId: null,
        action: row.before === null ? 'provider.imported' : 'provider.changed-by-import',
        entityType: 'provider',
        entityId: now.id,
        before: row.before,
        after: now.after,
      });
    }
  }

  const summary = {
    fileName: input.fileName,
    sha256: input.sha256,
    rowsRead: input.rowsRead,
    inserted: counts.inserted,
    updated: counts.updated,
    unchanged: counts.unchanged,
    rejected: input.rejected,
    outcomesRecorded,
    auditedEachProvider: auditEach,
  };
  await recordAudit(trx, {
    actorId: null,
    action: 'provider-import.completed',
    entityType: 'provider-import',
    entityId: input.importId,
    before: null,
    after: summary,
  });
  await trx
    .updateTable('provider_imports')
    .set({
      sha256: input.sha256,
      status: 'completed',
      rows_read: input.rowsRead,
      inserted: counts.inserted,
      updated: counts.updated,
      unchanged: counts.unchanged,
      rejected: input.rejected,
      outcomes_recorded: outcomesRecorded,
      ignored_columns: input.ignoredColumns,
      finished_at: new Date(),
    })
    .where('id', '=', input.importId)
    .execute();

  return {
    inserted: counts.inserted,
    updated: counts.updated,
    unchanged: counts.unchanged,
    outcomesRecorded,
    audit: auditEach ? 'each-provider' : 'summary',
    bulkLoad: bulk,
  };
}

async function registerIsEmpty(trx: Trx): Promise<boolean> {
  const { rows } = await sql<{ empty: boolean }>`
    select not exists (select 1 from providers) and not exists (select 1 from published_inspection_outcomes)
      as empty`.execute(trx);
  return rows[0]!.empty;
}

interface SetAside {
  indexes: string[];
  foreignKeys: { name: string; definition: string }[];
}

/**
 * Drops the secondary indexes of the register's two tables and the outcomes' foreign keys, returning
 * how to make them again exactly as they were (read from the catalogue, so no definition is repeated
 * here). Unique and primary-key indexes stay: they are what makes a repeated reference number fail.
 */
async function setAsideIndexes(trx: Trx): Promise<SetAside> {
  const { rows: indexes } = await sql<{ name: string; definition: string }>`
    select quote_ident(c.relname) as name, pg_get_indexdef(i.indexrelid) as definition
    from pg_index i join pg_class c on c.oid = i.indexrelid
    where i.indrelid in ('providers'::regclass, 'published_inspection_outcomes'::regclass)
      and not i.indisunique and not i.indisprimary
      and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
    order by c.relname`.execute(trx);
  const { rows: foreignKeys } = await sql<{ name: string; definition: string }>`
    select quote_ident(conname) as name, pg_get_constraintdef(oid) as definition
    from pg_constraint
    where conrelid = 'published_inspection_outcomes'::regclass and contype = 'f'
    order by conname`.execute(trx);
  for (const fk of foreignKeys) {
    await sql`alter table published_inspection_outcomes drop constraint ${sql.raw(fk.name)}`.execute(trx);
  }
  for (const index of indexes) await sql`drop index ${sql.raw(index.name)}`.execute(trx);
  return { indexes: indexes.map((index) => index.definition), foreignKeys };
}

async function restoreIndexes(trx: Trx, setAside: SetAside) {
  for (const definition of setAside.indexes) await sql.raw(definition).execute(trx);
  for (const fk of setAside.foreignKeys) {
    await sql`alter table published_inspection_outcomes
      add constraint ${sql.raw(fk.name)} ${sql.raw(fk.definition)}`.execute(trx);
  }
}

export interface PublishedOutcome {
  providerId: string;
  inspectionDate: IsoDate;
  frameworkId: string | null;
  overallGradeId: string | null;
  sourceImportId: string;
}

/**
 * The latest published outcome of each of these providers (those with one), for the register and the
 * statistics: other capabilities read published outcomes through this, not the table.
 */
export async function latestPublishedOutcomes(db: Db, providerIds: string[]): Promise<PublishedOutcome[]> {
  if (providerIds.length === 0) return [];
  const rows = await db
    .selectFrom('published_inspection_outcomes')
    .distinctOn('provider_id')
    .selectAll()
    .where('provider_id', 'in', providerIds)
    .orderBy('provider_id')
    .orderBy('inspection_date', 'desc')
    .execute();
  return rows.map((row) => ({
    providerId: row.provider_id,
    inspectionDate: row.inspection_date,
    frameworkId: row.framework_id,
    overallGradeId: row.overall_grade_id,
    sourceImportId: row.source_import_id,
  }));
}
