import type { Migration } from '../migration.js';
import {
  INSPECTION_COLUMNS,
  countInspections,
  countRequirements,
  deltas,
  summaryDefinitionsFor,
  triggers,
  type OutcomeColumns,
} from './0018_statistics_summaries.js';

/**
 * An inspection declared incomplete is completed by an additional visit (seed 001: "further inspection
 * follows"; in Sheffield's case the additional visit gave the overall rating). The outcome figures count
 * the inspection once, with the visit's outcome: its status, grade and requirements, under the type and
 * first day of the inspection it completes; the one declared incomplete is never counted on its own.
 *
 * Each additional visit keeps the type and first day of the inspection it completes (the first of a chain,
 * should a visit itself be declared incomplete), set as it is written from the inspection it follows; any
 * other inspection keeps none (null) and counts under its own. The summaries of migration 0018 that the
 * outcome figures read (full inspections, their requirements, each provider's first full inspection) are
 * kept under those, and worked out afresh here for the data already there.
 */

/** The type and first day an inspection's outcome counts under: the original's for an additional visit. */
export const OUTCOME: OutcomeColumns = {
  type: (a) => `coalesce(${a}.original_type, ${a}.type)`,
  start: (a) => `coalesce(${a}.original_start_date, ${a}.start_date)`,
};

/** Every statistics summary worked out afresh from the rows it counts, as the triggers now keep them. */
export const summaryDefinitions = summaryDefinitionsFor(OUTCOME);

const COLUMNS = [...INSPECTION_COLUMNS, 'original_type', 'original_start_date'];
const OUTCOME_SUMMARIES = [
  'statistics_full_inspection_months',
  'statistics_requirement_months',
  'statistics_first_inspections',
];

const additionalVisitOutcomes: Migration = {
  up: [
    // Nothing written while the counts are worked out afresh below is missed or counted twice.
    `lock table inspections, requirements in share row exclusive mode`,
    `alter table inspections add column original_type text, add column original_start_date date`,
    `with recursive chain (id, original_type, original_start_date) as (
       select v.id, o.type, o.start_date
       from inspections v join inspections o on o.id = v.additional_visit_of
       where o.additional_visit_of is null
       union all
       select v.id, c.original_type, c.original_start_date
       from inspections v join chain c on c.id = v.additional_visit_of
     )
     update inspections i set original_type = c.original_type, original_start_date = c.original_start_date
     from chain c where c.id = i.id`,
    // Whichever code writes the visit (the inspection store, demo data, a test), it follows its original.
    `create function inspections_original() returns trigger language plpgsql as $$
     begin
       if new.additional_visit_of is not null then
         select coalesce(o.original_type, o.type), coalesce(o.original_start_date, o.start_date)
           into new.original_type, new.original_start_date
           from inspections o where o.id = new.additional_visit_of;
       end if;
       return new;
     end $$`,
    `create trigger inspections_original before insert on inspections
       for each row execute function inspections_original()`,
    // The days either side of a period's whole months read completed visits by the original's first day.
    `create index inspections_completing on inspections (original_start_date, original_type, status)
       include (framework_id) where original_type is not null`,
    ...triggers(
      'inspections',
      'statistics_inspections',
      deltas(COLUMNS, COLUMNS),
      (d) => countInspections(d, OUTCOME),
      true,
    ),
    ...triggers(
      'requirements',
      'statistics_requirements',
      deltas(['inspection_id', 'regulation_id'], ['inspection_id', 'regulation_id']),
      (d) => countRequirements(d, OUTCOME),
      true,
    ),
    ...OUTCOME_SUMMARIES.flatMap((table) => [
      `delete from ${table}`,
      `insert into ${table} ${summaryDefinitions[table]!}`,
    ]),
  ],
};

export default additionalVisitOutcomes;
