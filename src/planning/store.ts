import { sql, type RawBuilder } from 'kysely';
import { formatLongDate, type IsoDate } from '../calendar/working-days.js';
import type { Db } from '../db/database.js';
import type { Page } from '../db/paging.js';
import { isUuid } from '../fields.js';
import { regulations } from '../frameworks/regulations.js';
import type { Notice } from '../inspections/rules.js';
import {
  compareWorkload,
  DEFAULT_NOTIFICATION_WEIGHT,
  explainSignal,
  gradeLabel,
  intervalTable,
  MAX_WEIGHTED_DAYS,
  monthsBetween,
  noticeFor,
  NOTIFICATION_WEIGHTS,
  SIGNAL_WEIGHTS,
  SIGNAL_WINDOW_MONTHS,
  type IntervalOverrides,
  type MonthCount,
  type RiskSignal,
  type SignalKind,
} from './rules.js';
import { listProviderChanges } from './changes-store.js';
import { ensurePlanRules, rulesAsRows } from './schedule-store.js';

/**
 * The plan, worked out in the database for the whole register at once: each provider's due dates under
 * the current rules and what it needs of its inspections and requirements (from provider_schedule, a row
 * per provider kept by triggers), the risk signals since its last inspection summed per provider, and
 * the brought-forward date. The intervals, weights and periods come from rules.ts; nothing of the rules
 * is written into the SQL. Keeping the stored dates under the code's rules is schedule-store.ts's;
 * changes of manager or owner are recorded by changes-store.ts.
 */

export type { IntervalOverrides } from './rules.js';

export interface PlanQuery {
  from: IsoDate;
  to: IsoDate;
  today: IsoDate;
  page: number;
  pageSize: number;
  intervals?: IntervalOverrides;
  /** Provider type. */
  type?: string | undefined;
  region?: string | undefined;
}

export interface PlanSignal extends RiskSignal {
  label: string;
  explanation: string;
}

export interface PlanRow {
  provider: {
    id: string;
    name: string;
    urn: string;
    type: string;
    region: string;
    localAuthority: string;
    registeredOn: IsoDate;
  };
  /** A full inspection (the first, when never inspected) or a monitoring visit after the worst grade. */
  kind: 'full' | 'monitoring';
  /** What the due date is counted from. */
  basis: 'last-inspection' | 'registration';
  lastInspection: {
    id: string;
    frameworkId: string;
    endDate: IsoDate;
    grade: string;
    gradeLabel: string;
    intervalMonths: number;
  } | null;
  due: IsoDate;
  broughtForward: IsoDate;
  /** Days between the brought-forward date and the due date. */
  daysBroughtForward: number;
  overdue: boolean;
  notice: Notice;
  signals: PlanSignal[];
}

interface Scope {
  type?: string | undefined;
  region?: string | undefined;
  providerIds?: string[];
}

/** The rules as the SQL reads them. */
function parameters(today: IsoDate, intervals: IntervalOverrides = []) {
  const rules = rulesAsRows(intervals);
  return {
    today,
    grades: JSON.stringify(rules.grades),
    first: JSON.stringify(rules.first),
    weights: JSON.stringify(SIGNAL_WEIGHTS),
    categoryWeights: JSON.stringify(NOTIFICATION_WEIGHTS),
  };
}

interface CteOptions {
  /**
   * The plan's page: only the providers that can fall in a period ending on this day are worked
   * through (see `storedBase`).
   */
  periodEnd?: IsoDate;
  /** `sig`: every signal as a row, requirements and grade drops included, for explanations. */
  detail?: boolean;
}

/**
 * `base`: one row per registered provider with a due date and the weight of its signals kept with it (a
 * grade drop, requirements past their compliance date); `agg`: the weight and earliest planner's date of
 * the signals in other tables (concerns, notifications, changes) since its last inspection; `planned`:
 * its rows with brought-forward dates. With `detail`, `sig` has every signal as a row instead. Shared by
 * the plan, the what-if and a provider's own plan.
 *
 * Under the current rules the due dates, the interval, the grade drop and the requirements' compliance
 * dates are read from provider_schedule, where triggers keep them (migrations 0005 and 0010); with a
 * changed interval (the what-if) the due dates are worked out here for every provider.
 */
