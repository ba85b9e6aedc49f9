import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { ChainVerifier, entryHash, GENESIS_HASH, type ChainCheck, type ChainedEntry } from './chain.js';

export interface AuditEvent {
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/** Entries recorded by this process, so that a chainer knows whether a commit may have left work. */
let recorded = 0;
export const auditEntriesRecorded = () => recorded;

/**
 * Written in the caller's transaction, so a change and its record land together or not at all. Only the
 * entry is written here: it joins the hash chain after it commits (`chainWaitingEntries`), so audited
 * writes never wait for one another.
 */
export async function recordAudit(trx: Db, event: AuditEvent): Promise<void> {
  await sql`
    insert into audit_events (at, actor_id, action, entity_type, entity_id, before, after)
    values (now(), ${event.actorId}, ${event.action}, ${event.entityType}, ${event.entityId},
      ${asJson(event.before)}::jsonb, ${asJson(event.after)}::jsonb)`.execute(trx);
  recorded += 1;
}

function asJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/**
 * An arbitrary, fixed key for the advisory lock held by the one chainer at work. The second key is the
 * schema, so that side-by-side schemas in one database (tests) each have their own chain and chainer.
 */
const AUDIT_CHAIN_LOCK = 73_012_026;
const chainLock = (wait: boolean) =>
  wait
    ? sql<{ locked: boolean }>`
        select true as locked from pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::int, hashtext(current_schema()))`
    : sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(${AUDIT_CHAIN_LOCK}::int, hashtext(current_schema())) as locked`;

/** Entries hashed per statement, and per transaction before the chainer commits and starts another. */
const CHAIN_BATCH = 1000;
const CHAIN_BATCHES_PER_TRANSACTION = 20;

export interface ChainingResult {
  chained: number;
  /** Another chainer was at work (and will chain what it finds); nothing was done here. */
  skipped: boolean;
}

/**
 * Links every committed entry still waiting into the hash chain, after the last entry chained, in id order
 * among themselves. One chainer at a time: without `wait`, a chainer that finds another at work gives way
 * at once. Each hash is computed from the entry as read back from the database, exactly as the verifier
 * reads it, so what is hashed is what is stored, and each entry is hashed once.
 */
export async function chainWaitingEntries(db: Db, { wait = false } = {}): Promise<ChainingResult> {
  let chained = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      if (!(await chainLock(wait).execute(trx)).rows[0]?.locked) return null;
      const tail = await trx
        .selectFrom('audit_events')
        .select(['chain_seq', 'hash'])
        .where('chain_seq', 'is not', null)
        .orderBy('chain_seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      let previous = tail?.hash ?? GENESIS_HASH;
      let seq = Number(tail?.chain_seq ?? 0);
      let count = 0;
      for (let batch = 0; batch < CHAIN_BATCHES_PER_TRANSACTION; batch++) {
        const rows = await trx
          .selectFrom('audit_events')
          .select(['id', 'at', 'actor_id', 'action', 'entity_type', 'entity_id', 'before', 'after'])
          .where('chain_seq', 'is', null)
          .orderBy('id')
          .limit(CHAIN_BATCH)
          .execute();
        if (rows.length === 0) return { count, more: false };
        const links = rows.map((row) => {
          previous = entryHash(previous, chainedEntry(row));
          seq += 1;
          return { id: Number(row.id), hash: previous, seq };
        });
        await sql`
          update audit_events a set hash = l.hash, chain_seq = l.seq
          from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as l(id bigint, hash text, seq bigint)
          where a.id = l.id`.execute(trx);
        count += rows.length;
        if (rows.length < CHAIN_BATCH) return { count, more: false };
      }
      return { count, more: true };
    });
    if (done === null) return { chained, skipped: true };
    chained += done.count;
    if (!done.more) return { chained, skipped: false };
  }
}

interface AuditRow {
  id: number | string;
  at: Date | string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: unknown;
  after: unknown;
}

/** An entry as hashed: from its row as the database returns it, for the chainer and the verifier alike. */
function chainedEntry(row: AuditRow): ChainedEntry {
  return {
    id: Number(row.id),
    at: new Date(row.at),
    actorId: row.actor_id,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
  };
}

/**
 * How long an entry may wait to be chained before the verifier reports it. Chaining follows each request
 * within moments, and the background worker chains what a stopped process left; an entry this old
 * means chaining is failing.
 */
export const CHAIN_WAIT_LIMIT_MINUTES = 10;

/** The chain's check, and how many committed entries are still waiting to be chained. */
export type AuditTrailCheck = ChainCheck & { waiting: number };

/**
 * Chains whatever is waiting (unless told not to), then recomputes the whole chain in chain order, a batch
 * at a time, and reports the first broken link. Entries committed since may still be waiting; they are
 * counted, not treated as a break, unless one has waited longer than CHAIN_WAIT_LIMIT_MINUTES.
 */
export async function verifyAuditTrail(
  db: Db,
  batchSize = 5000,
  { chainFirst = true } = {},
): Promise<AuditTrailCheck> {
  if (chainFirst) {
    await chainWaitingEntries(db, { wait: true }).catch((error: unknown) => {
      // A read-only replica cannot chain: what waits there is counted below, as it is.
      if ((error as { code?: unknown }).code !== READ_ONLY_TRANSACTION) throw error;
    });
  }
  const check = await walkChain(db, batchSize);
  const { rows } = await sql<{ waiting: number | string; overdue: number | string | null }>`
    select count(*) as waiting,
      min(id) filter (where at < now() - make_interval(mins => ${CHAIN_WAIT_LIMIT_MINUTES})) as overdue
    from audit_events where chain_seq is null`.execute(db);
  const waiting = Number(rows[0]?.waiting ?? 0);
  const overdue = rows[0]?.overdue ?? null;
  if (check.ok && overdue !== null) {
    return {
      ok: false,
      entries: check.entries,
      waiting,
      brokenAt: Number(overdue),
      reason: `it has waited more than ${CHAIN_WAIT_LIMIT_MINUTES} minutes to be chained`,
    };
  }
  return { ...check, waiting };
}

const READ_ONLY_TRANSACTION = '25006';

async function walkChain(db: Db, batchSize: number): Promise<ChainCheck> {
  const verifier = new ChainVerifier();
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('chain_seq', '>', after)
      .orderBy('chain_seq')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      if (!verifier.next(chainedEntry(row), row.hash)) return verifier.result();
    }
    if (rows.length < batchSize) return verifier.result();
    after = Number(rows[rows.length - 1]!.chain_seq);
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
