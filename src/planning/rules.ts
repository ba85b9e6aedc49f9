import { addCalendarDays, type IsoDate } from '../calendar/working-days.js';
import { frameworks } from '../frameworks/frameworks.js';
import { notificationCategories } from '../frameworks/notification-categories.js';
import type { Framework, ProviderTypeId } from '../frameworks/types.js';
import type { Notice } from '../inspections/rules.js';

/**
 * Risk-based scheduling as pure rules: when each provider's next inspection is due, what brings it
 * forward, and by how much. The plan's SQL (store.ts) does the same sums for the whole register at once;
 * every figure it uses comes from the data below, passed to it as parameters.
 */

// ---- Intervals ----

/** One grade of one framework: its place on the scale (0 = best) and the months to the next inspection. */
export interface IntervalRow {
  frameworkId: string;
  gradeId: string;
  rank: number;
  months: number;
  /** The worst grade on the scale, after which monitoring visits are made. */
  worst: boolean;
}

/** A changed interval for the what-if: `months` after `gradeId` under `frameworkId`. */
export interface IntervalOverride {
  frameworkId: string;
  gradeId: string;
  months: number;
}
export type IntervalOverrides = readonly IntervalOverride[];

/** Every framework's grades with their re-inspection intervals (from the framework data), overridden. */
export function intervalTable(
  overrides: IntervalOverrides = [],
  from: readonly Framework[] = frameworks,
): IntervalRow[] {
  return from.flatMap((framework) =>
    framework.gradeScale.map((grade, rank) => {
      const override = overrides.find((o) => o.frameworkId === framework.id && o.gradeId === grade.id);
      return {
        frameworkId: framework.id,
        gradeId: grade.id,
        rank,
        months: override?.months ?? grade.reinspectionMonths,
        worst: rank === framework.gradeScale.length - 1,
      };
    }),
  );
}

/**
 * Months from registration to a new provider's first full inspection. OUR ESTIMATE for planning, not a
 * published rule: a new children's home or supported accommodation is seen within its first year (as a
 * good home would be); a local authority has no "registration", so its date on the register plus the
 * ILACS cycle. Provider types without an inspection framework in the data are not planned.
 */
export const FIRST_INSPECTION_MONTHS: Partial<Record<ProviderTypeId, number>> = {
  'childrens-home': 12,
  'supported-accommodation': 12,
  'local-authority': 36,
};

/**
 * Months between monitoring visits after the worst grade on a framework's scale (inadequate; for
 * supported accommodation, serious or widespread weaknesses), counted from the graded inspection and then
 * from each completed monitoring visit. OUR PLANNING DEFAULT: ILACS makes the first monitoring visit about
 * three months after an inadequate judgement and then about every three months; we use the same elsewhere.
 */
export const MONITORING_VISIT_MONTHS: Record<string, number> = {
  'childrens-homes': 3,
  'supported-accommodation': 3,
  ilacs: 3,
  'sif-2013': 3,
  'child-protection-2012': 3,
};

/**
 * The notice a provider is given, by type: children's homes are inspected without notice; local
 * authorities (including the annual sample) and supported accommodation get short notice (two working
 * days for supported accommodation); anything else is announced.
 */
export const NOTICE_BY_PROVIDER_TYPE: Partial<Record<ProviderTypeId, Notice>> = {
  'childrens-home': 'none',
  'supported-accommodation': 'short',
  'local-authority': 'short',
};

export function noticeFor(providerType: string): Notice {
  return NOTICE_BY_PROVIDER_TYPE[providerType as ProviderTypeId] ?? 'announced';
}

// ---- Dates ----

/**
 * `months` calendar months after `date`, the day kept where it exists and otherwise the last day of the
 * month (31 January + 1 month = 28 or 29 February), exactly as PostgreSQL adds an interval to a date.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d, lastDay);
  return `${String(year).padStart(4, '0')}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export interface LastInspection {
  frameworkId: string;
  gradeId: string;
  endDate: IsoDate;
}

/**
 * When the next full inspection is due: the last completed inspection's last day plus the interval for
 * its overall grade; never inspected, the day of registration plus the first-inspection period. Null
 * when the rules give no date (a provider type without a framework, a grade no longer in the data).
 */
export function dueDate(
  provider: { type: string; registeredOn: IsoDate; last: LastInspection | null },
  intervals: readonly IntervalRow[] = intervalTable(),
): IsoDate | null {
  if (provider.last) {
    const { frameworkId, gradeId, endDate } = provider.last;
    const row = intervals.find((i) => i.frameworkId === frameworkId && i.gradeId === gradeId);
    return row ? addMonths(endDate, row.months) : null;
  }
  const months = FIRST_INSPECTION_MONTHS[provider.type as ProviderTypeId];
  return months === undefined ? null : addMonths(provider.registeredOn, months);
}

