import { describe, expect, it } from 'vitest';
import { paginationFor, queryString } from './pagination.js';

const href = (n: number) => `?page=${n}`;

describe('paginationFor', () => {
  it('shows nothing for a single page', () => {
    expect(paginationFor(1, 1, href)).toBeNull();
    expect(paginationFor(1, 0, href)).toBeNull();
  });

  it('shows first, last and neighbours with ellipses between gaps', () => {
    const result = paginationFor(5, 10, href)!;
    const labels = result.items.map((item) => ('ellipsis' in item ? '…' : item.number));
    expect(labels).toEqual([1, '…', 4, 5, 6, '…', 10]);
    expect(result.previous).toEqual({ href: '?page=4' });
    expect(result.next).toEqual({ href: '?page=6' });
  });

  it('has no previous link on the first page and no next link on the last', () => {
    expect(paginationFor(1, 3, href)!.previous).toBeUndefined();
    expect(paginationFor(3, 3, href)!.next).toBeUndefined();
  });
});

describe('queryString', () => {
  it('leaves out empty values and encodes the rest', () => {
    expect(queryString({ q: 'St Mary’s & co', type: '', page: 2, region: undefined })).toBe(
      '?q=St+Mary%E2%80%99s+%26+co&page=2',
    );
    expect(queryString({ q: '' })).toBe('');
  });
});
