import { describe, expect, it } from 'vitest';
import { unstorableFields, unstorableText } from './text-input.js';

describe('text the database cannot store', () => {
  it('finds the NUL character and half a surrogate pair, and nothing in ordinary or unusual text', () => {
    expect(unstorableText('a\u0000b')).toBe(true);
    expect(unstorableText('\ud800')).toBe(true);
    expect(unstorableText('x\udc00')).toBe(true);
    for (const fine of ['', 'plain', '👶🏽 مرحبا e\u0301', '\u202e\ufeff', "'; drop table people; --"])
      expect(unstorableText(fine)).toBe(false);
  });

  it('names each field that holds it, however deep, and ignores numbers and raw bytes', () => {
    expect(
      unstorableFields({ name: 'ok', address: { town: 'Leeds\u0000' }, items: ['fine', '\ud800'], n: 1 }),
    ).toEqual([
      { field: 'address.town', message: expect.stringMatching(/hidden control characters/) },
      { field: 'items.1', message: expect.stringMatching(/hidden control characters/) },
    ]);
    expect(unstorableFields('\u0000')).toEqual([{ field: 'body', message: expect.any(String) }]);
    expect(unstorableFields(Buffer.from([0, 0, 0]))).toEqual([]);
  });
});
