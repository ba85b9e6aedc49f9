import { sql, type RawBuilder } from 'kysely';
import { inTransaction, type Db } from '../db/database.js';
import { summaryDefinitions } from '../db/migrations/0025_additional_visit_outcomes.js';
import { frameworks } from '../frameworks/frameworks.js';
import { splitIntoMonths, type Period } from './rules.js';

/**
 * The figures' SQL. Every count is an aggregate in the database; what comes back is one row per group
 * (a grade, a category, an owner group, an inspector), never the rows counted.
 *
 * An inspection belongs to the period its first day falls in. "Completed" inspections are those whose
 * grades are final (status 'completed'); a declared-incomplete inspection has no grades that stand. In the
 * outcome figures an inspection declared incomplete counts once, when the additional visit completing it
 * is completed, with the visit's outcome, under its own type and first day (kept on the visit as
 * `original_type` and `original_start_date`, migration 0025).
 */

// ---- The overall grade, as the framework rule in src/frameworks/rules.ts has it ----

/**
 * The rule's parameters, from the framework data: for each framework the area whose grade is the overall
 * (or headline) one and the limiting areas, and each grade's place on the scale (0 = best).
 */
function ruleTables(): RawBuilder<unknown> {
  const areas = frameworks.flatMap((framework) =>
    framework.judgementAreas
      .filter((area) => area.id === framework.overallGrade.areaId || (area.limiting && !area.separatelyRated))
      .map(
        (area) =>
          sql`(${framework.id}::text, ${area.id}::text, ${area.id === framework.overallGrade.areaId}::boolean)`,
      ),
  );
  const scale = frameworks.flatMap((framework) =>
    framework.gradeScale.map(
      (grade, rank) =>
        sql`(${framework.id}::text, ${grade.id}::text, ${rank}::int, ${rank === framework.gradeScale.length - 1}::boolean)`,
    ),
  );
  return sql`rule_areas (framework_id, area_id, is_overall) as (values ${sql.join(areas)}),
    rule_scale (framework_id, grade_id, rank, worst) as (values ${sql.join(scale)})`;
}

/**
 * CTEs giving `<name> (id, framework_id, grade_id, rank, worst)`: the overall grade of each inspection in the CTE `from`
 * (which has id and framework_id), from the latest version of each area's judgement; with
 * `inspectorOnly`, from the latest the inspector gave, before any moderation. The overall grade is the
 * worst of the overall area's grade and the limiting areas' grades, and there is none until the overall
 * area is graded.
 */
function overallGrades(from: string, name: string, inspectorOnly: boolean): RawBuilder<unknown> {
  const source = sql.raw(from);
  const target = sql.raw(name);
  const kind = inspectorOnly ? sql`and j.kind = 'inspector'` : sql``;
  // The framework travels with each judgement, so the rule tables join the judgements alone: joining
  // them to the inspections first multiplies the rows by the areas before any judgement is read.
  return sql`${target}_latest as (
      select distinct on (j.inspection_id, j.area_id) j.inspection_id, s.framework_id, j.area_id, j.grade_id
      from judgements j join ${source} s on s.id = j.inspection_id
      where true ${kind}
      order by j.inspection_id, j.area_id, j.version desc
    ),
    ${target}_rank as (
      select l.inspection_id as id, l.framework_id, max(g.rank) as rank
      from ${target}_latest l
      join rule_areas a on a.framework_id = l.framework_id and a.area_id = l.area_id
      join rule_scale g on g.framework_id = l.framework_id and g.grade_id = l.grade_id
      group by l.inspection_id, l.framework_id
      having bool_or(a.is_overall)
    ),
    ${target} as (
      select r.id, r.framework_id, g.grade_id, g.rank, g.worst
      from ${target}_rank r join rule_scale g on g.framework_id = r.framework_id and g.rank = r.rank
    )`;
}

/**
 * Runs a figure's statement with settings for a pass over a national data set: JIT off (the estimated
 * cost of the grade statements crosses its thresholds, and compiling took up to 3.6 s, longer than the
 * statement itself, in bench/statistics.ts) and enough working memory for the period's sorts and hashes
 * to stay out of temporary files. Inside a caller's transaction it runs as it is.
 */
