import type { Migration } from '../migration.js';
import { fillInspectorGrades } from './0012_statistics_search.js';

/**
 * Summaries the statistics read instead of a period's rows (src/statistics/store.ts), so that ten years
 * is a sum over at most 120 months (or 3,653 days) rather than a million inspections or two million
 * notifications.
 *
 * - `statistics_notification_days`: notifications per event date and category.
 * - `statistics_notification_senders`: for each category and provider (and for each provider under the
 *   category '*', any category), the days on which it sent one, as a multirange; "homes that made one in
 *   the period" is then a count of the rows whose days overlap it, exact for any period.
 * - `statistics_inspection_months`: inspections that got under way and those declared incomplete, per
 *   month of their start, framework and lead inspector (`incomplete-inspections`).
 * - `statistics_grade_months`: completed inspections with the grade the inspector gave, per month,
 *   framework, lead inspector, that grade, and the provider's type and region (`inspector-grades`).
 * - `statistics_moderation_months`: completed inspections, how many were moderated, their moderations,
 *   and how many of the moderated have a final overall grade other than the one given (both as the
 *   inspection keeps them), per month, framework, the provider's region and lead inspector (`moderation`).
 * - `statistics_first_inspections`: each provider's first full inspection that was not declared
 *   incomplete, with its status, start, framework and final overall grade as the inspection keeps it
 *   (`first-inspection-outcomes`, exact for any period). Kept per provider: a statement's providers
 *   are held, then their first inspection read afresh.
 * - `statistics_full_inspection_months`: completed full inspections per month and framework, and how many
 *   have a requirement (`full-inspections-requirements`).
 * - `statistics_requirement_months`: their requirements per month and regulation, and the inspections
 *   citing each (`requirements-by-theme`; an inspection lies in one month, so these add up).
 *
 * They are kept by statement triggers on the tables they count, in the same transaction as every write,
 * whichever code makes it (API, import, generator, demo data): each statement's rows before and after
 * (its transition tables) are counted as the figures count them and the difference is added, grouped, in
 * key order. The triggers are made ENABLE ALWAYS here, so that they also fire for a superuser's bulk load
 * with `session_replication_role = replica`; 0021 makes them ordinary again, and the generator rebuilds
 * the summaries after such a load instead (src/generate/national-data.ts).
 * Rows whose counts fall to zero are kept at zero. Where a count depends on rows another transaction may
 * change at the same time (the provider's type and region, an inspection's requirements, a notification
 * left on the same day), the trigger first locks what it depends on, then reads it afresh.
 */

/** The first day of a date's month. */
const month = (column: string) => `date_trunc('month', ${column}::timestamp)::date`;

/** A statement's changed rows with a sign: -1 for the rows before, +1 after, for each kind of trigger. */
export function deltas(
  columns: string[],
  relevant: string[],
  key = 'id',
): Record<'insert' | 'update' | 'delete', string> {
  const list = (alias: string) => columns.map((c) => `${alias}.${c}`).join(', ');
  // Paired by the primary key, which nothing updates; rows whose counted columns are unchanged cancel out.
  const changed = `from old_rows o join new_rows n on n.${key} = o.${key}
    where (${relevant.map((c) => `o.${c}`).join(', ')}) is distinct from (${relevant.map((c) => `n.${c}`).join(', ')})`;
  return {
    insert: `(select 1 as s, ${list('n')} from new_rows n)`,
    delete: `(select -1 as s, ${list('o')} from old_rows o)`,
    update: `(select -1 as s, ${list('o')} ${changed}
      union all select 1 as s, ${list('n')} ${changed})`,
  };
}

/**
 * The three statement triggers of a table, each with its own function made by `body` from its deltas.
 * With `replace`, only the functions, replacing those of the triggers already there (a later migration).
 */
