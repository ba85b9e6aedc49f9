import { sql, type SelectQueryBuilder } from 'kysely';

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
  const [rows, counted] = await Promise.all([
    order(query)
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    // Typed by hand: with generic tables Kysely cannot work out the shape of this selection.
    query
      .clearSelect()
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow() as Promise<{ n: number | string }>,
  ]);
  const total = Number(counted.n);
  return { items: rows.map(present), page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
}
