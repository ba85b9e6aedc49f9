import type { Migration } from '../migration.js';

/**
 * Imports of the regulator's published provider data. Each run is recorded with the file's checksum and
 * its counts. The latest inspection outcomes a file publishes are kept as published outcomes, apart from
 * the judgements our own inspections record: they carry no evidence and must never pass for judgements.
 */
const imports: Migration = {
  up: [
    `create table provider_imports (
       id uuid primary key default gen_random_uuid(),
       file_name text not null,
       sha256 text not null,
       status text not null check (status in ('running', 'completed', 'aborted', 'failed')),
       strict boolean not null default false,
       rows_read integer not null default 0,
       inserted integer not null default 0,
       updated integer not null default 0,
       unchanged integer not null default 0,
       rejected integer not null default 0,
       outcomes_recorded integer not null default 0,
       ignored_columns text[] not null default '{}',
       note text,
       imported_by text not null,
       started_at timestamptz not null default now(),
       finished_at timestamptz
     )`,
    `create index provider_imports_sha256 on provider_imports (sha256, status)`,
    `create index provider_imports_started on provider_imports (started_at desc)`,
    `create table published_inspection_outcomes (
       provider_id uuid not null references providers(id),
       inspection_date date not null,
       framework_id text,
       overall_grade_id text,
       source_import_id uuid not null references provider_imports(id),
       primary key (provider_id, inspection_date)
     )`,
    `create index published_inspection_outcomes_date on published_inspection_outcomes (inspection_date)
       include (overall_grade_id, framework_id)`,
  ],
};

export default imports;