export function triggers(
  table: string,
  name: string,
  delta: Record<'insert' | 'update' | 'delete', string>,
  body: (delta: string, kind: 'insert' | 'update' | 'delete') => string,
  replace = false,
): string[] {
  return (['insert', 'update', 'delete'] as const).flatMap((kind) => {
    const fn = `${name}_${kind}`;
    const tables =
      kind === 'insert'
        ? 'new table as new_rows'
        : kind === 'delete'
          ? 'old table as old_rows'
          : 'old table as old_rows new table as new_rows';
    const definition = `create ${replace ? 'or replace ' : ''}function ${fn}() returns trigger language plpgsql as $$
       begin
         ${body(delta[kind], kind)}
         return null;
       end $$`;
    if (replace) return [definition];
    return [
      definition,
      `create trigger ${fn} after ${kind} on ${table} referencing ${tables}
         for each statement execute function ${fn}()`,
      `alter table ${table} enable always trigger ${fn}`,
    ];
  });
}

// ---- Inspections: what each figure counts of an inspection row ----

export const INSPECTION_COLUMNS = [
  'id',
  'provider_id',
  'framework_id',
  'type',
  'status',
  'start_date',
  'lead_inspector_id',
  'inspector_overall_grade',
  'overall_grade',
];

/**
 * Which type and first day an inspection's outcome counts under in the outcome figures (full inspections,
 * their requirements, first inspections), as SQL over a row alias. Here its own; migration 0025 counts an
 * additional visit under the inspection declared incomplete that it completes.
 */
export interface OutcomeColumns {
  type: (alias: string) => string;
  start: (alias: string) => string;
}
const OWN: OutcomeColumns = { type: (a) => `${a}.type`, start: (a) => `${a}.start_date` };

