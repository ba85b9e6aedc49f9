import type { Migration } from '../migration.js';

/**
 * A published outcome's import run is bookkeeping (which run last wrote it), not a relation anything
 * depends on: runs are never deleted. Checking it row by row cost the import about as much as writing
 * the outcomes (docs/performance/import.md), so the column stays and the foreign key goes.
 */
const importSpeed: Migration = {
  up: [
    `alter table published_inspection_outcomes
       drop constraint published_inspection_outcomes_source_import_id_fkey`,
  ],
};

export default importSpeed;
