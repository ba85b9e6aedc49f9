import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { sql } from 'kysely';
import { reviseJudgementIn } from '../../src/inspections/judgements.js';
import { ensurePlanRules } from '../../src/planning/schedule-store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';

const kinds = await databaseKinds();

/** A region of its own, so that nothing else on the register mixes in. */
const REGION = 'Schedule test region';
/** Others for the requirements, registration and rules tests, so that each sees only its own home. */
const OTHER_REGION = 'Schedule test region 2';
const RULES_REGION = 'Schedule test region 3';
const REGISTER_REGION = 'Schedule test region 4';
const NEW_REGION = 'Schedule test region 5';

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

  /** The region's plan rows from today to the end of 2027, as [kind, due, brought forward, signals]. */
  async function planRows(region = REGION) {
    const response = await t.app.inject({
      url: `/api/plan?from=2026-06-15&to=2027-12-31&region=${encodeURIComponent(region)}`,
      headers: await bearer('planner'),
    });
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json() as {
      items: { kind: string; due: string; broughtForward: string; signals: { kind: string }[] }[];
    };
    return plan.items.map((r) => [r.kind, r.due, r.broughtForward, r.signals.map((s) => s.kind)]);
  }

  async function inspection(
    endDate: string,
    status: string,
    grade: string | null,
    of = providerId,
  ): Promise<string> {
    const row = await t.db
      .insertInto('inspections')
      .values({
        provider_id: of,
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

  /** A children's home, written straight to the register as an import or a test would. */
  async function home(name: string, registeredOn: string, region: string): Promise<string> {
    const row = await t.db
      .insertInto('providers')
      .values({
        urn: `ST${Math.floor(Math.random() * 1e9)}`,
        name,
        type: 'childrens-home',
        sector: 'private',
        address_line1: '1 Test Street',
        address_line2: null,
        town: 'Testbury',
        postcode: 'TE1 1ST',
        local_authority: 'Testshire',
        region,
        places: 4,
        status: 'registered',
        owner_group_id: null,
        registered_on: registeredOn,
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
    providerId = await home('Golf House', '2014-01-01', REGION);
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

  it('follows requirements added, given a new date and withdrawn after the inspection', async () => {
    // Requires improvement on 31 March 2026, the first inspection: due six months later, nothing to
    // bring it forward.
    const hotel = await home('Hotel House', '2014-01-01', OTHER_REGION);
    const last = await inspection('2026-03-31', 'completed', 'requires-improvement-to-be-good', hotel);
    expect(await planRows(OTHER_REGION)).toEqual([['full', '2026-09-30', '2026-09-30', []]]);

    const requirement = (complyBy: string) => ({
      inspection_id: last,
      regulation_id: 'childrens-homes-2015-reg-12',
      action: 'Review every missing episode',
      impact: 'Risks are not reduced',
      evidence_ids: [],
      comply_by: complyBy,
      recorded_by: managerId,
    });
    // One requirement past its compliance date brings it forward 21 days; one not yet due does not.
    const { id: late } = await t.db
      .insertInto('requirements')
      .values(requirement('2026-05-31'))
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db.insertInto('requirements').values(requirement('2026-07-31')).execute();
    expect(await planRows(OTHER_REGION)).toEqual([
      ['full', '2026-09-30', '2026-09-09', ['overdue-requirement']],
    ]);

    // Weeks later the second is past its date too: both count.
    clock.set('2026-08-10T10:00:00Z');
    try {
      expect(await planRows(OTHER_REGION)).toEqual([
        ['full', '2026-09-30', '2026-08-19', ['overdue-requirement', 'overdue-requirement']],
      ]);
    } finally {
      clock.set('2026-06-15T10:00:00Z');
    }

    // The late one is given a new date in the future, then withdrawn: nothing brings it forward.
    await t.db.updateTable('requirements').set({ comply_by: '2026-08-31' }).where('id', '=', late).execute();
    expect(await planRows(OTHER_REGION)).toEqual([['full', '2026-09-30', '2026-09-30', []]]);
    await t.db.deleteFrom('requirements').where('inspection_id', '=', last).execute();
    await t.db.insertInto('requirements').values(requirement('2026-06-01')).execute();
    expect(await planRows(OTHER_REGION)).toEqual([
      ['full', '2026-09-30', '2026-09-09', ['overdue-requirement']],
    ]);
    await t.db.deleteFrom('requirements').where('inspection_id', '=', last).execute();
    expect(await planRows(OTHER_REGION)).toEqual([['full', '2026-09-30', '2026-09-30', []]]);
  });

  it('plans a home never inspected from its registration, as the register changes', async () => {
    const india = await home('India Lodge', '2025-10-01', REGISTER_REGION);
    const rowsOf = () => planRows(REGISTER_REGION);
    // Registered 1 October 2025: the first inspection is due a year later.
    expect(await rowsOf()).toEqual([['full', '2026-10-01', '2026-10-01', []]]);

    const change = async (payload: object) => {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/providers/${india}`,
        headers: await bearer('manager'),
        payload,
      });
      expect(response.statusCode, response.body).toBe(200);
    };
    // The registration date was wrong: due a year after the right one.
    await change({ registeredOn: '2025-08-01', status: 'registered' });
    expect(await rowsOf()).toEqual([['full', '2026-08-01', '2026-08-01', []]]);
    // Suspended, it is not planned; registered again, it is.
    await change({ status: 'suspended' });
    expect(await rowsOf()).toEqual([]);
    await change({ status: 'registered' });
    expect(await rowsOf()).toEqual([['full', '2026-08-01', '2026-08-01', []]]);
    // An agency has no inspection framework here: not planned.
    await change({ type: 'independent-fostering-agency', status: 'registered' });
    expect(await rowsOf()).toEqual([]);
    await change({ type: 'childrens-home', status: 'registered' });

    // Its first inspection, outstanding on 1 June 2026: due a year after it, no longer from registration.
    await inspection('2026-06-01', 'completed', 'outstanding', india);
    expect(await rowsOf()).toEqual([['full', '2027-06-01', '2027-06-01', []]]);
  });

  it('gives providers added together the dates a later refresh would give them', async () => {
    await ensurePlanRules(t.db);
    // One insert, as an import makes: the trigger writes each new row's dates itself.
    const added = [
      { name: 'Kilo House', type: 'childrens-home', status: 'registered', registered_on: '2025-01-31' },
      {
        name: 'Lima Court',
        type: 'supported-accommodation',
        status: 'registered',
        registered_on: '2024-02-29',
      },
      { name: 'Mike Council', type: 'local-authority', status: 'registered', registered_on: '2024-03-15' },
      {
        name: 'November Fostering',
        type: 'independent-fostering-agency',
        status: 'registered',
        registered_on: '2024-03-15',
      },
      { name: 'Oscar Lodge', type: 'childrens-home', status: 'suspended', registered_on: '2025-01-31' },
    ];
    await t.db
      .insertInto('providers')
      .values(
        added.map((p, i) => ({
          ...p,
          urn: `SN${Math.floor(Math.random() * 1e8)}${i}`,
          sector: 'private',
          address_line1: '1 Test Street',
          address_line2: null,
          town: 'Testbury',
          postcode: 'TE1 1ST',
          local_authority: 'Testshire',
          region: NEW_REGION,
          places: 0,
          owner_group_id: null,
        })),
      )
      .execute();
    const dates = async (from: 'provider_schedule' | 'provider_schedule_dates') =>
      (
        await sql<{ name: string; due: string | null; signals_since: string }>`
          select p.name, d.due::text as due, d.signals_since::text as signals_since
          from ${sql.table(from)} d join providers p on p.id = d.provider_id
          where p.region = ${NEW_REGION} order by p.name`.execute(t.db)
      ).rows;

    // A year from registration for a home or supported accommodation (28 February in a year with no
    // 29th), three for a local authority; none for a type with no framework or a provider not registered.
    const expected = [
      { name: 'Kilo House', due: '2026-01-31', signals_since: '2025-01-31' },
      { name: 'Lima Court', due: '2025-02-28', signals_since: '2024-02-29' },
      { name: 'Mike Council', due: '2027-03-15', signals_since: '2024-03-15' },
      { name: 'November Fostering', due: null, signals_since: '2024-03-15' },
      { name: 'Oscar Lodge', due: null, signals_since: '2025-01-31' },
    ];
    expect(await dates('provider_schedule')).toEqual(expected);
    expect(await dates('provider_schedule_dates')).toEqual(expected);
    // The plan shows the registered ones with a framework, by their due dates.
    expect(await planRows(NEW_REGION)).toEqual([
      ['full', '2025-02-28', '2025-02-28', []],
      ['full', '2026-01-31', '2026-01-31', []],
      ['full', '2027-03-15', '2027-03-15', []],
    ]);
  });

  it('works the stored dates out again when the rules differ from those they were worked out under', async () => {
    const juliet = await home('Juliet House', '2014-01-01', RULES_REGION);
    await inspection('2025-09-01', 'completed', 'good', juliet);
    expect(await planRows(RULES_REGION)).toEqual([['full', '2026-09-01', '2026-09-01', []]]);

    // As if an earlier release had planned good children's homes every three months: its rules and the
    // dates worked out under them are in the database.
    await t.db.transaction().execute(async (trx) => {
      await sql`update plan_intervals set months = 3
        where framework_id = 'childrens-homes' and grade_id = 'good'`.execute(trx);
      await sql`update plan_rules set digest = 'an earlier release'`.execute(trx);
      await sql`update provider_schedule s set due = d.due from provider_schedule_dates d
        where d.provider_id = s.provider_id`.execute(trx);
    });
    const stale = await sql<{ due: string }>`select due::text as due from provider_schedule
      where provider_id = ${juliet}`.execute(t.db);
    expect(stale.rows[0]?.due).toBe('2025-12-01');

    // The plan follows the rules of the code that runs it.
    expect(await planRows(RULES_REGION)).toEqual([['full', '2026-09-01', '2026-09-01', []]]);
  });
});
