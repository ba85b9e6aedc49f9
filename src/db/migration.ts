/**
 * What a file in src/db/migrations exports as its default: a list of SQL statements, run in order in one
 * transaction. Apart from migrate.ts so that a migration never imports the module that loads it.
 */
export interface Migration {
  up: string[];
}
