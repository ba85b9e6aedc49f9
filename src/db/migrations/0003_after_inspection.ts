import type { Migration } from '../migration.js';

/**
 * After the inspection: reports and their versions, the provider's answers to the draft, the call on the
 * day after, complaints and their escalation, reviews of closed complaints; and the two pieces of
 * machinery they share: deadlines that act by themselves, and the outbox of messages.
 */
const afterInspection: Migration = {
  up: [
    `create table reports (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null unique references inspections(id),
       procedure_id text not null,
       status text not null default 'draft' check (status in ('draft', 'final', 'published')),
       draft_issued_on date,
       response_due date,
       finalised_on date,
       published_on date,
       presumed_accurate boolean not null default false,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       version integer not null default 1
     )`,
    `create index reports_status on reports (status, published_on desc)`,
    `create table report_versions (
       report_id uuid not null references reports(id),
       version integer not null,
       narrative text not null,
       content jsonb not null,
       change_note text,
       changed_by uuid references people(id),
       changed_at timestamptz not null default now(),
       primary key (report_id, version)
     )`,
    `create table draft_responses (
       id uuid primary key default gen_random_uuid(),
       report_id uuid not null unique references reports(id),
       route text not null,
       submitted_by uuid not null references people(id),
       submitted_at timestamptz not null default now()
     )`,
    `create table accuracy_points (
       id uuid primary key default gen_random_uuid(),
       response_id uuid not null references draft_responses(id),
       position integer not null,
       passage text not null,
       comment text not null,
       decision text check (decision in ('accepted', 'rejected')),
       reason text,
       decided_by uuid references people(id),
       decided_at timestamptz
     )`,
    `create index accuracy_points_response on accuracy_points (response_id, position)`,
    `create table day_after_contacts (
       id uuid primary key default gen_random_uuid(),
       inspection_id uuid not null unique references inspections(id),
       issues text not null,
       raised_by uuid not null references people(id),
       raised_at timestamptz not null default now(),
       assigned_to uuid not null references people(id),
       consulted_lead boolean not null default false,
       outcome text,
       outcome_at timestamptz
     )`,
    `create table complaints (
       id uuid primary key default gen_random_uuid(),
       reference text not null unique,
       inspection_id uuid not null references inspections(id),
       procedure_id text not null,
       channel text not null check (channel in ('portal', 'phone', 'email', 'draft-response')),
       complainant_name text not null,
       complainant_email text,
       summary text not null,
       status text not null default 'received',
       received_on date not null,
       acknowledged_at timestamptz,
       outcome text,
       outcome_reasons text,
       remedies text[] not null default '{}',
       closed_at timestamptz,
       internal_review_requested_at timestamptz,
       internal_review_outcome text,
       internal_review_at timestamptz,
       escalated_at timestamptz,
       adjudicator_ruling text,
       adjudicator_reasons text,
       adjudicator_ruled_at timestamptz,
       raised_by uuid references people(id),
       handler_id uuid references people(id),
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       version integer not null default 1
     )`,
    `create index complaints_inspection on complaints (inspection_id)`,
    `create index complaints_status on complaints (status, closed_at)`,
    `create table complaint_notes (
       id uuid primary key default gen_random_uuid(),
       complaint_id uuid not null references complaints(id),
       note text not null,
       written_by uuid not null references people(id),
       written_at timestamptz not null default now()
     )`,
    `create index complaint_notes_complaint on complaint_notes (complaint_id, written_at)`,
    `create table complaint_reviews (
       id uuid primary key default gen_random_uuid(),
       period_from date not null,
       period_to date not null,
       seed text not null,
       sample_size integer not null,
       complaint_ids uuid[] not null,
       findings jsonb not null default '{}'::jsonb,
       reviewer_id uuid not null references people(id),
       created_at timestamptz not null default now()
     )`,
    `create table deadlines (
       id uuid primary key default gen_random_uuid(),
       kind text not null,
       subject_id uuid not null,
       due_at timestamptz not null,
       status text not null default 'pending' check (status in ('pending', 'done', 'cancelled')),
       attempts integer not null default 0,
       last_error text,
       locked_until timestamptz,
       done_at timestamptz,
       created_at timestamptz not null default now(),
       unique (kind, subject_id)
     )`,
    `create index deadlines_due on deadlines (due_at) where status = 'pending'`,
    `create table outbox (
       id uuid primary key default gen_random_uuid(),
       recipient text not null,
       template text not null,
       subject text not null,
       body text not null,
       personalisation jsonb not null default '{}'::jsonb,
       created_at timestamptz not null default now(),
       sent_at timestamptz,
       delivery text not null default 'outbox' check (delivery in ('outbox', 'notify')),
       last_error text
     )`,
    `create index outbox_created on outbox (created_at desc)`,
  ],
};

export default afterInspection;
