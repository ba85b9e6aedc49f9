import type { Migration } from '../migration.js';

/**
 * Indexes for the statistics at national scale (bench/statistics.ts, docs/performance/statistics.md): each
 * provider's first full inspection read from the index alone; each area's latest judgement, in the
 * order the overall-grade rule reads it, from the index alone; and the few moderated inspections found
 * without reading every judgement.
 */
const statisticsScale: Migration = {
  up: [
    `create index inspections_first_full on inspections (provider_id, start_date, id)
       include (status, framework_id) where type = 'full' and status <> 'incomplete'`,
    `create index judgements_latest on judgements (inspection_id, area_id, version desc)
       include (grade_id, kind)`,
    `create index judgements_moderation on judgements (inspection_id) where kind = 'moderation'`,
  ],
};

export default statisticsScale;
