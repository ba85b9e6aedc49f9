import { sql, type Expression, type SqlBool } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { inTransaction, type Db } from '../db/database.js';
import type { Keyset, KeysetPaging } from '../db/keyset.js';
import { fetchKeysetPage, type KeysetPage } from '../db/paging.js';
import { conflict, invalid, notFound } from '../refusal.js';
import { setAccountActive } from './account-store.js';
import type { PeopleScope } from './policy.js';
import { isRole, type Role } from './rules.js';

/** Accounts as administrators (and providers' own administrators) find, read and change them. */

export interface ManagedPerson {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  providers: { id: string; urn: string; name: string }[];
  providerAdmin: boolean;
  active: boolean;
  /** Invited, and has neither chosen a password nor signed in through their organisation. */
  invitationPending: boolean;
  lastSignedInAt: string | null;
  createdAt: string;
  version: number;
}

/** Alphabetical by name, then by id so that people of the same name each have their place. */
export const PEOPLE_ORDER: Keyset = {
  name: 'people',
  columns: [
    { expression: sql`lower(p.name)`, type: 'text', direction: 'asc' },
    { expression: sql.ref('p.id'), type: 'uuid', direction: 'asc' },
  ],
};

/**
 * An account whose invitation is not yet taken up (over `people as p`): no password chosen, and no
 * sign-in through the person's organisation either.
 */
export const invitationPending = sql<boolean>`(p.password_hash is null and p.oidc_subject is null)`;

function managedQuery(db: Db) {
  return db.selectFrom('people as p').select([
    'p.id',
    'p.email',
    'p.name',
    'p.roles',
    'p.provider_admin',
    'p.active',
    'p.last_signed_in_at',
    'p.created_at',
    'p.version',
    invitationPending.as('invitation_pending'),
    sql<{ id: string; urn: string; name: string }[] | string>`coalesce((
        select json_agg(json_build_object('id', pr.id, 'urn', pr.urn, 'name', pr.name) order by pr.name, pr.id)
        from person_providers pp join providers pr on pr.id = pp.provider_id
        where pp.person_id = p.id), '[]'::json)`.as('providers'),
  ]);
}

type ManagedRow = Awaited<ReturnType<ReturnType<typeof managedQuery>['executeTakeFirstOrThrow']>>;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function toManaged(row: ManagedRow): ManagedPerson {
  const providers = typeof row.providers === 'string' ? JSON.parse(row.providers) : row.providers;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles.filter(isRole),
    providers,
    providerAdmin: row.provider_admin,
    active: row.active,
    invitationPending: Boolean(row.invitation_pending),
    lastSignedInAt: iso(row.last_signed_in_at),
    createdAt: iso(row.created_at)!,
    version: row.version,
  };
}

export interface PeopleSearch extends KeysetPaging {
  q?: string | undefined;
  role?: Role | undefined;
  active?: boolean | undefined;
  pending?: boolean | undefined;
  count?: boolean;
}

/**
 * Within a provider's own administrator's scope: provider accounts only, acting for at least one
 * provider and for none but the administrator's own (the same test as `can(..., 'people.manage')`).
 */
function withinOwnProviders(providerIds: string[]): Expression<SqlBool> {
  return sql<SqlBool>`(p.roles <@ array['provider']::text[]
    and exists (select 1 from person_providers pp where pp.person_id = p.id)
    and not exists (select 1 from person_providers pp where pp.person_id = p.id
      and not (pp.provider_id::text in (${sql.join(providerIds)}))))`;
}