/** The next monitoring visit after the worst grade, or null when the last grade was not the worst. */
export function monitoringDue(
  last: LastInspection | null,
  lastMonitoringVisitEnd: IsoDate | null,
  intervals: readonly IntervalRow[] = intervalTable(),
): IsoDate | null {
  if (!last) return null;
  const row = intervals.find((i) => i.frameworkId === last.frameworkId && i.gradeId === last.gradeId);
  const months = MONITORING_VISIT_MONTHS[last.frameworkId];
  if (!row?.worst || months === undefined) return null;
  const from =
    lastMonitoringVisitEnd && lastMonitoringVisitEnd > last.endDate ? lastMonitoringVisitEnd : last.endDate;
  return addMonths(from, months);
}

// ---- Risk signals ----

export const SIGNAL_KINDS = {
  'concern-awaiting-assessment': 'Concern awaiting assessment',
  'concern-inspect-now': 'Concern: decided to inspect now',
  'concern-bring-forward': 'Concern: decided to bring the inspection forward',
  notification: 'Serious-event notification',
  'overdue-requirement': 'Requirement past its compliance date',
  'grade-drop': 'Grade dropped at the last inspection',
  'manager-changed': 'Change of registered manager',
  'owner-changed': 'Change of owner',
} as const;
export type SignalKind = keyof typeof SIGNAL_KINDS;

/**
 * Days each signal brings the inspection forward. A planner's decision that names a date (a concern
 * decided 'inspect now' or 'bring forward', a notification reviewed as 'inspection brought forward')
 * brings it to that date instead, and its own weight is then 0.
 */
export const SIGNAL_WEIGHTS: Record<Exclude<SignalKind, 'notification'>, number> = {
  // Counted until a planner assesses the concern, so that an unread concern is never without effect.
  'concern-awaiting-assessment': 30,
  // Used only when the decision gives no date: inspect now means today.
  'concern-inspect-now': 0,
  'concern-bring-forward': 60,
  'overdue-requirement': 21,
  'grade-drop': 60,
  'manager-changed': 45,
  'owner-changed': 60,
};

/** Days a notification brings the inspection forward, by its category (seed 000's categories). */
export const NOTIFICATION_WEIGHTS: Record<string, number> = {
  'death-of-a-child': 120,
  'allegation-of-abuse': 60,
  'sexual-exploitation': 60,
  'serious-complaint-about-staff': 45,
  'child-protection-inquiry-instigated': 45,
  'child-protection-inquiry-outcome': 30,
  'serious-assault': 30,
  'police-involvement': 21,
  'missing-child': 21,
  'dbs-referral': 21,
  'self-harm': 21,
  'serious-illness-or-accident': 14,
  'infectious-disease': 7,
  other: 14,
};
/** For a category added to the data after these weights were set. */
export const DEFAULT_NOTIFICATION_WEIGHT = 14;

/** The most that weights together may bring an inspection forward; explicit dates are not capped. */
export const MAX_WEIGHTED_DAYS = 180;

/** Notifications and changes count for this long before today, and only after the last inspection. */
export const SIGNAL_WINDOW_MONTHS = 12;

/** One thing that brings an inspection forward. */
export interface RiskSignal {
  kind: SignalKind;
  /** Days brought forward (0 when `bringForwardTo` stands instead). */
  weightDays: number;
  /** A planner's explicit date, when the decision named one. */
  bringForwardTo: IsoDate | null;
  /** When it happened: received, event date, compliance date, last inspection or change. */
  on: IsoDate;
  /** The concern's or notification's reference. */
  reference: string | null;
  /** Notification category, or the regulation of a requirement. */
  category: string | null;
  /** A grade drop: from and to; a change: the note. */
  detail: { from?: string; to?: string; note?: string | null } | null;
}

export function notificationWeight(categoryId: string): number {
  return NOTIFICATION_WEIGHTS[categoryId] ?? DEFAULT_NOTIFICATION_WEIGHT;
}

/**
 * The brought-forward date: the earliest of the planners' explicit dates and the due date less the summed
 * weights (at most MAX_WEIGHTED_DAYS), but never before today — unless the inspection is already overdue,
 * when it stays on its due date. So it is never after the due date, and a further signal never moves it
 * later.
 */
export function broughtForwardDate(input: {
  due: IsoDate;
  today: IsoDate;
  signals: readonly Pick<RiskSignal, 'weightDays' | 'bringForwardTo'>[];
}): IsoDate {
  const weight = Math.min(
    input.signals.reduce((sum, s) => sum + Math.max(0, s.weightDays), 0),
    MAX_WEIGHTED_DAYS,
  );
  let date = addCalendarDays(input.due, -weight);
  for (const s of input.signals) if (s.bringForwardTo && s.bringForwardTo < date) date = s.bringForwardTo;
  const floor = input.due < input.today ? input.due : input.today;
  return date < floor ? floor : date;
}

