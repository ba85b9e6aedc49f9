import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { invitationPending } from './people-admin-store.js';
import type { Role } from './rules.js';

/** What the operator's command line reads about accounts: every account at once, and one by email. */

/**
 * Where an account's invitation stands: taken up; waiting, with a link good until when; or lapsed, never
 * taken up and with no link in force (it expired, or the account was disabled).
 */
export type InvitationState = { kind: 'accepted' } | { kind: 'pending'; until: Date } | { kind: 'lapsed' };

export interface AccountSummary {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  providerAdmin: boolean;
  /** URNs of the providers a provider user acts for. */
  providerUrns: string[];
  active: boolean;
  lastSignedInAt: Date | null;
  invitation: InvitationState;
}

/** Every account, by email, for `inspectorate users list`. */
export async function listAccountsForCli(db: Db, now: Date): Promise<AccountSummary[]> {
  const rows = await db
    .selectFrom('people as p')
    .select((eb) => [
      'p.id',
      'p.email',
      'p.name',
      'p.roles',
      'p.provider_admin',
      'p.active',
      'p.last_signed_in_at',
      sql<boolean>`not ${invitationPending}`.as('accepted'),
      eb
        .selectFrom('account_tokens as t')
        .select((t) => t.fn.max('t.expires_at').as('until'))
        .whereRef('t.person_id', '=', 'p.id')
        .where('t.purpose', '=', 'invitation')
        .where('t.used_at', 'is', null)
        .where('t.expires_at', '>', now)
        .as('invitation_until'),
      eb
        .selectFrom('person_providers as pp')
        .innerJoin('providers as pr', 'pr.id', 'pp.provider_id')
        .select(sql<string[]>`coalesce(array_agg(pr.urn order by pr.urn), '{}')`.as('urns'))
        .whereRef('pp.person_id', '=', 'p.id')
        .as('provider_urns'),
    ])
    .orderBy('p.email')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles as Role[],
    providerAdmin: row.provider_admin,
    providerUrns: row.provider_urns ?? [],
    active: row.active,
    lastSignedInAt: row.last_signed_in_at === null ? null : new Date(row.last_signed_in_at),
    invitation: row.accepted
      ? { kind: 'accepted' }
      : row.invitation_until !== null
        ? { kind: 'pending', until: new Date(row.invitation_until) }
        : { kind: 'lapsed' },
  }));
}

/** The id of the account with this email (already lower-cased), if there is one. */
export async function accountIdByEmail(db: Db, email: string): Promise<string | undefined> {
  const row = await db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirst();
  return row?.id;
}
