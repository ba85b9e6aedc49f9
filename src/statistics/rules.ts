import { OUT_OF_RANGE, serviceDateProblem, type IsoDate } from '../calendar/working-days.js';
import type { FieldError } from '../refusal.js';

/**
 * Decisions behind the statistics, pure: periods, shares and percentages, the largest owner groups with
 * their ties, and the indicator that points a manager at an inspector whose grades stand out.
 */

// ---- Periods ----

export interface Period {
  from: IsoDate;
  to: IsoDate;
}

/** The inspection year (1 April to 31 March) that `date` falls in. */
export function inspectionYearOf(date: IsoDate): Period {
  const year = Number(date.slice(0, 4));
  const start = date.slice(5) >= '04-01' ? year : year - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}

/** The same day a year earlier; 29 February becomes 28 February. */
export function aYearBefore(date: IsoDate): IsoDate {
  const year = Number(date.slice(0, 4)) - 1;
  const monthDay = date.slice(5) === '02-29' ? '02-28' : date.slice(5);
  return `${String(year).padStart(4, '0')}-${monthDay}`;
}

/**
 * A period as the summaries read it: the whole calendar months inside it (the first days of the first
 * and last of them), or none, and the days at either end outside those months, which are read from the
 * rows themselves. Together they cover the period exactly once.
 */
