import type { Db } from '../db/database.js';

export interface AuditEvent {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/** Written in the caller's transaction, so a change and its record land together or not at all. */
export async function recordAudit(trx: Db, event: AuditEvent): Promise<void> {
  await trx
    .insertInto('audit_events')
    .values({
      actor_id: event.actorId,
      action: event.action,
      entity_type: event.entityType,
      entity_id: event.entityId,
      before: event.before === null || event.before === undefined ? null : JSON.stringify(event.before),
      after: event.after === null || event.after === undefined ? null : JSON.stringify(event.after),
    })
    .execute();
}

export interface HistoryEntry {
  id: number;
  at: string;
  action: string;
  actor: { id: string; name: string } | null;
  changes: { field: string; before: unknown; after: unknown }[];
}

/** A record's history, newest first, each entry reduced to the fields that changed. */
export async function historyOf(
  db: Db,
  entityType: string,
  entityIds: string[],
  limit = 200,
): Promise<HistoryEntry[]> {
  if (entityIds.length === 0) return [];
  const rows = await db
    .selectFrom('audit_events as a')
    .leftJoin('people as p', 'p.id', 'a.actor_id')
    .select(['a.id', 'a.at', 'a.action', 'a.actor_id', 'p.name as actor_name', 'a.before', 'a.after'])
    .where('a.entity_type', '=', entityType)
    .where('a.entity_id', 'in', entityIds)
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    action: row.action,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name ?? 'Unknown' } : null,
    changes: changesBetween(row.before, row.after),
  }));
}

/** The fields whose values differ; bookkeeping fields are left out. */
export function changesBetween(before: unknown, after: unknown) {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const ignored = new Set(['version', 'updatedAt', 'createdAt']);
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((f) => !ignored.has(f));
  return fields
    .filter((field) => JSON.stringify(b[field] ?? null) !== JSON.stringify(a[field] ?? null))
    .map((field) => ({ field, before: b[field] ?? null, after: a[field] ?? null }));
}
