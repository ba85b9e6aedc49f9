import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

// src/db/schema.ts is written by hand; this holds it to what the migrations actually build.

/** Tables and views the migrations make that the typed schema leaves out on purpose, with the reason. */
const untypedTables: Record<string, string> = {
  // Kysely's own bookkeeping of which migrations ran, and its lock.
  kysely_migration: 'the migrator’s',
  kysely_migration_lock: 'the migrator’s',
  // Read and written with SQL in src/people/store.ts only (migration 0013).
  sign_in_failures: 'people/store.ts only',
  // The planning rules as the triggers that keep provider_schedule read them (migration 0010), written
  // with SQL by ensurePlanRules in src/planning/schedule-store.ts.
  plan_intervals: 'the plan’s triggers',
  plan_first_inspection: 'the plan’s triggers',
  plan_rules: 'the plan’s triggers',
  // Views the same triggers work provider_schedule's rows out with (migrations 0005 and 0010).
  provider_schedule_source: 'the plan’s triggers',
  provider_schedule_dates: 'the plan’s triggers',
};

/** A column as schema.ts types it: null allowed, not allowed, or not said (`unknown` JSON). */
type Nullability = 'null' | 'not null' | 'unstated';
type Tables = Map<string, Map<string, Nullability>>;

/** The tables and columns of the `Schema` interface, read with the TypeScript checker. */
function typedSchema(): Tables {
  const file = fileURLToPath(new URL('../../src/db/schema.ts', import.meta.url));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const declaration = source.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === 'Schema',
  )!;
  // Every `interface Schema` block in the file, merged as TypeScript merges them.
  const schema = checker.getTypeAtLocation(declaration);
  const typeOf = (symbol: ts.Symbol) => checker.getTypeOfSymbolAtLocation(symbol, declaration);

  const nullability = (column: ts.Type): Nullability => {
    // Kysely's ColumnType and Generated: what a select reads is their __select__ type.
    const selected = column.getProperty('__select__');
    const type = selected ? typeOf(selected) : column;
    if (type.flags & (ts.TypeFlags.Unknown | ts.TypeFlags.Any)) return 'unstated';
    const members = type.isUnion() ? type.types : [type];
    return members.some((m) => m.flags & ts.TypeFlags.Null) ? 'null' : 'not null';
  };

  const tables: Tables = new Map();
  for (const table of schema.getProperties()) {
    const columns = new Map<string, Nullability>();
    for (const column of typeOf(table).getProperties()) columns.set(column.name, nullability(typeOf(column)));
    tables.set(table.name, columns);
  }
  return tables;
}

interface DatabaseColumn {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
}

/** The tables and columns the migrations built, in the schema the connection works in. */
async function migratedSchema({ database }: TestDatabase): Promise<Tables> {
  const { rows } = await sql<DatabaseColumn>`
    select c.table_name, c.column_name, c.is_nullable
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = current_schema() and t.table_type in ('BASE TABLE', 'VIEW')
     order by c.table_name, c.ordinal_position`.execute(database.db);
  const tables: Tables = new Map();
  for (const row of rows) {
    const columns = tables.get(row.table_name) ?? new Map<string, Nullability>();
    columns.set(row.column_name, row.is_nullable === 'YES' ? 'null' : 'not null');
    tables.set(row.table_name, columns);
  }
  return tables;
}

/** Every way the two disagree, one line each. */
function differences(typed: Tables, migrated: Tables): string[] {
  const found: string[] = [];
  for (const [table, columns] of typed) {
    const built = migrated.get(table);
    if (!built) {
      found.push(`${table}: in schema.ts, not in the database`);
      continue;
    }
    for (const [column, nullable] of columns) {
      const actual = built.get(column);
      if (!actual) found.push(`${table}.${column}: in schema.ts, not in the database`);
      else if (nullable !== 'unstated' && nullable !== actual)
        found.push(`${table}.${column}: schema.ts says ${nullable}, the database ${actual}`);
    }
    for (const column of built.keys())
      if (!columns.has(column)) found.push(`${table}.${column}: in the database, not in schema.ts`);
  }
  for (const table of migrated.keys())
    if (!typed.has(table) && !(table in untypedTables))
      found.push(`${table}: in the database, not in schema.ts`);
  return found;
}

const typed = typedSchema();

describe('schema.ts read by the checker', () => {
  it('finds every table of the merged Schema interface', () => {
    expect(typed.get('people')?.get('email')).toBe('not null');
    expect(typed.get('providers')?.get('address_line2')).toBe('null');
    expect(typed.get('audit_events')?.get('before')).toBe('unstated');
    expect(typed.has('provider_imports')).toBe(true);
    expect(typed.has('statistics_first_inspections')).toBe(true);
  });
});

describe.each(await databaseKinds())('schema.ts against the migrated %s database', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database?.dispose());

  it('has every table and column the migrations make, with the same nullability', async () => {
    expect(differences(typed, await migratedSchema(database))).toEqual([]);
  });

  it('leaves out only tables that exist', async () => {
    const migrated = await migratedSchema(database);
    const missing = Object.keys(untypedTables).filter((table) => !migrated.has(table));
    expect(missing).toEqual([]);
  });
});