export interface MonthSplit {
  months: { first: IsoDate; last: IsoDate } | null;
  edges: Period[];
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
/** A UTC day; unlike Date.UTC, years below 100 are taken as they are. Month and day roll over. */
const utcDay = (year: number, monthIndex: number, day: number) => {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
};

export function splitIntoMonths(period: Period): MonthSplit {
  const [fy, fm, fd] = period.from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = period.to.split('-').map(Number) as [number, number, number];
  // Day 0 of a month is the last day of the month before.
  const first = utcDay(fy, fd === 1 ? fm - 1 : fm, 1);
  const endsMonth = utcDay(ty, tm, 0).getUTCDate() === td;
  const last = utcDay(ty, endsMonth ? tm - 1 : tm - 2, 1);
  if (first > last) return { months: null, edges: [period] };
  const edges: Period[] = [];
  if (fd !== 1) edges.push({ from: period.from, to: isoDay(new Date(first.getTime() - 86_400_000)) });
  if (!endsMonth) {
    const next = utcDay(last.getUTCFullYear(), last.getUTCMonth() + 1, 1);
    edges.push({ from: isoDay(next), to: period.to });
  }
  return { months: { first: isoDay(first), last: isoDay(last) }, edges };
}

export type PeriodResult = { ok: true; period: Period } | { ok: false; errors: FieldError[] };

/**
 * The period asked for: both ends default to the inspection year containing `today`; each given end must be
 * a real ISO date, and `from` must not come after `to`. Errors name the field at fault.
 */
export function parsePeriod(
  input: { from?: string | undefined; to?: string | undefined },
  today: IsoDate,
): PeriodResult {
  const year = inspectionYearOf(today);
  const errors: FieldError[] = [];
  const read = (field: 'from' | 'to'): IsoDate | null => {
    const raw = input[field]?.trim();
    if (raw === undefined || raw === '') return year[field];
    const problem = serviceDateProblem(raw);
    if (problem === null) return raw;
    errors.push({
      field,
      message:
        problem === 'out-of-range'
          ? OUT_OF_RANGE
          : `Enter the ${field === 'from' ? 'start' : 'end'} of the period as a real date, for example 2024-04-01`,
    });
    return null;
  };
  const from = read('from');
  const to = read('to');
  if (from !== null && to !== null && from > to) {
    errors.push({ field: 'to', message: 'The end of the period must be the same as or after its start' });
  }
  if (errors.length > 0 || from === null || to === null) return { ok: false, errors };
  return { ok: true, period: { from, to } };
}

// ---- Shares and percentages ----

/**
 * `part` as a percentage of `total`, to one decimal place, halves rounded away from zero; null when the
 * total is zero, since a share of nothing is not a number (shown as "–").
 */
export function share(part: number, total: number): number | null {
  if (total === 0) return null;
  return roundOneDecimal((part * 100) / total);
}

/** The change from `before` to `after` as a percentage of `before`, one decimal; null when `before` is 0. */
export function percentChange(before: number, after: number): number | null {
  if (before === 0) return null;
  return roundOneDecimal(((after - before) * 100) / before);
}

function roundOneDecimal(value: number): number {
  // Through a string with a fixed number of digits, so that 12.25 is not taken for 12.2499999….
  const tenths = Math.round(Math.abs(Number((value * 10).toPrecision(12))));
  const rounded = Math.sign(value) * tenths;
  return rounded / 10 + 0; // + 0 turns -0 into 0
}

/** The grades the annual report adds up as "good or outstanding" (seed 000: "74% … good or outstanding"). */
export const GOOD_OR_OUTSTANDING = ['outstanding', 'good'] as const;

/**
 * How many of a framework's inspections were judged good or outstanding, of how many, and the share; null
 * for a scale without both grades (supported accommodation's three outcomes), where it means nothing.
 */
export function goodOrOutstanding(
  scale: readonly { id: string }[],
  counts: readonly { gradeId: string; inspections: number }[],
): { part: number; total: number; share: number | null } | null {
  if (!GOOD_OR_OUTSTANDING.every((id) => scale.some((grade) => grade.id === id))) return null;
  const total = counts.reduce((all, row) => all + row.inspections, 0);
  const part = counts
    .filter((row) => (GOOD_OR_OUTSTANDING as readonly string[]).includes(row.gradeId))
    .reduce((all, row) => all + row.inspections, 0);
  return { part, total, share: share(part, total) };
}

/** A share for people: "12.5%", or "–" where there is no share. */
export function formatShare(value: number | null): string {
  return value === null ? '–' : `${value.toFixed(1)}%`;
}

// ---- The largest owner groups ----

export interface OwnerGroupSize {
  id: string;
  name: string;
  homes: number;
  places: number;
}

/**
 * The largest `n` groups by number of homes (more places, then name, only orders the list). A group tied on
 * homes with the nth largest is in as well, so the answer may hold more than `n` groups: leaving one out
 * would depend on an arbitrary order.
 */
export function largestGroups(groups: readonly OwnerGroupSize[], n: number): OwnerGroupSize[] {
  if (n <= 0) return [];
  const sorted = [...groups].sort(
    (a, b) => b.homes - a.homes || b.places - a.places || a.name.localeCompare(b.name, 'en-GB'),
  );
  if (sorted.length <= n) return sorted;
  const threshold = sorted[n - 1]!.homes;
  return sorted.filter((group, index) => index < n || group.homes === threshold);
}

// ---- Consistency: grades that stand out ----

/** Below this many inspections, an inspector's spread is shown but not flagged: too few to tell. */
export const OUTLIER_MINIMUM_INSPECTIONS = 5;
/** How far, in percentage points, an inspector's share may differ from the expected one before it is flagged. */
export const OUTLIER_THRESHOLD_POINTS = 20;

export interface GradeSpread {
  /**
   * The inspector's inspections that can be compared: others inspected providers of the same type in the
   * same region under the same framework in the period.
   */
  compared: number;
  /** How many of the compared inspections got the grade in question (the best or the worst on the scale). */
  observed: number;
  /**
   * How many of the compared inspections would be expected to get the grade: for each, the share of that
   * grade among the other inspectors' inspections of comparable providers, added up.
   */
  expected: number;
}

export interface OutlierIndicator {
  observedShare: number | null;
  expectedShare: number | null;
  /** Observed minus expected, in percentage points. */
  difference: number | null;
  flagged: boolean;
}

/**
 * Whether an inspector gives a grade notably more or less often than others do for comparable providers:
 * flagged when at least OUTLIER_MINIMUM_INSPECTIONS of their inspections have comparable ones to set
 * against, and the shares differ by OUTLIER_THRESHOLD_POINTS points or more.
 */
export function outlierIndicator(spread: GradeSpread): OutlierIndicator {
  const observedShare = share(spread.observed, spread.compared);
  const expectedShare = share(spread.expected, spread.compared);
  const difference =
    observedShare === null || expectedShare === null ? null : roundOneDecimal(observedShare - expectedShare);
  return {
    observedShare,
    expectedShare,
    difference,
    flagged:
      difference !== null &&
      spread.compared >= OUTLIER_MINIMUM_INSPECTIONS &&
      Math.abs(difference) >= OUTLIER_THRESHOLD_POINTS,
  };
}