function planCtes(
  today: IsoDate,
  intervals: IntervalOverrides | undefined,
  scope: Scope,
  options: CteOptions = {},
): RawBuilder<unknown> {
  const p = parameters(today, intervals);
  const day = sql`${p.today}::date`;
  const weight = (kind: SignalKind) => sql`(${p.weights}::jsonb ->> ${kind})::int`;
  const stored = !intervals || intervals.length === 0;
  const windowStart = sql`(${day} - make_interval(months => ${SIGNAL_WINDOW_MONTHS}::int))::date`;
  // The weight kept with the provider's row: a grade drop, and each requirement of the last inspection
  // past its compliance date (counted only for the few rows with one).
  const storedWeight = (dropped: RawBuilder<unknown>) => sql`
    case when ${dropped} then ${weight('grade-drop')} else 0 end
    + case when s.first_comply_by < ${day} then ${weight('overdue-requirement')}
        * (select count(*) from unnest(s.requirement_dates) as d(comply_by) where d.comply_by < ${day})::int
      else 0 end`;
  // Signals from the other tables since the provider's last inspection (or registration), with `b`
  // giving each provider's `id` and `since`: one join for the three, on the day each happened.
  const tableSignals = (b: RawBuilder<unknown>) => sql`
      select x.* from (
        select c.provider_id,
          case when c.decision is null then 'concern-awaiting-assessment'
               when c.decision = 'inspect-now' then 'concern-inspect-now'
               else 'concern-bring-forward' end as kind,
          case when c.decision is null then ${weight('concern-awaiting-assessment')}
               when c.decision = 'inspect-now' then 0
               when c.bring_forward_to is null then ${weight('concern-bring-forward')}
               else 0 end as weight,
          case when c.decision = 'inspect-now'
                 then coalesce(c.bring_forward_to, (c.decided_at at time zone 'Europe/London')::date, ${day})
               when c.decision = 'bring-forward' then c.bring_forward_to end as bring_forward_to,
          (c.received_at at time zone 'Europe/London')::date as on_date,
          c.reference, null::text as category, null::jsonb as detail
        from concerns c
        where c.provider_id is not null and (c.decision is null or c.decision in ('inspect-now', 'bring-forward'))
        union all
        select n.provider_id, 'notification',
          case when n.review_outcome = 'inspection-brought-forward' and n.bring_forward_to is not null then 0
               else coalesce((${p.categoryWeights}::jsonb ->> n.category_id)::int, ${DEFAULT_NOTIFICATION_WEIGHT}::int)
          end,
          case when n.review_outcome = 'inspection-brought-forward' then n.bring_forward_to end,
          n.event_date, n.reference, n.category_id, null::jsonb
        from event_notifications n
        where n.event_date > ${windowStart} and n.event_date <= ${day}
          and (n.review_outcome is null or n.review_outcome = 'inspection-brought-forward')
        union all
        select ch.provider_id, ch.kind, (${p.weights}::jsonb ->> ch.kind)::int, null::date, ch.occurred_on,
          null::text, null::text, jsonb_build_object('note', ch.note)
        from provider_changes ch
        where ch.occurred_on > ${windowStart} and ch.occurred_on <= ${day}
      ) x join ${b} on b.id = x.provider_id
      where x.on_date > b.since`;
  const baseCtes = stored
    ? storedBase(day, scope, options, storedWeight(sql`s.grade_dropped`))
    : computedBase(p, scope, storedWeight(sql`coalesce(g.rank > pg.rank, false)`));
  if (options.detail) {
    return sql`
    ${baseCtes},
    sig as (
      ${tableSignals(sql`base b`)}
      union all
      select b.id, 'overdue-requirement', ${weight('overdue-requirement')}, null::date, r.comply_by,
        null::text, r.regulation_id, null::jsonb
      from requirements r join base b on r.inspection_id = b.last_id
      where r.comply_by < ${day}
      union all
      select b.id, 'grade-drop', ${weight('grade-drop')}, null::date, b.last_end, null::text,
        b.last_framework_id, jsonb_build_object('from', b.previous_grade, 'to', b.last_grade)
      from base b where b.grade_dropped
    )`;
  }
  // Not limited to `base`: a provider outside it is never joined, and the plan's page finds among these
  // the providers due later that a planner's date or the weights may bring into its period.
  const agg = sql`
    agg as (
      select provider_id, sum(weight)::int as weight, min(bring_forward_to) as explicit
      from (${tableSignals(sql`(select provider_id as id, signals_since as since from provider_schedule) b`)}) sig
      group by provider_id
    )`;
  return sql`
    ${agg},
    ${baseCtes},
    planned as (
      select b.id, b.last_id,
        b.last_framework_id, b.last_end, b.last_grade, b.last_months, 'full'::text as kind, b.due,
        greatest(
          least(b.due - least(coalesce(a.weight, 0) + b.stored_weight, ${MAX_WEIGHTED_DAYS}::int),
            coalesce(a.explicit, b.due)),
          least(b.due, ${day})) as brought_forward
      from base b left join agg a on a.provider_id = b.id
      where not b.open_full
      union all
      select b.id, b.last_id,
        b.last_framework_id, b.last_end, b.last_grade, b.last_months, 'monitoring', b.monitoring_due,
        b.monitoring_due
      from base b
      where b.monitoring_due is not null and b.monitoring_due < b.due and not b.open_monitoring
    )`;
}