async function rows<T>(db: Db, query: RawBuilder<T>): Promise<T[]> {
  if (db.isTransaction) return (await query.execute(db)).rows;
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    await sql`set local work_mem = '64MB'`.execute(trx);
    return (await query.execute(trx)).rows;
  });
}

/**
 * Providers on the register on `date`: registered by then, and not closed or cancelled by then (the day
 * each left is kept, migration 0023), so a past date counts those that have gone since.
 */
const onRegister = (date: string) =>
  sql`p.registered_on <= ${date}::date and (p.left_register_on is null or p.left_register_on > ${date}::date)`;

/**
 * A period as the summaries of migration 0018 read it: `inMonths(column)` picks a summary's whole months
 * in the period, `inEdges(column)` the days at either end outside them, read from the rows themselves.
 * Summed, the two give exactly what counting the period's rows gives.
 */
function monthsOf(period: Period) {
  const { months, edges } = splitIntoMonths(period);
  return {
    inMonths: (column: string) =>
      months ? sql`${sql.ref(column)} between ${months.first}::date and ${months.last}::date` : sql`false`,
    inEdges: (column: string) =>
      edges.length
        ? sql`(${sql.join(
            edges.map((edge) => sql`${sql.ref(column)} between ${edge.from}::date and ${edge.to}::date`),
            sql` or `,
          )})`
        : sql`false`,
  };
}

// ---- Inspections ----

/**
 * Completed full inspections `inEdges` picks by their first day: those completed themselves, and those
 * declared incomplete whose additional visit is completed, as the visit (by the original's first day).
 * Two conditions, each served by its own index (inspections_period, inspections_completing).
 */
const completedFull = (inEdges: (column: string) => RawBuilder<unknown>) =>
  sql`((i.type = 'full' and i.status = 'completed' and ${inEdges('i.start_date')})
    or (i.original_type = 'full' and i.status = 'completed' and ${inEdges('i.original_start_date')}))`;

/** Completed first full inspections started in the period, counted by framework and overall grade. */
export function firstInspectionOutcomes(db: Db, period: Period) {
  // Each provider's first full inspection that was not declared incomplete is kept, with its final
  // overall grade as the inspection keeps it (migration 0018), so this reads the period's rows of one
  // small table instead of every provider's inspections and their judgements.
  return rows(
    db,
    sql<{ framework_id: string; grade_id: string; inspections: number }>`
      select f.framework_id, f.overall_grade as grade_id, count(*)::int as inspections
      from statistics_first_inspections f
      where f.status = 'completed' and f.overall_grade is not null
        and f.start_date between ${period.from}::date and ${period.to}::date
      group by f.framework_id, f.overall_grade`,
  );
}

/** Completed full inspections started in the period, by framework, and how many have a requirement. */
export function fullInspectionsWithRequirements(db: Db, period: Period) {
  const { inMonths, inEdges } = monthsOf(period);
  return rows(
    db,
    sql<{ framework_id: string; inspections: number; with_requirements: number }>`
      -- Whole months from their summary; the days at either end from the inspections themselves.
      with counted as (
        select s.framework_id, s.inspections, s.with_requirements
        from statistics_full_inspection_months s where ${inMonths('s.month')}
        union all
        select i.framework_id, 1,
          (exists (select 1 from requirements q where q.inspection_id = i.id))::int
        from inspections i
        where ${completedFull(inEdges)}
      )
      select c.framework_id, sum(c.inspections)::int as inspections,
        sum(c.with_requirements)::int as with_requirements
      from counted c
      group by c.framework_id
      having sum(c.inspections) > 0`,
  );
}

