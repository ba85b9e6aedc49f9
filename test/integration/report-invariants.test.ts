import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays } from '../../src/calendar/working-days.js';
import { ManualClock } from '../../src/clock.js';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { reviseJudgementIn } from '../../src/inspections/judgements.js';
import { Refusal } from '../../src/refusal.js';
import { amendReportAfterComplaint } from '../../src/reports/follow.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { CHILDRENS_HOME_AREAS, heldToFeedback } from '../support/steps.js';

const kinds = await databaseKinds();

const GRADES = ['outstanding', 'good', 'requires-improvement-to-be-good', 'inadequate'] as const;
const NARRATIVE = 'Children are safe and well cared for.';

/** What may happen to an inspection after its feedback, in any order, as fast-check chooses. */
type Action =
  | { kind: 'moderate'; area: number; grade: number }
  | { kind: 'sign-off'; waive: boolean }
  | { kind: 'issue' }
  | { kind: 'answer' }
  | { kind: 'decide' }
  | { kind: 'days-pass'; days: number }
  | { kind: 'finalise' }
  | { kind: 'complete' }
  | { kind: 'declare-incomplete' }
  | { kind: 'complaint-remedy'; area: number; grade: number }
  | { kind: 'publish' };

const area = fc.integer({ min: 0, max: CHILDRENS_HOME_AREAS.length - 1 });
const grade = fc.integer({ min: 0, max: GRADES.length - 1 });
// Weighted towards the steps that move the report on, so that most runs reach a report and change it.
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('moderate' as const), area, grade }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('sign-off' as const), waive: fc.boolean() }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'issue' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'answer' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'decide' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('days-pass' as const), days: fc.integer({ min: 1, max: 12 }) }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'finalise' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'complete' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'declare-incomplete' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complaint-remedy' as const), area, grade }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'publish' as const }) },
);

/**
 * Whatever happens after an inspection's feedback, and in whatever order, what is published never
 * contradicts what was decided (docs/after-the-inspection.md). After every step: a live report shows the
 * inspection's standing grades, read from the judgements themselves; an incomplete inspection has no live
 * report; a completed inspection is counted once in the figures of its period and an uncompleted one not
 * at all; and every change to the report the provider can see sent the provider's users a message.
 */
