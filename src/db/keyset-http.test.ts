import { describe, expect, it } from 'vitest';
import { apiPage, keysetPagination, linkHeader, shownRange } from './keyset-http.js';

const href = (page: number, cursor?: string) => (cursor ? `?cursor=${cursor}&page=${page}` : `?page=${page}`);

describe('keysetPagination', () => {
  it('follows the cursors for Previous and Next and the numbers beside the current one', () => {
    const result = keysetPagination({ page: 5, totalPages: 10, nextCursor: 'N', previousCursor: 'P' }, href)!;
    expect(result.next).toEqual({ href: '?cursor=N&page=6' });
    expect(result.previous).toEqual({ href: '?cursor=P&page=4' });
    expect(result.items).toEqual([
      { number: 1, href: '?page=1', current: false },
      { ellipsis: true },
      { number: 4, href: '?cursor=P&page=4', current: false },
      { number: 5, href: '?page=5', current: true },
      { number: 6, href: '?cursor=N&page=6', current: false },
      { ellipsis: true },
      { number: 10, href: '?page=10', current: false },
    ]);
  });

  it('goes back to page 1 by a plain link and leaves out what is not there', () => {
    const second = keysetPagination({ page: 2, totalPages: 2, nextCursor: null, previousCursor: 'P' }, href)!;
    expect(second.previous).toEqual({ href: '?page=1' });
    expect(second.next).toBeUndefined();
    const first = keysetPagination({ page: 1, totalPages: 3, nextCursor: 'N', previousCursor: null }, href)!;
    expect(first.previous).toBeUndefined();
    expect(
      keysetPagination({ page: 1, totalPages: 1, nextCursor: null, previousCursor: null }, href),
    ).toBeNull();
  });

  it('is Previous and Next alone without a count', () => {
    const result = keysetPagination(
      { page: 7, totalPages: null, nextCursor: 'N', previousCursor: 'P' },
      href,
    )!;
    expect(result).toEqual({
      items: [],
      previous: { href: '?cursor=P&page=6' },
      next: { href: '?cursor=N&page=8' },
    });
  });
});

describe('the API page', () => {
  const result = {
    items: [1, 2],
    page: 1,
    pageSize: 2,
    total: 5,
    totalPages: 3,
    nextCursor: 'N',
    previousCursor: null,
  };

  it('carries the count on the first page and not on a page reached by cursor', () => {
    expect(apiPage(result, false)).toEqual(result);
    expect(apiPage({ ...result, total: null, totalPages: null }, true)).toEqual({
      items: [1, 2],
      pageSize: 2,
      nextCursor: 'N',
      previousCursor: null,
    });
  });

  it('links the pages either side on the same search, without the page number', () => {
    expect(linkHeader('/api/providers?q=oak&page=3', { nextCursor: 'N', previousCursor: 'P' })).toBe(
      '</api/providers?q=oak&cursor=N>; rel="next", </api/providers?q=oak&cursor=P>; rel="prev"',
    );
    expect(linkHeader('/api/providers', { nextCursor: null, previousCursor: null })).toBeUndefined();
  });

  it('says which rows are shown from the page number and the rows it holds', () => {
    expect(shownRange({ page: 3, pageSize: 25, items: new Array(10) })).toEqual({ from: 51, to: 60 });
    expect(shownRange({ page: 1, pageSize: 25, items: [] })).toEqual({ from: 0, to: 0 });
  });
});
