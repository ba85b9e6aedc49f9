import { z } from 'zod';
import { paginationFor, queryString } from '../web/pagination.js';
import { decodeCursor, type Cursor, type Keyset } from './keyset.js';
import type { KeysetPage } from './paging.js';

/** What the API and pages of a keyset list share: reading the `cursor` parameter and offering the next. */

export const BAD_CURSOR = 'cursor must be one returned by this list (nextCursor or previousCursor)';

/** The `cursor` query parameter; a value this list did not give is a 400 naming `cursor`. */
export const cursorField = (keyset: Keyset) =>
  z
    .string()
    .refine((text) => decodeCursor(keyset, text) !== null, BAD_CURSOR)
    .optional()
    .describe(
      'Opaque: nextCursor or previousCursor from the page before. With a cursor, page is not used and ' +
        'total, totalPages and page are left out of the answer; without one, page numbers work as before.',
    );

/** The cursor from a checked `cursor` field, or from a page's query string (where one that cannot be read is none). */
export function cursorOf(keyset: Keyset, text: unknown): Cursor | undefined {
  return typeof text === 'string' && text !== '' ? (decodeCursor(keyset, text) ?? undefined) : undefined;
}

/** "Showing {from} to {to}": from the page's number and the rows it holds. */
export function shownRange(result: { page: number; pageSize: number; items: unknown[] }) {
  const start = (result.page - 1) * result.pageSize;
  return result.items.length === 0
    ? { from: 0, to: 0 }
    : { from: start + 1, to: start + result.items.length };
}

/** The response fields of a keyset list, beside its items. */
export const keysetPageFields = {
  page: z.number().int().optional().describe('Left out on a page reached by cursor'),
  pageSize: z.number().int(),
  total: z.number().int().optional().describe('Left out on a page reached by cursor'),
  totalPages: z.number().int().optional().describe('Left out on a page reached by cursor'),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  previousCursor: z
    .string()
    .nullable()
    .describe('Pass as `cursor` for the page before; null on the first page'),
};

/** The API's answer: the count and page number only where they were worked out (no cursor given). */
export function apiPage<T>(result: KeysetPage<T>, cursorGiven: boolean) {
  const { items, pageSize, nextCursor, previousCursor } = result;
  if (cursorGiven || result.total === null || result.totalPages === null) {
    return { items, pageSize, nextCursor, previousCursor };
  }
  return {
    items,
    page: result.page,
    pageSize,
    total: result.total,
    totalPages: result.totalPages,
    nextCursor,
    previousCursor,
  };
}

/**
 * One page of a keyset list for the API: the checked `cursor` read, the matches counted only when there is
 * none (the first page), the Link header set. `result` is the store's page, `page` the answer to send.
 */
export async function keysetApiPage<P extends KeysetPage<unknown>>(
  url: string,
  reply: { header(name: string, value: string): unknown },
  keyset: Keyset,
  cursorText: string | undefined,
  fetch: (paging: { cursor: Cursor | undefined; count: boolean }) => Promise<P>,
) {
  const result = await fetch({ cursor: cursorOf(keyset, cursorText), count: cursorText === undefined });
  const links = linkHeader(url, result);
  if (links) reply.header('link', links);
  return { result, page: apiPage<P['items'][number]>(result, cursorText !== undefined) };
}

/** An RFC 8288 Link header for the pages either side, on the request's own URL with its filters. */
export function linkHeader(
  url: string,
  result: { nextCursor: string | null; previousCursor: string | null },
) {
  const link = (cursor: string, rel: string) => {
    const target = new URL(url, 'http://localhost');
    target.searchParams.delete('page');
    target.searchParams.set('cursor', cursor);
    return `<${target.pathname}${target.search}>; rel="${rel}"`;
  };
  const links = [
    result.nextCursor ? link(result.nextCursor, 'next') : null,
    result.previousCursor ? link(result.previousCursor, 'prev') : null,
  ].filter((l): l is string => l !== null);
  return links.length > 0 ? links.join(', ') : undefined;
}

/** The links of a keyset list's page: its filters kept, the cursor if any, and no `page=1`. */
export const keysetHref =
  (path: string, keep: Record<string, string | number | undefined | null>) =>
  (page: number, cursor?: string) =>
    `${path}${queryString({ ...keep, cursor, page: page > 1 ? page : undefined })}`;

/**
 * The GOV.UK pagination for a keyset list. "Previous" and "Next", and the numbers either side of the
 * current one, follow the cursors, so walking a long list never reads past rows; the page number rides
 * along only to say which page this is. The first and last numbers stay plain page links. Without a
 * count (none is shown), it is "Previous" and "Next" alone, the pattern for lists not worth numbering.
 */
export function keysetPagination(
  result: Pick<KeysetPage<unknown>, 'page' | 'totalPages' | 'nextCursor' | 'previousCursor'>,
  hrefFor: (page: number, cursor?: string) => string,
) {
  const { page, nextCursor, previousCursor } = result;
  const next = nextCursor ? { href: hrefFor(page + 1, nextCursor) } : undefined;
  const previous =
    page <= 1 && !previousCursor
      ? undefined
      : {
          href:
            page - 1 > 1 && previousCursor
              ? hrefFor(page - 1, previousCursor)
              : hrefFor(Math.max(1, page - 1)),
        };
  const numbered = result.totalPages
    ? paginationFor(page, Math.max(result.totalPages, page), (n) => {
        if (n === page + 1 && next) return next.href;
        if (n === page - 1 && previous) return previous.href;
        return hrefFor(n);
      })
    : null;
  if (!numbered && !next && !previous) return null;
  return { items: numbered?.items ?? [], previous, next };
}
