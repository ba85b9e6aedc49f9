import { formatLongDate } from '../calendar/working-days.js';
import type { Db } from '../db/database.js';
import { frameworks } from '../frameworks/frameworks.js';
import { notificationCategories } from '../frameworks/notification-categories.js';
import { regulations, instruments } from '../frameworks/regulations.js';
import type { Action } from '../people/policy.js';
import { APPLICATION_STATUSES, PROVIDER_TYPES } from '../providers/rules.js';
import {
  aYearBefore,
  formatShare,
  goodOrOutstanding,
  largestGroups,
  outlierIndicator,
  percentChange,
  share,
  type Period,
} from './rules.js';
import {
  applicationsByStatus,
  childrensHomesOn,
  firstInspectionOutcomes,
  fullInspectionsWithRequirements,
  incompleteCounts,
  inspectorGrades,
  moderationCounts,
  notificationsByCategory,
  privateHomesByOwnerGroup,
  providersByType,
  requirementsByRegulation,
  type Dimension,
} from './store.js';

/**
 * Each figure as a table: the same shape for the JSON, the CSV, the page's table and its chart, so that
 * all four always agree. Shares are percentages to one decimal place, or null where the total is zero.
 */

export type Cell = string | number | null;

export interface Column {
  key: string;
  label: string;
  kind: 'text' | 'count' | 'share' | 'number';
}

export interface Figure {
  id: string;
  title: string;
  description: string;
  period: Period;
  columns: Column[];
  rows: Record<string, Cell>[];
  /** A last row adding up the rows, or null. */
  total: Record<string, Cell> | null;
  /** Headline numbers in words, e.g. the growth in per cent. */
  summary: { label: string; value: string }[];
  /** Which columns the chart draws: the bar's label (joined with ': ') and its length. */
  chart: { label: string[]; value: string } | null;
}

export interface FigureOptions {
  /** How many of the largest owner groups (ownership concentration). */
  n: number;
}

export interface FigureDefinition {
  id: string;
  title: string;
  description: string;
  action: Action;
  compute(db: Db, period: Period, options: FigureOptions): Promise<Omit<Figure, keyof FigureHead>>;
}

type FigureHead = Pick<Figure, 'id' | 'title' | 'description' | 'period'>;

const frameworkName = (id: string) => frameworks.find((f) => f.id === id)?.shortName ?? id;
const frameworkOrder = (id: string) => {
  const index = frameworks.findIndex((f) => f.id === id);
  return index < 0 ? frameworks.length : index;
};
const byFramework = <T extends { framework_id: string }>(a: T, b: T) =>
  frameworkOrder(a.framework_id) - frameworkOrder(b.framework_id) ||
  a.framework_id.localeCompare(b.framework_id);

