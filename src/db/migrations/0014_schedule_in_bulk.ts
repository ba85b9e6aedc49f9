import type { Migration } from '../migration.js';

/**
 * provider_schedule upkeep in bulk. Measured at 100,000 new providers in one statement (an import into
 * an empty register), the trigger of 0010 cost more than the insert itself: it found the rows by
 * `provider_id = any(ids)`, which the planner cannot turn into a join, and locked and updated rows that
 * had only just been made. Now the rows are found by joining the ids, and a new provider's row is written
 * once, with its dates, straight from the inserted rows.
 */
const scheduleInBulk: Migration = {
  up: [
    `create or replace function refresh_provider_dates(ids uuid[]) returns void language plpgsql as $$
     begin
       perform 1 from plan_rules for key share;
       insert into provider_schedule (provider_id)
         select distinct u.id from unnest(ids) as u(id) where u.id is not null order by u.id
         on conflict do nothing;
       perform 1 from provider_schedule s where s.provider_id in (select unnest(ids))
         order by s.provider_id for update;
       update provider_schedule s set
         last_months = d.last_months, grade_dropped = d.grade_dropped, due = d.due,
         monitoring_due = d.monitoring_due, signals_since = d.signals_since
       from provider_schedule_dates d
       where d.provider_id in (select unnest(ids)) and s.provider_id = d.provider_id;
     end $$`,
    `create or replace function refresh_provider_schedule(ids uuid[]) returns void language plpgsql as $$
     begin
       perform 1 from plan_rules for key share;
       insert into provider_schedule (provider_id)
         select distinct u.id from unnest(ids) as u(id) where u.id is not null order by u.id
         on conflict do nothing;
       perform 1 from provider_schedule s where s.provider_id in (select unnest(ids))
         order by s.provider_id for update;
       update provider_schedule s set
         last_inspection_id = src.last_inspection_id, last_framework_id = src.last_framework_id,
         last_end_date = src.last_end_date, last_grade_id = src.last_grade_id,
         previous_framework_id = src.previous_framework_id, previous_grade_id = src.previous_grade_id,
         last_monitoring_end_date = src.last_monitoring_end_date,
         open_full = src.open_full, open_monitoring = src.open_monitoring,
         requirement_dates = src.requirement_dates, first_comply_by = src.requirement_dates[1]
       from provider_schedule_source src
       where src.provider_id in (select unnest(ids)) and s.provider_id = src.provider_id;
       perform refresh_provider_dates(ids);
     end $$`,
    // A new provider has no inspections, so its row is what provider_schedule_dates gives a provider never
    // inspected: due a first inspection after its type's period from registration, if registered, and
    // signals counted from registration. Nothing else can hold the new rows, so no lock is taken on them.
    `create or replace function providers_refresh_schedule() returns trigger language plpgsql as $$
     begin
       if tg_op = 'INSERT' then
         perform 1 from plan_rules for key share;
         insert into provider_schedule (provider_id, due, signals_since)
           select a.id,
             case when a.status = 'registered' then (a.registered_on + make_interval(months => f.months))::date end,
             a.registered_on
           from changed_after a
           left join plan_first_inspection f on f.provider_type = a.type
           on conflict do nothing;
       else
         perform refresh_provider_dates(array(
           select a.id from changed_after a join changed_before b on b.id = a.id
           where a.type is distinct from b.type or a.registered_on is distinct from b.registered_on
             or a.status is distinct from b.status));
       end if;
       return null;
     end $$`,
  ],
};

export default scheduleInBulk;