/** Requirements made at completed full inspections started in the period, by regulation. */
export function requirementsByRegulation(db: Db, period: Period) {
  const { inMonths, inEdges } = monthsOf(period);
  return rows(
    db,
    sql<{ regulation_id: string; requirements: number; inspections: number }>`
      -- An inspection lies in one month, so the inspections citing a regulation add up across months.
      with counted as (
        select s.regulation_id, s.requirements, s.inspections
        from statistics_requirement_months s where ${inMonths('s.month')}
        union all
        select r.regulation_id, count(*), 1
        from inspections i join requirements r on r.inspection_id = i.id
        where ${completedFull(inEdges)}
        group by r.regulation_id, r.inspection_id
      )
      select c.regulation_id, sum(c.requirements)::int as requirements, sum(c.inspections)::int as inspections
      from counted c
      group by c.regulation_id
      having sum(c.requirements) > 0`,
  );
}

// ---- Notifications ----

/** Serious-event notifications about events in the period, by category, with the providers that sent them. */
export async function notificationsByCategory(db: Db, period: Period) {
  // Counts per day and category, summed; the homes are the senders (per category, and '*' for any)
  // with a day in the period: both exact for any period, from the summaries of migration 0018.
  const [counts, senders] = await Promise.all([
    rows(
      db,
      sql<{ category_id: string; notifications: number }>`
        select d.category_id, sum(d.notifications)::int as notifications
        from statistics_notification_days d
        where d.event_date between ${period.from}::date and ${period.to}::date
        group by d.category_id
        having sum(d.notifications) > 0`,
    ),
    rows(
      db,
      sql<{ category_id: string; homes: number }>`
        select s.category_id, count(*)::int as homes
        from statistics_notification_senders s
        where s.days && daterange(${period.from}::date, ${period.to}::date, '[]')
        group by s.category_id`,
    ),
  ]);
  const homes = new Map(senders.map((row) => [row.category_id, row.homes]));
  const byCategory = counts.map((row) => ({
    category_id: row.category_id,
    notifications: row.notifications,
    homes: homes.get(row.category_id) ?? 0,
  }));
  return {
    byCategory,
    total: {
      notifications: byCategory.reduce((total, row) => total + row.notifications, 0),
      homes: homes.get('*') ?? 0,
    },
  };
}

// ---- The register ----

/** Providers on the register on `date`, by type, with their places. */
export function providersByType(db: Db, date: string) {
  return rows(
    db,
    sql<{ type: string; providers: number; places: number }>`
      select p.type, count(*)::int as providers, coalesce(sum(p.places), 0)::int as places
      from providers p where ${onRegister(date)}
      group by p.type`,
  );
}

/** Children's homes on the register on each of the dates. */
export async function childrensHomesOn(db: Db, dates: string[]) {
  return Promise.all(
    dates.map(async (date) => {
      const [row] = await rows(
        db,
        sql<{ homes: number; places: number }>`
          select count(*)::int as homes, coalesce(sum(p.places), 0)::int as places
          from providers p where p.type = 'childrens-home' and ${onRegister(date)}`,
      );
      return { date, homes: row?.homes ?? 0, places: row?.places ?? 0 };
    }),
  );
}

/**
 * Multi-building registration applications submitted in the period, by their status now: for children's
 * homes only, as the registration is (one recorded for another kind of provider before that was refused
 * is left out).
 */
export function applicationsByStatus(db: Db, period: Period) {
  return rows(
    db,
    sql<{ status: string; applications: number }>`
      select a.status, count(*)::int as applications
      from registration_applications a join providers p on p.id = a.provider_id
      where a.submitted_on between ${period.from}::date and ${period.to}::date and p.type = 'childrens-home'
      group by a.status`,
  );
}

/**
 * Private children's homes on the register on `date`: their number and places in all, and per owner group
 * (homes with no group belong to no group and are counted only in the total).
 */
export async function privateHomesByOwnerGroup(db: Db, date: string) {
  const privateHomes = sql`p.type = 'childrens-home' and p.sector = 'private' and ${onRegister(date)}`;
  const [groups, [all]] = await Promise.all([
    rows(
      db,
      sql<{ id: string; name: string; homes: number; places: number }>`
        select g.id, g.name, count(*)::int as homes, coalesce(sum(p.places), 0)::int as places
        from providers p join owner_groups g on g.id = p.owner_group_id
        where ${privateHomes}
        group by g.id, g.name`,
    ),
    rows(
      db,
      sql<{ homes: number; places: number }>`
        select count(*)::int as homes, coalesce(sum(p.places), 0)::int as places
        from providers p where ${privateHomes}`,
    ),
  ]);
  return { groups, total: all ?? { homes: 0, places: 0 } };
}

