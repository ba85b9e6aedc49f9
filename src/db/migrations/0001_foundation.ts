import type { Migration } from '../migration.js';

/** People and sessions, the register of providers, and the audit trail. */
const foundation: Migration = {
  up: [
    `create table people (
       id uuid primary key default gen_random_uuid(),
       email text not null unique check (email = lower(email)),
       name text not null,
       password_hash text not null,
       roles text[] not null,
       active boolean not null default true,
       created_at timestamptz not null default now()
     )`,
    `create table sessions (
       token_hash text primary key,
       person_id uuid not null references people(id) on delete cascade,
       kind text not null check (kind in ('browser', 'api')),
       created_at timestamptz not null default now(),
       expires_at timestamptz not null
     )`,
    `create index sessions_expiry on sessions (expires_at)`,
    `create table owner_groups (
       id uuid primary key default gen_random_uuid(),
       name text not null unique,
       created_at timestamptz not null default now()
     )`,
    `create table providers (
       id uuid primary key default gen_random_uuid(),
       urn text not null unique,
       name text not null,
       type text not null,
       sector text not null,
       address_line1 text not null,
       address_line2 text,
       town text not null,
       postcode text not null,
       local_authority text not null,
       region text not null,
       places integer not null check (places >= 0),
       status text not null,
       owner_group_id uuid references owner_groups(id),
       registered_on date not null,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       version integer not null default 1
     )`,
    `create index providers_name on providers (lower(name), id)`,
    `create index providers_type on providers (type)`,
    `create index providers_region on providers (region)`,
    `create index providers_owner_group on providers (owner_group_id)`,
    `create table person_providers (
       person_id uuid not null references people(id) on delete cascade,
       provider_id uuid not null references providers(id),
       primary key (person_id, provider_id)
     )`,
    `create table registration_applications (
       id uuid primary key default gen_random_uuid(),
       provider_id uuid not null references providers(id),
       buildings integer not null check (buildings >= 2),
       description text not null,
       status text not null,
       submitted_on date not null,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       version integer not null default 1
     )`,
    `create index registration_applications_provider on registration_applications (provider_id)`,
    `create table registration_application_events (
       id bigint generated always as identity primary key,
       application_id uuid not null references registration_applications(id),
       status text not null,
       note text,
       actor_id uuid references people(id),
       at timestamptz not null default now()
     )`,
    `create index registration_application_events_application
       on registration_application_events (application_id, id)`,
    `create table audit_events (
       id bigint generated always as identity primary key,
       at timestamptz not null default now(),
       actor_id uuid references people(id),
       action text not null,
       entity_type text not null,
       entity_id text not null,
       before jsonb,
       after jsonb
     )`,
    `create index audit_events_entity on audit_events (entity_type, entity_id, id)`,
  ],
};

export default foundation;
