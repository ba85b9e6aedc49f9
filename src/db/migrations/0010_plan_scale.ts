import type { Migration } from '../migration.js';

/**
 * The plan at national scale: provider_schedule also keeps what the plan needs that does not depend on
 * the day it is asked, so that the plan reads no requirement rows and works out no due date at query
 * time. Beside the last inspections (0005) each row now has the compliance dates of the last graded
 * inspection's requirements, and, under the planning rules of the running code, the interval for the last
 * grade, whether the grade dropped, the due dates of the next full inspection and monitoring visit, and
 * the day from which risk signals count.
 *
 * The rules live in code (src/planning/rules.ts and the frameworks); the code writes them into
 * plan_intervals and plan_first_inspection, with a digest in plan_rules, and works every row's dates out
 * again when the digest differs (ensurePlanRules in src/planning/schedule-store.ts). Triggers keep the rows as
 * inspections, requirements and the providers' type, registration date and status change.
 */
const planScale: Migration = {
  up: [
    `create table plan_intervals (
       framework_id text not null,
       grade_id text not null,
       rank integer not null,
       months integer not null,
       worst boolean not null,
       monitoring_months integer,
       primary key (framework_id, grade_id)
     )`,
    `create table plan_first_inspection (
       provider_type text primary key,
       months integer not null
     )`,
    // One row: the digest of the rules the stored dates were worked out under ('' until the code first
    // writes them). Every refresh takes a key-share lock on it, so a change of rules waits for changes in
    // flight and they wait for it.
    `create table plan_rules (
       id boolean primary key default true check (id),
       digest text not null
     )`,
    `insert into plan_rules (id, digest) values (true, '')`,
    `alter table provider_schedule
       add column requirement_dates date[] not null default '{}',
       add column first_comply_by date,
       add column last_months integer,
       add column grade_dropped boolean not null default false,
       add column due date,
       add column monitoring_due date,
       add column signals_since date`,
    // The same view as in 0005 with the requirements' compliance dates of the last graded inspection,
    // earliest first.
    `create or replace view provider_schedule_source as
     select p.id as provider_id,
       l.id as last_inspection_id, l.framework_id as last_framework_id, l.end_date as last_end_date,
       l.overall_grade as last_grade_id,
       v.framework_id as previous_framework_id, v.overall_grade as previous_grade_id,
       (select max(m.end_date) from inspections m
         where m.provider_id = p.id and m.type = 'monitoring' and m.status = 'completed') as last_monitoring_end_date,
       exists (select 1 from inspections o where o.provider_id = p.id
         and o.status in ('planned', 'on-site', 'feedback-given') and o.type in ('full', 'additional-visit')) as open_full,
       exists (select 1 from inspections o where o.provider_id = p.id
         and o.status in ('planned', 'on-site', 'feedback-given') and o.type = 'monitoring') as open_monitoring,
       array(select r.comply_by from requirements r where r.inspection_id = l.id order by r.comply_by)
         as requirement_dates
     from providers p
     left join lateral (
       select i.id, i.framework_id, i.end_date, i.overall_grade from inspections i
       where i.provider_id = p.id and i.status = 'completed' and i.overall_grade is not null
       order by i.end_date desc, i.id desc limit 1
     ) l on true
     left join lateral (
       select i.framework_id, i.overall_grade from inspections i
       where i.provider_id = p.id and i.status = 'completed' and i.overall_grade is not null
       order by i.end_date desc, i.id desc offset 1 limit 1
     ) v on true`,
    // The dates under the rules in plan_intervals and plan_first_inspection, from the stored row and the
    // provider: the same sums the plan used to do for every provider at every request. A provider not
    // registered has no due date, so the plan leaves it out.
    `create view provider_schedule_dates as
     select s.provider_id,
       g.months as last_months,
       coalesce(g.rank > pg.rank, false) as grade_dropped,
       case when p.status <> 'registered' then null
            when s.last_inspection_id is null then (p.registered_on + make_interval(months => f.months))::date
            else (s.last_end_date + make_interval(months => g.months))::date end as due,
       case when p.status = 'registered' and g.worst and g.monitoring_months is not null then
         (greatest(s.last_end_date, s.last_monitoring_end_date) + make_interval(months => g.monitoring_months))::date
         end as monitoring_due,
       coalesce(s.last_end_date, p.registered_on) as signals_since
     from provider_schedule s
     join providers p on p.id = s.provider_id
     left join plan_intervals g on g.framework_id = s.last_framework_id and g.grade_id = s.last_grade_id
     left join plan_intervals pg on pg.framework_id = s.previous_framework_id and pg.grade_id = s.previous_grade_id
     left join plan_first_inspection f on f.provider_type = p.type`,
    // The dates alone, for providers whose inspections have not changed (a new provider, a change of
    // type, registration date or status); the rows are made if missing and locked in order first.
    `create function refresh_provider_dates(ids uuid[]) returns void language plpgsql as $$
     begin
       perform 1 from plan_rules for key share;
       insert into provider_schedule (provider_id)
         select distinct u.id from unnest(ids) as u(id) where u.id is not null order by u.id
         on conflict do nothing;
       perform 1 from provider_schedule where provider_id = any(ids) order by provider_id for update;
       update provider_schedule s set
         last_months = d.last_months, grade_dropped = d.grade_dropped, due = d.due,
         monitoring_due = d.monitoring_due, signals_since = d.signals_since
       from provider_schedule_dates d
       where d.provider_id = any(ids) and s.provider_id = d.provider_id;
     end $$`,
    // As in 0005, then the requirements' dates, then the dates under the rules.
    `create or replace function refresh_provider_schedule(ids uuid[]) returns void language plpgsql as $$
     begin
       perform 1 from plan_rules for key share;
       insert into provider_schedule (provider_id)
         select distinct u.id from unnest(ids) as u(id) where u.id is not null order by u.id
         on conflict do nothing;
       perform 1 from provider_schedule where provider_id = any(ids) order by provider_id for update;
       update provider_schedule s set
         last_inspection_id = src.last_inspection_id, last_framework_id = src.last_framework_id,
         last_end_date = src.last_end_date, last_grade_id = src.last_grade_id,
         previous_framework_id = src.previous_framework_id, previous_grade_id = src.previous_grade_id,
         last_monitoring_end_date = src.last_monitoring_end_date,
         open_full = src.open_full, open_monitoring = src.open_monitoring,
         requirement_dates = src.requirement_dates, first_comply_by = src.requirement_dates[1]
       from provider_schedule_source src
       where src.provider_id = any(ids) and s.provider_id = src.provider_id;
       perform refresh_provider_dates(ids);
     end $$`,
    // Requirements are added while an inspection is recorded, which may be after it is graded; whatever
    // writes them, the provider's row follows.
    `create function requirements_refresh_schedule() returns trigger language plpgsql as $$
     begin
       if tg_op = 'INSERT' then
         perform refresh_provider_schedule(array(
           select distinct i.provider_id from changed_after r join inspections i on i.id = r.inspection_id));
       elsif tg_op = 'UPDATE' then
         perform refresh_provider_schedule(array(
           select i.provider_id from changed_after r join inspections i on i.id = r.inspection_id
           union select i.provider_id from changed_before r join inspections i on i.id = r.inspection_id));
       else
         perform refresh_provider_schedule(array(
           select distinct i.provider_id from changed_before r join inspections i on i.id = r.inspection_id));
       end if;
       return null;
     end $$`,
    `create trigger requirements_schedule_insert after insert on requirements
       referencing new table as changed_after
       for each statement execute function requirements_refresh_schedule()`,
    `create trigger requirements_schedule_update after update on requirements
       referencing old table as changed_before new table as changed_after
       for each statement execute function requirements_refresh_schedule()`,
    `create trigger requirements_schedule_delete after delete on requirements
       referencing old table as changed_before
       for each statement execute function requirements_refresh_schedule()`,
    // A new provider is due from registration; a change of type, registration date or status changes its
    // dates. Neither changes its inspections, so only the dates are worked out. Other changes to the
    // register (names, addresses, an import that rewrites every row) cost a comparison only.
    `create function providers_refresh_schedule() returns trigger language plpgsql as $$
     begin
       if tg_op = 'INSERT' then
         perform refresh_provider_dates(array(select id from changed_after));
       else
         perform refresh_provider_dates(array(
           select a.id from changed_after a join changed_before b on b.id = a.id
           where a.type is distinct from b.type or a.registered_on is distinct from b.registered_on
             or a.status is distinct from b.status));
       end if;
       return null;
     end $$`,
    `create trigger providers_schedule_insert after insert on providers
       referencing new table as changed_after
       for each statement execute function providers_refresh_schedule()`,
    `create trigger providers_schedule_update after update on providers
       referencing old table as changed_before new table as changed_after
       for each statement execute function providers_refresh_schedule()`,
    // Every provider gets its row now, the never inspected too, with its requirements' dates; the dates
    // under the rules follow when the code first writes the rules.
    `insert into provider_schedule (provider_id) select id from providers on conflict do nothing`,
    `update provider_schedule s set
       last_inspection_id = src.last_inspection_id, last_framework_id = src.last_framework_id,
       last_end_date = src.last_end_date, last_grade_id = src.last_grade_id,
       previous_framework_id = src.previous_framework_id, previous_grade_id = src.previous_grade_id,
       last_monitoring_end_date = src.last_monitoring_end_date,
       open_full = src.open_full, open_monitoring = src.open_monitoring,
       requirement_dates = src.requirement_dates, first_comply_by = src.requirement_dates[1]
     from provider_schedule_source src where s.provider_id = src.provider_id`,
    // The plan reads the providers due by the end of its period, those whose weighted signals may bring
    // them into it, and those with a monitoring visit due; the rest it does not touch.
    `create index provider_schedule_due on provider_schedule (due) where due is not null`,
    `create index provider_schedule_weighted on provider_schedule (due)
       where due is not null and (grade_dropped or first_comply_by is not null)`,
    `create index provider_schedule_monitoring on provider_schedule (monitoring_due)
       where monitoring_due is not null`,
  ],
};

export default planScale;