/**
 * `base` from provider_schedule's stored dates. A provider that is not registered has no due date there.
 *
 * For a page of the plan (`periodEnd`) only the providers that can fall in the period are read, in
 * three disjoint parts: those due by its end; those due at most MAX_WEIGHTED_DAYS later whose stored
 * signals (a grade drop, a requirement past its compliance date) weigh; and, due later still or without
 * those, the ones with a signal in `agg` or a monitoring visit due by the end. Any other provider is due
 * after the period with nothing to bring it forward.
 */
function storedBase(
  day: RawBuilder<unknown>,
  scope: Scope,
  options: CteOptions,
  storedWeight: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const filters: RawBuilder<unknown>[] = [sql`s.due is not null`];
  const register: RawBuilder<unknown>[] = [];
  if (scope.type) register.push(sql`p.type = ${scope.type}`);
  if (scope.region) register.push(sql`p.region = ${scope.region}`);
  if (register.length) {
    filters.push(
      sql`exists (select 1 from providers p where p.id = s.provider_id and ${sql.join(register, sql` and `)})`,
    );
  }
  if (scope.providerIds) filters.push(sql`s.provider_id = any(${scope.providerIds}::uuid[])`);
  const rows = (condition: RawBuilder<unknown>, from = sql`provider_schedule s`) => sql`
      select s.provider_id as id, s.last_inspection_id as last_id, s.last_framework_id,
        s.last_end_date as last_end, s.last_grade_id as last_grade, s.previous_grade_id as previous_grade,
        s.last_months, s.grade_dropped, s.open_full, s.open_monitoring, s.due, s.monitoring_due,
        s.signals_since as since, ${storedWeight} as stored_weight
      from ${from}
      where ${sql.join([...filters, condition], sql` and `)}`;
  if (!options.periodEnd) return sql`base as (${rows(sql`true`)})`;
  const end = sql`${options.periodEnd}::date`;
  // Repeats the partial index's predicate so that the planner uses it.
  const weighted = sql`s.due <= ${end} + ${MAX_WEIGHTED_DAYS}::int
    and (s.grade_dropped or s.first_comply_by is not null)
    and (s.grade_dropped or s.first_comply_by < ${day})`;
  return sql`
    base as (
      ${rows(sql`s.due <= ${end}`)}
      union all
      ${rows(sql`s.due > ${end} and ${weighted}`)}
      union all
      ${rows(
        sql`s.due > ${end} and not coalesce(${weighted}, false)`,
        sql`(select provider_id from agg union select provider_id from provider_schedule
              where monitoring_due <= ${end}) c
            join provider_schedule s on s.provider_id = c.provider_id`,
      )}
    )`;
}

