import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to.js';

// Pieces of the addresses that have led browsers off a site.
const tricky = fc
  .array(
    fc.constantFrom(
      '/',
      '\\',
      '%09',
      '%0a',
      '%0D',
      '%2f',
      '%5C',
      '%25',
      '\t',
      '\n',
      'a',
      ':',
      '.',
      '?',
      '#',
      '%',
      '@',
    ),
    {
      maxLength: 8,
    },
  )
  .map((parts) => parts.join(''));

describe('safeReturnTo', () => {
  it('keeps a path on this service, with its query string', () => {
    for (const path of [
      '/',
      '/inspections',
      '/inspections?status=on-site&from=2026-01-01',
      '/reports/a%20b#top',
    ])
      expect(safeReturnTo(path)).toBe(path);
  });

  it('sends anything else home', () => {
    for (const value of [
      undefined,
      null,
      42,
      ['/inspections'],
      '',
      'inspections',
      'https://elsewhere.example',
      'javascript:alert(1)',
      '//elsewhere.example',
      '///elsewhere.example',
      '/\\elsewhere.example',
      '\\\\elsewhere.example',
      '/inspections\\..\\x',
      '/\t/elsewhere.example',
      '/%09/elsewhere.example',
      '/%0a/elsewhere.example',
      '/%0D%0ASet-Cookie:%20x=1',
      '/\r\nSet-Cookie: x=1',
      '/%2F%2Felsewhere.example',
      '/%5Celsewhere.example',
      '/%00',
      '/%7f',
      '/%C2%85',
      '/%E0%A4%A',
      '/ü',
      '/with space',
      `/${'x'.repeat(2001)}`,
    ])
      expect(safeReturnTo(value), JSON.stringify(value)).toBe('/');
  });

  it('answers a path on this service that a browser can follow, for any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.webUrl(), fc.webPath(), tricky), (value) => {
        const answer = safeReturnTo(value);
        expect(answer === '/' || answer === value).toBe(true);
        // What a browser follows: tabs and line breaks dropped, backslashes read as slashes.
        const followed = decodeURIComponent(answer)
          .replace(/[\t\n\r]/g, '')
          .replaceAll('\\', '/');
        expect(followed.startsWith('/') && !followed.startsWith('//')).toBe(true);
        expect(answer).toMatch(/^[\x21-\x7e]+$/);
      }),
      { numRuns: 500 },
    );
  });
});
