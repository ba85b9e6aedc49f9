import type { Migration } from '../migration.js';

/**
 * Failed sign-ins counted per email address, in the database so that every process sees the same
 * count. Keyed by the address typed, not by the account, so an address with no account is paused in
 * exactly the same way and a pause reveals nothing about who has an account.
 */
const signInLockout: Migration = {
  up: [
    `create table sign_in_failures (
       email text primary key,
       failures integer not null check (failures > 0),
       last_failed_at timestamptz not null,
       locked_until timestamptz
     )`,
    `create index sign_in_failures_last on sign_in_failures (last_failed_at)`,
  ],
};

export default signInLockout;