function regulationTheme(id: string): string {
  const regulation = regulations.find((r) => r.id === id);
  if (!regulation) return id;
  const instrument = instruments.find((i) => i.id === regulation.instrumentId);
  const short = instrument?.title.replace(/^The /, '').replace(/ \(England\)/, '') ?? '';
  return `Regulation ${regulation.number}: ${regulation.title} (${short})`;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const englishNumber = new Intl.NumberFormat('en-GB');

const DIMENSION_LABELS: Record<Dimension, string> = {
  framework: 'Framework',
  region: 'Region',
  inspector: 'Inspector',
};
const DIMENSION_ORDER: Dimension[] = ['framework', 'region', 'inspector'];

function sortByDimension<T extends { dimension: Dimension; key: string; name: string }>(list: T[]): T[] {
  return [...list].sort(
    (a, b) =>
      DIMENSION_ORDER.indexOf(a.dimension) - DIMENSION_ORDER.indexOf(b.dimension) ||
      (a.dimension === 'framework'
        ? frameworkOrder(a.key) - frameworkOrder(b.key)
        : a.name.localeCompare(b.name, 'en-GB')) ||
      a.key.localeCompare(b.key),
  );
}

const groupName = (row: { dimension: Dimension; key: string; name: string }) =>
  row.dimension === 'framework' ? frameworkName(row.key) : row.name;

export const FIGURES: FigureDefinition[] = [
  {
    id: 'first-inspection-outcomes',
    title: 'Outcomes of first full inspections',
    description:
      'Providers’ first full inspections completed in the period, by overall grade, for each framework (their scales differ).',
    action: 'statistics.read',
    async compute(db, period) {
      const found = await firstInspectionOutcomes(db, period);
      const used = frameworks.filter((f) => found.some((row) => row.framework_id === f.id));
      const rows = used.flatMap((framework) => {
        const ofFramework = found.filter((row) => row.framework_id === framework.id);
        const all = sum(ofFramework.map((row) => row.inspections));
        return framework.gradeScale.map((grade) => {
          const count = ofFramework.find((row) => row.grade_id === grade.id)?.inspections ?? 0;
          return {
            framework: framework.shortName,
            grade: grade.label,
            inspections: count,
            share: share(count, all),
          };
        });
      });
      const all = sum(found.map((row) => row.inspections));
      // The annual report's headline: the share judged good or outstanding, for each scale that has both.
      const combined = used.flatMap((framework) => {
        const counted = goodOrOutstanding(
          framework.gradeScale,
          found
            .filter((row) => row.framework_id === framework.id)
            .map((row) => ({ gradeId: row.grade_id, inspections: row.inspections })),
        );
        return counted
          ? [
              {
                label: `Judged good or outstanding (${framework.shortName})`,
                value: `${englishNumber.format(counted.part)} of ${englishNumber.format(counted.total)} (${formatShare(counted.share)})`,
              },
            ]
          : [];
      });
      return {
        columns: [
          { key: 'framework', label: 'Framework', kind: 'text' },
          { key: 'grade', label: 'Overall grade', kind: 'text' },
          { key: 'inspections', label: 'First full inspections', kind: 'count' },
          { key: 'share', label: 'Share of the framework’s (%)', kind: 'share' },
        ],
        rows,
        total: { framework: 'All frameworks', grade: null, inspections: all, share: null },
        summary: combined,
        chart: { label: used.length > 1 ? ['framework', 'grade'] : ['grade'], value: 'inspections' },
      };
    },
  },
  {
    id: 'full-inspections-requirements',
    title: 'Full inspections resulting in requirements',
    description:
      'Full inspections completed in the period, and how many of them resulted in one or more requirements.',
    action: 'statistics.read',
    async compute(db, period) {
      const found = (await fullInspectionsWithRequirements(db, period)).sort(byFramework);
      const inspections = sum(found.map((row) => row.inspections));
      const withRequirements = sum(found.map((row) => row.with_requirements));
      return {
        columns: [
          { key: 'framework', label: 'Framework', kind: 'text' },
          { key: 'inspections', label: 'Full inspections', kind: 'count' },
          { key: 'withRequirements', label: 'With one or more requirements', kind: 'count' },
          { key: 'share', label: 'Share with requirements (%)', kind: 'share' },
        ],
        rows: found.map((row) => ({
          framework: frameworkName(row.framework_id),
          inspections: row.inspections,
          withRequirements: row.with_requirements,
          share: share(row.with_requirements, row.inspections),
        })),
        total: {
          framework: 'All frameworks',
          inspections,
          withRequirements,
          share: share(withRequirements, inspections),
        },
        summary: [],
        chart: { label: ['framework'], value: 'withRequirements' },
      };
    },
  },
  {
    id: 'requirements-by-theme',
    title: 'Requirements by theme',
    description:
      'Requirements made at full inspections completed in the period, by the regulation or quality standard they cite, most common first.',
    action: 'statistics.read',
    async compute(db, period) {
      const found = await requirementsByRegulation(db, period);
      const all = sum(found.map((row) => row.requirements));
      const order = (id: string) => {
        const index = regulations.findIndex((r) => r.id === id);
        return index < 0 ? regulations.length : index;
      };
      found.sort(
        (a, b) => b.requirements - a.requirements || order(a.regulation_id) - order(b.regulation_id),
      );
      return {
        columns: [
          { key: 'theme', label: 'Regulation or quality standard', kind: 'text' },
          { key: 'requirements', label: 'Requirements', kind: 'count' },
          { key: 'share', label: 'Share of all requirements (%)', kind: 'share' },
          { key: 'inspections', label: 'Inspections citing it', kind: 'count' },
        ],
        rows: found.map((row) => ({
          theme: regulationTheme(row.regulation_id),
          requirements: row.requirements,
          share: share(row.requirements, all),
          inspections: row.inspections,
        })),
        total: {
          theme: 'All requirements',
          requirements: all,
          share: all === 0 ? null : 100,
          inspections: null,
        },
        summary: [],
        chart: { label: ['theme'], value: 'requirements' },
      };
    },
  },
  {
    id: 'notifications',
    title: 'Notifications of serious events',
    description:
      'Notifications of serious events that happened in the period, by category: the number, its share of all, and the number of homes that made one.',
    action: 'statistics.read',
    async compute(db, period) {
      const { byCategory, total } = await notificationsByCategory(db, period);
      // Categories in force at any time in the period, and any other that was used in it.
      const inForce = notificationCategories.filter(
        (c) => c.effectiveFrom <= period.to && (c.effectiveTo === null || c.effectiveTo >= period.from),
      );
      const known = notificationCategories.filter(
        (c) => inForce.includes(c) || byCategory.some((row) => row.category_id === c.id),
      );
      const unknown = byCategory.filter(
        (row) => !notificationCategories.some((c) => c.id === row.category_id),
      );
      const rows = [
        ...known.map((c) => ({ id: c.id, label: c.label })),
        ...unknown.map((row) => ({ id: row.category_id, label: row.category_id })),
      ].map(({ id, label }) => {
        const found = byCategory.find((row) => row.category_id === id);
        const notifications = found?.notifications ?? 0;
        return {
          category: label,
          notifications,
          share: share(notifications, total.notifications),
          homes: found?.homes ?? 0,
        };
      });
      return {
        columns: [
          { key: 'category', label: 'Category', kind: 'text' },
          { key: 'notifications', label: 'Notifications', kind: 'count' },
          { key: 'share', label: 'Share of all (%)', kind: 'share' },
          { key: 'homes', label: 'Homes that made one', kind: 'count' },
        ],
        rows,
        total: {
          category: 'All notifications',
          notifications: total.notifications,
          share: total.notifications === 0 ? null : 100,
          homes: total.homes,
        },
        summary: [],
        chart: { label: ['category'], value: 'notifications' },
      };
    },
  },
  {
    id: 'providers-by-type',
    title: 'Providers on the register by type',
    description:
      'Providers registered (or suspended) on the last day of the period, by type, with their places.',
    action: 'statistics.read',
    async compute(db, period) {
      const found = await providersByType(db, period.to);
      const all = sum(found.map((row) => row.providers));
      const rows = Object.entries(PROVIDER_TYPES).map(([type, label]) => {
        const row = found.find((candidate) => candidate.type === type);
        const providers = row?.providers ?? 0;
        return { type: label, providers, share: share(providers, all), places: row?.places ?? 0 };
      });
      return {
        columns: [
          { key: 'type', label: 'Type of provider', kind: 'text' },
          { key: 'providers', label: 'Providers', kind: 'count' },
          { key: 'share', label: 'Share of all (%)', kind: 'share' },
          { key: 'places', label: 'Places', kind: 'count' },
        ],
        rows,
        total: {
          type: 'All providers',
          providers: all,
          share: all === 0 ? null : 100,
          places: sum(found.map((row) => row.places)),
        },
        summary: [],
        chart: { label: ['type'], value: 'providers' },
      };
    },
  },
  {
    id: 'childrens-homes-growth',
    title: 'Growth in children’s homes',
    description:
      'Children’s homes on the register on the last day of the period against the same day a year earlier.',
    action: 'statistics.read',
    async compute(db, period) {
      const [before, after] = await childrensHomesOn(db, [aYearBefore(period.to), period.to]);
      const change = percentChange(before!.homes, after!.homes);
      const rows = [before!, after!].map((row) => ({
        date: formatLongDate(row.date),
        homes: row.homes,
        places: row.places,
      }));
      return {
        columns: [
          { key: 'date', label: 'On', kind: 'text' },
          { key: 'homes', label: 'Children’s homes', kind: 'count' },
          { key: 'places', label: 'Places', kind: 'count' },
        ],
        rows,
        total: null,
        summary: [
          { label: 'Change in homes', value: signed(after!.homes - before!.homes) },
          { label: 'Growth on the previous year', value: change === null ? '–' : `${signed(change, 1)}%` },
        ],
        chart: { label: ['date'], value: 'homes' },
      };
    },
  },
  {
    id: 'multi-building-applications',
    title: 'Multi-building registration applications',
    description:
      'Applications to register a children’s home in more than one building, submitted in the period, by their status now.',
    action: 'statistics.read',
    async compute(db, period) {
      const found = await applicationsByStatus(db, period);
      const all = sum(found.map((row) => row.applications));
      return {
        columns: [
          { key: 'status', label: 'Status', kind: 'text' },
          { key: 'applications', label: 'Applications', kind: 'count' },
          { key: 'share', label: 'Share of all (%)', kind: 'share' },
        ],
        rows: Object.entries(APPLICATION_STATUSES).map(([status, label]) => {
          const applications = found.find((row) => row.status === status)?.applications ?? 0;
          return { status: label, applications, share: share(applications, all) };
        }),
        total: { status: 'All applications', applications: all, share: all === 0 ? null : 100 },
        summary: [],
        chart: { label: ['status'], value: 'applications' },
      };
    },
  },
  {
    id: 'ownership-concentration',
    title: 'Concentration of ownership',
    description:
      'The share of private children’s homes, and of their places, held by the largest owner groups on the last day of the period.',
    action: 'statistics.read',
    async compute(db, period, { n }) {
      const { groups, total } = await privateHomesByOwnerGroup(db, period.to);
      const largest = largestGroups(groups, n);
      const homes = sum(largest.map((g) => g.homes));
      const places = sum(largest.map((g) => g.places));
      const range = (values: number[]) =>
        values.length === 0 ? '–' : `${Math.min(...values)} to ${Math.max(...values)}`;
      const tied = largest.length > n;
      return {
        columns: [
          { key: 'group', label: 'Owner group', kind: 'text' },
          { key: 'homes', label: 'Homes', kind: 'count' },
          { key: 'homesShare', label: 'Share of private homes (%)', kind: 'share' },
          { key: 'places', label: 'Places', kind: 'count' },
          { key: 'placesShare', label: 'Share of private places (%)', kind: 'share' },
        ],
        rows: largest.map((g) => ({
          group: g.name,
          homes: g.homes,
          homesShare: share(g.homes, total.homes),
          places: g.places,
          placesShare: share(g.places, total.places),
        })),
        total: {
          group: `Largest ${n}${tied ? ` (${largest.length} groups, with ties)` : ''}`,
          homes,
          homesShare: share(homes, total.homes),
          places,
          placesShare: share(places, total.places),
        },
        summary: [
          { label: 'Private children’s homes', value: englishNumber.format(total.homes) },
          { label: 'Their places', value: englishNumber.format(total.places) },
          { label: `Groups counted as the largest ${n}`, value: String(largest.length) },
          { label: 'Homes held by each of them', value: range(largest.map((g) => g.homes)) },
          { label: 'Places held by each of them', value: range(largest.map((g) => g.places)) },
        ],
        chart: { label: ['group'], value: 'homes' },
      };
    },
  },
  {
    id: 'moderation',
    title: 'Grades changed on moderation',
    description:
      'Completed inspections started in the period, by framework, region and lead inspector: how many were moderated, and how many grades moderation changed.',
    action: 'consistency.read',
    async compute(db, period) {
      const found = sortByDimension(await moderationCounts(db, period));
      return {
        columns: [
          { key: 'by', label: 'By', kind: 'text' },
          { key: 'name', label: 'Name', kind: 'text' },
          { key: 'inspections', label: 'Inspections', kind: 'count' },
          { key: 'moderated', label: 'Moderated', kind: 'count' },
          { key: 'moderatedShare', label: 'Moderated (%)', kind: 'share' },
          { key: 'gradesChanged', label: 'Area grades changed', kind: 'count' },
          { key: 'overallChanged', label: 'Overall grade changed', kind: 'count' },
          { key: 'overallChangedShare', label: 'Overall grade changed (%)', kind: 'share' },
        ],
        rows: found.map((row) => ({
          by: DIMENSION_LABELS[row.dimension],
          name: groupName(row),
          inspections: row.inspections,
          moderated: row.moderated,
          moderatedShare: share(row.moderated, row.inspections),
          gradesChanged: row.grades_changed,
          overallChanged: row.overall_changed,
          overallChangedShare: share(row.overall_changed, row.inspections),
        })),
        total: null,
        summary: [],
        chart: { label: ['by', 'name'], value: 'moderated' },
      };
    },
  },
  {
    id: 'inspector-grades',
    title: 'Grades by inspector against comparable providers',
    description:
      'The overall grades each lead inspector gave, before moderation, at completed inspections started in the period, and how often they gave the best and the worst grade against others inspecting providers of the same type in the same region.',
    action: 'consistency.read',
    async compute(db, period) {
      const { counts, spreads } = await inspectorGrades(db, period);
      const names = new Map(counts.map((row) => [row.lead, row.name]));
      spreads.sort(
        (a, b) =>
          (names.get(a.lead) ?? '').localeCompare(names.get(b.lead) ?? '', 'en-GB') ||
          a.lead.localeCompare(b.lead) ||
          byFramework(a, b),
      );
      const rows = spreads.map((row) => {
        const framework = frameworks.find((f) => f.id === row.framework_id);
        const grades = (framework?.gradeScale ?? [])
          .map((grade) => {
            const count =
              counts.find(
                (c) => c.lead === row.lead && c.framework_id === row.framework_id && c.grade_id === grade.id,
              )?.inspections ?? 0;
            return `${grade.label}: ${count}`;
          })
          .join('; ');
        const best = outlierIndicator({
          compared: row.compared,
          observed: row.best_observed,
          expected: row.best_expected,
        });
        const worst = outlierIndicator({
          compared: row.compared,
          observed: row.worst_observed,
          expected: row.worst_expected,
        });
        return {
          inspector: names.get(row.lead) ?? row.lead,
          framework: frameworkName(row.framework_id),
          inspections: row.inspections,
          grades,
          compared: row.compared,
          bestShare: best.observedShare,
          bestExpected: best.expectedShare,
          bestDifference: best.difference,
          worstShare: worst.observedShare,
          worstExpected: worst.expectedShare,
          worstDifference: worst.difference,
          outlier: best.flagged || worst.flagged ? 'Yes' : 'No',
        };
      });
      return {
        columns: [
          { key: 'inspector', label: 'Inspector', kind: 'text' },
          { key: 'framework', label: 'Framework', kind: 'text' },
          { key: 'inspections', label: 'Inspections', kind: 'count' },
          { key: 'grades', label: 'Overall grades given', kind: 'text' },
          { key: 'compared', label: 'With comparable inspections', kind: 'count' },
          { key: 'bestShare', label: 'Best grade (%)', kind: 'share' },
          { key: 'bestExpected', label: 'Best grade, comparable (%)', kind: 'share' },
          { key: 'bestDifference', label: 'Best: difference (points)', kind: 'number' },
          { key: 'worstShare', label: 'Worst grade (%)', kind: 'share' },
          { key: 'worstExpected', label: 'Worst grade, comparable (%)', kind: 'share' },
          { key: 'worstDifference', label: 'Worst: difference (points)', kind: 'number' },
          { key: 'outlier', label: 'Stands out', kind: 'text' },
        ],
        rows,
        total: null,
        summary: [],
        chart: { label: ['inspector', 'framework'], value: 'inspections' },
      };
    },
  },
  {
    id: 'incomplete-inspections',
    title: 'Inspections declared incomplete',
    description:
      'Inspections started in the period that got under way, and how many a manager declared incomplete (seriously flawed), by framework and lead inspector.',
    action: 'consistency.read',
    async compute(db, period) {
      const found = sortByDimension(await incompleteCounts(db, period));
      return {
        columns: [
          { key: 'by', label: 'By', kind: 'text' },
          { key: 'name', label: 'Name', kind: 'text' },
          { key: 'inspections', label: 'Inspections under way or done', kind: 'count' },
          { key: 'incomplete', label: 'Declared incomplete', kind: 'count' },
          { key: 'share', label: 'Declared incomplete (%)', kind: 'share' },
        ],
        rows: found.map((row) => ({
          by: DIMENSION_LABELS[row.dimension],
          name: groupName(row),
          inspections: row.inspections,
          incomplete: row.incomplete,
          share: share(row.incomplete, row.inspections),
        })),
        total: null,
        summary: [],
        chart: { label: ['by', 'name'], value: 'incomplete' },
      };
    },
  },
];

function signed(value: number, decimals = 0): string {
  const text = decimals > 0 ? value.toFixed(decimals) : String(value);
  return value > 0 ? `+${text}` : text;
}

export function figureById(id: string): FigureDefinition | undefined {
  return FIGURES.find((figure) => figure.id === id);
}

export async function computeFigure(
  db: Db,
  definition: FigureDefinition,
  period: Period,
  options: FigureOptions,
): Promise<Figure> {
  const body = await definition.compute(db, period, options);
  return { id: definition.id, title: definition.title, description: definition.description, period, ...body };
}

/** A figure's cell in words, as the table and the CSV show it. */
export function cellText(column: Column, value: Cell | undefined): string {
  if (value === null || value === undefined) return column.kind === 'text' ? '' : '–';
  if (typeof value === 'number') {
    if (column.kind === 'share') return value.toFixed(1);
    if (column.kind === 'number') return value > 0 ? `+${value.toFixed(1)}` : value.toFixed(1);
    return englishNumber.format(value);
  }
  return value;
}
