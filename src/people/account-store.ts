import { sql } from 'kysely';
import { recordAudit } from '../audit/store.js';
import type { Db } from '../db/database.js';
import { conflict, invalid } from '../refusal.js';
import { TOKEN_HOURS, type AccountTokenPurpose, type AccountTokenState } from './accounts.js';
import type { Role } from './rules.js';
import { digest, newSecret } from './secrets.js';

/** Accounts as the administrator and the command line make and end them (signing in is in store.ts). */

export interface AccountInput {
  email: string;
  name: string;
  roles: Role[];
  providerIds: string[];
  providerAdmin: boolean;
}

const DUPLICATE_EMAIL = 'An account with this email address already exists';

/**
 * A new account with no password: its person chooses one through a one-time link. Refused, naming the
 * field, for an email already taken or a provider that does not exist. In the caller's transaction.
 */
export async function createAccount(trx: Db, input: AccountInput, actorId: string | null): Promise<string> {
  const taken = await trx
    .selectFrom('people')
    .select('id')
    .where('email', '=', input.email)
    .executeTakeFirst();
  if (taken) throw conflict(DUPLICATE_EMAIL, [{ field: 'email', message: DUPLICATE_EMAIL }]);
  if (input.providerIds.length > 0) {
    const found = await trx
      .selectFrom('providers')
      .select('id')
      .where('id', 'in', input.providerIds)
      .execute();
    if (found.length !== new Set(input.providerIds).size)
      throw invalid([{ field: 'providers', message: 'Choose providers that are on the register' }]);
  }
  const { id } = await trx
    .insertInto('people')
    .values({
      email: input.email,
      name: input.name,
      password_hash: null,
      roles: input.roles,
      provider_admin: input.providerAdmin,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.providerIds.length > 0)
    await trx
      .insertInto('person_providers')
      .values(
        [...new Set(input.providerIds)].map((providerId) => ({ person_id: id, provider_id: providerId })),
      )
      .execute();
  await recordAudit(trx, {
    actorId,
    action: 'person.created',
    entityType: 'person',
    entityId: id,
    before: null,
    after: {
      email: input.email,
      name: input.name,
      roles: input.roles,
      providerIds: input.providerIds,
      providerAdmin: input.providerAdmin,
    },
  });
  return id;
}

/**
 * A new one-time link for the account. Only its hash is kept. Any earlier unused link of the same kind
 * stops working, so resending an invitation leaves one good link, the newest.
 */
export async function issueAccountToken(
  trx: Db,
  personId: string,
  purpose: AccountTokenPurpose,
  now: Date,
): Promise<string> {
  await trx
    .deleteFrom('account_tokens')
    .where('person_id', '=', personId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
  const token = newSecret();
  await trx
    .insertInto('account_tokens')
    .values({
      token_hash: digest(token),
      person_id: personId,
      purpose,
      created_at: now,
      expires_at: new Date(now.getTime() + TOKEN_HOURS[purpose] * 3600_000),
    })
    .execute();
  return token;
}

export interface FoundAccountToken extends AccountTokenState {
  personId: string;
  email: string;
}

/** The link's state and whose it is; `forUpdate` holds it so that it is used once only. */
export async function findAccountToken(
  trx: Db,
  token: string,
  options: { forUpdate?: boolean } = {},
): Promise<FoundAccountToken | undefined> {
  let query = trx
    .selectFrom('account_tokens as t')
    .innerJoin('people as p', 'p.id', 't.person_id')
    .select(['t.purpose', 't.expires_at', 't.used_at', 't.person_id', 'p.email', 'p.active'])
    .where('t.token_hash', '=', digest(token));
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    purpose: row.purpose,
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at === null ? null : new Date(row.used_at),
    accountActive: row.active,
    personId: row.person_id,
    email: row.email,
  };
}

/**
 * Uses a one-time link: sets the password (already hashed), marks the link used, and ends every session
 * and token the account had, since whoever held the old password may have them. In the caller's
 * transaction, after `findAccountToken(..., { forUpdate: true })` has found the link good.
 */
export async function setPasswordByToken(
  trx: Db,
  found: FoundAccountToken,
  token: string,
  passwordHash: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('account_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', digest(token))
    .execute();
  await setPassword(
    trx,
    found.personId,
    passwordHash,
    found.personId,
    found.purpose === 'invitation' ? 'person.invitation-accepted' : 'person.password-reset',
  );
}

/** A new password for the account, ending its sessions and tokens. */
export async function setPassword(
  trx: Db,
  personId: string,
  passwordHash: string,
  actorId: string,
  action = 'person.password-changed',
) {
  await trx
    .updateTable('people')
    .set({ password_hash: passwordHash, version: sql`version + 1` })
    .where('id', '=', personId)
    .execute();
  await trx.deleteFrom('sessions').where('person_id', '=', personId).execute();
  await recordAudit(trx, {
    actorId,
    action,
    entityType: 'person',
    entityId: personId,
    before: null,
    after: null,
  });
}

/**
 * Disables or re-enables an account. Disabling ends its sessions and API tokens at once and voids its
 * unused links; nothing it wrote is touched. Returns false when it was already so.
 */
export async function setAccountActive(
  trx: Db,
  personId: string,
  active: boolean,
  actorId: string | null,
): Promise<boolean> {
  const changed = await trx
    .updateTable('people')
    .set({ active, version: sql`version + 1` })
    .where('id', '=', personId)
    .where('active', '=', !active)
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) return false;
  if (!active) {
    await trx.deleteFrom('sessions').where('person_id', '=', personId).execute();
    await trx
      .deleteFrom('account_tokens')
      .where('person_id', '=', personId)
      .where('used_at', 'is', null)
      .execute();
  }
  await recordAudit(trx, {
    actorId,
    action: active ? 'person.enabled' : 'person.disabled',
    entityType: 'person',
    entityId: personId,
    before: { active: !active },
    after: { active },
  });
  return true;
}