// ---- Consistency ----

export type Dimension = 'framework' | 'region' | 'inspector';

const dimensionOf = sql`case when grouping(i.framework_id) = 0 then 'framework'
  when grouping(i.region) = 0 then 'region' else 'inspector' end`;
const keyOf = sql`coalesce(case when grouping(i.framework_id) = 0 then i.framework_id end,
  case when grouping(i.region) = 0 then i.region end, i.lead_inspector_id::text)`;
const nameOf = sql`coalesce(case when grouping(i.framework_id) = 0 then i.framework_id end,
  case when grouping(i.region) = 0 then i.region end, min(lead.name))`;

/**
 * Completed inspections started in the period, by framework, region and lead inspector: how many were
 * moderated, how many area grades moderation changed, and how many overall grades it changed (the final
 * overall grade and the one given, as the inspection keeps them, differ).
 */
export function moderationCounts(db: Db, period: Period) {
  const { inMonths, inEdges } = monthsOf(period);
  return rows(
    db,
    sql<{
      dimension: Dimension;
      key: string;
      name: string;
      inspections: number;
      moderated: number;
      grades_changed: number;
      overall_changed: number;
    }>`
      -- Whole months from their summary (migration 0018); the days at either end from the inspections.
      with counted as (
        select s.framework_id, s.region, s.lead_inspector_id, s.inspections, s.moderated, s.moderations,
          s.overall_changed
        from statistics_moderation_months s where ${inMonths('s.month')}
        union all
        select e.framework_id, p.region, e.lead_inspector_id, 1, (m.n > 0)::int, m.n,
          (m.n > 0 and e.overall_grade is distinct from e.inspector_overall_grade)::int
        from inspections e
        join providers p on p.id = e.provider_id
        cross join lateral (
          select count(*)::int as n from judgements j where j.inspection_id = e.id and j.kind = 'moderation'
        ) m
        where e.status = 'completed' and ${inEdges('e.start_date')}
      )
      select ${dimensionOf} as dimension, ${keyOf} as key, ${nameOf} as name,
        sum(i.inspections)::int as inspections,
        sum(i.moderated)::int as moderated,
        sum(i.moderations)::int as grades_changed,
        sum(i.overall_changed)::int as overall_changed
      from counted i
      join people lead on lead.id = i.lead_inspector_id
      group by grouping sets ((i.framework_id), (i.region), (i.lead_inspector_id))
      having sum(i.inspections) > 0`,
  );
}

/** Inspections started in the period that got under way, and those declared incomplete, by framework and lead. */
export function incompleteCounts(db: Db, period: Period) {
  const { inMonths, inEdges } = monthsOf(period);
  return rows(
    db,
    sql<{ dimension: Dimension; key: string; name: string; inspections: number; incomplete: number }>`
      with counted as (
        select s.framework_id, s.lead_inspector_id, s.inspections, s.incomplete
        from statistics_inspection_months s where ${inMonths('s.month')}
        union all
        select i.framework_id, i.lead_inspector_id, 1, (i.status = 'incomplete')::int
        from inspections i
        where i.status <> 'planned' and ${inEdges('i.start_date')}
      )
      select case when grouping(i.framework_id) = 0 then 'framework' else 'inspector' end as dimension,
        coalesce(case when grouping(i.framework_id) = 0 then i.framework_id end, i.lead_inspector_id::text) as key,
        coalesce(case when grouping(i.framework_id) = 0 then i.framework_id end, min(lead.name)) as name,
        sum(i.inspections)::int as inspections,
        sum(i.incomplete)::int as incomplete
      from counted i join people lead on lead.id = i.lead_inspector_id
      group by grouping sets ((i.framework_id), (i.lead_inspector_id))
      having sum(i.inspections) > 0`,
  );
}

