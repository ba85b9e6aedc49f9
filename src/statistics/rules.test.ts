import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aYearBefore,
  formatShare,
  goodOrOutstanding,
  inspectionYearOf,
  largestGroups,
  outlierIndicator,
  parsePeriod,
  percentChange,
  share,
  splitIntoMonths,
  type OwnerGroupSize,
} from './rules.js';

describe('periods', () => {
  it('splits a period into its whole months and the days either side', () => {
    expect(splitIntoMonths({ from: '2016-04-01', to: '2026-03-31' })).toEqual({
      months: { first: '2016-04-01', last: '2026-03-01' },
      edges: [],
    });
    expect(splitIntoMonths({ from: '2024-01-15', to: '2024-03-10' })).toEqual({
      months: { first: '2024-02-01', last: '2024-02-01' },
      edges: [
        { from: '2024-01-15', to: '2024-01-31' },
        { from: '2024-03-01', to: '2024-03-10' },
      ],
    });
    expect(splitIntoMonths({ from: '2024-02-01', to: '2024-02-29' }).months).toEqual({
      first: '2024-02-01',
      last: '2024-02-01',
    });
    expect(splitIntoMonths({ from: '2024-01-02', to: '2024-01-31' })).toEqual({
      months: null,
      edges: [{ from: '2024-01-02', to: '2024-01-31' }],
    });
  });

  it('covers every day of a period exactly once with months and edges', () => {
    const days = (from: string, to: string) => {
      const list: string[] = [];
      for (
        let d = new Date(`${from}T00:00:00Z`);
        d <= new Date(`${to}T00:00:00Z`);
        d.setUTCDate(d.getUTCDate() + 1)
      )
        list.push(d.toISOString().slice(0, 10));
      return list;
    };
    const day = fc
      .integer({ min: 0, max: 1500 })
      .map((n) => new Date(Date.UTC(2019, 0, 1 + n)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (a, b) => {
        const period = a <= b ? { from: a, to: b } : { from: b, to: a };
        const { months, edges } = splitIntoMonths(period);
        const covered = edges.flatMap((edge) => days(edge.from, edge.to));
        if (months) {
          const [y, m] = months.last.split('-').map(Number) as [number, number];
          const lastDay = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
          covered.push(...days(months.first, lastDay));
        }
        expect(covered.sort()).toEqual(days(period.from, period.to));
      }),
      { numRuns: 200 },
    );
  });

  it('puts a date in the inspection year from 1 April to 31 March', () => {
    expect(inspectionYearOf('2024-04-01')).toEqual({ from: '2024-04-01', to: '2025-03-31' });
    expect(inspectionYearOf('2025-03-31')).toEqual({ from: '2024-04-01', to: '2025-03-31' });
    expect(inspectionYearOf('2024-12-25')).toEqual({ from: '2024-04-01', to: '2025-03-31' });
    expect(inspectionYearOf('2025-01-01')).toEqual({ from: '2024-04-01', to: '2025-03-31' });
  });

  it('goes back a year, from 29 February to 28 February', () => {
    expect(aYearBefore('2016-03-31')).toEqual('2015-03-31');
    expect(aYearBefore('2024-02-29')).toEqual('2023-02-28');
  });

  it('defaults to the inspection year of today and keeps a chosen period', () => {
    expect(parsePeriod({}, '2025-06-14')).toEqual({
      ok: true,
      period: { from: '2025-04-01', to: '2026-03-31' },
    });
    expect(parsePeriod({ from: '2015-04-01', to: '2016-03-31' }, '2025-06-14')).toEqual({
      ok: true,
      period: { from: '2015-04-01', to: '2016-03-31' },
    });
    expect(parsePeriod({ from: '2025-05-01', to: '' }, '2025-06-14')).toEqual({
      ok: true,
      period: { from: '2025-05-01', to: '2026-03-31' },
    });
  });

  it('names the field of a date that is not real, and refuses an end before the start', () => {
    const bad = parsePeriod({ from: '2025-02-30', to: 'soon' }, '2025-06-14');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.field)).toEqual(['from', 'to']);
    const backwards = parsePeriod({ from: '2025-04-02', to: '2025-04-01' }, '2025-06-14');
    expect(!backwards.ok && backwards.errors).toEqual([
      { field: 'to', message: 'The end of the period must be the same as or after its start' },
    ]);
    expect(parsePeriod({ from: '2025-04-01', to: '2025-04-01' }, '2025-06-14').ok).toBe(true);
  });
});

