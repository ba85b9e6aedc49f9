import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import type { Migration } from './migration.js';

const folder = fileURLToPath(new URL('./migrations/', import.meta.url));

/** A migration's file: four digits, an underscore, a name; never a test or a declaration file. */
const migrationFile = /^(\d{4}_[a-z0-9_]+)\.(ts|js)$/;

/** Each migration's file by its name, read from the folder in the order the names sort. */
const files = new Map(
  fs
    .readdirSync(folder)
    .flatMap((file) => {
      const name = migrationFile.exec(file)?.[1];
      return name ? [[name, file] as const] : [];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);

/**
 * Every migration, in order: the files of src/db/migrations sorted by name, each named after its file
 * without the extension. The names are recorded in each database's migration table, so a released file
 * is never renamed.
 */
export const migrationNames: string[] = [...files.keys()];

async function load(name: string, file: string): Promise<Migration> {
  const module = (await import(pathToFileURL(path.join(folder, file)).href)) as {
    default?: Partial<Migration>;
  };
  const up = module.default?.up;
  if (!Array.isArray(up))
    throw new Error(`Migration ${name} (${file}) has no default export with its statements`);
  return { up };
}

/** Every migration loaded from its file, in order. */
export async function loadMigrations(): Promise<Array<[string, Migration]>> {
  return Promise.all(
    [...files].map(async ([name, file]) => [name, await load(name, file)] as [string, Migration]),
  );
}

const provider: MigrationProvider = {
  async getMigrations() {
    return Object.fromEntries(
      (await loadMigrations()).map(([name, migration]) => [
        name,
        {
          async up(db: Kysely<unknown>) {
            // One statement at a time: the embedded driver's extended protocol takes one per query.
            for (const statement of migration.up) await sql.raw(statement).execute(db);
          },
        },
      ]),
    );
  },
};

/**
 * Brings the schema up to date; safe to run from several processes at once (Kysely takes a lock). With
 * `schema`, its bookkeeping tables live in that schema too, so that side-by-side schemas (tests) never
 * see each other's.
 */
export async function migrateToLatest(database: Pick<Database, 'db' | 'schema'>): Promise<string[]> {
  return migrateTo(database);
}

/** Up to and including the migration named (tests of a migration over data written before it). */
export async function migrateTo(
  { db, schema }: Pick<Database, 'db' | 'schema'>,
  name?: string,
): Promise<string[]> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await (name ? migrator.migrateTo(name) : migrator.migrateToLatest());
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
