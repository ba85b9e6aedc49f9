import { createHash } from 'node:crypto';

/**
 * The audit trail is a hash chain: each entry's hash covers its own content and the hash before it, so
 * changing or removing any entry breaks every link after it. Pure, so the writer and the verifier agree.
 */
export interface ChainedEntry {
  id: number;
  at: Date;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

/** The hash the chain starts from, before the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every depth, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function entryHash(previousHash: string, entry: ChainedEntry): string {
  const content = canonicalJson({
    id: entry.id,
    at: entry.at.toISOString(),
    actorId: entry.actorId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    before: entry.before ?? null,
    after: entry.after ?? null,
  });
  return createHash('sha256').update(previousHash).update('\n').update(content).digest('hex');
}

export type ChainCheck =
  { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/**
 * Walks entries in chain order and reports the first broken link. Feed it batches with `next`; the state
 * carries the last hash between batches so a trail of any length is checked in constant memory.
 */
export class ChainVerifier {
  private previous = GENESIS_HASH;
  private count = 0;
  private broken: { id: number; reason: string } | null = null;

  next(entry: ChainedEntry, storedHash: string | null): boolean {
    if (this.broken) return false;
    this.count += 1;
    if (storedHash === null) {
      this.broken = { id: entry.id, reason: 'the entry has no hash' };
      return false;
    }
    const expected = entryHash(this.previous, entry);
    if (expected !== storedHash) {
      this.broken = {
        id: entry.id,
        reason: 'its hash does not match its content and the entry before it (changed, inserted or removed)',
      };
      return false;
    }
    this.previous = storedHash;
    return true;
  }

  result(): ChainCheck {
    return this.broken
      ? { ok: false, entries: this.count, brokenAt: this.broken.id, reason: this.broken.reason }
      : { ok: true, entries: this.count };
  }
}