/** Adds the signed rows of `d` (inspection rows) to the four inspection summaries. */
export function countInspections(d: string, o: OutcomeColumns = OWN): string {
  return `
    -- The provider's type and region are read for the grades and moderation: held until commit so that a change of
    -- either (which moves its inspections' counts, below) waits for this statement, or it for that one.
    perform 1 from providers p
      where p.id in (select d.provider_id from ${d} d where d.status = 'completed')
      order by p.id for share;
    insert into statistics_inspection_months as t (month, framework_id, lead_inspector_id, inspections, incomplete)
      select ${month('d.start_date')}, d.framework_id, d.lead_inspector_id, sum(d.s),
        coalesce(sum(d.s) filter (where d.status = 'incomplete'), 0)
      from ${d} d where d.status <> 'planned'
      group by 1, 2, 3
      having sum(d.s) <> 0 or coalesce(sum(d.s) filter (where d.status = 'incomplete'), 0) <> 0
      order by 1, 2, 3
      on conflict (month, framework_id, lead_inspector_id) do update
        set inspections = t.inspections + excluded.inspections, incomplete = t.incomplete + excluded.incomplete;
    insert into statistics_grade_months as t
        (month, framework_id, lead_inspector_id, grade_id, provider_type, region, inspections)
      select ${month('d.start_date')}, d.framework_id, d.lead_inspector_id, d.inspector_overall_grade, p.type,
        p.region, sum(d.s)
      from ${d} d join providers p on p.id = d.provider_id
      where d.status = 'completed' and d.inspector_overall_grade is not null
      group by 1, 2, 3, 4, 5, 6
      having sum(d.s) <> 0
      order by 1, 2, 3, 4, 5, 6
      on conflict (month, framework_id, lead_inspector_id, grade_id, provider_type, region) do update
        set inspections = t.inspections + excluded.inspections;
    insert into statistics_full_inspection_months as t (month, framework_id, inspections, with_requirements)
      select ${month('f.start_date')}, f.framework_id, sum(f.s), sum(f.s * f.has)
      from (
        select d.s, ${o.start('d')} as start_date, d.framework_id,
          (exists (select 1 from requirements q where q.inspection_id = d.id))::int as has
        from ${d} d where ${o.type('d')} = 'full' and d.status = 'completed'
      ) f
      group by 1, 2
      having sum(f.s) <> 0 or sum(f.s * f.has) <> 0
      order by 1, 2
      on conflict (month, framework_id) do update
        set inspections = t.inspections + excluded.inspections,
          with_requirements = t.with_requirements + excluded.with_requirements;
    insert into statistics_requirement_months as t (month, regulation_id, requirements, inspections)
      select ${month(o.start('d'))}, r.regulation_id, sum(d.s * r.n), sum(d.s)
      from ${d} d
      join lateral (
        select q.regulation_id, count(*) as n from requirements q where q.inspection_id = d.id
        group by q.regulation_id
      ) r on true
      where ${o.type('d')} = 'full' and d.status = 'completed'
      group by 1, 2
      having sum(d.s * r.n) <> 0 or sum(d.s) <> 0
      order by 1, 2
      on conflict (month, regulation_id) do update
        set requirements = t.requirements + excluded.requirements, inspections = t.inspections + excluded.inspections;
    insert into statistics_moderation_months as t
        (month, framework_id, region, lead_inspector_id, inspections, moderated, moderations, overall_changed)
      select ${month('f.start_date')}, f.framework_id, p.region, f.lead_inspector_id, sum(f.s),
        sum(f.s * (f.m > 0)::int), sum(f.s * f.m), sum(f.s * (f.m > 0 and f.changed)::int)
      from (
        select d.s, d.start_date, d.framework_id, d.lead_inspector_id, d.provider_id,
          d.overall_grade is distinct from d.inspector_overall_grade as changed,
          (select count(*) from judgements j where j.inspection_id = d.id and j.kind = 'moderation') as m
        from ${d} d where d.status = 'completed'
      ) f
      join providers p on p.id = f.provider_id
      group by 1, 2, 3, 4
      having sum(f.s) <> 0 or sum(f.s * (f.m > 0)::int) <> 0 or sum(f.s * f.m) <> 0
        or sum(f.s * (f.m > 0 and f.changed)::int) <> 0
      order by 1, 2, 3, 4
      on conflict (month, framework_id, region, lead_inspector_id) do update
        set inspections = t.inspections + excluded.inspections, moderated = t.moderated + excluded.moderated,
          moderations = t.moderations + excluded.moderations,
          overall_changed = t.overall_changed + excluded.overall_changed;
    -- Each provider's row is made if missing (waiting for another transaction making it), held, and
    -- then its first inspection read afresh, so that two transactions never each miss the other's.
    insert into statistics_first_inspections (provider_id)
      select distinct d.provider_id from ${d} d where ${o.type('d')} = 'full' order by 1
      on conflict (provider_id) do nothing;
    perform 1 from statistics_first_inspections f
      where f.provider_id in (select d.provider_id from ${d} d where ${o.type('d')} = 'full')
      order by f.provider_id for update;
    update statistics_first_inspections f
      set inspection_id = x.id, framework_id = x.framework_id, status = x.status, start_date = x.start_date,
        overall_grade = x.overall_grade
      from (
        select p.provider_id, e.id, e.framework_id, e.status, e.start_date, e.overall_grade
        from (select distinct d.provider_id from ${d} d where ${o.type('d')} = 'full') p
        left join lateral (
          select e.id, e.framework_id, e.status, ${o.start('e')} as start_date, e.overall_grade from inspections e
          where e.provider_id = p.provider_id and ${o.type('e')} = 'full' and e.status <> 'incomplete'
          order by ${o.start('e')}, e.id limit 1
        ) e on true
      ) x
      where f.provider_id = x.provider_id
        and (f.inspection_id, f.framework_id, f.status, f.start_date, f.overall_grade)
          is distinct from (x.id, x.framework_id, x.status, x.start_date, x.overall_grade);`;
}

// ---- Judgements: a moderation changes the moderation counts of its inspection ----