/**
 * The overall grades lead inspectors gave (before moderation) at completed inspections started in the
 * period: the count of each grade, and, for the best and the worst grade on the scale, how often each
 * inspector gave it against how often others did for comparable providers (same framework, provider
 * type and region).
 */
export async function inspectorGrades(db: Db, period: Period) {
  // The grade as given is kept on the inspection (src/inspections/judgements.ts, migration 0012) and counted
  // per month with the provider's type and region (migration 0018), so whole months are a sum over that
  // summary and only the days at either end are read from the inspections.
  // The best and the worst grade of each framework's scale, as expressions rather than a join to a
  // list: joined, the planner expected a twentieth of the rows and probed providers once per inspection.
  const { inMonths, inEdges } = monthsOf(period);
  const scaleEnd = (pick: (scale: readonly { id: string }[]) => { id: string } | undefined) =>
    sql`coalesce((case gv.framework_id ${sql.join(
      frameworks.map((f) => sql`when ${f.id}::text then ${pick(f.gradeScale)?.id ?? ''}::text`),
      sql` `,
    )} end = gv.grade_id)::int, 0)`;
  const given = sql`counted as (
      select s.framework_id, s.lead_inspector_id as lead, s.grade_id, s.provider_type as type, s.region,
        s.inspections as n
      from statistics_grade_months s where ${inMonths('s.month')}
      union all
      select i.framework_id, i.lead_inspector_id, i.inspector_overall_grade, p.type, p.region, 1
      from inspections i join providers p on p.id = i.provider_id
      where i.status = 'completed' and i.inspector_overall_grade is not null and ${inEdges('i.start_date')}
    ),
    given as (
      select gv.framework_id, gv.lead, gv.grade_id, gv.type, gv.region, gv.n,
        gv.n * ${scaleEnd((scale) => scale[0])} as best,
        gv.n * ${scaleEnd((scale) => scale[scale.length - 1])} as worst
      from counted gv
    )`;
  const [counts, spreads] = await Promise.all([
    rows(
      db,
      sql<{ lead: string; name: string; framework_id: string; grade_id: string; inspections: number }>`
        with ${given},
        grouped as (
          select gv.lead, gv.framework_id, gv.grade_id, sum(gv.n)::int as inspections
          from given gv
          group by gv.lead, gv.framework_id, gv.grade_id
          having sum(gv.n) > 0
        )
        select c.lead, lead.name, c.framework_id, c.grade_id, c.inspections
        from grouped c join people lead on lead.id = c.lead`,
    ),
    rows(
      db,
      sql<{
        lead: string;
        framework_id: string;
        inspections: number;
        compared: number;
        best_observed: number;
        best_expected: number;
        worst_observed: number;
        worst_expected: number;
      }>`
        with ${given},
        -- Each inspector's cells (framework, provider type, region); the whole cells are sums of those.
        mine as (
          select gv.lead, gv.framework_id, gv.type, gv.region, sum(gv.n) as n, sum(gv.best) as best,
            sum(gv.worst) as worst
          from given gv
          group by gv.lead, gv.framework_id, gv.type, gv.region
          having sum(gv.n) > 0
        ),
        cell as (
          select framework_id, type, region, sum(n) as n, sum(best) as best, sum(worst) as worst
          from mine group by framework_id, type, region
        )
        select m.lead, m.framework_id, sum(m.n)::int as inspections,
          coalesce(sum(m.n) filter (where c.n > m.n), 0)::int as compared,
          coalesce(sum(m.best) filter (where c.n > m.n), 0)::int as best_observed,
          coalesce(sum(m.n * (c.best - m.best)::float8 / (c.n - m.n)) filter (where c.n > m.n), 0)::float8
            as best_expected,
          coalesce(sum(m.worst) filter (where c.n > m.n), 0)::int as worst_observed,
          coalesce(sum(m.n * (c.worst - m.worst)::float8 / (c.n - m.n)) filter (where c.n > m.n), 0)::float8
            as worst_expected
        from mine m join cell c using (framework_id, type, region)
        group by m.lead, m.framework_id`,
    ),
  ]);
  return { counts, spreads };
}

// ---- Exports, read in batches so that a large register is never held in memory at once ----

