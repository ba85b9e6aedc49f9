import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { fillInspectorGrades } from '../../src/db/migrations/0012_statistics_search.js';
import { fillOverallGrades } from '../../src/db/migrations/0018_statistics_summaries.js';
import { summaryDefinitions } from '../../src/db/migrations/0025_additional_visit_outcomes.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aProvider } from '../support/factories.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

/**
 * The statistics leave nothing out and count nothing twice: an inspection completed by an additional
 * visit, the share judged good or outstanding, multi-building applications (children's homes only) and
 * the register on a past date. Everything here is in 1996–97, long before any demo data.
 */
const YEAR = 'from=1996-04-01&to=1997-03-31';

interface ApiFigure {
  columns: { key: string }[];
  rows: Record<string, string | number | null>[];
  total: Record<string, string | number | null> | null;
  summary: { label: string; value: string }[];
}

describe.each(kinds)('statistics that leave nothing out, on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2025-06-14T10:00:00Z'));
  let t: TestApp;
  let lead: string;
  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const figure = async (id: string, query = YEAR) => {
    const response = await t.app.inject({
      url: `/api/statistics/${id}?${query}`,
      headers: await as('analyst'),
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as ApiFigure;
  };
  const counted = (f: ApiFigure, key: string) =>
    f.rows
      .filter((row) => row[key] !== 0)
      .map((row) => [row[f.columns[1]!.key] ?? row[f.columns[0]!.key], row[key]]);

  const inspection = async (providerId: string, start: string, status: string, extra: object = {}) =>
    (
      await t.db
        .insertInto('inspections')
        .values({
          provider_id: providerId,
          framework_id: 'childrens-homes',
          type: 'full',
          notice: 'none',
          start_date: start,
          end_date: start,
          lead_inspector_id: lead,
          status,
          ...extra,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const grade = (inspectionId: string, gradeId: string) =>
    t.db
      .insertInto('judgements')
      .values({
        inspection_id: inspectionId,
        area_id: 'overall-experiences-and-progress',
        version: 1,
        grade_id: gradeId,
        rationale: 'Seen',
        evidence_ids: [],
        kind: 'inspector',
        reason: null,
        given_by: lead,
      })
      .execute();
  /** Judgements written by hand: the grades the inspection keeps brought up to date, as the store does. */
  const keepGrades = async () => {
    await sql.raw(fillInspectorGrades).execute(t.db);
    await sql.raw(fillOverallGrades).execute(t.db);
  };
  const expectSummariesRight = async () => {
    for (const table of ['statistics_full_inspection_months', 'statistics_requirement_months']) {
      const kept = sql`select * from ${sql.table(table)} where inspections <> 0`;
      const definition = sql.raw(summaryDefinitions[table]!);
      expect((await sql`(${definition}) except all (${kept})`.execute(t.db)).rows).toEqual([]);
      expect((await sql`(${kept}) except all (${definition})`.execute(t.db)).rows).toEqual([]);
    }
  };

  let homeA: string;
  let visit: string;

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    lead = (
      await t.db
        .selectFrom('people')
        .select('id')
        .where('email', '=', 'inspector@demo.invalid')
        .executeTakeFirstOrThrow()
    ).id;
    const home = async () => (await aProvider(t.db, { registeredOn: '1990-01-02' })).id;
    homeA = await home();
    const homeB = await home();
    const homeC = await home();
    // A's first full inspection was declared incomplete on site; an additional visit was planned.
    const original = await inspection(homeA, '1996-06-03', 'on-site');
    await t.db.updateTable('inspections').set({ status: 'incomplete' }).where('id', '=', original).execute();
    visit = await inspection(homeA, '1996-07-01', 'planned', {
      type: 'additional-visit',
      additional_visit_of: original,
    });
    // A's next full inspection is not its first: the one declared incomplete is, with the visit's outcome.
    const later = await inspection(homeA, '1996-10-01', 'completed');
    await grade(later, 'inadequate');
    const b = await inspection(homeB, '1996-08-05', 'completed');
    await grade(b, 'outstanding');
    const c = await inspection(homeC, '1996-09-02', 'completed');
    await grade(c, 'requires-improvement-to-be-good');
    await keepGrades();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('counts an inspection declared incomplete once, with its additional visit’s outcome when it completes', async () => {
    // Before the visit completes, A has no outcome: B (outstanding) and C (requires improvement) only.
    let first = await figure('first-inspection-outcomes');
    expect(first.total).toMatchObject({ inspections: 2 });
    expect((await figure('full-inspections-requirements')).total).toMatchObject({ inspections: 3 });

    await grade(visit, 'good');
    await t.db
      .insertInto('requirements')
      .values({
        inspection_id: visit,
        regulation_id: 'childrens-homes-2015-reg-12',
        action: 'Put it right',
        impact: 'Children',
        evidence_ids: [],
        comply_by: '1996-12-31',
        recorded_by: lead,
      })
      .execute();
    await t.db.updateTable('inspections').set({ status: 'completed' }).where('id', '=', visit).execute();
    await keepGrades();

    // A's first full inspection is now counted once, good (the visit's grade), not the later inadequate.
    first = await figure('first-inspection-outcomes');
    expect(counted(first, 'inspections')).toEqual([
      ['Outstanding', 1],
      ['Good', 1],
      ['Requires improvement to be good', 1],
    ]);
    expect(first.total).toMatchObject({ inspections: 3 });
    // Full inspections: A's (by the visit), its later one, B and C; A's has a requirement.
    const full = await figure('full-inspections-requirements');
    expect(full.total).toMatchObject({ inspections: 4, withRequirements: 1 });
    const themes = await figure('requirements-by-theme');
    expect(themes.total).toMatchObject({ requirements: 1 });
    // Counted under the original's first day (3 June), not the visit's (1 July): a period of days only.
    const june = await figure('full-inspections-requirements', 'from=1996-06-02&to=1996-06-20');
    expect(june.total).toMatchObject({ inspections: 1, withRequirements: 1 });
    const july = await figure('full-inspections-requirements', 'from=1996-07-01&to=1996-07-31');
    expect(july.total).toMatchObject({ inspections: 0 });
    expect((await figure('first-inspection-outcomes', 'from=1996-06-02&to=1996-06-20')).total).toMatchObject({
      inspections: 1,
    });
    await expectSummariesRight();
  });

  it('gives the share of first full inspections judged good or outstanding, as the annual report does', async () => {
    // Outstanding (B) and good (A, by its visit) of three: 66.7%.
    const first = await figure('first-inspection-outcomes');
    expect(first.summary).toEqual([{ label: 'Judged good or outstanding (SCCIF)', value: '2 of 3 (66.7%)' }]);
  });

  it('takes multi-building applications for children’s homes only, never dated after today', async () => {
    const headers = await as('planner');
    const agency = await aProvider(t.db, {
      type: 'independent-fostering-agency',
      registeredOn: '1990-01-02',
    });
    const home = await aProvider(t.db, { registeredOn: '1990-01-02' });
    const apply = (providerId: string, submittedOn: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/providers/${providerId}/applications`,
        headers,
        payload: { buildings: 2, description: 'Two houses', submittedOn },
      });
    const refused = await apply(agency.id, '1996-05-01');
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual(['providerId']);
    const future = await apply(home.id, '2025-06-15');
    expect(future.statusCode).toBe(422);
    expect(future.json().errors.map((e: { field: string }) => e.field)).toEqual(['submittedOn']);
    const none = await t.db
      .selectFrom('registration_applications')
      .select('id')
      .where('provider_id', 'in', [agency.id, home.id])
      .execute();
    expect(none).toEqual([]);
    expect((await apply(home.id, '1996-05-01')).statusCode).toBe(201);
    expect((await apply(home.id, '2025-06-14')).statusCode).toBe(201);

    // One recorded for an agency before the rule (written by hand) is left out of the figure.
    await t.db
      .insertInto('registration_applications')
      .values({
        provider_id: agency.id,
        buildings: 2,
        description: 'Two offices',
        status: 'applied',
        submitted_on: '1996-05-02',
      })
      .execute();
    const f = await figure('multi-building-applications');
    expect(f.total).toMatchObject({ applications: 1 });
  });

  it('counts the register on a past date with the providers that have closed since', async () => {
    const headers = await as('planner');
    const change = (id: string, payload: object) =>
      t.app.inject({ method: 'PATCH', url: `/api/providers/${id}`, headers, payload });
    const before = await figure('providers-by-type');
    const homes = () => before.rows.find((row) => row.type === "Children's home")!.providers as number;
    const closedBefore = await aProvider(t.db, { registeredOn: '1990-01-02' });
    const closedAfter = await aProvider(t.db, { registeredOn: '1990-01-02' });
    const cancelledToday = await aProvider(t.db, { registeredOn: '1990-01-02' });
    const early = await change(closedBefore.id, { status: 'closed', leftRegisterOn: '1996-12-01' });
    expect(early.statusCode, early.body).toBe(200);
    expect(early.json()).toMatchObject({ status: 'closed', leftRegisterOn: '1996-12-01' });
    expect(
      (await change(closedAfter.id, { status: 'closed', leftRegisterOn: '1997-06-01' })).statusCode,
    ).toBe(200);
    // With no date given, the day it is recorded (by the service's clock).
    const today = await change(cancelledToday.id, { status: 'cancelled' });
    expect(today.json()).toMatchObject({ status: 'cancelled', leftRegisterOn: '2025-06-14' });
    // A date before registration is refused, naming the field, and changes nothing.
    const wrong = await change(closedAfter.id, { leftRegisterOn: '1989-01-01' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors.map((e: { field: string }) => e.field)).toEqual(['leftRegisterOn']);

    // On 31 March 1997: the one closed in June 1997 and the one cancelled in 2025 were on the register;
    // the one closed in December 1996 was not.
    const after = await figure('providers-by-type');
    expect(after.rows.find((row) => row.type === "Children's home")!.providers).toBe(homes() + 2);
    // On 31 December 1997, only the one cancelled in 2025 was.
    const later = await figure('providers-by-type', 'from=1997-04-01&to=1997-12-31');
    expect(later.rows.find((row) => row.type === "Children's home")!.providers).toBe(homes() + 1);
    const back = await change(closedBefore.id, { status: 'registered' });
    expect(back.json()).toMatchObject({ status: 'registered', leftRegisterOn: null });
  });

  it('keeps the day a provider closed when a planner changes its details on the page', async () => {
    const provider = await aProvider(t.db, { registeredOn: '1990-01-02' });
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const form = await getPage(t.app, jar, `/providers/${provider.id}/edit`);
    expect(form.statusCode).toBe(200);
    const fields = (extra: Record<string, string>) => ({
      _csrf: csrfTokenIn(form.body),
      version: '1',
      urn: provider.urn,
      name: `Made home ${provider.urn}`,
      type: 'childrens-home',
      sector: 'private',
      addressLine1: '1 Factory Lane',
      town: 'Leeds',
      postcode: 'LS1 4AB',
      localAuthority: 'Leeds',
      region: 'Yorkshire and The Humber',
      places: '3',
      status: 'closed',
      'registeredOn-day': '2',
      'registeredOn-month': '1',
      'registeredOn-year': '1990',
      ...extra,
    });
    // Part of a date is refused against its boxes, not taken for today.
    const part = await postForm(
      t.app,
      jar,
      `/providers/${provider.id}/edit`,
      fields({ 'leftRegisterOn-day': '9' }),
    );
    expect(part.statusCode).toBe(400);
    expect(part.body).toContain('href="#leftRegisterOn-day"');
    const saved = await postForm(
      t.app,
      jar,
      `/providers/${provider.id}/edit`,
      fields({ 'leftRegisterOn-day': '9', 'leftRegisterOn-month': '10', 'leftRegisterOn-year': '1996' }),
    );
    expect(saved.statusCode, saved.body).toBe(303);
    const shown = await getPage(t.app, jar, `/providers/${provider.id}`);
    expect(shown.body).toMatch(/Closed\s*<\/dt>\s*<dd[^>]*>\s*9 October 1996/);
  });
});
