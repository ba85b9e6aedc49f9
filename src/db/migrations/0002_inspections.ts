import type { Migration } from '../migration.js';

/**
 * Inspections and what is recorded during them. Evidence and judgements are kept as versions: a
 * correction or a moderated grade is a new row, and the earlier ones stay.
 */
const inspections: Migration = {
  up: [
    `create table conflicts_of_interest (
       id uuid primary key default gen_random_uuid(),
       person_id uuid not null references people(id),
       provider_id uuid not null references providers(id),
       description text not null,
       declared_by uuid not null references people(id),
       declared_at timestamptz not null default now(),
       unique (person_id, provider_id)
     )`,
    `create index conflicts_of_interest_provider on conflicts_of_interest (provider_id)`,
    `create table inspections (
       id uuid primary key default gen_random_uuid(),
       provider_id uuid not null references providers(id),
       framework_id text not null,
       type text not null,
       notice text not null,
       start_date date not null,
       end_date date not null check (end_date >= start_date),
       lead_inspector_id uuid not null references people(id),
       status text not null default 'planned',
       flaw_condition text,
       flaw_reasons text,
       additional_visit_of uuid references inspections(id),
       created_by uuid references people(id),
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       version integer not null default 1
     )`,
    `create index inspections_provider on inspections (provider_id, start_date desc)`,
    `create index inspections_start on inspections (start_date desc, id)`,
    `create index inspections_lead on inspections (lead_inspector_id)`,
    `create table inspection_team (
       inspection_id uuid not null references inspections(id),
       person_id uuid not null references people(id),
       primary key (inspection_id, person_id)
     )`,
    `create index inspection_team_person on inspection_team (person_id)`,
    `create table lines_of_enquiry (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null references inspections(id),
       title text not null,
       area_id text,
       opened_by uuid not null references people(id),
       opened_at timestamptz not null default now(),
       closed_by uuid references people(id),
       closed_at timestamptz,
       conclusion text,
       closing_evidence_ids uuid[] not null default '{}'
     )`,
    `create index lines_of_enquiry_inspection on lines_of_enquiry (inspection_id)`,
    `create table evidence (
       row_id bigint generated always as identity primary key,
       id uuid not null,
       version integer not null,
       inspection_id uuid not null references inspections(id),
       source text not null,
       summary text not null,
       child_reference text,
       line_of_enquiry_id uuid references lines_of_enquiry(id),
       correction_reason text,
       recorded_by uuid not null references people(id),
       recorded_at timestamptz not null default now(),
       unique (id, version)
     )`,
    `create index evidence_inspection on evidence (inspection_id, id, version desc)`,
    `create table dialogue_entries (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null references inspections(id),
       kind text not null,
       summary text not null,
       resolution text,
       resolved_at timestamptz,
       snapshot jsonb,
       recorded_by uuid not null references people(id),
       recorded_at timestamptz not null default now()
     )`,
    `create index dialogue_entries_inspection on dialogue_entries (inspection_id, recorded_at)`,
    `create table judgements (
       row_id bigint generated always as identity primary key,
       inspection_id uuid not null references inspections(id),
       area_id text not null,
       version integer not null,
       grade_id text not null,
       rationale text not null,
       evidence_ids uuid[] not null,
       kind text not null check (kind in ('inspector', 'moderation')),
       reason text,
       given_by uuid not null references people(id),
       given_at timestamptz not null default now(),
       unique (inspection_id, area_id, version)
     )`,
    `create table requirements (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null references inspections(id),
       regulation_id text not null,
       action text not null,
       impact text not null,
       evidence_ids uuid[] not null,
       comply_by date not null,
       recorded_by uuid not null references people(id),
       recorded_at timestamptz not null default now()
     )`,
    `create index requirements_inspection on requirements (inspection_id)`,
    `create table recommendations (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null references inspections(id),
       guide_id text not null,
       page integer not null check (page >= 1),
       paragraph text not null,
       text text not null,
       recorded_by uuid not null references people(id),
       recorded_at timestamptz not null default now()
     )`,
    `create index recommendations_inspection on recommendations (inspection_id)`,
    `create table errors_put_right (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null references inspections(id),
       description text not null,
       recorded_by uuid not null references people(id),
       recorded_at timestamptz not null default now()
     )`,
  ],
};

export default inspections;
