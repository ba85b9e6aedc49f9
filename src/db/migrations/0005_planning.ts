import type { Migration } from '../migration.js';

/**
 * Risk-based scheduling: concerns about providers raised by anyone, serious-event notifications from
 * providers, changes of manager or owner that count as risk signals, and the annual sample of local
 * authorities drawn for a year.
 */
const planning: Migration = {
  up: [
    `create table concerns (
       id uuid primary key default gen_random_uuid(),
       reference text not null unique,
       provider_id uuid references providers(id),
       provider_description text not null,
       channel text not null,
       summary text not null,
       raiser_name text,
       raiser_email text,
       raiser_relationship text,
       received_at timestamptz not null,
       status text not null default 'new',
       risk_level text,
       decision text,
       decision_reasons text,
       bring_forward_to date,
       decided_by uuid references people(id),
       decided_at timestamptz,
       notification_id uuid,
       raised_by uuid references people(id),
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       version integer not null default 1
     )`,
    `create index concerns_status on concerns (status, received_at desc)`,
    `create index concerns_provider on concerns (provider_id, received_at desc)`,
    `create table event_notifications (
       id uuid primary key default gen_random_uuid(),
       reference text not null unique,
       provider_id uuid not null references providers(id),
       category_id text not null,
       event_date date not null,
       what_happened text not null,
       actions_taken text not null,
       told text[] not null default '{}',
       told_other text,
       submitted_by uuid not null references people(id),
       submitted_at timestamptz not null,
       status text not null default 'submitted',
       review_outcome text,
       review_notes text,
       bring_forward_to date,
       concern_id uuid references concerns(id),
       reviewed_by uuid references people(id),
       reviewed_at timestamptz,
       version integer not null default 1
     )`,
    `create index event_notifications_provider on event_notifications (provider_id, event_date desc)`,
    `create index event_notifications_category on event_notifications (category_id, event_date desc)`,
    `create index event_notifications_date on event_notifications (event_date desc)`,
    `alter table concerns add constraint concerns_notification
       foreign key (notification_id) references event_notifications(id)`,
    `create table provider_changes (
       id uuid primary key default gen_random_uuid(),
       provider_id uuid not null references providers(id),
       kind text not null,
       occurred_on date not null,
       note text,
       recorded_by uuid references people(id),
       recorded_at timestamptz not null default now()
     )`,
    `create index provider_changes_provider on provider_changes (provider_id, occurred_on desc)`,
    `create table authority_samples (
       id uuid primary key default gen_random_uuid(),
       year_starting date not null unique,
       seed text not null,
       size integer not null,
       authorities jsonb not null,
       drawn_by uuid references people(id),
       drawn_at timestamptz not null default now()
     )`,
    // The overall grade of an inspection, after limiting judgements and moderation, kept by the
    // inspection store whenever a judgement is given or moderated, so that the plan can read each
    // provider's last grade from an index instead of working it out from every judgement.
    `alter table inspections add column overall_grade text`,
    `create index inspections_graded on inspections (provider_id, end_date desc, id desc)
       include (framework_id, overall_grade) where status = 'completed' and overall_grade is not null`,
    `create index inspections_monitoring on inspections (provider_id, end_date)
       where type = 'monitoring' and status = 'completed'`,
    // Inspections not yet completed are few: the plan leaves out providers that have one.
    `create index inspections_open on inspections (provider_id, type)
       where status in ('planned', 'on-site', 'feedback-given')`,
    `create index provider_changes_recent on provider_changes (occurred_on, provider_id)`,
    // What the plan needs of each provider's inspections, one row per provider, so that the plan for the
    // whole register reads 100,000 narrow rows instead of working through ten years of inspections.
    `create table provider_schedule (
       provider_id uuid primary key references providers(id) on delete cascade,
       last_inspection_id uuid,
       last_framework_id text,
       last_end_date date,
       last_grade_id text,
       previous_framework_id text,
       previous_grade_id text,
       last_monitoring_end_date date,
       open_full boolean not null default false,
       open_monitoring boolean not null default false
     )`,
    // The row as it should be, from the indexes above: the last two graded inspections, the last
    // completed monitoring visit, and whether a full inspection or monitoring visit is planned or under way.
    `create view provider_schedule_source as
     select p.id as provider_id,
       l.id as last_inspection_id, l.framework_id as last_framework_id, l.end_date as last_end_date,
       l.overall_grade as last_grade_id,
       v.framework_id as previous_framework_id, v.overall_grade as previous_grade_id,
       (select max(m.end_date) from inspections m
         where m.provider_id = p.id and m.type = 'monitoring' and m.status = 'completed') as last_monitoring_end_date,
       exists (select 1 from inspections o where o.provider_id = p.id
         and o.status in ('planned', 'on-site', 'feedback-given') and o.type in ('full', 'additional-visit')) as open_full,
       exists (select 1 from inspections o where o.provider_id = p.id
         and o.status in ('planned', 'on-site', 'feedback-given') and o.type = 'monitoring') as open_monitoring
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
    // Kept by the database in the transaction that changes an inspection, whoever changes it (the
    // inspection store, a complaint's remedy, demo data, a test). The providers' rows are locked first, in
    // order, and then worked out afresh, so that two changes to one provider at once are applied in turn.
    `create function refresh_provider_schedule(ids uuid[]) returns void language plpgsql as $$
     begin
       insert into provider_schedule (provider_id)
         select distinct u.id from unnest(ids) as u(id) where u.id is not null order by u.id
         on conflict do nothing;
       perform 1 from provider_schedule where provider_id = any(ids) order by provider_id for update;
       update provider_schedule s set
         last_inspection_id = src.last_inspection_id, last_framework_id = src.last_framework_id,
         last_end_date = src.last_end_date, last_grade_id = src.last_grade_id,
         previous_framework_id = src.previous_framework_id, previous_grade_id = src.previous_grade_id,
         last_monitoring_end_date = src.last_monitoring_end_date,
         open_full = src.open_full, open_monitoring = src.open_monitoring
       from provider_schedule_source src
       where src.provider_id = any(ids) and s.provider_id = src.provider_id;
     end $$`,
    // Once per statement with the rows it changed, so that a bulk load works each provider out once.
    `create function inspections_refresh_schedule() returns trigger language plpgsql as $$
     begin
       if tg_op = 'INSERT' then
         perform refresh_provider_schedule(array(select distinct provider_id from changed_after));
       elsif tg_op = 'UPDATE' then
         perform refresh_provider_schedule(array(
           select provider_id from changed_after union select provider_id from changed_before));
       else
         perform refresh_provider_schedule(array(select distinct provider_id from changed_before));
       end if;
       return null;
     end $$`,
    `create trigger inspections_schedule_insert after insert on inspections
       referencing new table as changed_after
       for each statement execute function inspections_refresh_schedule()`,
    `create trigger inspections_schedule_update after update on inspections
       referencing old table as changed_before new table as changed_after
       for each statement execute function inspections_refresh_schedule()`,
    `create trigger inspections_schedule_delete after delete on inspections
       referencing old table as changed_before
       for each statement execute function inspections_refresh_schedule()`,
  ],
};

export default planning;