/** Adds the signed judgement rows of `d` (those of moderation count) to the moderation summary. */
function countModerations(d: string): string {
  const moderations = `(select d.inspection_id, d.s from ${d} d where d.kind = 'moderation')`;
  return `
    -- As for requirements: the inspection held, then its moderations counted afresh; and its provider,
    -- whose region the count goes under.
    perform 1 from inspections i where i.id in (select m.inspection_id from ${moderations} m)
      order by i.id for no key update;
    perform 1 from providers p
      where p.id in (select i.provider_id from inspections i where i.id in (select m.inspection_id from ${moderations} m))
      order by p.id for share;
    insert into statistics_moderation_months as t
        (month, framework_id, region, lead_inspector_id, inspections, moderated, moderations, overall_changed)
      select ${month('i.start_date')}, i.framework_id, p.region, i.lead_inspector_id, 0,
        sum((c.n > 0)::int - (c.n - c.change > 0)::int), sum(c.change),
        sum(((c.n > 0)::int - (c.n - c.change > 0)::int)
          * (i.overall_grade is distinct from i.inspector_overall_grade)::int)
      from (
        select x.inspection_id, x.change,
          (select count(*) from judgements j where j.inspection_id = x.inspection_id and j.kind = 'moderation') as n
        from (select m.inspection_id, sum(m.s) as change from ${moderations} m group by 1) x
        where x.change <> 0
      ) c
      join inspections i on i.id = c.inspection_id
      join providers p on p.id = i.provider_id
      where i.status = 'completed'
      group by 1, 2, 3, 4
      order by 1, 2, 3, 4
      on conflict (month, framework_id, region, lead_inspector_id) do update
        set moderated = t.moderated + excluded.moderated, moderations = t.moderations + excluded.moderations,
          overall_changed = t.overall_changed + excluded.overall_changed;`;
}

// ---- Requirements: an inspection's requirements change its two requirement counts ----

/** Adds the signed requirement rows of `d` to the requirement summaries. */
export function countRequirements(d: string, o: OutcomeColumns = OWN): string {
  return `
    -- Held until commit, so that another transaction's requirements for the same inspection, or a change
    -- to the inspection itself, are counted after these, reading them afresh (next statement).
    perform 1 from inspections i where i.id in (select d.inspection_id from ${d} d) order by i.id for no key update;
    -- Before this statement an inspection had n - change requirements (of a regulation); it counts as
    -- having some if that was above zero, and now if n is.
    insert into statistics_requirement_months as t (month, regulation_id, requirements, inspections)
      select ${month(o.start('i'))}, c.regulation_id, sum(c.change),
        sum((c.n > 0)::int - (c.n - c.change > 0)::int)
      from (
        select x.inspection_id, x.regulation_id, x.change,
          (select count(*) from requirements q
           where q.inspection_id = x.inspection_id and q.regulation_id = x.regulation_id) as n
        from (select d.inspection_id, d.regulation_id, sum(d.s) as change from ${d} d group by 1, 2) x
        where x.change <> 0
      ) c
      join inspections i on i.id = c.inspection_id
      where ${o.type('i')} = 'full' and i.status = 'completed'
      group by 1, 2
      having sum(c.change) <> 0 or sum((c.n > 0)::int - (c.n - c.change > 0)::int) <> 0
      order by 1, 2
      on conflict (month, regulation_id) do update
        set requirements = t.requirements + excluded.requirements, inspections = t.inspections + excluded.inspections;
    insert into statistics_full_inspection_months as t (month, framework_id, inspections, with_requirements)
      select ${month(o.start('i'))}, i.framework_id, 0, sum((c.n > 0)::int - (c.n - c.change > 0)::int)
      from (
        select x.inspection_id, x.change,
          (select count(*) from requirements q where q.inspection_id = x.inspection_id) as n
        from (select d.inspection_id, sum(d.s) as change from ${d} d group by 1) x
        where x.change <> 0
      ) c
      join inspections i on i.id = c.inspection_id
      where ${o.type('i')} = 'full' and i.status = 'completed'
      group by 1, 2
      having sum((c.n > 0)::int - (c.n - c.change > 0)::int) <> 0
      order by 1, 2
      on conflict (month, framework_id) do update
        set with_requirements = t.with_requirements + excluded.with_requirements;`;
}

// ---- Providers: a change of type or region moves the grades of its inspections ----

const movedProviders = `(
  select -1 as s, o.id, o.type, o.region from old_rows o join new_rows n on n.id = o.id
  where (o.type, o.region) is distinct from (n.type, n.region)
  union all
  select 1 as s, n.id, n.type, n.region from old_rows o join new_rows n on n.id = o.id
  where (o.type, o.region) is distinct from (n.type, n.region))`;

