import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { reviseJudgementIn } from '../../src/inspections/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';

const kinds = await databaseKinds();

/** A region of its own, so that nothing else on the register mixes in. */
const REGION = 'Schedule test region';

/**
 * The plan reads each provider's last grades and open inspections from provider_schedule, a summary kept
 * as inspections change. These follow one home through an inspection, its moderation, its completion and
 * a complaint's remedy, and check that the plan's dates follow too.
 */
describe.each(kinds)('the plan as an inspection moves on, on the %s database', (kind) => {
  // Today is 15 June 2026 throughout.
  const clock = new ManualClock(new Date('2026-06-15T10:00:00Z'));
  let t: TestApp;
  let managerId = '';
  let providerId = '';
  let inspectionId = '';

  const bearer = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });

  /** The home's plan rows from today to the end of 2027, as [kind, due, brought forward, signals]. */
  async function planRows() {
    const response = await t.app.inject({
      url: `/api/plan?from=2026-06-15&to=2027-12-31&region=${encodeURIComponent(REGION)}`,
      headers: await bearer('planner'),
    });
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json() as {
      items: { kind: string; due: string; broughtForward: string; signals: { kind: string }[] }[];
    };
    return plan.items.map((r) => [r.kind, r.due, r.broughtForward, r.signals.map((s) => s.kind)]);
  }

  async function inspection(endDate: string, status: string, grade: string | null): Promise<string> {
    const row = await t.db
      .insertInto('inspections')
      .values({
        provider_id: providerId,
        framework_id: 'childrens-homes',
        type: 'full',
        notice: 'none',
        start_date: endDate,
        end_date: endDate,
        lead_inspector_id: managerId,
        status,
        overall_grade: grade,
        flaw_condition: null,
        flaw_reasons: null,
        additional_visit_of: null,
        created_by: managerId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    managerId = (
      await t.db
        .selectFrom('people')
        .select('id')
        .where('email', '=', 'manager@demo.invalid')
        .executeTakeFirstOrThrow()
    ).id;
    providerId = (
      await t.db
        .insertInto('providers')
        .values({
          urn: `ST${Math.floor(Math.random() * 1e9)}`,
          name: 'Golf House',
          type: 'childrens-home',
          sector: 'private',
          address_line1: '1 Test Street',
          address_line2: null,
          town: 'Testbury',
          postcode: 'TE1 1ST',
          local_authority: 'Testshire',
          region: REGION,
          places: 4,
          status: 'registered',
          owner_group_id: null,
          registered_on: '2014-01-01',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  });
  afterAll(async () => t?.close());

  it('follows the inspection through moderation, completion and a complaint’s remedy', async () => {
    // Good on 20 June 2025: due a year later.
    await inspection('2025-06-20', 'completed', 'good');
    expect(await planRows()).toEqual([['full', '2026-06-20', '2026-06-20', []]]);

    // The next inspection has happened and feedback is given: no longer waiting to be planned.
    inspectionId = await inspection('2026-06-10', 'feedback-given', 'good');
    await t.db
      .insertInto('judgements')
      .values(
        ['overall-experiences-and-progress', 'help-and-protection', 'leaders-and-managers'].map((area) => ({
          inspection_id: inspectionId,
          area_id: area,
          version: 1,
          grade_id: 'good',
          rationale: 'Children are making good progress',
          evidence_ids: [],
          kind: 'inspector' as const,
          reason: null,
          given_by: managerId,
        })),
      )
      .execute();
    expect(await planRows()).toEqual([]);

    // A manager moderates the headline judgement down, then completes the inspection: due six months
    // after it, brought forward 60 days for the drop in grade.
    const moderated = await t.app.inject({
      method: 'POST',
      url: `/api/inspections/${inspectionId}/judgements/overall-experiences-and-progress/moderation`,
      headers: await bearer('manager'),
      payload: { grade: 'requires-improvement-to-be-good', reason: 'Progress is uneven', version: 1 },
    });
    expect(moderated.statusCode, moderated.body).toBe(201);
    expect(await planRows()).toEqual([]);
    const completed = await t.app.inject({
      method: 'POST',
      url: `/api/inspections/${inspectionId}/status`,
      headers: await bearer('manager'),
      payload: { status: 'completed' },
    });
    expect(completed.statusCode, completed.body).toBe(200);
    expect(await planRows()).toEqual([['full', '2026-12-10', '2026-10-11', ['grade-drop']]]);

    // An upheld complaint restores the grade: due a year after the inspection, nothing brings it forward.
    await t.db.transaction().execute((trx) =>
      reviseJudgementIn(trx, managerId, inspectionId, 'overall-experiences-and-progress', {
        grade: 'good',
        reason: 'Complaint upheld: the evidence shows good progress',
      }),
    );
    expect(await planRows()).toEqual([['full', '2027-06-10', '2027-06-10', []]]);
  });
});
