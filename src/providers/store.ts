import { sql, type Selectable } from 'kysely';
import type { IsoDate } from '../calendar/working-days.js';
import { recordAudit } from '../audit/store.js';
import type { Cursor, Keyset } from '../db/keyset.js';
import { fetchKeysetPage, type KeysetPage } from '../db/paging.js';
import type { Db } from '../db/database.js';
import type { ProvidersTable } from '../db/schema.js';
import type { ProviderScope } from '../people/policy.js';
import { conflict, invalid, notFound, unprocessable } from '../refusal.js';
import {
  applicationProblems,
  canMoveApplication,
  leftRegisterOn,
  type ApplicationInput,
  type ApplicationStatus,
  type ProviderChange,
  type ProviderInput,
} from './rules.js';

/** A provider as the API and pages show it. */
export interface Provider {
  id: string;
  urn: string;
  name: string;
  type: string;
  sector: string;
  addressLine1: string;
  addressLine2: string | null;
  town: string;
  postcode: string;
  localAuthority: string;
  region: string;
  places: number;
  status: string;
  ownerGroup: { id: string; name: string } | null;
  registeredOn: string;
  leftRegisterOn: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

type ProviderRow = Selectable<ProvidersTable> & { owner_group_name: string | null };

function toProvider(row: ProviderRow): Provider {
  return {
    id: row.id,
    urn: row.urn,
    name: row.name,
    type: row.type,
    sector: row.sector,
    addressLine1: row.address_line1,
    addressLine2: row.address_line2,
    town: row.town,
    postcode: row.postcode,
    localAuthority: row.local_authority,
    region: row.region,
    places: row.places,
    status: row.status,
    ownerGroup: row.owner_group_id ? { id: row.owner_group_id, name: row.owner_group_name ?? '' } : null,
    registeredOn: row.registered_on,
    leftRegisterOn: row.left_register_on,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The fields the audit trail compares, named as the API names them. */
function auditView(provider: Provider) {
  const { ownerGroup, createdAt: _c, updatedAt: _u, ...rest } = provider;
  return { ...rest, ownerGroupId: ownerGroup?.id ?? null };
}

function columnsOf(input: Partial<ProviderInput>) {
  const columns: Partial<Record<keyof ProvidersTable, unknown>> = {
    urn: input.urn,
    name: input.name,
    type: input.type,
    sector: input.sector,
    address_line1: input.addressLine1,
    address_line2: input.addressLine2,
    town: input.town,
    postcode: input.postcode,
    local_authority: input.localAuthority,
    region: input.region,
    places: input.places,
    status: input.status,
    owner_group_id: input.ownerGroupId,
    registered_on: input.registeredOn,
    left_register_on: input.leftRegisterOn,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, value]) => value !== undefined));
}

function providerQuery(db: Db) {
  return db
    .selectFrom('providers as p')
    .leftJoin('owner_groups as g', 'g.id', 'p.owner_group_id')
    .selectAll('p')
    .select('g.name as owner_group_name');
}

export interface ProviderSearch {
  q?: string | undefined;
  type?: string | undefined;
  region?: string | undefined;
  status?: string | undefined;
  ownerGroupId?: string | undefined;
  page: number;
  pageSize: number;
  /** Where to start instead of `page`. */
  cursor?: Cursor | undefined;
  /** Whether to count the matches (default yes). */
  count?: boolean | undefined;
}

/** The register's order, alphabetical, served by the index providers_name (lower(name), id). */
export const PROVIDER_ORDER: Keyset = {
  name: 'providers',
  columns: [
    { expression: sql`lower(p.name)`, type: 'text', direction: 'asc' },
    { expression: sql.ref('p.id'), type: 'uuid', direction: 'asc' },
  ],
};

