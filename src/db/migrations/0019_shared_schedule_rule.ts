import type { Migration } from '../migration.js';

/**
 * The due date of a provider's next full inspection, stated once. The view provider_schedule_dates (0010)
 * and the new-provider path of the providers' trigger (0014) each wrote it out, so a change to one could
 * leave a new provider due on a different day from the one every later refresh gives it.
 *
 * The function is plain SQL, immutable, one expression and not strict, so PostgreSQL inlines it into the
 * statements that call it: their plans are the same as with the expression written out.
 */
const sharedScheduleRule: Migration = {
  up: [
    // Not registered: not due. Never inspected: its type's first-inspection period from registration
    // (none for a type with no framework). Otherwise the interval for its last grade from the last
    // inspection's end. A graded inspection always has an end date, so no end date means never inspected.
    `create function full_inspection_due(
       status text, registered_on date, first_months integer, last_end_date date, last_months integer)
     returns date language sql immutable parallel safe as $$
       select case when status <> 'registered' then null
                   when last_end_date is null then (registered_on + make_interval(months => first_months))::date
                   else (last_end_date + make_interval(months => last_months))::date end
     $$`,
    `create or replace view provider_schedule_dates as
     select s.provider_id,
       g.months as last_months,
       coalesce(g.rank > pg.rank, false) as grade_dropped,
       full_inspection_due(p.status, p.registered_on, f.months, s.last_end_date, g.months) as due,
       case when p.status = 'registered' and g.worst and g.monitoring_months is not null then
         (greatest(s.last_end_date, s.last_monitoring_end_date) + make_interval(months => g.monitoring_months))::date
         end as monitoring_due,
       coalesce(s.last_end_date, p.registered_on) as signals_since
     from provider_schedule s
     join providers p on p.id = s.provider_id
     left join plan_intervals g on g.framework_id = s.last_framework_id and g.grade_id = s.last_grade_id
     left join plan_intervals pg on pg.framework_id = s.previous_framework_id and pg.grade_id = s.previous_grade_id
     left join plan_first_inspection f on f.provider_type = p.type`,
    // As in 0014: a new provider's row is written once, straight from the inserted rows, as the view would
    // give it for a provider with no inspection (signals count from registration).
    `create or replace function providers_refresh_schedule() returns trigger language plpgsql as $$
     begin
       if tg_op = 'INSERT' then
         perform 1 from plan_rules for key share;
         insert into provider_schedule (provider_id, due, signals_since)
           select a.id, full_inspection_due(a.status, a.registered_on, f.months, null, null), a.registered_on
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

export default sharedScheduleRule;
