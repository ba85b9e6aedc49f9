import fc from 'fast-check';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { afterKey, decodeCursor, encodeCursor, validKeyValue, type Keyset } from './keyset.js';

const byName: Keyset = {
  name: 'providers',
  columns: [
    { expression: sql`lower(p.name)`, type: 'text', direction: 'asc' },
    { expression: sql.ref('p.id'), type: 'uuid', direction: 'asc' },
  ],
};

const newestFirst: Keyset = {
  name: 'notifications',
  columns: [
    { expression: sql.ref('n.event_date'), type: 'date', direction: 'desc' },
    { expression: sql.ref('n.submitted_at'), type: 'timestamptz', direction: 'desc' },
    { expression: sql.ref('n.id'), type: 'uuid', direction: 'asc' },
  ],
};

const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

describe('cursors', () => {
  it('read back exactly what was written, whatever the name holds', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }).filter((s) => !s.includes('\u0000')),
        fc.uuid(),
        fc.boolean(),
        (name, uuid, before) => {
          const cursor = { before, values: [name, uuid] };
          const text = encodeCursor(byName, cursor);
          expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
          expect(decodeCursor(byName, text)).toEqual(cursor);
        },
      ),
    );
  });

  it('keep a timestamp to the microsecond', () => {
    const cursor = { before: false, values: ['2025-03-01', '2025-03-01 09:15:02.123456+00', id] };
    expect(decodeCursor(newestFirst, encodeCursor(newestFirst, cursor))).toEqual(cursor);
  });

  it('are refused when garbled, cut short, made up or made by another list', () => {
    const good = encodeCursor(byName, { before: false, values: ['oak house', id] });
    for (const text of [
      '',
      'not base64!',
      good.slice(0, good.length - 3),
      `${good}==`,
      'x'.repeat(5000),
      raw({ name: 'providers' }),
      raw(['providers', 'a', 'oak house']),
      raw(['providers', 'a', 'oak house', id, 'extra']),
      raw(['providers', 'sideways', 'oak house', id]),
      raw(['inspections', 'a', 'oak house', id]),
      raw(['providers', 'a', 'oak house', 'not-a-uuid']),
      raw(['providers', 'a', 42, id]),
      raw(['providers', 'a', 'nul\u0000byte', id]),
      raw(['providers', 'a', 'x'.repeat(1001), id]),
      Buffer.from('["providers","a",', 'utf8').toString('base64url'),
    ]) {
      expect(decodeCursor(byName, text), text).toBeNull();
    }
    expect(decodeCursor(newestFirst, good)).toBeNull();
  });

  it('accept only dates and instants PostgreSQL would read', () => {
    expect(validKeyValue('date', '2024-02-29')).toBe(true);
    expect(validKeyValue('date', '2023-02-29')).toBe(false);
    expect(validKeyValue('date', '2024-13-01')).toBe(false);
    expect(validKeyValue('date', '2024-1-01')).toBe(false);
    expect(validKeyValue('timestamptz', '2024-05-01 09:30:00+01')).toBe(true);
    expect(validKeyValue('timestamptz', '2024-05-01 09:30:00.5-05:30')).toBe(true);
    expect(validKeyValue('timestamptz', '2024-05-01 24:30:00+00')).toBe(false);
    expect(validKeyValue('timestamptz', '2024-05-01T09:30:00Z')).toBe(false);
    expect(validKeyValue('timestamptz', '2024-02-30 09:30:00+00')).toBe(false);
    expect(validKeyValue('uuid', id.toUpperCase())).toBe(true);
    expect(validKeyValue('text', 5)).toBe(false);
  });
});

describe('the condition after a cursor', () => {
  const db = new Kysely<unknown>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const compiled = (keyset: Keyset, before: boolean, values: string[]) =>
    sql`${afterKey(keyset, { before, values })}`.compile(db);

  it('is one row comparison, as an index reads it, when every column runs the same way', () => {
    const forward = compiled(byName, false, ['oak', id]);
    expect(forward.sql).toBe('(lower(p.name), "p"."id") > (cast($1 as text), cast($2 as uuid))');
    expect(forward.parameters).toEqual(['oak', id]);
    expect(compiled(byName, true, ['oak', id]).sql).toContain(') < (');
  });

  it('bounds the leading column on its own and breaks ties in order when directions are mixed', () => {
    const at = ['2025-03-01', '2025-03-01 09:15:02.123456+00', id];
    const { sql: text } = compiled(newestFirst, false, at);
    expect(text).toBe(
      '("n"."event_date" <= cast($1 as date) and (("n"."event_date" < cast($2 as date)) or ' +
        '("n"."event_date" = cast($3 as date) and "n"."submitted_at" < cast($4 as timestamptz)) or ' +
        '("n"."event_date" = cast($5 as date) and "n"."submitted_at" = cast($6 as timestamptz) and ' +
        '"n"."id" > cast($7 as uuid))))',
    );
    // Going back, every comparison turns round.
    const back = compiled(newestFirst, true, at).sql;
    expect(back).toContain('"n"."event_date" >= cast($1 as date)');
    expect(back).toContain('"n"."id" < cast($7 as uuid)');
  });
});
