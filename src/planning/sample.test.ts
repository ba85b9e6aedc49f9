import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOCAL_AUTHORITIES, RURAL_URBAN_ORDER, type RuralUrbanClass } from './local-authorities.js';
import {
  allocate,
  drawAuthoritySample,
  groupByClass,
  inspectionYearOf,
  registerEntryFor,
  sampleRequestErrors,
  SAMPLE_SIZE,
  yearLabel,
} from './sample.js';

const sizes = fc.integer({ min: SAMPLE_SIZE.min, max: SAMPLE_SIZE.max });
const seeds = fc.string({ minLength: 1, maxLength: 30 });

const countsOf = (classes: RuralUrbanClass[]) =>
  Object.fromEntries(RURAL_URBAN_ORDER.map((c) => [c, classes.filter((x) => x === c).length])) as Record<
    RuralUrbanClass,
    number
  >;
const nationalCounts = countsOf(LOCAL_AUTHORITIES.map((a) => a.ruralUrban));
const allNames = new Set(LOCAL_AUTHORITIES.map((a) => a.name));

describe('the list of local authorities', () => {
  it('holds the 153 authorities with children’s services, each once, in every region and class', () => {
    expect(LOCAL_AUTHORITIES).toHaveLength(153);
    expect(new Set(LOCAL_AUTHORITIES.map((a) => a.name)).size).toBe(153);
    expect(new Set(LOCAL_AUTHORITIES.map((a) => a.region)).size).toBe(9);
    expect(LOCAL_AUTHORITIES.filter((a) => a.region === 'London')).toHaveLength(33);
    for (const c of RURAL_URBAN_ORDER) expect(nationalCounts[c]).toBeGreaterThan(10);
  });
});

describe('drawing the annual sample', () => {
  it('draws exactly the size asked for, without repeating an authority', () => {
    fc.assert(
      fc.property(sizes, seeds, (size, seed) => {
        const { authorities } = drawAuthoritySample({ size, seed });
        expect(authorities).toHaveLength(size);
        expect(new Set(authorities.map((a) => a.name)).size).toBe(size);
        for (const a of authorities) expect(allNames.has(a.name)).toBe(true);
      }),
    );
  });

  it('takes at least one authority from every rural-urban class, in proportion to the class', () => {
    fc.assert(
      fc.property(sizes, seeds, (size, seed) => {
        const sample = drawAuthoritySample({ size, seed });
        const drawn = countsOf(sample.authorities.map((a) => a.ruralUrban));
        for (const c of RURAL_URBAN_ORDER) {
          expect(drawn[c]).toBeGreaterThanOrEqual(1);
          expect(drawn[c]).toBe(sample.allocation[c]);
          // Largest remainders: never more than one away from the exact share.
          expect(Math.abs(drawn[c] - (size * nationalCounts[c]) / 153)).toBeLessThan(1);
        }
      }),
    );
  });

  it('gives the same authorities for the same seed and size, and usually others for another seed', () => {
    fc.assert(
      fc.property(sizes, seeds, (size, seed) => {
        expect(drawAuthoritySample({ size, seed })).toEqual(drawAuthoritySample({ size, seed }));
      }),
    );
    const names = (seed: string) =>
      drawAuthoritySample({ size: 22, seed })
        .authorities.map((a) => a.name)
        .join('|');
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => names(`seed-${i}`)));
    expect(distinct.size).toBe(50);
  });

  it('does not depend on the order the authorities are listed in', () => {
    const reversed = [...LOCAL_AUTHORITIES].reverse();
    expect(drawAuthoritySample({ size: 22, seed: 'abc' }, reversed)).toEqual(
      drawAuthoritySample({ size: 22, seed: 'abc' }),
    );
  });

  it('gives every authority about the same chance as the others in its class over many seeds', () => {
    // Fixed seeds, so the figures are the same on every run; the bound is loose (about five standard
    // deviations for 2,000 draws), so it fails only if the draw favours some authorities.
    const draws = 2000;
    const times = new Map<string, number>(LOCAL_AUTHORITIES.map((a) => [a.name, 0]));
    let allocation: Record<RuralUrbanClass, number> | undefined;
    for (let i = 0; i < draws; i++) {
      const sample = drawAuthoritySample({ size: 22, seed: `frequency-${i}` });
      allocation = sample.allocation;
      for (const a of sample.authorities) times.set(a.name, times.get(a.name)! + 1);
    }
    for (const a of LOCAL_AUTHORITIES) {
      const chance = allocation![a.ruralUrban] / nationalCounts[a.ruralUrban];
      const expected = draws * chance;
      const spread = Math.sqrt(draws * chance * (1 - chance));
      expect(Math.abs(times.get(a.name)! - expected), a.name).toBeLessThan(5 * spread);
    }
  });

  it('refuses sizes outside 20 to 25, naming the field', () => {
    for (const size of [19, 26, 22.5]) {
      expect(sampleRequestErrors({ year: 2025, size, seed: 'x' }).map((e) => e.field)).toEqual(['size']);
    }
    expect(sampleRequestErrors({ year: 2025, size: 20, seed: 'x' })).toEqual([]);
    expect(sampleRequestErrors({ year: 2025, size: 25, seed: ' ' }).map((e) => e.field)).toEqual(['seed']);
  });
});

describe('allocating the sample to classes', () => {
  it('adds up to the size, respects the class sizes and gives each class at least one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 3, max: 30 }),
        (u, s, r, size) => {
          const counts = {
            'predominantly-urban': u,
            'urban-with-significant-rural': s,
            'predominantly-rural': r,
          };
          fc.pre(size <= u + s + r);
          const allocation = allocate(counts, size);
          expect(Object.values(allocation).reduce((a, b) => a + b, 0)).toBe(size);
          for (const c of RURAL_URBAN_ORDER) {
            expect(allocation[c]).toBeGreaterThanOrEqual(1);
            expect(allocation[c]).toBeLessThanOrEqual(counts[c]);
          }
        },
      ),
    );
  });

  it('gives a small class its one place even when its share rounds to nothing', () => {
    expect(
      allocate(
        { 'predominantly-urban': 100, 'urban-with-significant-rural': 48, 'predominantly-rural': 2 },
        20,
      ),
    ).toEqual({ 'predominantly-urban': 13, 'urban-with-significant-rural': 6, 'predominantly-rural': 1 });
  });
});

describe('years, groups and the register', () => {
  it('counts the inspection year from 1 April', () => {
    expect(inspectionYearOf('2026-03-31')).toBe(2025);
    expect(inspectionYearOf('2026-04-01')).toBe(2026);
    expect(yearLabel(2025)).toBe('2025 to 2026');
  });

  it('groups the sample by class in the order urban to rural', () => {
    const { authorities } = drawAuthoritySample({ size: 22, seed: 'groups' });
    expect(groupByClass(authorities).map((g) => g.ruralUrban)).toEqual(RURAL_URBAN_ORDER);
  });

  it('finds an authority’s own entry on the register by name, preferring a registered one', () => {
    const entries = [
      { id: '1', name: 'Leeds Council children’s services', localAuthority: 'Leeds', status: 'closed' },
      { id: '2', name: 'Leeds City Council', localAuthority: 'Leeds', status: 'registered' },
      { id: '3', name: 'Durham County Council', localAuthority: 'County Durham', status: 'registered' },
    ];
    expect(registerEntryFor('Leeds', entries)?.id).toBe('2');
    expect(registerEntryFor('County Durham', entries)?.id).toBe('3');
    expect(registerEntryFor('Sheffield', entries)).toBeNull();
  });
});
