import { recordAudit } from '../audit/store.js';
import type { Db } from '../db/database.js';
import { isUuid } from '../fields.js';
import { invalid, type FieldError } from '../refusal.js';
import { conflictsInTeam, type DeclaredConflict } from './rules.js';

export interface Conflict {
  id: string;
  person: { id: string; name: string };
  provider: { id: string; name: string };
  description: string;
  declaredAt: string;
}

export async function listConflicts(
  db: Db,
  filter: { personId?: string | undefined; providerId?: string | undefined } = {},
): Promise<Conflict[]> {
  let query = db
    .selectFrom('conflicts_of_interest as c')
    .innerJoin('people as p', 'p.id', 'c.person_id')
    .innerJoin('providers as v', 'v.id', 'c.provider_id')
    .select([
      'c.id',
      'c.person_id',
      'p.name as person_name',
      'c.provider_id',
      'v.name as provider_name',
      'c.description',
      'c.declared_at',
    ])
    .orderBy('c.declared_at', 'desc');
  if (filter.personId) query = query.where('c.person_id', '=', filter.personId);
  if (filter.providerId) query = query.where('c.provider_id', '=', filter.providerId);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    person: { id: r.person_id, name: r.person_name },
    provider: { id: r.provider_id, name: r.provider_name },
    description: r.description,
    declaredAt: new Date(r.declared_at).toISOString(),
  }));
}

export async function declareConflict(
  db: Db,
  actorId: string,
  input: { personId: string; providerId: string; description: string },
) {
  const person = await db
    .selectFrom('people')
    .select('id')
    .where('id', '=', input.personId)
    .executeTakeFirst();
  if (!person) throw invalid([{ field: 'personId', message: 'Select a person from the list' }]);
  const provider = isUuid(input.providerId)
    ? await db.selectFrom('providers').select('id').where('id', '=', input.providerId).executeTakeFirst()
    : undefined;
  if (!provider) throw invalid([{ field: 'providerId', message: 'Select a provider from the register' }]);
  const existing = await db
    .selectFrom('conflicts_of_interest')
    .select('id')
    .where('person_id', '=', input.personId)
    .where('provider_id', '=', input.providerId)
    .executeTakeFirst();
  if (existing)
    throw invalid([{ field: 'providerId', message: 'A conflict with this provider is already declared' }]);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('conflicts_of_interest')
      .values({
        person_id: input.personId,
        provider_id: input.providerId,
        description: input.description,
        declared_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'conflict-of-interest.declared',
      entityType: 'person',
      entityId: input.personId,
      before: null,
      after: input,
    });
    return row.id;
  });
}

/**
 * The lead and team proposed for an inspection of `providerId`, checked against the connections declared
 * with that provider: each conflicted member as an error against their place on the team.
 */
export async function teamConflicts(
  db: Db,
  providerId: string,
  leadInspectorId: string,
  team: readonly string[],
): Promise<FieldError[]> {
  const declared: DeclaredConflict[] = (await listConflicts(db, { providerId })).map((c) => ({
    personId: c.person.id,
    personName: c.person.name,
    providerId: c.provider.id,
    description: c.description,
  }));
  return conflictsInTeam(providerId, leadInspectorId, team, declared);
}
