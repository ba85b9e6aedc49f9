import { describe, expect, it } from 'vitest';
import { PdfCache } from './pdf-cache.js';

const pdf = (bytes: number, fill = 1) => Buffer.alloc(bytes, fill);

describe('PdfCache', () => {
  it('gives back what it keeps', () => {
    const cache = new PdfCache(1000);
    cache.set('r1:3', pdf(100, 7));
    expect(cache.get('r1:3')?.[0]).toBe(7);
    expect(cache.get('r1:4')).toBeUndefined();
  });

  it('drops the least recently used once over its size', () => {
    const cache = new PdfCache(1000);
    cache.set('a', pdf(240));
    cache.set('b', pdf(240));
    cache.set('c', pdf(240));
    cache.get('a');
    cache.set('d', pdf(240));
    cache.set('e', pdf(240));
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd', 'e'].map((key) => cache.get(key) !== undefined)).toEqual([true, true, true, true]);
    expect(cache.bytes).toBe(960);
  });

  it('keeps no PDF larger than a quarter of its size', () => {
    const cache = new PdfCache(1000);
    cache.set('big', pdf(251));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('counts a replaced entry once', () => {
    const cache = new PdfCache(1000);
    cache.set('a', pdf(100));
    cache.set('a', pdf(200));
    expect(cache.bytes).toBe(200);
  });
});