/** `base` with the due dates worked out under changed intervals, for every registered provider. */
function computedBase(
  p: ReturnType<typeof parameters>,
  scope: Scope,
  storedWeight: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const filters: RawBuilder<unknown>[] = [sql`p.status = 'registered'`];
  if (scope.type) filters.push(sql`p.type = ${scope.type}`);
  if (scope.region) filters.push(sql`p.region = ${scope.region}`);
  if (scope.providerIds) filters.push(sql`p.id = any(${scope.providerIds}::uuid[])`);
  return sql`
    grades as (
      select * from jsonb_to_recordset(${p.grades}::jsonb)
        as g(framework_id text, grade_id text, rank int, months int, worst boolean, monitoring_months int)
    ),
    first_due as (
      select * from jsonb_to_recordset(${p.first}::jsonb) as f(provider_type text, months int)
    ),
    register as (
      select p.id,
        s.last_inspection_id as last_id, s.last_framework_id, s.last_end_date as last_end,
        s.last_grade_id as last_grade, s.previous_grade_id as previous_grade, g.months as last_months,
        coalesce(g.rank > pg.rank, false) as grade_dropped,
        coalesce(s.open_full, false) as open_full, coalesce(s.open_monitoring, false) as open_monitoring,
        full_inspection_due(p.status, p.registered_on, f.months, s.last_end_date, g.months) as due,
        case when g.worst and g.monitoring_months is not null then
          (greatest(s.last_end_date, s.last_monitoring_end_date) + make_interval(months => g.monitoring_months))::date
          end as monitoring_due,
        coalesce(s.last_end_date, p.registered_on) as since,
        coalesce(${storedWeight}, 0) as stored_weight
      from providers p
      left join provider_schedule s on s.provider_id = p.id
      left join grades g on g.framework_id = s.last_framework_id and g.grade_id = s.last_grade_id
      left join grades pg on pg.framework_id = s.previous_framework_id and pg.grade_id = s.previous_grade_id
      left join first_due f on f.provider_type = p.type
      where ${sql.join(filters, sql` and `)}
    ),
    base as (select * from register where due is not null)`;
}

interface PlannedRow {
  id: string;
  name: string;
  urn: string;
  type: string;
  region: string;
  local_authority: string;
  registered_on: string;
  last_id: string | null;
  last_framework_id: string | null;
  last_end: string | null;
  last_grade: string | null;
  last_months: number | null;
  kind: 'full' | 'monitoring';
  due: string;
  brought_forward: string;
}

interface SignalRow {
  provider_id: string;
  kind: SignalKind;
  weight: number;
  bring_forward_to: string | null;
  on_date: string;
  reference: string | null;
  category: string | null;
  detail: RiskSignal['detail'] | string | null;
}

// The register's own columns are joined last, so that the rows the plan works through stay narrow.
const columns = sql`pl.id, p.name, p.urn, p.type, p.region, p.local_authority, p.registered_on, pl.last_id,
  pl.last_framework_id, pl.last_end, pl.last_grade, pl.last_months, pl.kind, pl.due, pl.brought_forward`;

/**
 * One page of the plan for a period: every row whose brought-forward date falls in it, and every overdue
 * row, earliest first. Providers with a full inspection already planned or under way are left out.
 */
export function planFor(db: Db, query: PlanQuery): Promise<Page<PlanRow>> {
  return withPlanSettings(db, (trx) => planIn(trx, query));
}

async function planIn(db: Db, query: PlanQuery): Promise<Page<PlanRow>> {
  const { from, to, today, page, pageSize } = query;
  const offset = (page - 1) * pageSize;
  // The count needs every row of the period, but the names (for the order) only those up to the page's
  // last brought-forward date: the register is joined to those alone. One row comes back even past the
  // last page, to carry the count.
  const result = await sql<Nullable<PlannedRow> & { total: number }>`
    with ${planCtes(today, query.intervals, { type: query.type, region: query.region }, { periodEnd: to })},
    period as materialized (
      select * from planned
      where brought_forward <= ${to}::date and (brought_forward >= ${from}::date or due < ${today}::date)
    ),
    page_end as (
      select brought_forward as at from period order by brought_forward offset ${offset + pageSize - 1} limit 1
    )
    select shown.*, counted.total
    from (select count(*)::int as total from period) counted
    left join lateral (
      select ${columns}
      from (
        -- Each name by its key, for the rows up to the page's end only.
        select pl.*, (select p.name from providers p where p.id = pl.id) as name
        from period pl
        where pl.brought_forward <= coalesce((select at from page_end), 'infinity'::date)
        order by pl.brought_forward, name, pl.kind, pl.id
        limit ${pageSize} offset ${offset}
      ) pl join providers p on p.id = pl.id
    ) shown on true
    order by shown.brought_forward, shown.name, shown.kind, shown.id`.execute(db);
  const total = Number(result.rows[0]?.total ?? 0);
  const rows = result.rows.filter((r): r is PlannedRow & { total: number } => r.id !== null);
  const signals = await signalsOf(
    db,
    today,
    query.intervals,
    rows.filter((r) => r.kind === 'full').map((r) => r.id),
  );
  return {
    items: rows.map((row) => present(row, today, signals.get(row.id) ?? [])),
    page,
    pageSize,
    total,
    totalPages: Math.ceil(total / pageSize),
  };
}

