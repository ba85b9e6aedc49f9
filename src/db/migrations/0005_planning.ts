import type { Migration } from '../migrate.js';

/**
 * Risk-based scheduling: concerns about providers raised by anyone, serious-event notifications from
 * providers, changes of manager or owner that count as risk signals, and the annual sample of local
 * authorities drawn for a year.
 */
export const planning: Migration = {
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
  ],
};
