import type { Migration } from '../migration.js';

/**
 * What a complaint's record needs beyond 0003: the complainant's grounds for an internal review and for
 * escalation to the adjudicator, the reasons for the internal review's finding, and the re-inspection
 * planned as a remedy.
 */
const complaintHandling: Migration = {
  up: [
    `alter table complaints add column internal_review_grounds text`,
    `alter table complaints add column internal_review_reasons text`,
    `alter table complaints add column escalation_grounds text`,
    `alter table complaints add column reinspection_id uuid references inspections(id)`,
  ],
};

export default complaintHandling;