type Nullable<T> = { [K in keyof T]: T[K] | null };

/** The signals behind the given providers' plan rows, explained. */
async function signalsOf(
  db: Db,
  today: IsoDate,
  intervals: IntervalOverrides | undefined,
  providerIds: string[],
): Promise<Map<string, PlanSignal[]>> {
  const byProvider = new Map<string, PlanSignal[]>();
  if (providerIds.length === 0) return byProvider;
  const result = await sql<SignalRow>`
    with ${planCtes(today, intervals, { providerIds }, { detail: true })}
    select provider_id, kind, weight, bring_forward_to, on_date, reference, category, detail from sig
    order by provider_id, on_date desc, kind`.execute(db);
  for (const row of result.rows) {
    const signal: RiskSignal = {
      kind: row.kind,
      weightDays: Number(row.weight),
      bringForwardTo: row.bring_forward_to,
      on: row.on_date,
      reference: row.reference,
      category: row.category,
      detail: typeof row.detail === 'string' ? JSON.parse(row.detail) : row.detail,
    };
    const frameworkId = row.kind === 'grade-drop' ? row.category : null;
    byProvider.set(row.provider_id, [
      ...(byProvider.get(row.provider_id) ?? []),
      {
        ...signal,
        label: labelOf(signal.kind),
        explanation: explainSignal(signal, {
          date: formatLongDate,
          grade: (id) => gradeLabel(frameworkId, id),
          regulation: regulationName,
        }),
      },
    ]);
  }
  return byProvider;
}

/** 'reg 12, protection of children', or the id of a regulation no longer in the data. */
function regulationName(id: string): string {
  const regulation = regulations.find((r) => r.id === id);
  return regulation ? `reg ${regulation.number}, ${regulation.title.toLowerCase()}` : id;
}

function labelOf(kind: SignalKind): string {
  const labels: Record<SignalKind, string> = {
    'concern-awaiting-assessment': 'Concern awaiting assessment',
    'concern-inspect-now': 'Concern: inspect now',
    'concern-bring-forward': 'Concern: bring forward',
    notification: 'Serious-event notification',
    'overdue-requirement': 'Requirement not met in time',
    'grade-drop': 'Grade dropped',
    'manager-changed': 'New registered manager',
    'owner-changed': 'New owner',
  };
  return labels[kind];
}

function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function present(row: PlannedRow, today: IsoDate, signals: PlanSignal[]): PlanRow {
  return {
    provider: {
      id: row.id,
      name: row.name,
      urn: row.urn,
      type: row.type,
      region: row.region,
      localAuthority: row.local_authority,
      registeredOn: row.registered_on,
    },
    kind: row.kind,
    basis: row.last_id ? 'last-inspection' : 'registration',
    lastInspection:
      row.last_id && row.last_end && row.last_grade && row.last_framework_id
        ? {
            id: row.last_id,
            frameworkId: row.last_framework_id,
            endDate: row.last_end,
            grade: row.last_grade,
            gradeLabel: gradeLabel(row.last_framework_id, row.last_grade),
            intervalMonths: Number(row.last_months),
          }
        : null,
    due: row.due,
    broughtForward: row.brought_forward,
    daysBroughtForward: daysBetween(row.brought_forward, row.due),
    overdue: row.due < today,
    notice: noticeFor(row.type),
    signals: row.kind === 'full' ? signals : [],
  };
}

/**
 * Full inspections per month of the period: each provider inspected on its brought-forward date (an
 * overdue one at the start of the period, or today if later), then again every interval for its current
 * grade, as if the grade stayed the same. Monitoring visits are not counted.
 */
export async function workloadByMonth(
  db: Db,
  query: {
    from: IsoDate;
    to: IsoDate;
    today: IsoDate;
    intervals?: IntervalOverrides;
    type?: string | undefined;
    region?: string | undefined;
  },
): Promise<MonthCount[]> {
  const { from, to, today } = query;
  const result = await withPlanSettings(db, (trx) =>
    sql<{ month: string; count: number }>`
    with ${planCtes(today, query.intervals, { type: query.type, region: query.region })},
    starts as (
      select case when due < ${today}::date then greatest(${today}::date, ${from}::date)
                  else greatest(brought_forward, ${today}::date) end as first_on,
        last_months as months
      from planned where kind = 'full'
    )
    select to_char(on_day, 'YYYY-MM') as month, count(*)::int as count
    from starts,
      generate_series(first_on::timestamp,
        case when months is null then first_on::timestamp else ${to}::date::timestamp end,
        make_interval(months => coalesce(months, 1))) as on_day
    where on_day >= ${from}::date and on_day <= ${to}::date
    group by 1 order by 1`.execute(trx),
  );
  return result.rows.map((r) => ({ month: r.month, count: Number(r.count) }));
}

