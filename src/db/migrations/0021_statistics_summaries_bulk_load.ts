import type { Migration } from '../migration.js';

/** Every trigger of 0018 that keeps the statistics summaries, with its table. */
const SUMMARY_TRIGGERS = [
  ['inspections', 'statistics_inspections_insert'],
  ['inspections', 'statistics_inspections_update'],
  ['inspections', 'statistics_inspections_delete'],
  ['requirements', 'statistics_requirements_insert'],
  ['requirements', 'statistics_requirements_update'],
  ['requirements', 'statistics_requirements_delete'],
  ['judgements', 'statistics_judgements_insert'],
  ['judgements', 'statistics_judgements_update'],
  ['judgements', 'statistics_judgements_delete'],
  ['providers', 'statistics_providers_update'],
  ['event_notifications', 'statistics_notifications_insert'],
  ['event_notifications', 'statistics_notifications_update'],
  ['event_notifications', 'statistics_notifications_delete'],
];

/**
 * The summary triggers of 0018 become ordinary (ENABLE) instead of ENABLE ALWAYS. They still fire for
 * every ordinary write, but no longer for a superuser's bulk load under `session_replication_role =
 * replica` (src/generate/national-data.ts): counting each of its statements' hundreds of thousands of
 * rows through the transition tables made generation several times slower (docs/performance/generation.md). The
 * generator rebuilds the summaries set-based from their definitions at the end instead
 * (`rebuildStatisticsSummaries` in src/statistics/store.ts), as it already rebuilds `provider_schedule`.
 */
const statisticsSummariesBulkLoad: Migration = {
  up: SUMMARY_TRIGGERS.map(([table, trigger]) => `alter table ${table} enable trigger ${trigger}`),
};

export default statisticsSummariesBulkLoad;
