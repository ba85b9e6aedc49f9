import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import { foundation } from './migrations/0001_foundation.js';
import { inspections } from './migrations/0002_inspections.js';
import { afterInspection } from './migrations/0003_after_inspection.js';
import { complaintHandling } from './migrations/0004_complaint_handling.js';
import { planning } from './migrations/0005_planning.js';
import { statistics } from './migrations/0006_statistics.js';
import { auditChain } from './migrations/0007_audit_chain.js';
import { imports } from './migrations/0008_imports.js';
import { statisticsScale } from './migrations/0009_statistics_scale.js';
import { planScale } from './migrations/0010_plan_scale.js';
import { importSpeed } from './migrations/0011_import_speed.js';
import { statisticsSearch } from './migrations/0012_statistics_search.js';
import { signInLockout } from './migrations/0013_sign_in_lockout.js';
import { scheduleInBulk } from './migrations/0014_schedule_in_bulk.js';
import { followUpVisitsIndex } from './migrations/0015_follow_up_visits_index.js';
import { providerSearchIndex } from './migrations/0016_provider_search_index.js';
import { auditChainAfterCommit } from './migrations/0017_audit_chain_after_commit.js';
import { statisticsSummaries } from './migrations/0018_statistics_summaries.js';
import { sharedScheduleRule } from './migrations/0019_shared_schedule_rule.js';
import { keysetPaging } from './migrations/0020_keyset_paging.js';
import { statisticsSummariesBulkLoad } from './migrations/0021_statistics_summaries_bulk_load.js';

/** A migration is a list of SQL statements, run in order in one transaction. */
export interface Migration {
  up: string[];
}

/** Every migration, in order. Names never change once released. */
const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_inspections': inspections,
  '0003_after_inspection': afterInspection,
  '0004_complaint_handling': complaintHandling,
  '0005_planning': planning,
  '0006_statistics': statistics,
  '0007_audit_chain': auditChain,
  '0008_imports': imports,
  '0009_statistics_scale': statisticsScale,
  '0010_plan_scale': planScale,
  '0011_import_speed': importSpeed,
  '0012_statistics_search': statisticsSearch,
  '0013_sign_in_lockout': signInLockout,
  '0014_schedule_in_bulk': scheduleInBulk,
  '0015_follow_up_visits_index': followUpVisitsIndex,
  '0016_provider_search_index': providerSearchIndex,
  '0017_audit_chain_after_commit': auditChainAfterCommit,
  '0018_statistics_summaries': statisticsSummaries,
  '0019_shared_schedule_rule': sharedScheduleRule,
  '0020_keyset_paging': keysetPaging,
  '0021_statistics_summaries_bulk_load': statisticsSummariesBulkLoad,
};

export const migrationNames = Object.keys(migrations);

const provider: MigrationProvider = {
  async getMigrations() {
    return Object.fromEntries(
      Object.entries(migrations).map(([name, migration]) => [
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
