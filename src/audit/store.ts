import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/database.js';
import { ChainVerifier, entryHash, GENESIS_HASH, type ChainCheck } from './chain.js';

export interface AuditEvent {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/**
 * Written in the caller's transaction, so a change and its record land together or not at all. Each entry
 * is chained to the one before it; the lock makes entries join the chain one at a time, in id order, and
 * is held until the caller's transaction ends.
 */
export async function recordAudit(trx: Db, event: AuditEvent): Promise<void> {
  await inTransaction(trx, async (trx) => {
    await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(trx);
    const last = await trx
      .selectFrom('audit_events')
      .select('hash')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const row = await trx
      .insertInto('audit_events')
      .values({
        actor_id: event.actorId,
        action: event.action,
        entity_type: event.entityType,
        entity_id: event.entityId,
        before: event.before === null || event.before === undefined ? null : JSON.stringify(event.before),
        after: event.after === null || event.after === undefined ? null : JSON.stringify(event.after),
      })
      .returning(['id', 'at', 'before', 'after'])
      .executeTakeFirstOrThrow();
    const hash = entryHash(last?.hash ?? GENESIS_HASH, {
      id: Number(row.id),
      at: new Date(row.at),
      actorId: event.actorId,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      before: row.before,
      after: row.after,
    });
    await trx.updateTable('audit_events').set({ hash }).where('id', '=', row.id).execute();
  });
}

/** An arbitrary, fixed key for the advisory lock that orders the audit chain. */
const AUDIT_CHAIN_LOCK = 7_301_2026;

/** Recomputes the whole chain, a batch at a time, and reports the first broken link. */
export async function verifyAuditTrail(db: Db, batchSize = 5000): Promise<ChainCheck> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const entry = {
        id: Number(row.id),
        at: new Date(row.at),
        actorId: row.actor_id,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        before: row.before,
        after: row.after,
      };
      if (!verifier.next(entry, row.hash)) return verifier.result();
    }
    if (rows.length < batchSize) return verifier.result();
    after = Number(rows[rows.length - 1]!.id);
  }
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