/** People matching a search, by name, one page at a time, within whose accounts the person manages. */
export async function searchPeople(
  db: Db,
  scope: PeopleScope,
  search: PeopleSearch,
): Promise<KeysetPage<ManagedPerson>> {
  if (scope.kind === 'none' || (scope.kind === 'own' && scope.providerIds.length === 0)) {
    const { page, pageSize } = search;
    return { items: [], page, pageSize, total: 0, totalPages: 0, nextCursor: null, previousCursor: null };
  }
  let query = managedQuery(db);
  if (scope.kind === 'own') query = query.where(withinOwnProviders(scope.providerIds));
  if (search.q) {
    const pattern = `%${search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('p.name', 'ilike', pattern), eb('p.email', 'ilike', pattern)]));
  }
  if (search.role) query = query.where(sql<SqlBool>`${search.role} = any(p.roles)`);
  if (search.active !== undefined) query = query.where('p.active', '=', search.active);
  if (search.pending !== undefined)
    query = query.where(search.pending ? invitationPending : sql<SqlBool>`not ${invitationPending}`);
  return fetchKeysetPage(query, PEOPLE_ORDER, { ...search, count: search.count ?? true }, toManaged);
}

/** One account, whoever may manage it (the caller checks that). */
export async function findManagedPerson(db: Db, id: string): Promise<ManagedPerson | undefined> {
  const row = await managedQuery(db).where('p.id', '=', id).executeTakeFirst();
  return row ? toManaged(row) : undefined;
}

/** The providers with these unique reference numbers, in the order given; unknown ones are refused. */
export async function providerIdsByUrn(db: Db, urns: string[], field = 'providers'): Promise<string[]> {
  if (urns.length === 0) return [];
  const rows = await db.selectFrom('providers').select(['id', 'urn']).where('urn', 'in', urns).execute();
  const byUrn = new Map(rows.map((r) => [r.urn, r.id]));
  const unknown = urns.filter((urn) => !byUrn.has(urn));
  if (unknown.length > 0)
    throw invalid([
      {
        field,
        message: `${unknown.length === 1 ? 'There is no provider' : 'There are no providers'} with the unique reference number ${unknown.join(', ')}`,
      },
    ]);
  return urns.map((urn) => byUrn.get(urn)!);
}

/** The providers a provider's own administrator may choose from when inviting a colleague. */
export async function providersNamed(db: Db, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('providers')
    .select(['id', 'urn', 'name'])
    .where('id', 'in', ids)
    .orderBy(sql`lower(name)`)
    .execute();
}

export interface AccountChange {
  name?: string | undefined;
  roles?: Role[] | undefined;
  providerIds?: string[] | undefined;
  providerAdmin?: boolean | undefined;
  active?: boolean | undefined;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  new Set(a).size === new Set(b).size && a.every((x) => b.includes(x));

export const STALE_VERSION =
  'This account has been changed by someone else since you opened it. Check its details and try again';

/**
 * Changes an account if it is still at `version` (a lost update is refused). Name, roles, providers and
 * the provider-administrator flag are one audited change (`person.changed`, before and after); enabling
 * or disabling is its own (`setAccountActive`, which ends a leaver's sessions and tokens). A change that
 * changes nothing writes nothing.
 */
export async function changeAccount(
  db: Db,
  id: string,
  version: number,
  change: AccountChange,
  actorId: string,
): Promise<void> {
  await inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('people')
      .select(['name', 'roles', 'provider_admin', 'active', 'version'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (row.version !== version)
      throw conflict(STALE_VERSION, [{ field: 'version', message: STALE_VERSION }]);
    const providerIds = (
      await trx.selectFrom('person_providers').select('provider_id').where('person_id', '=', id).execute()
    ).map((r) => r.provider_id);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (change.name !== undefined && change.name !== row.name) {
      before.name = row.name;
      after.name = change.name;
    }
    if (change.roles !== undefined && !sameSet(change.roles, row.roles)) {
      before.roles = row.roles;
      after.roles = change.roles;
    }
    if (change.providerIds !== undefined && !sameSet(change.providerIds, providerIds)) {
      before.providerIds = providerIds;
      after.providerIds = [...new Set(change.providerIds)];
    }
    if (change.providerAdmin !== undefined && change.providerAdmin !== row.provider_admin) {
      before.providerAdmin = row.provider_admin;
      after.providerAdmin = change.providerAdmin;
    }
    if (Object.keys(after).length > 0) {
      if (after.providerIds) {
        const ids = after.providerIds as string[];
        const found = ids.length
          ? await trx.selectFrom('providers').select('id').where('id', 'in', ids).execute()
          : [];
        if (found.length !== ids.length)
          throw invalid([{ field: 'providers', message: 'Choose providers that are on the register' }]);
        await trx.deleteFrom('person_providers').where('person_id', '=', id).execute();
        if (ids.length > 0)
          await trx
            .insertInto('person_providers')
            .values(ids.map((providerId) => ({ person_id: id, provider_id: providerId })))
            .execute();
      }
      await trx
        .updateTable('people')
        .set({
          ...(after.name !== undefined ? { name: after.name as string } : {}),
          ...(after.roles !== undefined ? { roles: after.roles as string[] } : {}),
          ...(after.providerAdmin !== undefined ? { provider_admin: after.providerAdmin as boolean } : {}),
          version: sql`version + 1`,
        })
        .where('id', '=', id)
        .execute();
      await recordAudit(trx, {
        actorId,
        action: 'person.changed',
        entityType: 'person',
        entityId: id,
        before,
        after,
      });
    }
    if (change.active !== undefined && change.active !== row.active)
      await setAccountActive(trx, id, change.active, actorId);
  });
}