const BATCH = 1000;

export interface RegisterRow {
  urn: string;
  name: string;
  type: string;
  sector: string;
  address_line1: string;
  address_line2: string | null;
  town: string;
  postcode: string;
  local_authority: string;
  region: string;
  places: number;
  status: string;
  owner_group: string | null;
  registered_on: string;
}

/** Every provider on the register, in URN order, a batch at a time (keyset on the unique URN). */
export async function* registerBatches(db: Db): AsyncGenerator<RegisterRow[]> {
  let after: string | null = null;
  for (;;) {
    const batch: RegisterRow[] = await db
      .selectFrom('providers as p')
      .leftJoin('owner_groups as g', 'g.id', 'p.owner_group_id')
      .select([
        'p.urn',
        'p.name',
        'p.type',
        'p.sector',
        'p.address_line1',
        'p.address_line2',
        'p.town',
        'p.postcode',
        'p.local_authority',
        'p.region',
        'p.places',
        'p.status',
        'g.name as owner_group',
        'p.registered_on',
      ])
      .$if(after !== null, (q) => q.where('p.urn', '>', after!))
      .orderBy('p.urn')
      .limit(BATCH)
      .execute();
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < BATCH) return;
    after = batch[batch.length - 1]!.urn;
  }
}

export interface PublishedReportRow {
  id: string;
  urn: string;
  provider_name: string;
  type: string;
  local_authority: string;
  start_date: string;
  end_date: string;
  framework_id: string;
  grade_id: string | null;
  published_on: string;
}

/** Published reports in order of publication, a batch at a time, each with its inspection's overall grade. */
export async function* publishedReportBatches(db: Db): AsyncGenerator<PublishedReportRow[]> {
  let after: { on: string; id: string } | null = null;
  for (;;) {
    const keyset: RawBuilder<unknown> = after
      ? sql`and (r.published_on, r.id) > (${after.on}::date, ${after.id}::uuid)`
      : sql``;
    const batch: PublishedReportRow[] = await rows(
      db,
      sql<PublishedReportRow>`
        with ${ruleTables()},
        chosen as (
          select r.id as report_id, r.published_on, i.id, i.framework_id, i.provider_id, i.start_date, i.end_date
          from reports r join inspections i on i.id = r.inspection_id
          where r.status = 'published' ${keyset}
          order by r.published_on, r.id
          limit ${BATCH}
        ),
        ${overallGrades('chosen', 'graded', false)}
        select c.report_id as id, p.urn, p.name as provider_name, p.type, p.local_authority,
          c.start_date, c.end_date, c.framework_id, g.grade_id, c.published_on
        from chosen c join providers p on p.id = c.provider_id left join graded g on g.id = c.id
        order by c.published_on, c.report_id`,
    );
    if (batch.length === 0) return;
    yield batch;
    if (batch.length < BATCH) return;
    const last = batch[batch.length - 1]!;
    after = { on: last.published_on, id: last.id };
  }
}

/**
 * Every statistics summary worked out afresh from the rows it counts (the definitions of migration 0018):
 * for a bulk load that skipped the triggers keeping them (the generator under the replica role), which
 * may have added to data already there. The summaries are locked against other writers first, so that
 * none of their counts is added between the delete and the fill, or lost.
 */
export async function rebuildStatisticsSummaries(db: Db): Promise<void> {
  await inTransaction(db, async (trx) => {
    const tables = Object.keys(summaryDefinitions);
    await sql`lock table ${sql.join(tables.map((t) => sql.table(t)))} in share row exclusive mode`.execute(
      trx,
    );
    // Tables just loaded in bulk look empty to the planner until analysed: it then joins them by nested
    // loops, and the fill of statistics_full_inspection_months alone took 68 s at 20,000 providers.
    await sql`analyze providers, inspections, judgements, requirements, event_notifications`.execute(trx);
    for (const [table, definition] of Object.entries(summaryDefinitions)) {
      await sql`delete from ${sql.table(table)}`.execute(trx);
      await sql`insert into ${sql.table(table)} ${sql.raw(definition)}`.execute(trx);
    }
  });
}
