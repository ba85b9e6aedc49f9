import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';

/**
 * Keyset ("cursor") paging. An offset page makes the server read and throw away every row before it,
 * so page 4,000 of the register reads 100,000 rows; a keyset page starts from the sort key of the last
 * row shown and reads only its own rows from an index on that key.
 *
 * A cursor is the base64url of a JSON array: the list's name, `a` (rows after) or `b` (rows before),
 * then the sort key of the row it points at, each value as PostgreSQL writes it as text. The last
 * column of every keyset is the row's id, so no two rows share a key and none is skipped or repeated
 * between pages even when many share the leading columns.
 */

/** The SQL types a key column may have; a cursor's value is checked against it before it reaches SQL. */
export type KeyType = 'text' | 'uuid' | 'date' | 'timestamptz';

export interface KeyColumn {
  /** The expression sorted on, exactly as an index is built on it. */
  expression: RawBuilder<unknown>;
  type: KeyType;
  direction: 'asc' | 'desc';
}

/** A list's order for keyset paging: a name (so one list's cursor is refused by another) and its columns. */
export interface Keyset {
  name: string;
  columns: KeyColumn[];
}

export interface Cursor {
  /** Rows before the key (a "Previous" link) rather than after it. */
  before: boolean;
  values: string[];
}

const MAX_CURSOR_LENGTH = 4000;
const MAX_TEXT_VALUE = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// As PostgreSQL writes a timestamptz: 2024-05-01 09:30:00.123456+01 (fraction and offset minutes optional).
const INSTANT = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::(\d{2}))?$/;

function realDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Whether a value can be given to PostgreSQL as the type without an error (which would be a 500). */
export function validKeyValue(type: KeyType, value: unknown): value is string {
  if (typeof value !== 'string') return false;
  switch (type) {
    case 'text':
      return value.length <= MAX_TEXT_VALUE && !value.includes('\u0000');
    case 'uuid':
      return UUID.test(value);
    case 'date':
      return realDate(value);
    case 'timestamptz': {
      const match = INSTANT.exec(value);
      if (!match || !realDate(match[1]!)) return false;
      const [hour, minute, second] = [Number(match[2]), Number(match[3]), Number(match[4])];
      const offsetHours = Number(match[7]);
      const offsetMinutes = Number(match[8] ?? 0);
      return hour < 24 && minute < 60 && second < 60 && offsetHours <= 15 && offsetMinutes < 60;
    }
  }
}

export function encodeCursor(keyset: Keyset, cursor: Cursor): string {
  const json = JSON.stringify([keyset.name, cursor.before ? 'b' : 'a', ...cursor.values]);
  return Buffer.from(json, 'utf8').toString('base64url');
}

/** The cursor, or null when the text is not one this list made (garbled, cut short, another list's). */
export function decodeCursor(keyset: Keyset, text: string): Cursor | null {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length !== keyset.columns.length + 2) return null;
  const [name, side, ...values] = parsed as unknown[];
  if (name !== keyset.name || (side !== 'a' && side !== 'b')) return null;
  if (!keyset.columns.every((column, i) => validKeyValue(column.type, values[i]))) return null;
  return { before: side === 'b', values: values as string[] };
}

const flip = (direction: 'asc' | 'desc') => (direction === 'asc' ? 'desc' : 'asc');

/**
 * The condition "comes after the cursor's row in the order read". Where every column runs the same way
 * it is one row comparison, which an index on the columns serves as a range. Where directions are
 * mixed it is the expanded OR, with the leading column's bound stated on its own so that the index can
 * still start at the right place (the OR then only filters rows that tie on the leading column).
 */
export function afterKey(keyset: Keyset, cursor: Cursor): RawBuilder<boolean> {
  const columns = keyset.columns.map((column, i) => ({
    expression: column.expression,
    value: sql`cast(${cursor.values[i]} as ${sql.raw(column.type)})`,
    direction: cursor.before ? flip(column.direction) : column.direction,
  }));
  const op = (direction: 'asc' | 'desc', orEqual = false) =>
    sql.raw(`${direction === 'asc' ? '>' : '<'}${orEqual ? '=' : ''}`);
  const directions = new Set(columns.map((c) => c.direction));
  if (directions.size === 1) {
    const [direction] = directions;
    return sql<boolean>`(${sql.join(columns.map((c) => c.expression))}) ${op(direction!)} (${sql.join(
      columns.map((c) => c.value),
    )})`;
  }
  const alternatives = columns.map((column, i) => {
    const ties = columns.slice(0, i).map((c) => sql`${c.expression} = ${c.value}`);
    return sql.join([...ties, sql`${column.expression} ${op(column.direction)} ${column.value}`], sql` and `);
  });
  const lead = columns[0]!;
  return sql<boolean>`(${lead.expression} ${op(lead.direction, true)} ${lead.value} and (${sql.join(
    alternatives.map((a) => sql`(${a})`),
    sql` or `,
  )}))`;
}

/** A page of a list read by key, with the cursors for the pages either side (null where there is none). */
export interface Slice<T> {
  items: T[];
  nextCursor: string | null;
  previousCursor: string | null;
}

export interface KeysetPaging {
  /** Where to start; without one, the `page`th page by offset (page 1 costs nothing extra). */
  cursor?: Cursor | undefined;
  page: number;
  pageSize: number;
}

const keyAlias = (i: number) => `keyset_${i}`;

/**
 * One page of a query in the keyset's order: after or before a cursor, or by page number when there is
 * none (so old links and clients keep working). One row more than the page is read to know whether
 * there is a next page, and each row's key is read as text so the cursor holds it exactly (a timestamp
 * through a JavaScript Date would lose its microseconds and skip or repeat rows).
 */
export async function fetchSlice<DB, TB extends keyof DB, O, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  keyset: Keyset,
  paging: KeysetPaging,
  present: (row: O) => T,
): Promise<Slice<T>> {
  const { cursor, page, pageSize } = paging;
  const before = cursor?.before ?? false;
  // Typed loosely: with generic tables Kysely cannot work out the shape of the added key columns.
  let q = (query as unknown as SelectQueryBuilder<any, any, any>).select(
    keyset.columns.map((column, i) => sql<string>`(${column.expression})::text`.as(keyAlias(i))),
  );
  if (cursor) q = q.where(afterKey(keyset, cursor));
  for (const column of keyset.columns) {
    q = q.orderBy(column.expression, before ? flip(column.direction) : column.direction);
  }
  q = q.limit(pageSize + 1);
  if (!cursor && page > 1) q = q.offset((page - 1) * pageSize);
  const read = (await q.execute()) as Record<string, unknown>[];
  const more = read.length > pageSize;
  const rows = read.slice(0, pageSize);
  if (before) rows.reverse();

  const keyOf = (row: Record<string, unknown> | undefined) =>
    row ? keyset.columns.map((_, i) => String(row[keyAlias(i)])) : null;
  const cursorAt = (row: Record<string, unknown> | undefined, side: 'before' | 'after') => {
    const values = keyOf(row);
    return values ? encodeCursor(keyset, { before: side === 'before', values }) : null;
  };
  const first = rows[0];
  const last = rows[rows.length - 1];
  // Going forward, there are rows before this page unless it is the first; going back, after it.
  const hasNext = before ? true : more;
  const hasPrevious = before ? more : cursor !== undefined || page > 1;
  return {
    items: rows.map((row) => present(row as O)),
    nextCursor: hasNext ? cursorAt(last, 'after') : null,
    previousCursor: hasPrevious ? cursorAt(first, 'before') : null,
  };
}
