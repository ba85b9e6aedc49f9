import { addCalendarDays } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import type { Db } from '../db/database.js';
import type { DemoPeople } from '../demo/people.js';
import { recordProviderChange } from './changes-store.js';
import { addMonths } from './rules.js';

/**
 * Inspection history for the demo register, so that the plan has something to plan: past inspections,
 * each with its overall grade, ending at dates around today so that some providers are overdue, some due
 * within months and some brought forward by risk (a grade drop, requirements not met in time, a new
 * manager or owner). The history stands for inspections held before the service existed, as an import
 * of the regulator's published data would bring them in: written straight to the tables, completed,
 * with the demo manager standing in as lead inspector. The demo's own inspections (and the provider
 * account's homes) are left as they are.
 */

const FRAMEWORK_FOR: Record<string, { frameworkId: string; overallArea: string }> = {
  'childrens-home': { frameworkId: 'childrens-homes', overallArea: 'overall-experiences-and-progress' },
  'local-authority': { frameworkId: 'ilacs', overallArea: 'overall-effectiveness' },
  'supported-accommodation': { frameworkId: 'supported-accommodation', overallArea: 'outcome' },
};

/** Months ago each past inspection ended, with its overall grade, oldest first. */
type History = {
  monthsAgo: number;
  grade: string;
  /** A requirement to be met this many months from today (negative: already past). */
  requirementDue?: number;
  /** A completed monitoring visit this many months ago, after an inadequate grade. */
  monitoredMonthsAgo?: number;
}[];

const HOME_HISTORIES: History[] = [
  // Good eleven months ago: due next month.
  [{ monthsAgo: 11, grade: 'good' }],
  // Requires improvement seven months ago: six-month interval, so overdue by a month.
  [
    { monthsAgo: 20, grade: 'good' },
    { monthsAgo: 7, grade: 'requires-improvement-to-be-good', requirementDue: -4 },
  ],
  // Good to inadequate two months ago: monitoring visit next month, full inspection in four; brought
  // forward by the grade drop and a requirement not met in time.
  [
    { monthsAgo: 14, grade: 'good' },
    { monthsAgo: 2, grade: 'inadequate', requirementDue: -1 },
  ],
  // Outstanding nine months ago: due in three, brought forward by a change of manager.
  [{ monthsAgo: 9, grade: 'outstanding' }],
  // Good four months ago: due in eight.
  [{ monthsAgo: 4, grade: 'good' }],
  // Requires improvement fourteen months ago: long overdue.
  [{ monthsAgo: 14, grade: 'requires-improvement-to-be-good' }],
];

const AUTHORITY_HISTORIES: History[] = [
  [{ monthsAgo: 34, grade: 'good' }],
  [
    { monthsAgo: 40, grade: 'good' },
    { monthsAgo: 15, grade: 'inadequate', monitoredMonthsAgo: 1 },
  ],
  [{ monthsAgo: 26, grade: 'requires-improvement-to-be-good' }],
  [{ monthsAgo: 12, grade: 'outstanding' }],
  [{ monthsAgo: 38, grade: 'good' }],
];

const SUPPORTED_HISTORIES: History[] = [
  [{ monthsAgo: 17, grade: 'inconsistent' }],
  [{ monthsAgo: 5, grade: 'consistently-strong' }],
];

export async function seedPlanningDemo(db: Db, people: DemoPeople): Promise<void> {
  const today = englishDate(new Date());
  const skip = new Set([...people.ownHomes, ...people.otherHomes.slice(0, 2)]);
  const providers = await db
    .selectFrom('providers')
    .select(['id', 'type', 'name'])
    .where('id', 'in', people.providerIds)
    .where('status', '=', 'registered')
    .orderBy('urn')
    .execute();
  const counters = new Map<string, number>();
  const changed: string[] = [];
  for (const provider of providers) {
    if (skip.has(provider.id)) continue;
    const framework = FRAMEWORK_FOR[provider.type];
    if (!framework) continue;
    const histories =
      provider.type === 'childrens-home'
        ? HOME_HISTORIES
        : provider.type === 'local-authority'
          ? AUTHORITY_HISTORIES
          : SUPPORTED_HISTORIES;
    const index = counters.get(provider.type) ?? 0;
    counters.set(provider.type, index + 1);
    const history = histories[index % histories.length]!;
    for (const visit of history) {
      const endDate = addMonths(today, -visit.monthsAgo);
      const startDate = addCalendarDays(endDate, -2);
      const { id } = await db
        .insertInto('inspections')
        .values({
          provider_id: provider.id,
          framework_id: framework.frameworkId,
          type: 'full',
          notice: provider.type === 'childrens-home' ? 'none' : 'short',
          start_date: startDate,
          end_date: endDate,
          lead_inspector_id: people.managerId,
          status: 'completed',
          overall_grade: visit.grade,
          flaw_condition: null,
          flaw_reasons: null,
          additional_visit_of: null,
          created_by: people.plannerId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('judgements')
        .values({
          inspection_id: id,
          area_id: framework.overallArea,
          version: 1,
          grade_id: visit.grade,
          rationale: 'Imported from the published inspection outcome.',
          evidence_ids: [],
          kind: 'inspector',
          reason: null,
          given_by: people.managerId,
        })
        .execute();
      if (visit.monitoredMonthsAgo !== undefined) {
        const visitEnd = addMonths(today, -visit.monitoredMonthsAgo);
        await db
          .insertInto('inspections')
          .values({
            provider_id: provider.id,
            framework_id: framework.frameworkId,
            type: 'monitoring',
            notice: 'short',
            start_date: addCalendarDays(visitEnd, -1),
            end_date: visitEnd,
            lead_inspector_id: people.managerId,
            status: 'completed',
            flaw_condition: null,
            flaw_reasons: null,
            additional_visit_of: null,
            created_by: people.plannerId,
          })
          .execute();
      }
      if (visit.requirementDue !== undefined && provider.type === 'childrens-home') {
        await db
          .insertInto('requirements')
          .values({
            inspection_id: id,
            regulation_id: 'childrens-homes-2015-reg-12',
            action: 'Make sure that every missing-from-home episode is followed by a return-home interview.',
            impact: 'Children’s risks when missing are not understood or reduced.',
            evidence_ids: [],
            comply_by: addMonths(today, visit.requirementDue),
            recorded_by: people.managerId,
          })
          .execute();
      }
    }
    if (provider.type === 'childrens-home' && index % HOME_HISTORIES.length === 3) changed.push(provider.id);
  }
  // Changes of manager and owner in the last year, each a risk signal.
  const [first, second] = changed;
  if (first) {
    await recordProviderChange(
      db,
      people.plannerId,
      first,
      {
        kind: 'manager-changed',
        occurredOn: addMonths(today, -2),
        note: 'Registered manager left; deputy acting',
      },
      today,
    );
  }
  if (second) {
    await recordProviderChange(
      db,
      people.plannerId,
      second,
      { kind: 'owner-changed', occurredOn: addMonths(today, -1), note: 'Bought by a new owner group' },
      today,
    );
  }
}
