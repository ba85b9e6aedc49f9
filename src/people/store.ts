import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import { afterFailure, FORGET_FAILURES_AFTER_HOURS, type FailureState } from './lockout.js';
import { isRole, type Person } from './rules.js';
import { digest, newSecret } from './secrets.js';

export interface NewPerson {
  email: string;
  name: string;
  passwordHash: string;
  roles: string[];
  providerIds?: string[];
}

export async function createPerson(db: Db, person: NewPerson): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('people')
      .values({
        email: person.email,
        name: person.name,
        password_hash: person.passwordHash,
        roles: person.roles,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (person.providerIds && person.providerIds.length > 0) {
      await trx
        .insertInto('person_providers')
        .values(person.providerIds.map((providerId) => ({ person_id: id, provider_id: providerId })))
        .execute();
    }
    return id;
  });
}

export async function countPeople(db: Db): Promise<number> {
  const row = await db
    .selectFrom('people')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The active person with this email and their password hash, for signing in. */
export async function findCredentials(db: Db, email: string) {
  return db
    .selectFrom('people')
    .select(['id', 'password_hash', 'totp_enabled_at'])
    .where('email', '=', email)
    .where('active', '=', true)
    .executeTakeFirst();
}

function personQuery(db: Db) {
  return db
    .selectFrom('people as p')
    .select([
      'p.id',
      'p.email',
      'p.name',
      'p.roles',
      'p.provider_admin',
      sql<string[]>`coalesce((select array_agg(pp.provider_id::text order by pp.provider_id)
        from person_providers pp where pp.person_id = p.id), '{}')`.as('provider_ids'),
    ])
    .where('p.active', '=', true);
}

type PersonRow = {
  id: string;
  email: string;
  name: string;
  roles: string[];
  provider_admin: boolean;
  provider_ids: string[];
};

function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles.filter(isRole),
    providerIds: row.provider_ids,
    providerAdmin: row.provider_admin,
  };
}

export async function findPerson(db: Db, id: string): Promise<Person | null> {
  const row = await personQuery(db).where('p.id', '=', id).executeTakeFirst();
  return row ? toPerson(row) : null;
}

// Sessions and API tokens: a random secret goes to the client; only its digest is stored (secrets.ts).

export async function startSession(
  db: Db,
  personId: string,
  kind: 'browser' | 'api' | 'second-factor',
  hours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret();
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('sessions')
    .values({ token_hash: digest(token), person_id: personId, kind, expires_at: expiresAt })
    .execute();
  // A half-way session (password right, code still to come) is not yet a sign-in.
  if (kind !== 'second-factor')
    await db
      .updateTable('people')
      .set({ last_signed_in_at: new Date() })
      .where('id', '=', personId)
      .execute();
  return { token, expiresAt };
}

// Looked up on every signed-in request, so compiled once.
const sessionPerson = prepared((db, tokenHash: string, kind: 'browser' | 'api', now: Date) =>
  personQuery(db)
    .innerJoin('sessions as s', 's.person_id', 'p.id')
    .where('s.token_hash', '=', tokenHash)
    .where('s.kind', '=', kind)
    .where('s.expires_at', '>', now),
);

export async function personForSession(
  db: Db,
  token: string,
  kind: 'browser' | 'api',
): Promise<Person | null> {
  const [row] = await sessionPerson(db, digest(token), kind, new Date());
  return row ? toPerson(row) : null;
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', digest(token)).execute();
}

// Failed sign-ins per email address (migration 0013). Not in the typed schema: nothing else reads it.

interface FailureRow {
  failures: number;
  last_failed_at: Date | string;
  locked_until: Date | string | null;
}

function toFailureState(row: FailureRow | undefined): FailureState | undefined {
  if (!row) return undefined;
  return {
    failures: Number(row.failures),
    lastFailedAt: new Date(row.last_failed_at),
    lockedUntil: row.locked_until === null ? null : new Date(row.locked_until),
  };
}

export async function findSignInFailures(db: Db, email: string): Promise<FailureState | undefined> {
  const { rows } = await sql<FailureRow>`select failures, last_failed_at, locked_until
    from sign_in_failures where email = ${email}`.execute(db);
  return toFailureState(rows[0]);
}

/**
 * Counts one more failure for the address, under the row's lock so that attempts from several
 * processes at once are each counted. Also forgets addresses with no failure for a day, so the table
 * stays as small as the guessing going on.
 */
export async function recordSignInFailure(db: Db, email: string, now: Date): Promise<FailureState> {
  return inTransaction(db, async (trx) => {
    const inserted = await sql`insert into sign_in_failures (email, failures, last_failed_at)
      values (${email}, 1, ${now}) on conflict (email) do nothing returning email`.execute(trx);
    const { rows } = await sql<FailureRow>`select failures, last_failed_at, locked_until
      from sign_in_failures where email = ${email} for update`.execute(trx);
    // A row made just now holds this first failure; one that was already there gets the next.
    const state = toFailureState(rows[0])!;
    const next = inserted.rows.length > 0 ? afterFailure(undefined, now) : afterFailure(state, now);
    await sql`update sign_in_failures set failures = ${next.failures}, last_failed_at = ${next.lastFailedAt},
      locked_until = ${next.lockedUntil} where email = ${email}`.execute(trx);
    const forget = new Date(now.getTime() - FORGET_FAILURES_AFTER_HOURS * 3600_000);
    await sql`delete from sign_in_failures where last_failed_at < ${forget}
      and (locked_until is null or locked_until < ${now})`.execute(trx);
    return next;
  });
}

/** A correct password ends the run of failures; the count so far, for the audit trail. */
export async function clearSignInFailures(db: Db, email: string): Promise<number> {
  const { rows } = await sql<{ failures: number }>`delete from sign_in_failures where email = ${email}
    returning failures`.execute(db);
  return rows.length > 0 ? Number(rows[0]!.failures) : 0;
}

/** Active inspectors and managers: who may lead or join a team, take a call, or declare a conflict. */
export async function listInspectors(db: Db) {
  return db
    .selectFrom('people')
    .select(['id', 'name'])
    .where('active', '=', true)
    .where(sql<boolean>`roles && array['inspector', 'manager']::text[]`)
    .orderBy('name')
    .execute();
}