/**
 * Runs the plan's statements in a transaction with settings for a pass over the whole register: JIT off
 * (their estimated cost crosses its threshold, and compiling took longer, 0.1 to 10 s measured, than the
 * queries themselves) and enough working memory that the register's hash joins stay out of temporary
 * files. Inside a caller's transaction they run as they are. Either way the stored dates are first made
 * to follow the rules of the running code.
 */
function withPlanSettings<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return ensurePlanRules(db).then(() => work(db));
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    await sql`set local work_mem = '64MB'`.execute(trx);
    await ensurePlanRules(trx);
    return work(trx);
  });
}

/** One provider's plan: its rows (whatever their dates) with every signal explained. */
export async function providerPlan(db: Db, providerId: string, today: IsoDate) {
  if (!isUuid(providerId)) return null;
  const provider = await db
    .selectFrom('providers')
    .select(['id', 'name', 'urn', 'type', 'region', 'local_authority', 'registered_on', 'status'])
    .where('id', '=', providerId)
    .executeTakeFirst();
  if (!provider) return null;
  await ensurePlanRules(db);
  const result = await sql<PlannedRow>`
    with ${planCtes(today, undefined, { providerIds: [providerId] })}
    select ${columns} from planned pl join providers p on p.id = pl.id
    order by pl.brought_forward, pl.kind`.execute(db);
  const signals = await signalsOf(db, today, undefined, [providerId]);
  const open = await db
    .selectFrom('inspections')
    .select(['id', 'type', 'status', 'start_date', 'notice'])
    .where('provider_id', '=', providerId)
    .where('status', 'in', ['planned', 'on-site', 'feedback-given'])
    .orderBy('start_date')
    .execute();
  return {
    provider: {
      id: provider.id,
      name: provider.name,
      urn: provider.urn,
      type: provider.type,
      region: provider.region,
      localAuthority: provider.local_authority,
      registeredOn: provider.registered_on,
      status: provider.status,
    },
    rows: result.rows.map((row) => present(row, today, signals.get(row.id) ?? [])),
    signals: signals.get(providerId) ?? [],
    openInspections: open.map((i) => ({
      id: i.id,
      type: i.type,
      status: i.status,
      startDate: i.start_date,
      notice: i.notice,
    })),
    changes: await listProviderChanges(db, providerId),
  };
}

/** The what-if: full inspections per month under today's intervals and with one interval changed. */
export async function whatIf(
  db: Db,
  query: {
    frameworkId: string;
    gradeId: string;
    months: number;
    from: IsoDate;
    to: IsoDate;
    today: IsoDate;
    type?: string | undefined;
    region?: string | undefined;
  },
) {
  const { from, to, today, type, region } = query;
  const current = intervalTable().find(
    (r) => r.frameworkId === query.frameworkId && r.gradeId === query.gradeId,
  );
  const intervals = [{ frameworkId: query.frameworkId, gradeId: query.gradeId, months: query.months }];
  // One after the other: the embedded database has one connection.
  const baseline = await workloadByMonth(db, { from, to, today, type, region });
  const changed = await workloadByMonth(db, { from, to, today, intervals, type, region });
  const months = compareWorkload(monthsBetween(from, to), baseline, changed);
  const sum = (key: 'baseline' | 'changed' | 'difference') => months.reduce((n, m) => n + m[key], 0);
  return {
    period: { from, to, today },
    change: {
      frameworkId: query.frameworkId,
      gradeId: query.gradeId,
      fromMonths: current?.months ?? 0,
      toMonths: query.months,
    },
    months,
    totals: { baseline: sum('baseline'), changed: sum('changed'), difference: sum('difference') },
  };
}

/** The regions on the register, for the plan's filter. */
export async function regionsOnRegister(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('providers').select('region').distinct().orderBy('region').execute();
  return rows.map((r) => r.region);
}
