import { frameworks } from '../../frameworks/frameworks.js';
import type { Migration } from '../migration.js';

/**
 * The public report search and the inspector-grade figures at national scale (docs/performance/statistics.md):
 *
 * - A published report's searchable fields (provider name, URN, type, local authority, overall grade)
 *   are kept as columns of `reports`, written with each version (src/reports/store.ts), so the search
 *   reads one table through its indexes instead of the JSON content of every version. The name and URN,
 *   searched for anywhere in them, get trigram indexes where PostgreSQL has `pg_trgm` (a server with the
 *   contrib modules); the embedded database has none, and searches its few reports without them.
 * - The overall grade as the lead inspector gave it, before any moderation, is kept on the inspection
 *   beside the final one (src/inspections/store.ts), so the consistency figures count one table instead
 *   of working the grade out again from every judgement of the period.
 *
 * Both are filled in here for what is already in the database.
 */

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;

/**
 * The overall-grade rule's parameters as SQL `values` (as in src/statistics/store.ts): for each
 * framework the area whose grade is the overall one and the limiting areas, and each grade's rank.
 */
function ruleValues() {
  const areas = frameworks.flatMap((framework) =>
    framework.judgementAreas
      .filter((area) => area.id === framework.overallGrade.areaId || (area.limiting && !area.separatelyRated))
      .map(
        (area) =>
          `(${literal(framework.id)}, ${literal(area.id)}, ${area.id === framework.overallGrade.areaId})`,
      ),
  );
  const scale = frameworks.flatMap((framework) =>
    framework.gradeScale.map((grade, rank) => `(${literal(framework.id)}, ${literal(grade.id)}, ${rank})`),
  );
  return `rule_areas (framework_id, area_id, is_overall) as (values ${areas.join(', ')}),
    rule_scale (framework_id, grade_id, rank) as (values ${scale.join(', ')})`;
}

/**
 * Sets each inspection's overall grade as the inspector gave it: the framework's rule over the latest
 * version of each area that the inspector (not moderation) wrote. Exported for data written in bulk
 * outside the inspection store (bench/statistics.ts, test fixtures), which must be brought up to date
 * the same way.
 */
export const fillInspectorGrades = `
  with ${ruleValues()},
  latest as (
    select distinct on (j.inspection_id, j.area_id) j.inspection_id, i.framework_id, j.area_id, j.grade_id
    from judgements j join inspections i on i.id = j.inspection_id
    where j.kind = 'inspector'
    order by j.inspection_id, j.area_id, j.version desc
  ),
  ranked as (
    select l.inspection_id as id, l.framework_id, max(g.rank) as rank
    from latest l
    join rule_areas a on a.framework_id = l.framework_id and a.area_id = l.area_id
    join rule_scale g on g.framework_id = l.framework_id and g.grade_id = l.grade_id
    group by l.inspection_id, l.framework_id
    having bool_or(a.is_overall)
  ),
  given as (
    select r.id, g.grade_id
    from ranked r join rule_scale g on g.framework_id = r.framework_id and g.rank = r.rank
  )
  update inspections i set inspector_overall_grade = given.grade_id
  from given
  where given.id = i.id and i.inspector_overall_grade is distinct from given.grade_id`;

/** Copies each report's searchable fields from its current version. Exported as above. */
export const fillReportSearchFields = `
  update reports r set
    provider_name = v.content->'provider'->>'name',
    provider_urn = v.content->'provider'->>'urn',
    provider_type = v.content->'provider'->>'type',
    local_authority = v.content->'provider'->>'localAuthority',
    overall_grade = v.content->'overallGrade'->>'grade'
  from report_versions v
  where v.report_id = r.id and v.version = r.version`;

const statisticsSearch: Migration = {
  up: [
    `alter table reports add column provider_name text, add column provider_urn text,
       add column provider_type text, add column local_authority text, add column overall_grade text`,
    fillReportSearchFields,
    // Newest first, as the search lists them; each filter leads its own index so that a filtered page
    // is read in order from it and stops after one page.
    `create index reports_published_newest on reports (published_on desc, id) where status = 'published'`,
    `create index reports_published_local_authority on reports (lower(local_authority), published_on desc, id)
       where status = 'published'`,
    `create index reports_published_type on reports (provider_type, published_on desc, id)
       where status = 'published'`,
    `create index reports_published_grade on reports (overall_grade, published_on desc, id)
       where status = 'published'`,
    // The filter's list of local authorities, read one distinct value at a time.
    `create index reports_local_authorities on reports (local_authority) where status = 'published'`,
    // pg_trgm only where the server has it and lets this role create it; in the shared schema 'public',
    // so that dropping a schema never takes it from another, and the operator class named by schema
    // because search_path may not include it (tests run in a schema of their own).
    `do $$
     declare
       trgm_schema text;
     begin
       if not exists (select 1 from pg_extension where extname = 'pg_trgm')
          and exists (select 1 from pg_available_extensions where name = 'pg_trgm')
          and exists (select 1 from pg_namespace where nspname = 'public') then
         begin
           create extension if not exists pg_trgm schema public;
         exception when others then
           raise notice 'pg_trgm not created (%): the report search works without its index', sqlerrm;
         end;
       end if;
       select n.nspname into trgm_schema
       from pg_extension e join pg_namespace n on n.oid = e.extnamespace
       where e.extname = 'pg_trgm';
       if trgm_schema is not null then
         execute format('create index reports_published_name on reports
           using gin (provider_name %I.gin_trgm_ops) where status = ''published''', trgm_schema);
         execute format('create index reports_published_urn on reports
           using gin (provider_urn %I.gin_trgm_ops) where status = ''published''', trgm_schema);
       end if;
     end $$`,
    `alter table inspections add column inspector_overall_grade text`,
    // The plan's schedule (0005) does not read this column, so its trigger would only work every
    // provider's dates out again to the same values.
    `alter table inspections disable trigger inspections_schedule_update`,
    fillInspectorGrades,
    `alter table inspections enable trigger inspections_schedule_update`,
    // The inspector-grade figures read a period's completed, graded inspections from this alone.
    `create index inspections_inspector_grades on inspections (start_date)
       include (framework_id, lead_inspector_id, provider_id, inspector_overall_grade)
       where status = 'completed' and inspector_overall_grade is not null`,
  ],
};

export default statisticsSearch;
