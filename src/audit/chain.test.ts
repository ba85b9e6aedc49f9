import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, ChainVerifier, entryHash, GENESIS_HASH, type ChainedEntry } from './chain.js';

const entry = (id: number, after: unknown = { name: `Home ${id}` }): ChainedEntry => ({
  id,
  at: new Date(Date.UTC(2026, 10, 2, 10, 0, id)),
  actorId: null,
  action: 'provider.created',
  entityType: 'provider',
  entityId: `p${id}`,
  before: null,
  after,
});

function chain(entries: ChainedEntry[]): string[] {
  const hashes: string[] = [];
  let previous = GENESIS_HASH;
  for (const e of entries) hashes.push((previous = entryHash(previous, e)));
  return hashes;
}

function verify(entries: ChainedEntry[], hashes: (string | null)[]) {
  const verifier = new ChainVerifier();
  entries.forEach((e, i) => verifier.next(e, hashes[i]!));
  return verifier.result();
}

describe('the audit hash chain', () => {
  it('writes keys in one order whatever order they came in', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('verifies an untouched chain', () => {
    const entries = [1, 2, 3, 4].map((id) => entry(id));
    expect(verify(entries, chain(entries))).toEqual({ ok: true, entries: 4 });
  });

  it('finds the first entry whose content was changed', () => {
    const entries = [1, 2, 3, 4].map((id) => entry(id));
    const hashes = chain(entries);
    entries[2] = entry(3, { name: 'Changed afterwards' });
    expect(verify(entries, hashes)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('finds a removed entry at the one after it', () => {
    const entries = [1, 2, 3, 4].map((id) => entry(id));
    const hashes = chain(entries);
    expect(
      verify([entries[0]!, entries[1]!, entries[3]!], [hashes[0]!, hashes[1]!, hashes[3]!]),
    ).toMatchObject({
      ok: false,
      brokenAt: 4,
    });
  });

  it('refuses an entry without a hash', () => {
    const entries = [1, 2].map((id) => entry(id));
    expect(verify(entries, [chain(entries)[0]!, null])).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('breaks at exactly the entry changed, wherever it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.nat(), fc.string(), (length, at, text) => {
        const entries = Array.from({ length }, (_, i) => entry(i + 1));
        const hashes = chain(entries);
        const index = at % length;
        const changed = { name: `${text}!` };
        entries[index] = entry(index + 1, changed);
        expect(verify(entries, hashes)).toMatchObject({ ok: false, brokenAt: index + 1 });
      }),
    );
  });

  it('gives an entry the same hash after its before and after have been through jsonb', () => {
    // The chainer hashes entries as the database gives them back, and the verifier may read them through
    // another driver or after a dump and restore: jsonb keeps neither key order nor the text as written.
    fc.assert(
      fc.property(
        fc.jsonValue({ stringUnit: 'grapheme' }),
        fc.jsonValue({ stringUnit: 'grapheme' }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (before, after, previous) => {
          const written = { ...entry(7), before, after };
          const readBack = { ...written, before: throughJsonb(before), after: throughJsonb(after) };
          expect(entryHash(previous, readBack)).toBe(entryHash(previous, written));
        },
      ),
    );
  });
});

/**
 * What jsonb does to a value written as JSON text: parsed, each object's keys kept once (the last) and
 * put in jsonb's order (shorter keys first, then by bytes), numbers as decimal text, then read back.
 */
function throughJsonb(value: unknown): unknown {
  const reorder = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(reorder);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v).sort((a, b) => {
      const x = Buffer.from(a);
      const y = Buffer.from(b);
      return x.length - y.length || Buffer.compare(x, y);
    });
    return Object.fromEntries(keys.map((k) => [k, reorder((v as Record<string, unknown>)[k])]));
  };
  return JSON.parse(JSON.stringify(reorder(JSON.parse(JSON.stringify(value)))));
}