const categoryLabel = (id: string | null) =>
  notificationCategories.find((c) => c.id === id)?.label.toLowerCase() ?? id ?? 'unknown category';

/** What a signal means, in words a planner can act on. */
export function explainSignal(
  signal: RiskSignal,
  names: {
    grade?: (id: string) => string;
    regulation?: (id: string) => string;
    date: (iso: string) => string;
  },
): string {
  const by = signal.bringForwardTo
    ? `brings the inspection to ${names.date(signal.bringForwardTo)}`
    : `brings the inspection forward ${signal.weightDays} days`;
  const grade = (id: string | undefined) => (id ? (names.grade?.(id) ?? id) : 'unknown');
  switch (signal.kind) {
    case 'concern-awaiting-assessment':
      return `Concern ${signal.reference ?? ''} received ${names.date(signal.on)} is awaiting assessment by a planner; until it is assessed it ${by}.`;
    case 'concern-inspect-now':
      return `Concern ${signal.reference ?? ''} was assessed and the decision was to inspect now; this ${by}.`;
    case 'concern-bring-forward':
      return `Concern ${signal.reference ?? ''} was assessed and the decision was to bring the inspection forward; this ${by}.`;
    case 'notification':
      return `Notification ${signal.reference ?? ''} of ${categoryLabel(signal.category)} on ${names.date(signal.on)}; this ${by}.`;
    case 'overdue-requirement':
      return `A requirement from the last inspection (${signal.category ? (names.regulation?.(signal.category) ?? signal.category) : 'regulation not given'}) was to be met by ${names.date(signal.on)} and no compliance is recorded; this ${by}.`;
    case 'grade-drop':
      return `The overall grade fell from ${grade(signal.detail?.from)} to ${grade(signal.detail?.to)} at the last inspection; this ${by}.`;
    case 'manager-changed':
      return `The registered manager changed on ${names.date(signal.on)}${signal.detail?.note ? ` (${signal.detail.note})` : ''}; this ${by}.`;
    case 'owner-changed':
      return `The owner changed on ${names.date(signal.on)}${signal.detail?.note ? ` (${signal.detail.note})` : ''}; this ${by}.`;
  }
}

/** A grade's label under any framework, for explanations. */
export function gradeLabel(frameworkId: string | null, gradeId: string): string {
  const scale = frameworks.find((f) => f.id === frameworkId)?.gradeScale;
  const found =
    scale?.find((g) => g.id === gradeId) ??
    frameworks.flatMap((f) => f.gradeScale).find((g) => g.id === gradeId);
  return found?.label ?? gradeId;
}

// ---- What-if ----

export interface MonthCount {
  month: string;
  count: number;
}

/** Baseline and changed counts side by side for every month of the period, with the difference. */
export function compareWorkload(
  months: readonly string[],
  baseline: readonly MonthCount[],
  changed: readonly MonthCount[],
): { month: string; baseline: number; changed: number; difference: number }[] {
  const of = (list: readonly MonthCount[], month: string) => list.find((m) => m.month === month)?.count ?? 0;
  return months.map((month) => {
    const b = of(baseline, month);
    const c = of(changed, month);
    return { month, baseline: b, changed: c, difference: c - b };
  });
}

/** Every month (YYYY-MM) from the month of `from` to the month of `to`. */
export function monthsBetween(from: IsoDate, to: IsoDate): string[] {
  const months: string[] = [];
  let at = `${from.slice(0, 7)}-01`;
  const last = to.slice(0, 7);
  while (at.slice(0, 7) <= last && months.length < 1200) {
    months.push(at.slice(0, 7));
    at = addMonths(at, 1);
  }
  return months;
}

/** The bars of the what-if chart, as numbers for an SVG drawn on the server (no script, no styles). */
export function workloadChart(
  rows: readonly { month: string; baseline: number; changed: number }[],
  size = { width: 640, height: 240, margin: 32 },
) {
  const max = Math.max(1, ...rows.flatMap((r) => [r.baseline, r.changed]));
  const plotHeight = size.height - size.margin * 2;
  const slot = rows.length ? (size.width - size.margin * 2) / rows.length : 0;
  const bar = Math.max(1, slot / 2 - 2);
  const heightOf = (n: number) => Math.round((n / max) * plotHeight);
  return {
    ...size,
    max,
    baseline: size.height - size.margin,
    bars: rows.map((r, i) => {
      const x = size.margin + i * slot;
      const hb = heightOf(r.baseline);
      const hc = heightOf(r.changed);
      return {
        month: r.month,
        label: r.month.slice(5) === '01' || i === 0 ? r.month : r.month.slice(5),
        labelX: x + slot / 2,
        baseline: { x: x + 1, y: size.height - size.margin - hb, width: bar, height: hb, value: r.baseline },
        changed: {
          x: x + 1 + bar + 1,
          y: size.height - size.margin - hc,
          width: bar,
          height: hc,
          value: r.changed,
        },
      };
    }),
  };
}