const moveProviders = `
    insert into statistics_grade_months as t
        (month, framework_id, lead_inspector_id, grade_id, provider_type, region, inspections)
      select ${month('i.start_date')}, i.framework_id, i.lead_inspector_id, i.inspector_overall_grade, m.type,
        m.region, sum(m.s)
      from ${movedProviders} m join inspections i on i.provider_id = m.id
      where i.status = 'completed' and i.inspector_overall_grade is not null
      group by 1, 2, 3, 4, 5, 6
      having sum(m.s) <> 0
      order by 1, 2, 3, 4, 5, 6
      on conflict (month, framework_id, lead_inspector_id, grade_id, provider_type, region) do update
        set inspections = t.inspections + excluded.inspections;
    insert into statistics_moderation_months as t
        (month, framework_id, region, lead_inspector_id, inspections, moderated, moderations, overall_changed)
      select ${month('i.start_date')}, i.framework_id, m.region, i.lead_inspector_id, sum(m.s),
        sum(m.s * (j.n > 0)::int), sum(m.s * j.n),
        sum(m.s * (j.n > 0 and i.overall_grade is distinct from i.inspector_overall_grade)::int)
      from ${movedProviders} m
      join inspections i on i.provider_id = m.id
      cross join lateral (
        select count(*) as n from judgements q where q.inspection_id = i.id and q.kind = 'moderation'
      ) j
      where i.status = 'completed'
      group by 1, 2, 3, 4
      having sum(m.s) <> 0
      order by 1, 2, 3, 4
      on conflict (month, framework_id, region, lead_inspector_id) do update
        set inspections = t.inspections + excluded.inspections, moderated = t.moderated + excluded.moderated,
          moderations = t.moderations + excluded.moderations,
          overall_changed = t.overall_changed + excluded.overall_changed;`;

// ---- Notifications ----

/** Adds the signed notification rows of `d`; `added` and `removed` are the rows after and before. */
function countNotifications(d: string, added: string | null, removed: string | null): string {
  const add = added
    ? `
    insert into statistics_notification_senders as t (category_id, provider_id, days)
      select x.category_id, x.provider_id, range_agg(daterange(x.event_date, x.event_date, '[]'))
      from (
        select a.category_id, a.provider_id, a.event_date from ${added} a
        union all
        select '*', a.provider_id, a.event_date from ${added} a
      ) x
      group by 1, 2
      order by 1, 2
      on conflict (category_id, provider_id) do update set days = t.days + excluded.days;`
    : '';
  // A day goes from a sender's days only when no notification of it is left on that day: its row is
  // locked first, so that a notification added on that day by another transaction is either seen by the
  // next statement or added after this one.
  const remove = removed
    ? `
    perform 1 from statistics_notification_senders s
      where (s.category_id, s.provider_id) in (
        select r.category_id, r.provider_id from ${removed} r union select '*', r.provider_id from ${removed} r)
      order by s.category_id, s.provider_id for update;
    update statistics_notification_senders s set days = s.days - g.gone
      from (
        select x.category_id, x.provider_id, range_agg(daterange(x.event_date, x.event_date, '[]')) as gone
        from (
          select distinct r.category_id, r.provider_id, r.event_date from ${removed} r
          where not exists (select 1 from event_notifications n where n.event_date = r.event_date
            and n.category_id = r.category_id and n.provider_id = r.provider_id)
          union
          select distinct '*', r.provider_id, r.event_date from ${removed} r
          where not exists (select 1 from event_notifications n
            where n.provider_id = r.provider_id and n.event_date = r.event_date)
        ) x
        group by 1, 2
      ) g
      where s.category_id = g.category_id and s.provider_id = g.provider_id;`
    : '';
  return `
    insert into statistics_notification_days as t (event_date, category_id, notifications)
      select d.event_date, d.category_id, sum(d.s) from ${d} d
      group by 1, 2
      having sum(d.s) <> 0
      order by 1, 2
      on conflict (event_date, category_id) do update set notifications = t.notifications + excluded.notifications;
    ${add}
    ${remove}`;
}

const NOTIFICATION_KEY = ['event_date', 'category_id', 'provider_id'];
const changedNotifications = (
  side: 'o' | 'n',
) => `(select ${side}.* from old_rows o join new_rows n on n.id = o.id
    where (o.event_date, o.category_id, o.provider_id) is distinct from (n.event_date, n.category_id, n.provider_id))`;

