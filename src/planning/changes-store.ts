import { recordAudit } from '../audit/store.js';
import type { IsoDate } from '../calendar/working-days.js';
import { inTransaction, type Db } from '../db/database.js';
import { isUuid } from '../fields.js';
import { invalid, notFound } from '../refusal.js';

/** Changes of registered manager or owner, recorded by planners; each counts as a risk signal in the plan. */

export const PROVIDER_CHANGE_KINDS = {
  'manager-changed': 'Change of registered manager',
  'owner-changed': 'Change of owner',
} as const;
export type ProviderChangeKind = keyof typeof PROVIDER_CHANGE_KINDS;

export async function listProviderChanges(db: Db, providerId: string) {
  const rows = await db
    .selectFrom('provider_changes as c')
    .leftJoin('people as p', 'p.id', 'c.recorded_by')
    .select(['c.id', 'c.kind', 'c.occurred_on', 'c.note', 'c.recorded_at', 'p.name as recorded_by_name'])
    .where('c.provider_id', '=', providerId)
    .orderBy('c.occurred_on', 'desc')
    .orderBy('c.recorded_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    occurredOn: r.occurred_on,
    note: r.note,
    recordedBy: r.recorded_by_name,
    recordedAt: new Date(r.recorded_at).toISOString(),
  }));
}

/** Records a change of manager or owner, which counts as a risk signal for twelve months. */
export async function recordProviderChange(
  db: Db,
  actorId: string,
  providerId: string,
  input: { kind: ProviderChangeKind; occurredOn: IsoDate; note?: string | null | undefined },
  today: IsoDate,
): Promise<string> {
  if (!isUuid(providerId)) throw notFound();
  const provider = await db
    .selectFrom('providers')
    .select(['id', 'registered_on'])
    .where('id', '=', providerId)
    .executeTakeFirst();
  if (!provider) throw notFound();
  if (input.occurredOn > today) {
    throw invalid([{ field: 'occurredOn', message: 'The date of the change must be today or in the past' }]);
  }
  return inTransaction(db, async (trx) => {
    const row = await trx
      .insertInto('provider_changes')
      .values({
        provider_id: providerId,
        kind: input.kind,
        occurred_on: input.occurredOn,
        note: input.note?.trim() || null,
        recorded_by: actorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'provider-change.recorded',
      entityType: 'provider',
      entityId: providerId,
      before: null,
      after: { id: row.id, ...input },
    });
    return row.id;
  });
}
