import { sql, type SelectQueryBuilder } from 'kysely';
import { fetchSlice, type Keyset, type KeysetPaging, type Slice } from './keyset.js';

/** One page of a list, with what the GOV.UK pagination needs. */
export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

/**
 * One page of a query's rows and the count of all of them. Two queries rather than a window count,
 * which would make the server read every match before returning the first page.
 */
export async function fetchPage<DB, TB extends keyof DB, O, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  order: (query: SelectQueryBuilder<DB, TB, O>) => SelectQueryBuilder<DB, TB, O>,
  paging: { page: number; pageSize: number },
  present: (row: O) => T,
): Promise<Page<T>> {
  const { page, pageSize } = paging;
  const [rows, total] = await Promise.all([
    order(query)
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    countRows(query),
  ]);
  return { items: rows.map(present), page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
}

/** How many rows a query selects. */
export async function countRows<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>) {
  // Typed by hand: with generic tables Kysely cannot work out the shape of this selection.
  const counted = (await query
    .clearSelect()
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow()) as { n: number | string };
  return Number(counted.n);
}

/**
 * A page of a long list read by key (see keyset.ts), with the cursors either side. `total` and
 * `totalPages` are counted only when asked: the first page of the API, and every page of the HTML
 * lists, which show "of N" and the page numbers; a client walking the API by cursor does not pay for a
 * count on each page. `page` is the number asked for; with a cursor it is only what the page says it is.
 */
export interface KeysetPage<T> extends Slice<T> {
  page: number;
  pageSize: number;
  total: number | null;
  totalPages: number | null;
}

export async function fetchKeysetPage<DB, TB extends keyof DB, O, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  keyset: Keyset,
  paging: KeysetPaging & { count: boolean },
  present: (row: O) => T,
): Promise<KeysetPage<T>> {
  const [slice, total] = await Promise.all([
    fetchSlice(query, keyset, paging, present),
    paging.count ? countRows(query) : null,
  ]);
  return {
    ...slice,
    page: paging.page,
    pageSize: paging.pageSize,
    total,
    totalPages: total === null ? null : Math.ceil(total / paging.pageSize),
  };
}