/**
 * Sets each inspection's final overall grade from the latest version of each area's judgement (moderation
 * included), where they reach one: what src/inspections/store.ts keeps with every judgement. The statement
 * of 0012 for the grade as given, without its restriction to the inspector's versions. Exported, as that
 * one is, for data written outside the inspection store (test fixtures).
 */
export const fillOverallGrades = (() => {
  const statement = fillInspectorGrades
    .replace("where j.kind = 'inspector'", 'where true')
    .replace(
      'update inspections i set inspector_overall_grade = given.grade_id',
      'update inspections i set overall_grade = given.grade_id',
    )
    .replace(
      'i.inspector_overall_grade is distinct from given.grade_id',
      'i.overall_grade is distinct from given.grade_id',
    );
  if (/kind = 'inspector'|inspector_overall_grade/.test(statement))
    throw new Error('fillInspectorGrades has changed: fillOverallGrades no longer follows it');
  return statement;
})();

/**
 * Each summary worked out afresh from the tables it counts: filled by the migration for data already
 * there. Migration 0025 exports them as they are now, with additional visits (`summaryDefinitionsFor`).
 */
export const summaryDefinitionsFor = (o: OutcomeColumns): Record<string, string> => ({
  statistics_notification_days: `
    select n.event_date, n.category_id, count(*)::int as notifications
    from event_notifications n group by 1, 2`,
  statistics_notification_senders: `
    select n.category_id, n.provider_id, range_agg(daterange(n.event_date, n.event_date, '[]')) as days
    from event_notifications n group by 1, 2
    union all
    select '*', n.provider_id, range_agg(daterange(n.event_date, n.event_date, '[]'))
    from event_notifications n group by 2`,
  statistics_inspection_months: `
    select ${month('i.start_date')} as month, i.framework_id, i.lead_inspector_id, count(*)::int as inspections,
      count(*) filter (where i.status = 'incomplete')::int as incomplete
    from inspections i where i.status <> 'planned' group by 1, 2, 3`,
  statistics_grade_months: `
    select ${month('i.start_date')} as month, i.framework_id, i.lead_inspector_id,
      i.inspector_overall_grade as grade_id, p.type as provider_type, p.region, count(*)::int as inspections
    from inspections i join providers p on p.id = i.provider_id
    where i.status = 'completed' and i.inspector_overall_grade is not null
    group by 1, 2, 3, 4, 5, 6`,
  statistics_full_inspection_months: `
    select ${month(o.start('i'))} as month, i.framework_id, count(*)::int as inspections,
      count(r.inspection_id)::int as with_requirements
    from inspections i left join (select distinct q.inspection_id from requirements q) r on r.inspection_id = i.id
    where ${o.type('i')} = 'full' and i.status = 'completed' group by 1, 2`,
  statistics_requirement_months: `
    select x.month, x.regulation_id, sum(x.n)::int as requirements, count(*)::int as inspections
    from (
      select ${month(o.start('i'))} as month, r.regulation_id, r.inspection_id, count(*) as n
      from inspections i join requirements r on r.inspection_id = i.id
      where ${o.type('i')} = 'full' and i.status = 'completed'
      group by 1, 2, 3
    ) x group by 1, 2`,
  statistics_first_inspections: `
    select distinct on (e.provider_id) e.provider_id, e.id as inspection_id, e.framework_id, e.status,
      ${o.start('e')} as start_date, e.overall_grade
    from inspections e
    where ${o.type('e')} = 'full' and e.status <> 'incomplete'
    order by e.provider_id, ${o.start('e')}, e.id`,
  statistics_moderation_months: `
    select ${month('i.start_date')} as month, i.framework_id, p.region, i.lead_inspector_id,
      count(*)::int as inspections, count(*) filter (where m.n > 0)::int as moderated,
      coalesce(sum(m.n), 0)::int as moderations,
      count(*) filter (where m.n > 0 and i.overall_grade is distinct from i.inspector_overall_grade)::int
        as overall_changed
    from inspections i
    join providers p on p.id = i.provider_id
    left join (
      select j.inspection_id, count(*) as n from judgements j where j.kind = 'moderation' group by 1
    ) m on m.inspection_id = i.id
    where i.status = 'completed'
    group by 1, 2, 3, 4`,
});
const summaryDefinitions = summaryDefinitionsFor(OWN);

