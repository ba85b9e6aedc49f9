import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isRole, type Person } from './rules.js';

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
    .select(['id', 'password_hash'])
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
      sql<string[]>`coalesce((select array_agg(pp.provider_id::text order by pp.provider_id)
        from person_providers pp where pp.person_id = p.id), '{}')`.as('provider_ids'),
    ])
    .where('p.active', '=', true);
}

type PersonRow = { id: string; email: string; name: string; roles: string[]; provider_ids: string[] };

function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles.filter(isRole),
    providerIds: row.provider_ids,
  };
}

export async function findPerson(db: Db, id: string): Promise<Person | null> {
  const row = await personQuery(db).where('p.id', '=', id).executeTakeFirst();
  return row ? toPerson(row) : null;
}

// Sessions and API tokens: a random secret goes to the client; only its SHA-256 is stored, so a copy
// of the database does not let anyone in.
function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function startSession(
  db: Db,
  personId: string,
  kind: 'browser' | 'api',
  hours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + hours * 3600_000);
  await db.deleteFrom('sessions').where('expires_at', '<', new Date()).execute();
  await db
    .insertInto('sessions')
    .values({ token_hash: digest(token), person_id: personId, kind, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export async function personForSession(
  db: Db,
  token: string,
  kind: 'browser' | 'api',
): Promise<Person | null> {
  const row = await personQuery(db)
    .innerJoin('sessions as s', 's.person_id', 'p.id')
    .where('s.token_hash', '=', digest(token))
    .where('s.kind', '=', kind)
    .where('s.expires_at', '>', new Date())
    .executeTakeFirst();
  return row ? toPerson(row) : null;
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', digest(token)).execute();
}
