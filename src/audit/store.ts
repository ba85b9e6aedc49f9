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
 * is held until the caller's transaction ends, so callers make this their last statement before commit.
 *
 * Under the lock there are two statements: one reads the last hash with the new entry's id and time, the
 * other inserts the entry with its hash already set. The hash covers before/after as PostgreSQL returns
 * them from jsonb, so it is computed from the values after a JSON round trip (what jsonb gives back for
 * anything JSON.stringify writes), and checked against what the insert returns: if they ever differed the
 * transaction fails rather than store a link the verifier would reject.
 */
export async function recordAudit(trx: Db, event: AuditEvent): Promise<void> {
  const before = asStored(event.before);
  const after = asStored(event.after);
  await inTransaction(trx, async (trx) => {
    await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`.execute(trx);
    // After the lock, so the id is taken in chain order and the last hash is the latest committed one.
    // now() is the transaction's time: the same value here and in the insert below.
    const { rows } = await sql<{ id: string; at: Date | string; last: string | null }>`
      select nextval(pg_get_serial_sequence('audit_events', 'id')) as id, now() as at,
        (select hash from audit_events order by id desc limit 1) as last`.execute(trx);
    const next = rows[0]!;
    const entry = {
      id: Number(next.id),
      at: new Date(next.at),
      actorId: event.actorId,
      action: event.action,
      entityType: event.entityType,
      entityId: event.entityId,
      before: before.value,
      after: after.value,
    };
    const hash = entryHash(next.last ?? GENESIS_HASH, entry);
    const row = await sql<{ id: string; at: Date | string; before: unknown; after: unknown }>`
      insert into audit_events (id, at, actor_id, action, entity_type, entity_id, before, after, hash)
      overriding system value
      values (${next.id}, now(), ${event.actorId}, ${event.action}, ${event.entityType},
        ${event.entityId}, ${before.text}::jsonb, ${after.text}::jsonb, ${hash})
      returning id, at, before, after`.execute(trx);
    const stored = row.rows[0]!;
    const check = entryHash(next.last ?? GENESIS_HASH, {
      ...entry,
      id: Number(stored.id),
      at: new Date(stored.at),
      before: stored.before,
      after: stored.after,
    });
    if (check !== hash)
      throw new Error('The audit entry as stored does not match its hash; nothing was saved');
  });
}

/** The JSON text sent to jsonb, and the value as it will come back. */
function asStored(value: unknown): { text: string | null; value: unknown } {
  if (value === null || value === undefined) return { text: null, value: null };
  const text = JSON.stringify(value);
  return { text, value: JSON.parse(text) as unknown };
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