const statisticsSummaries: Migration = {
  up: [
    `create table statistics_notification_days (
       event_date date not null,
       category_id text not null,
       notifications integer not null,
       primary key (event_date, category_id)
     )`,
    `create table statistics_notification_senders (
       category_id text not null,
       provider_id uuid not null,
       days datemultirange not null,
       primary key (category_id, provider_id)
     )`,
    `create table statistics_inspection_months (
       month date not null,
       framework_id text not null,
       lead_inspector_id uuid not null,
       inspections integer not null,
       incomplete integer not null,
       primary key (month, framework_id, lead_inspector_id)
     )`,
    `create table statistics_grade_months (
       month date not null,
       framework_id text not null,
       lead_inspector_id uuid not null,
       grade_id text not null,
       provider_type text not null,
       region text not null,
       inspections integer not null,
       primary key (month, framework_id, lead_inspector_id, grade_id, provider_type, region)
     )`,
    `create table statistics_full_inspection_months (
       month date not null,
       framework_id text not null,
       inspections integer not null,
       with_requirements integer not null,
       primary key (month, framework_id)
     )`,
    `create table statistics_requirement_months (
       month date not null,
       regulation_id text not null,
       requirements integer not null,
       inspections integer not null,
       primary key (month, regulation_id)
     )`,
    `create table statistics_moderation_months (
       month date not null,
       framework_id text not null,
       region text not null,
       lead_inspector_id uuid not null,
       inspections integer not null,
       moderated integer not null,
       moderations integer not null,
       overall_changed integer not null,
       primary key (month, framework_id, region, lead_inspector_id)
     )`,
    `create table statistics_first_inspections (
       provider_id uuid primary key,
       inspection_id uuid,
       framework_id text,
       status text,
       start_date date,
       overall_grade text
     )`,
    `create index statistics_first_inspections_completed on statistics_first_inspections (start_date)
       include (framework_id, overall_grade) where status = 'completed' and overall_grade is not null`,
    // The final overall grade kept on each inspection, brought up to date from the judgements where they
    // reach one, as 0012 did for the grade as given: first-inspection-outcomes and moderation read it.
    fillOverallGrades,
    // Triggers first: creating them locks each table against writes until this migration commits, so
    // nothing written meanwhile is missed or counted twice by the fill below.
    ...triggers(
      'inspections',
      'statistics_inspections',
      deltas(INSPECTION_COLUMNS, INSPECTION_COLUMNS),
      (d) => countInspections(d),
    ),
    ...triggers(
      'requirements',
      'statistics_requirements',
      deltas(['inspection_id', 'regulation_id'], ['inspection_id', 'regulation_id']),
      (d) => countRequirements(d),
    ),
    ...triggers(
      'judgements',
      'statistics_judgements',
      deltas(['inspection_id', 'kind'], ['inspection_id', 'kind'], 'row_id'),
      (d) => countModerations(d),
    ),
    `create function statistics_providers_update() returns trigger language plpgsql as $$
     begin
       ${moveProviders}
       return null;
     end $$`,
    `create trigger statistics_providers_update after update on providers
       referencing old table as old_rows new table as new_rows
       for each statement execute function statistics_providers_update()`,
    `alter table providers enable always trigger statistics_providers_update`,
    ...triggers(
      'event_notifications',
      'statistics_notifications',
      deltas(NOTIFICATION_KEY, NOTIFICATION_KEY),
      (d, kind) =>
        countNotifications(
          d,
          kind === 'insert' ? 'new_rows' : kind === 'update' ? changedNotifications('n') : null,
          kind === 'delete' ? 'old_rows' : kind === 'update' ? changedNotifications('o') : null,
        ),
    ),
    ...Object.entries(summaryDefinitions).map(([table, definition]) => `insert into ${table} ${definition}`),
  ],
};

export default statisticsSummaries;
