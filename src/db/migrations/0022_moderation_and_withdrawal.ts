import type { Migration } from '../migration.js';

/**
 * What keeps a report true to the inspection it reports on (docs/after-the-inspection.md):
 * - the manager's sign-off of moderation (done, or waived with a reason), which the draft report waits for;
 * - a report withdrawn when its inspection is declared incomplete: never answered, finalised or published.
 */
const moderationAndWithdrawal: Migration = {
  up: [
    `alter table inspections add column moderation_signed_off_at timestamptz`,
    `alter table inspections add column moderation_signed_off_by uuid references people (id)`,
    `alter table inspections add column moderation_waiver text`,
    `alter table reports drop constraint reports_status_check`,
    `alter table reports add constraint reports_status_check
       check (status in ('draft', 'final', 'published', 'withdrawn'))`,
    `alter table reports add column withdrawn_on date`,
  ],
};

export default moderationAndWithdrawal;
