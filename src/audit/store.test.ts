import { describe, expect, it } from 'vitest';
import { changesBetween } from './store.js';

describe('changesBetween', () => {
  it('lists only the fields whose values changed, leaving out bookkeeping', () => {
    expect(
      changesBetween(
        { name: 'A', places: 3, version: 1, town: null },
        { name: 'A', places: 4, version: 2, town: 'Leeds' },
      ),
    ).toEqual([
      { field: 'places', before: 3, after: 4 },
      { field: 'town', before: null, after: 'Leeds' },
    ]);
  });

  it('shows every field of a new record as added', () => {
    expect(changesBetween(null, { name: 'A' })).toEqual([{ field: 'name', before: null, after: 'A' }]);
  });
});
