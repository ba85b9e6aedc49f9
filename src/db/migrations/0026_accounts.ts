import type { Migration } from '../migration.js';

/**
 * Real accounts (issue 18): people invited by an administrator, a provider's own administrator or the
 * command line choose their own password through a one-time link, may add a second factor, or sign in
 * through their organisation's identity provider.
 *
 * - `password_hash` may be empty: an invited person has none until they accept, and one who signs in
 *   only through single sign-on may never have one. Factories' '' and null both refuse every password.
 * - `version` guards changes to an account against a lost update (PATCH /api/people/{id}).
 * - `provider_admin`: a provider user who may invite and disable colleagues for its own providers.
 * - `oidc_issuer`/`oidc_subject`: the identity provider's lasting name for the person, kept once the
 *   first single sign-on has matched them by verified email.
 * - `totp_*`: the time-based code's secret (set up, then confirmed with a first code) and the last
 *   30-second step used, so a code is taken only once.
 * - `account_tokens`: invitations and password resets; only a hash of the token is kept, and each is
 *   used once.
 * - `recovery_codes`: the ten single-use codes given when two-factor sign-in is set up, hashed.
 * - a session of kind `second-factor` is the half-way state after a correct password, good only for
 *   entering the code.
 */
const accounts: Migration = {
  up: [
    `alter table people alter column password_hash drop not null`,
    `alter table people add column version integer not null default 1`,
    `alter table people add column provider_admin boolean not null default false`,
    `alter table people add column last_signed_in_at timestamptz`,
    `alter table people add column oidc_issuer text`,
    `alter table people add column oidc_subject text`,
    `create unique index people_oidc_subject on people (oidc_issuer, oidc_subject)
       where oidc_subject is not null`,
    `alter table people add column totp_secret text`,
    `alter table people add column totp_enabled_at timestamptz`,
    `alter table people add column totp_last_step integer`,
    `create table account_tokens (
       token_hash text primary key,
       person_id uuid not null references people(id) on delete cascade,
       purpose text not null check (purpose in ('invitation', 'password-reset')),
       created_at timestamptz not null default now(),
       expires_at timestamptz not null,
       used_at timestamptz
     )`,
    `create index account_tokens_person on account_tokens (person_id)`,
    `create table recovery_codes (
       person_id uuid not null references people(id) on delete cascade,
       code_hash text not null,
       used_at timestamptz,
       primary key (person_id, code_hash)
     )`,
    `alter table sessions drop constraint sessions_kind_check`,
    `alter table sessions add constraint sessions_kind_check
       check (kind in ('browser', 'api', 'second-factor'))`,
    `create index sessions_person on sessions (person_id)`,
  ],
};

export default accounts;
