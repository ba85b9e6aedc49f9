import type { Migration } from '../migration.js';

/**
 * Two things from seed 003. A complaint's time limit: the last day it could be made in time, as it stood
 * when the complaint was received (null when no limit had started: no final report yet), whether it came
 * later, and the handler's decision on a late one. And a concern the provider raised on site that the
 * lead could not resolve: escalated to a manager, who records the outcome. Complaints taken in before
 * this migration were not judged against the limit and stay unflagged.
 */
const complaintTimeLimitsAndConcernEscalation: Migration = {
  up: [
    `alter table complaints add column time_limit date`,
    `alter table complaints add column late boolean not null default false`,
    `alter table complaints add column late_decision text
       check (late_decision in ('accepted', 'not-accepted'))`,
    `alter table complaints add column late_reasons text`,
    `alter table complaints add column late_decided_at timestamptz`,
    `alter table complaints add column late_decided_by uuid references people(id)`,
    `alter table complaints add constraint complaints_late_decision_only_when_late
       check (late_decision is null or late)`,
    `create index complaints_late on complaints (late) where late`,
    `alter table dialogue_entries add column escalated_at timestamptz`,
    `alter table dialogue_entries add column escalated_by uuid references people(id)`,
    `alter table dialogue_entries add column escalation_reason text`,
    `alter table dialogue_entries add column resolved_by uuid references people(id)`,
  ],
};

export default complaintTimeLimitsAndConcernEscalation;