/** Providers matching a search, alphabetically, one page at a time, within what the person may see. */
export async function searchProviders(
  db: Db,
  scope: ProviderScope,
  search: ProviderSearch,
): Promise<KeysetPage<Provider>> {
  if (scope.kind === 'none' || (scope.kind === 'own' && scope.providerIds.length === 0)) {
    const { page, pageSize } = search;
    return { items: [], page, pageSize, total: 0, totalPages: 0, nextCursor: null, previousCursor: null };
  }
  let query = providerQuery(db);
  if (scope.kind === 'own') query = query.where('p.id', 'in', scope.providerIds);
  if (search.q) {
    const pattern = `%${search.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb('p.name', 'ilike', pattern),
        eb('p.urn', 'ilike', pattern),
        eb('p.town', 'ilike', pattern),
        eb('p.postcode', 'ilike', pattern),
        eb('p.local_authority', 'ilike', pattern),
      ]),
    );
  }
  if (search.type) query = query.where('p.type', '=', search.type);
  if (search.region) query = query.where('p.region', '=', search.region);
  if (search.status) query = query.where('p.status', '=', search.status);
  if (search.ownerGroupId) query = query.where('p.owner_group_id', '=', search.ownerGroupId);

  // The page and the count as two queries: a window count would make the server read every match.
  return fetchKeysetPage(query, PROVIDER_ORDER, { ...search, count: search.count ?? true }, toProvider);
}

export async function findProvider(db: Db, id: string): Promise<Provider | null> {
  const row = await providerQuery(db).where('p.id', '=', id).executeTakeFirst();
  return row ? toProvider(row) : null;
}

export async function findProvidersByIds(db: Db, ids: string[]): Promise<Provider[]> {
  if (ids.length === 0) return [];
  const rows = await providerQuery(db)
    .where('p.id', 'in', ids)
    .orderBy(sql`lower(p.name)`)
    .execute();
  return rows.map(toProvider);
}

async function assertUrnFree(db: Db, urn: string, exceptId?: string) {
  let query = db.selectFrom('providers').select('id').where('urn', '=', urn);
  if (exceptId) query = query.where('id', '<>', exceptId);
  if (await query.executeTakeFirst()) {
    throw invalid([{ field: 'urn', message: `Unique reference number ${urn} is already registered` }]);
  }
}

async function assertOwnerGroupExists(db: Db, ownerGroupId: string | null | undefined) {
  if (!ownerGroupId) return;
  const found = await db
    .selectFrom('owner_groups')
    .select('id')
    .where('id', '=', ownerGroupId)
    .executeTakeFirst();
  if (!found) throw invalid([{ field: 'ownerGroupId', message: 'Select an owner group from the list' }]);
}

/** The day the provider left the register as it is to be kept (see `leftRegisterOn`), or refused (422). */
function keptLeavingDay(
  next: Parameters<typeof leftRegisterOn>[0],
  kept: string | null,
  today: IsoDate,
): IsoDate | null {
  const { value, errors } = leftRegisterOn(next, kept, today);
  if (errors.length > 0) throw unprocessable(errors);
  return value;
}

export async function createProvider(
  db: Db,
  actorId: string,
  input: ProviderInput,
  today: IsoDate,
): Promise<Provider> {
  input = { ...input, leftRegisterOn: keptLeavingDay(input, null, today) };
  await assertUrnFree(db, input.urn);
  await assertOwnerGroupExists(db, input.ownerGroupId);
  const id = await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('providers')
      .values(columnsOf(input) as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = await findProvider(trx, id);
    await recordAudit(trx, {
      actorId,
      action: 'provider.created',
      entityType: 'provider',
      entityId: id,
      before: null,
      after: auditView(created!),
    });
    return id;
  });
  return (await findProvider(db, id))!;
}

/**
 * Applies a change. When the caller names the version it read, a change made in between is refused
 * rather than silently overwritten.
 */
export async function changeProvider(
  db: Db,
  actorId: string,
  id: string,
  change: ProviderChange,
  today: IsoDate,
): Promise<Provider> {
  const { version, ...fields } = change;
  if (fields.urn) await assertUrnFree(db, fields.urn, id);
  await assertOwnerGroupExists(db, fields.ownerGroupId);
  await db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('providers')
      .select('version')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw notFound();
    if (version !== undefined && version !== before.version) {
      throw conflict(
        'Someone else changed this provider after you opened it. Reload it, check their change and try again.',
      );
    }
    const previous = (await findProvider(trx, id))!;
    const left = keptLeavingDay(
      {
        status: fields.status ?? previous.status,
        registeredOn: fields.registeredOn ?? previous.registeredOn,
        leftRegisterOn: fields.leftRegisterOn,
      },
      previous.leftRegisterOn,
      today,
    );
    await trx
      .updateTable('providers')
      .set({
        ...(columnsOf(fields) as object),
        left_register_on: left,
        updated_at: new Date(),
        version: before.version + 1,
      })
      .where('id', '=', id)
      .execute();
    const after = (await findProvider(trx, id))!;
    await recordAudit(trx, {
      actorId,
      action: 'provider.changed',
      entityType: 'provider',
      entityId: id,
      before: auditView(previous),
      after: auditView(after),
    });
  });
  return (await findProvider(db, id))!;
}

// Owner groups

export interface OwnerGroup {
  id: string;
  name: string;
  providers: number;
  places: number;
}

export async function listOwnerGroups(db: Db): Promise<OwnerGroup[]> {
  const rows = await db
    .selectFrom('owner_groups as g')
    .leftJoin('providers as p', 'p.owner_group_id', 'g.id')
    .select(['g.id', 'g.name'])
    .select((eb) => [
      eb.fn.count<number>('p.id').as('providers'),
      eb.fn.coalesce(eb.fn.sum<number>('p.places'), sql<number>`0`).as('places'),
    ])
    .groupBy(['g.id', 'g.name'])
    .orderBy(sql`lower(g.name)`)
    .execute();
  return rows.map((row) => ({ ...row, providers: Number(row.providers), places: Number(row.places) }));
}

export async function createOwnerGroup(db: Db, actorId: string, name: string): Promise<OwnerGroup> {
  const taken = await db
    .selectFrom('owner_groups')
    .select('id')
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
  if (taken) throw invalid([{ field: 'name', message: `An owner group called ${name} already exists` }]);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('owner_groups')
      .values({ name })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'owner-group.created',
      entityType: 'owner-group',
      entityId: row.id,
      before: null,
      after: { name },
    });
    return { ...row, providers: 0, places: 0 };
  });
}

// Multi-building registration applications

export interface RegistrationApplication {
  id: string;
  providerId: string;
  buildings: number;
  description: string;
  status: ApplicationStatus;
  submittedOn: string;
  version: number;
  history: { status: ApplicationStatus; note: string | null; at: string; actor: string | null }[];
}

export async function listApplications(db: Db, providerId: string): Promise<RegistrationApplication[]> {
  const applications = await db
    .selectFrom('registration_applications')
    .selectAll()
    .where('provider_id', '=', providerId)
    .orderBy('submitted_on', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  if (applications.length === 0) return [];
  const events = await db
    .selectFrom('registration_application_events as e')
    .leftJoin('people as p', 'p.id', 'e.actor_id')
    .select(['e.application_id', 'e.status', 'e.note', 'e.at', 'p.name as actor'])
    .where(
      'e.application_id',
      'in',
      applications.map((a) => a.id),
    )
    .orderBy('e.id')
    .execute();
  return applications.map((a) => ({
    id: a.id,
    providerId: a.provider_id,
    buildings: a.buildings,
    description: a.description,
    status: a.status as ApplicationStatus,
    submittedOn: a.submitted_on,
    version: a.version,
    history: events
      .filter((e) => e.application_id === a.id)
      .map((e) => ({
        status: e.status as ApplicationStatus,
        note: e.note,
        at: new Date(e.at).toISOString(),
        actor: e.actor,
      })),
  }));
}

/** Records an application for a children's home, made on or before `today`; refused (422) otherwise. */
export async function createApplication(
  db: Db,
  actorId: string,
  provider: { id: string; type: string },
  input: ApplicationInput,
  today: IsoDate,
): Promise<RegistrationApplication> {
  const problems = applicationProblems(provider.type, input.submittedOn, today);
  if (problems.length > 0) throw unprocessable(problems);
  const providerId = provider.id;
  const id = await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('registration_applications')
      .values({
        provider_id: providerId,
        buildings: input.buildings,
        description: input.description,
        status: 'applied',
        submitted_on: input.submittedOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('registration_application_events')
      .values({ application_id: id, status: 'applied', note: null, actor_id: actorId })
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'registration-application.created',
      entityType: 'provider',
      entityId: providerId,
      before: null,
      after: { applicationId: id, ...input, status: 'applied' },
    });
    return id;
  });
  return (await listApplications(db, providerId)).find((a) => a.id === id)!;
}

export async function moveApplication(
  db: Db,
  actorId: string,
  providerId: string,
  applicationId: string,
  to: ApplicationStatus,
  note: string | null,
): Promise<RegistrationApplication> {
  await db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('registration_applications')
      .select(['status', 'version'])
      .where('id', '=', applicationId)
      .where('provider_id', '=', providerId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound();
    const from = current.status as ApplicationStatus;
    if (!canMoveApplication(from, to)) {
      throw invalid([
        {
          field: 'status',
          message: `An application that is ${from.replace('-', ' ')} cannot become ${to.replace('-', ' ')}`,
        },
      ]);
    }
    await trx
      .updateTable('registration_applications')
      .set({ status: to, updated_at: new Date(), version: current.version + 1 })
      .where('id', '=', applicationId)
      .execute();
    await trx
      .insertInto('registration_application_events')
      .values({ application_id: applicationId, status: to, note, actor_id: actorId })
      .execute();
    await recordAudit(trx, {
      actorId,
      action: 'registration-application.status-changed',
      entityType: 'provider',
      entityId: providerId,
      before: { applicationId, status: from },
      after: { applicationId, status: to, note },
    });
  });
  return (await listApplications(db, providerId)).find((a) => a.id === applicationId)!;
}