describe('shares and percentages', () => {
  it('rounds to one decimal place, halves away from zero', () => {
    expect(share(1, 3)).toBe(33.3);
    expect(share(2, 3)).toBe(66.7);
    expect(share(1, 8)).toBe(12.5);
    expect(share(1, 16)).toBe(6.3); // 6.25
    expect(share(7, 7)).toBe(100);
    expect(share(0, 5)).toBe(0);
    expect(share(1, 2000)).toBe(0.1); // 0.05
  });

  it('gives no share of a zero total, shown as a dash', () => {
    expect(share(0, 0)).toBeNull();
    expect(formatShare(null)).toBe('–');
    expect(formatShare(12.5)).toBe('12.5%');
    expect(formatShare(100)).toBe('100.0%');
  });

  it('works out growth on the previous year', () => {
    expect(percentChange(3, 4)).toBe(33.3);
    expect(percentChange(4, 3)).toBe(-25);
    expect(percentChange(10, 10)).toBe(0);
    expect(percentChange(0, 2)).toBeNull();
  });

  it('never answers a share outside 0 to 100', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (a, b) => {
        const total = a + b;
        const value = share(a, total);
        if (total === 0) return value === null;
        return value !== null && value >= 0 && value <= 100 && Math.round(value * 10) === value * 10;
      }),
    );
  });
});

describe('the largest owner groups', () => {
  const group = (name: string, homes: number, places = homes * 3): OwnerGroupSize => ({
    id: name,
    name,
    homes,
    places,
  });

  it('takes the n largest by homes', () => {
    const groups = [group('A', 2), group('B', 9), group('C', 5), group('D', 1)];
    expect(largestGroups(groups, 2).map((g) => g.name)).toEqual(['B', 'C']);
    expect(largestGroups(groups, 10).map((g) => g.name)).toEqual(['B', 'C', 'A', 'D']);
    expect(largestGroups(groups, 0)).toEqual([]);
  });

  it('includes every group tied with the nth, so the answer can hold more than n', () => {
    const groups = [group('A', 5), group('B', 3, 10), group('C', 3, 12), group('D', 3, 8), group('E', 1)];
    expect(largestGroups(groups, 2).map((g) => g.name)).toEqual(['A', 'C', 'B', 'D']);
    expect(largestGroups(groups, 4).map((g) => g.name)).toEqual(['A', 'C', 'B', 'D']);
    expect(largestGroups(groups, 1).map((g) => g.name)).toEqual(['A']);
  });

  it('always holds at least min(n, groups) and never leaves out a group larger than one it holds', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 15 }), fc.integer({ min: 1, max: 15 }), (sizes, n) => {
        const groups = sizes.map((homes, i) => group(`G${i}`, homes));
        const chosen = largestGroups(groups, n);
        const smallest = Math.min(...chosen.map((g) => g.homes));
        const left = groups.filter((g) => !chosen.includes(g));
        return chosen.length >= Math.min(n, groups.length) && left.every((g) => g.homes < smallest);
      }),
    );
  });
});

describe('the outlier indicator', () => {
  it('compares an inspector’s share with the comparable share, in percentage points', () => {
    // 3 of 6 compared inspections inadequate; others' comparable inspections would give 0.6 of 6.
    expect(outlierIndicator({ compared: 6, observed: 3, expected: 0.6 })).toEqual({
      observedShare: 50,
      expectedShare: 10,
      difference: 40,
      flagged: true,
    });
  });

  it('does not flag a difference under 20 points, nor an inspector with fewer than 5 compared inspections', () => {
    expect(outlierIndicator({ compared: 10, observed: 3, expected: 1.5 }).flagged).toBe(false); // 30 vs 15
    expect(outlierIndicator({ compared: 10, observed: 4, expected: 2 }).flagged).toBe(true); // 40 vs 20
    expect(outlierIndicator({ compared: 4, observed: 4, expected: 0 })).toEqual({
      observedShare: 100,
      expectedShare: 0,
      difference: 100,
      flagged: false,
    });
  });

  it('flags a grade given much less often than others give it', () => {
    expect(outlierIndicator({ compared: 5, observed: 0, expected: 2.5 })).toMatchObject({
      difference: -50,
      flagged: true,
    });
  });

  it('has nothing to say without comparable inspections', () => {
    expect(outlierIndicator({ compared: 0, observed: 0, expected: 0 })).toEqual({
      observedShare: null,
      expectedShare: null,
      difference: null,
      flagged: false,
    });
  });
});

describe('good or outstanding', () => {
  const sccif = [
    { id: 'outstanding' },
    { id: 'good' },
    { id: 'requires-improvement-to-be-good' },
    { id: 'inadequate' },
  ];
  it('adds outstanding and good together as a share of all, as the annual report does', () => {
    // Seed 000: 74% of 410 first inspections judged good or outstanding.
    expect(
      goodOrOutstanding(sccif, [
        { gradeId: 'outstanding', inspections: 40 },
        { gradeId: 'good', inspections: 263 },
        { gradeId: 'requires-improvement-to-be-good', inspections: 78 },
        { gradeId: 'inadequate', inspections: 29 },
      ]),
    ).toEqual({ part: 303, total: 410, share: 73.9 });
  });
  it('has no share of nothing, and none for a scale without both grades', () => {
    expect(goodOrOutstanding(sccif, [])).toEqual({ part: 0, total: 0, share: null });
    const outcomes = [
      { id: 'consistently-strong' },
      { id: 'inconsistent' },
      { id: 'serious-or-widespread-weaknesses' },
    ];
    expect(goodOrOutstanding(outcomes, [{ gradeId: 'consistently-strong', inspections: 3 }])).toBeNull();
  });
});