describe.each(kinds)('a report never contradicts its inspection on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2023-01-02T10:00:00Z'));
  let homeId: string;
  let inspectorId: string;
  let managerId: string;
  // Each run inspects in a month of its own, so that the figures of that month are its own and come from
  // the monthly summaries the statistics keep.
  let month = 0;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string | null, url: string) =>
    t.app.inject({ url, headers: role ? await as(role) : {} });

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    homeId = (await get('provider', '/api/me')).json().providers[0].id;
    inspectorId = (await get('inspector', '/api/me')).json().id;
    managerId = (await get('manager', '/api/me')).json().id;
  });
  afterAll(async () => t?.close());

  /** The grades the inspection stands on, read from its judgements, not from any report. */
  async function standingGrades(inspectionId: string) {
    const latest = await t.db
      .selectFrom('judgements')
      .distinctOn('area_id')
      .select(['area_id', 'grade_id'])
      .where('inspection_id', '=', inspectionId)
      .orderBy('area_id')
      .orderBy('version', 'desc')
      .execute();
    const inspection = await t.db
      .selectFrom('inspections')
      .select(['status', 'overall_grade'])
      .where('id', '=', inspectionId)
      .executeTakeFirstOrThrow();
    return {
      status: inspection.status,
      overall: inspection.overall_grade,
      areas: Object.fromEntries(latest.map((j) => [j.area_id, j.grade_id])),
    };
  }

  async function reportOf(inspectionId: string) {
    const row = await t.db
      .selectFrom('reports')
      .select(['id', 'status', 'version'])
      .where('inspection_id', '=', inspectionId)
      .executeTakeFirst();
    if (!row) return null;
    const content = (await get('manager', `/api/reports/${row.id}`)).json().content as {
      judgements: { areaId: string; grade: string }[];
      overallGrade: { grade: string } | null;
    };
    return { ...row, content };
  }

  const providerMessages = async () =>
    Number(
      (
        await t.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('recipient', '=', 'provider@demo.invalid')
          .executeTakeFirstOrThrow()
      ).n,
    );

  const completedInPeriod = async (from: string, to: string) => {
    const figure = await get(
      'analyst',
      `/api/statistics/full-inspections-requirements?from=${from}&to=${to}`,
    );
    expect(figure.statusCode, figure.body).toBe(200);
    return Number(figure.json().total.inspections);
  };

  async function take(step: Action, inspectionId: string, endDate: string) {
    const report = await reportOf(inspectionId);
    const today = clock.now().toISOString().slice(0, 10);
    switch (step.kind) {
      case 'moderate':
        return post(
          'manager',
          `/api/inspections/${inspectionId}/judgements/${CHILDRENS_HOME_AREAS[step.area]}/moderation`,
          {
            grade: GRADES[step.grade]!,
            reason: 'Moderated',
          },
        );
      case 'sign-off':
        return post(
          'manager',
          `/api/inspections/${inspectionId}/moderation`,
          step.waive ? { outcome: 'waived', reason: 'Grades plainly right' } : { outcome: 'done' },
        );
      case 'issue':
        return post('inspector', `/api/inspections/${inspectionId}/report`, { narrative: NARRATIVE });
      case 'answer':
        return report
          ? post('provider', `/api/reports/${report.id}/response`, {
              route: 'minor-points',
              points: [{ passage: 'Children are safe', comment: 'Say how we know' }],
            })
          : null;
      case 'decide': {
        if (!report) return null;
        const points = (await get('manager', `/api/reports/${report.id}`)).json().response?.points ?? [];
        for (const point of points) {
          await post('manager', `/api/reports/${report.id}/points/${point.id}`, {
            decision: 'rejected',
            reason: 'The report is accurate',
          });
        }
        return null;
      }
      case 'days-pass':
        clock.set(`${addCalendarDays(today, step.days)}T10:00:00Z`);
        await runDueDeadlines(t.db, t.app.deadlineActions, clock.now());
        return null;
      case 'finalise':
        return report ? post('manager', `/api/reports/${report.id}/finalise`) : null;
      case 'complete':
        return post('manager', `/api/inspections/${inspectionId}/status`, { status: 'completed' });
      case 'declare-incomplete': {
        const visit = addCalendarDays(today > endDate ? today : endDate, 7);
        return post('manager', `/api/inspections/${inspectionId}/incomplete`, {
          condition: 'insufficient-evidence',
          reasons: 'Too few children were spoken to',
          additionalVisit: { startDate: visit, endDate: visit, leadInspectorId: inspectorId, team: [] },
        });
      }
      case 'complaint-remedy':
        try {
          await t.db.transaction().execute(async (trx) => {
            await reviseJudgementIn(trx, managerId, inspectionId, CHILDRENS_HOME_AREAS[step.area]!, {
              grade: GRADES[step.grade]!,
              reason: 'Complaint upheld',
            });
            await amendReportAfterComplaint(
              trx,
              managerId,
              inspectionId,
              { complaint: 'C-0000TEST', note: 'A grade was changed', judgementsChanged: true },
              clock.now(),
            );
          });
        } catch (error) {
          // A complaint's remedy refused is a refusal like any other; nothing is half done.
          if (!(error instanceof Refusal)) throw error;
        }
        return null;
      case 'publish':
        return report ? post('manager', `/api/reports/${report.id}/publish`) : null;
    }
  }

  it('keeps every invariant after every step of any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...GRADES), { minLength: 3, maxLength: 3 }),
        fc.array(action, { minLength: 4, maxLength: 14 }),
        async (grades, actions) => {
          const first = new Date(Date.UTC(2023, month, 1));
          month += 1;
          const periodStart = first.toISOString().slice(0, 10);
          const periodEnd = new Date(Date.UTC(2023, month, 0)).toISOString().slice(0, 10);
          // The second Monday of the month, Monday to Wednesday.
          const startDate = addCalendarDays(periodStart, 7 + ((8 - first.getUTCDay()) % 7));
          const endDate = addCalendarDays(startDate, 2);
          clock.set(`${addCalendarDays(endDate, 1)}T10:00:00Z`);
          const before = await completedInPeriod(periodStart, periodEnd);
          const id = await heldToFeedback(post, {
            providerId: homeId,
            inspectorId,
            startDate,
            endDate,
            grades,
          });

          for (const step of actions) {
            const seen = await reportOf(id);
            const messagesBefore = await providerMessages();
            const answer = await take(step, id, endDate);
            if (answer) expect(answer.statusCode, `${step.kind}: ${answer.body}`).toBeLessThan(500);

            const standing = await standingGrades(id);
            const report = await reportOf(id);
            if (report && report.status !== 'withdrawn') {
              const shown = Object.fromEntries(report.content.judgements.map((j) => [j.areaId, j.grade]));
              expect(shown, `${step.kind}: the report's grades`).toEqual(standing.areas);
              expect(report.content.overallGrade?.grade ?? null, `${step.kind}: overall`).toBe(
                standing.overall,
              );
            }
            if (standing.status === 'incomplete') expect(report?.status ?? 'withdrawn').toBe('withdrawn');
            if (report?.status === 'published') expect(standing.status).toBe('completed');
            const counted = (await completedInPeriod(periodStart, periodEnd)) - before;
            expect(counted, `${step.kind}: counted in the figures`).toBe(
              standing.status === 'completed' ? 1 : 0,
            );
            const changed = report && (report.status !== seen?.status || report.version !== seen?.version);
            if (changed)
              expect(await providerMessages(), `${step.kind}: the provider told`).toBeGreaterThan(
                messagesBefore,
              );
          }
        },
      ),
      { numRuns: 12, endOnFailure: true },
    );
  });
});
