import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { fillInspectorGrades } from '../../src/db/migrations/0012_statistics_search.js';
import { fillOverallGrades } from '../../src/db/migrations/0018_statistics_summaries.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { getPage, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

/**
 * A small register built by hand in the inspection year 2006–07, long before any demo data, so that every
 * figure can be worked out on paper (the working is in the comments beside each expectation).
 */
const YEAR = 'from=2006-04-01&to=2007-03-31';
const EMPTY_YEAR = 'from=1999-04-01&to=2000-03-31';

interface ApiFigure {
  id: string;
  period: { from: string; to: string };
  columns: { key: string; label: string; kind: string }[];
  rows: Record<string, string | number | null>[];
  total: Record<string, string | number | null> | null;
  summary: { label: string; value: string }[];
}

describe.each(kinds)('statistics on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2025-06-14T10:00:00Z'));
  let t: TestApp;
  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const figure = async (id: string, query = YEAR, role = 'analyst') => {
    const response = await t.app.inject({ url: `/api/statistics/${id}?${query}`, headers: await as(role) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as ApiFigure;
  };
  /** The rows as [first column, the named columns…], which reads like the table on the page. */
  const table = (f: ApiFigure, ...keys: string[]) =>
    f.rows.map((row) => [row[f.columns[0]!.key], ...keys.map((key) => row[key])]);

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const db = t.db;
    const manager = await db
      .selectFrom('people')
      .select('id')
      .where('email', '=', 'manager@demo.invalid')
      .executeTakeFirstOrThrow();
    const person = async (name: string) =>
      (
        await db
          .insertInto('people')
          .values({
            email: `${name.split(' ')[0]!.toLowerCase()}@stats.invalid`,
            name,
            password_hash: 'x',
            roles: ['inspector'],
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const ann = await person('Ann Able');
    const ben = await person('Ben Baker');
    const cal = await person('Cal Cole');

    const group = async (name: string) =>
      (await db.insertInto('owner_groups').values({ name }).returning('id').executeTakeFirstOrThrow()).id;
    const g1 = await group('Stats Group One');
    const g2 = await group('Stats Group Two');
    const g3 = await group('Stats Group Three');
    const g4 = await group('Stats Group Four');

    let urn = 900100;
    const provider = async (
      type: string,
      fields: {
        sector?: string;
        region: string;
        places: number;
        group?: string | null;
        on: string;
        status?: string;
      },
    ) =>
      (
        await db
          .insertInto('providers')
          .values({
            urn: `SC${urn++}`,
            name: `Stats home ${urn}`,
            type,
            sector: fields.sector ?? 'private',
            address_line1: '1 Test Road',
            address_line2: null,
            town: 'Testtown',
            postcode: 'NE1 1AA',
            local_authority: fields.region === 'London' ? 'Camden' : 'Newcastle upon Tyne',
            region: fields.region,
            places: fields.places,
            status: fields.status ?? 'registered',
            owner_group_id: fields.group ?? null,
            registered_on: fields.on,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const home = (fields: Parameters<typeof provider>[1]) => provider('childrens-home', fields);
    const h1 = await home({ region: 'North East', places: 4, group: g1, on: '2005-06-01' });
    const h2 = await home({ region: 'North East', places: 3, group: g1, on: '2006-05-01' });
    const h3 = await home({ region: 'North East', places: 5, group: g2, on: '2006-06-01' });
    const h4 = await home({ region: 'London', places: 2, group: g3, on: '2006-07-01' });
    const h5 = await home({ region: 'London', places: 6, on: '2005-01-01' });
    const h6 = await home({ region: 'London', places: 4, sector: 'local-authority', on: '2005-02-01' });
    await home({ region: 'North East', places: 2, group: g2, on: '2005-03-01', status: 'closed' });
    await home({ region: 'North East', places: 3, group: g4, on: '2007-04-01' });
    const h9 = await home({ region: 'North East', places: 1, group: g3, on: '2006-08-01' });
    // A provider with no inspection at all, and not a children's home.
    await provider('independent-fostering-agency', { region: 'North East', places: 0, on: '2005-05-05' });

    for (const [providerId, status, on] of [
      [h2, 'approved', '2006-04-20'],
      [h3, 'in-progress', '2006-11-01'],
      [h4, 'withdrawn', '2007-03-31'],
      [h1, 'applied', '2006-03-31'],
    ] as const) {
      await db
        .insertInto('registration_applications')
        .values({
          provider_id: providerId,
          buildings: 2,
          description: 'Two houses',
          status,
          submitted_on: on,
        })
        .execute();
    }

    const inspection = async (
      providerId: string,
      lead: string,
      start: string,
      status: string,
      type = 'full',
    ) =>
      (
        await db
          .insertInto('inspections')
          .values({
            provider_id: providerId,
            framework_id: 'childrens-homes',
            type,
            notice: 'none',
            start_date: start,
            end_date: start,
            lead_inspector_id: lead,
            status,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const grade = async (inspectionId: string, areaId: string, gradeId: string, version = 1, by = ann) =>
      db
        .insertInto('judgements')
        .values({
          inspection_id: inspectionId,
          area_id: areaId,
          version,
          grade_id: gradeId,
          rationale: 'Seen',
          evidence_ids: [],
          kind: version === 1 ? 'inspector' : 'moderation',
          reason: version === 1 ? null : 'Moderated',
          given_by: by,
        })
        .execute();
    const requirement = async (inspectionId: string, regulation: number) =>
      db
        .insertInto('requirements')
        .values({
          inspection_id: inspectionId,
          regulation_id: `childrens-homes-2015-reg-${regulation}`,
          action: 'Put it right',
          impact: 'Children',
          evidence_ids: [],
          comply_by: '2006-12-31',
          recorded_by: ann,
        })
        .execute();
    const headline = 'overall-experiences-and-progress';
    const protection = 'help-and-protection';
    const leaders = 'leaders-and-managers';

    // H1's first full inspection was the year before, so X1 is not a first one.
    const x0 = await inspection(h1, ann, '2005-09-01', 'completed');
    await grade(x0, headline, 'good');
    const x1 = await inspection(h1, ann, '2006-05-10', 'completed');
    await grade(x1, headline, 'outstanding');
    await grade(x1, protection, 'outstanding');
    await requirement(x1, 13);
    await requirement(x1, 12);
    // Help and protection limits the overall grade: outstanding headline, requires improvement overall.
    const x2 = await inspection(h2, ann, '2006-06-10', 'completed');
    await grade(x2, headline, 'outstanding');
    await grade(x2, protection, 'requires-improvement-to-be-good');
    await requirement(x2, 13);
    // Moderation changed an area grade but not the overall one.
    const x3 = await inspection(h3, ben, '2006-07-10', 'completed');
    await grade(x3, headline, 'good', 1, ben);
    await grade(x3, protection, 'good', 1, ben);
    await grade(x3, leaders, 'outstanding', 1, ben);
    await grade(x3, leaders, 'good', 2, manager.id);
    // Moderation lowered the overall grade from good to inadequate.
    const x4 = await inspection(h4, ben, '2006-08-10', 'completed');
    await grade(x4, headline, 'good', 1, ben);
    await grade(x4, protection, 'good', 1, ben);
    await grade(x4, headline, 'inadequate', 2, manager.id);
    await requirement(x4, 12);
    await requirement(x4, 12);
    await requirement(x4, 6);
    // Declared incomplete, so the next full inspection is H5's first.
    await inspection(h5, ann, '2006-09-10', 'incomplete');
    const x6 = await inspection(h5, cal, '2006-10-10', 'completed');
    await grade(x6, headline, 'inadequate', 1, cal);
    // A monitoring visit's requirement is not a full inspection's.
    const x7 = await inspection(h6, cal, '2006-11-10', 'completed', 'monitoring');
    await requirement(x7, 12);
    await inspection(h9, cal, '2006-12-10', 'planned');
    const x10 = await inspection(h1, ann, '2007-04-05', 'completed');
    await grade(x10, headline, 'inadequate');
    // The judgements went in by hand, not through the inspection store that keeps each inspection's grade
    // as the inspector gave it and the final one: brought up to date as the migrations do for data
    // already there.
    await sql.raw(fillInspectorGrades).execute(db);
    await sql.raw(fillOverallGrades).execute(db);

    const report = async (inspectionId: string, status: 'published' | 'draft', published: string | null) =>
      db
        .insertInto('reports')
        .values({ inspection_id: inspectionId, procedure_id: 'pre-2024', status, published_on: published })
        .execute();
    await report(x1, 'published', '2006-06-30');
    await report(x2, 'draft', null);

    let reference = 1;
    const notify = async (providerId: string, category: string, on: string) =>
      db
        .insertInto('event_notifications')
        .values({
          reference: `STATS-${reference++}`,
          provider_id: providerId,
          category_id: category,
          event_date: on,
          what_happened: 'Something',
          actions_taken: 'Something else',
          submitted_by: manager.id,
          submitted_at: `${on}T12:00:00Z`,
        })
        .execute();
    await notify(h1, 'police-involvement', '2006-05-01');
    await notify(h1, 'police-involvement', '2006-06-01');
    await notify(h2, 'police-involvement', '2006-07-01');
    await notify(h1, 'missing-child', '2006-08-01');
    await notify(h3, 'self-harm', '2007-03-31');
    await notify(h1, 'police-involvement', '2007-04-01');
  });

  afterAll(async () => {
    await t?.close();
  });

  it('lists the figures each reader may see', async () => {
    const ids = async (role: string) =>
      (
        (await t.app.inject({ url: '/api/statistics', headers: await as(role) })).json() as {
          items: { id: string; link: string }[];
        }
      ).items.map((item) => item.id);
    const analyst = await ids('analyst');
    expect(analyst).toContain('notifications');
    expect(analyst).toContain('moderation');
    expect(analyst).toHaveLength(11);
    expect(await ids('manager')).toEqual(analyst);
    const planner = await ids('planner');
    expect(planner).toContain('notifications');
    expect(planner).not.toContain('moderation');
    expect(planner).not.toContain('inspector-grades');
  });

  it('counts the outcomes of first full inspections by overall grade', async () => {
    // First full inspections: X2 (requires improvement, limited by help and protection), X3 (good),
    // X4 (inadequate after moderation), X6 (inadequate; H5's earlier one was incomplete). Not X1: H1's
    // first was in 2005.
    const f = await figure('first-inspection-outcomes');
    expect(table(f, 'grade', 'inspections', 'share')).toEqual([
      ['SCCIF', 'Outstanding', 0, 0],
      ['SCCIF', 'Good', 1, 25],
      ['SCCIF', 'Requires improvement to be good', 1, 25],
      ['SCCIF', 'Inadequate', 2, 50],
    ]);
    expect(f.total).toMatchObject({ inspections: 4 });
  });

  it('counts full inspections that resulted in requirements', async () => {
    // Completed full inspections X1, X2, X3, X4, X6; X1, X2 and X4 have requirements: 3 of 5.
    const f = await figure('full-inspections-requirements');
    expect(table(f, 'inspections', 'withRequirements', 'share')).toEqual([['SCCIF', 5, 3, 60]]);
    expect(f.total).toEqual({ framework: 'All frameworks', inspections: 5, withRequirements: 3, share: 60 });
  });

  it('ranks requirements by theme, most common first', async () => {
    // Reg 12: X1, X4 twice (3); reg 13: X1, X2 (2); reg 6: X4 (1). The monitoring visit's is left out.
    const f = await figure('requirements-by-theme');
    expect(table(f, 'requirements', 'share', 'inspections')).toEqual([
      ['Regulation 12: The protection of children standard (Children’s Homes Regulations 2015)', 3, 50, 2],
      [
        'Regulation 13: The leadership and management standard (Children’s Homes Regulations 2015)',
        2,
        33.3,
        2,
      ],
      [
        'Regulation 6: The quality and purpose of care standard (Children’s Homes Regulations 2015)',
        1,
        16.7,
        1,
      ],
    ]);
    expect(f.total).toMatchObject({ requirements: 6 });
  });

  it('tabulates notifications by category with the homes that made them', async () => {
    // 5 in the year (the one on 1 April 2007 is the next year's): police 3 from H1 and H2, missing child 1,
    // self-harm 1 on the last day; 3 different homes in all.
    const f = await figure('notifications');
    expect(table(f, 'notifications', 'share', 'homes')).toEqual([
      ['Incident requiring police involvement', 3, 60, 2],
      ['Serious concerns over a missing child', 1, 20, 1],
      ['Serious incident of self-harm by a child', 1, 20, 1],
    ]);
    expect(f.total).toEqual({ category: 'All notifications', notifications: 5, share: 100, homes: 3 });
  });

  it('lists every category in force, with none of a zero total shown as a dash', async () => {
    const f = await figure('notifications', 'from=2015-04-01&to=2015-04-01');
    expect(f.rows).toHaveLength(14);
    expect(f.rows[0]).toEqual({
      category: 'Incident requiring police involvement',
      notifications: 0,
      share: null,
      homes: 0,
    });
  });

  it('counts the register by type at the end of the period', async () => {
    // On 31 March 2007: homes H1–H6 and H9 (the closed one and the one registered in April 2007 are not),
    // with 4+3+5+2+6+4+1 = 25 places, and the fostering agency: 8 providers.
    const f = await figure('providers-by-type');
    expect(table(f, 'providers', 'share', 'places').filter((row) => row[1] !== 0)).toEqual([
      ["Children's home", 7, 87.5, 25],
      ['Independent fostering agency', 1, 12.5, 0],
    ]);
    expect(f.rows).toHaveLength(8);
    expect(f.total).toMatchObject({ providers: 8, places: 25 });
  });

  it('works out the growth of children’s homes on the previous year', async () => {
    // 31 March 2006: H1, H5, H6 (3). 31 March 2007: 7. Up 4, or 133.3%.
    const f = await figure('childrens-homes-growth');
    expect(table(f, 'homes', 'places')).toEqual([
      ['31 March 2006', 3, 14],
      ['31 March 2007', 7, 25],
    ]);
    expect(f.summary).toEqual([
      { label: 'Change in homes', value: '+4' },
      { label: 'Growth on the previous year', value: '+133.3%' },
    ]);
  });

  it('counts multi-building applications by status', async () => {
    // Three submitted in the year (the one of 31 March 2006 is not): approved, in progress, withdrawn.
    const f = await figure('multi-building-applications');
    expect(table(f, 'applications', 'share')).toEqual([
      ['Applied', 0, 0],
      ['In progress', 1, 33.3],
      ['Approved', 1, 33.3],
      ['Refused', 0, 0],
      ['Withdrawn', 1, 33.3],
    ]);
    expect(f.total).toMatchObject({ applications: 3 });
  });

  it('measures concentration of ownership, keeping groups tied at the nth place', async () => {
    // Private homes on 31 March 2007: H1, H2, H3, H4, H5, H9 = 6 homes, 4+3+5+2+6+1 = 21 places.
    // Group One: H1, H2 (2 homes, 7 places); Three: H4, H9 (2, 3); Two: H3 (1, 5; its closed home is
    // not counted); Four's home came later. The largest 1 is a tie between One and Three: both count.
    const one = await figure('ownership-concentration', `${YEAR}&n=1`);
    expect(table(one, 'homes', 'homesShare', 'places', 'placesShare')).toEqual([
      ['Stats Group One', 2, 33.3, 7, 33.3],
      ['Stats Group Three', 2, 33.3, 3, 14.3],
    ]);
    expect(one.total).toEqual({
      group: 'Largest 1 (2 groups, with ties)',
      homes: 4,
      homesShare: 66.7,
      places: 10,
      placesShare: 47.6,
    });
    expect(one.summary).toEqual([
      { label: 'Private children’s homes', value: '6' },
      { label: 'Their places', value: '21' },
      { label: 'Groups counted as the largest 1', value: '2' },
      { label: 'Homes held by each of them', value: '2 to 2' },
      { label: 'Places held by each of them', value: '3 to 7' },
    ]);
    const all = await figure('ownership-concentration');
    expect(all.rows.map((row) => row.group)).toEqual([
      'Stats Group One',
      'Stats Group Three',
      'Stats Group Two',
    ]);
    expect(all.total).toMatchObject({
      group: 'Largest 10',
      homes: 5,
      homesShare: 83.3,
      places: 15,
      placesShare: 71.4,
    });
    expect(all.summary.slice(3)).toEqual([
      { label: 'Homes held by each of them', value: '1 to 2' },
      { label: 'Places held by each of them', value: '3 to 7' },
    ]);
  });

  it('shows how often moderation changed a grade, by framework, region and inspector', async () => {
    // Completed in the year: X1, X2, X3, X4, X6 and the monitoring visit X7. X3 and X4 were moderated
    // (one area grade each); only X4's overall grade changed.
    const f = await figure('moderation', YEAR, 'manager');
    expect(
      f.rows.map((r) => [
        r.by,
        r.name,
        r.inspections,
        r.moderated,
        r.moderatedShare,
        r.gradesChanged,
        r.overallChanged,
        r.overallChangedShare,
      ]),
    ).toEqual([
      ['Framework', 'SCCIF', 6, 2, 33.3, 2, 1, 16.7],
      ['Region', 'London', 3, 1, 33.3, 1, 1, 33.3],
      ['Region', 'North East', 3, 1, 33.3, 1, 0, 0],
      ['Inspector', 'Ann Able', 2, 0, 0, 0, 0, 0],
      ['Inspector', 'Ben Baker', 2, 2, 100, 2, 1, 50],
      ['Inspector', 'Cal Cole', 2, 0, 0, 0, 0, 0],
    ]);
  });

  it('sets each inspector’s grades against comparable providers', async () => {
    // Grades as the inspector gave them: North East X1 outstanding, X2 requires improvement (Ann), X3 good
    // (Ben); London X4 good (Ben, before moderation), X6 inadequate (Cal).
    // Ben, North East: others gave 1 outstanding in 2 → 0.5 expected; London: others gave 1 inadequate in
    // 1 → 1 expected. Of 2 compared: best 0% against 25%, worst 0% against 50%.
    const f = await figure('inspector-grades', YEAR, 'analyst');
    expect(
      f.rows.map((r) => [
        r.inspector,
        r.inspections,
        r.compared,
        r.bestShare,
        r.bestExpected,
        r.bestDifference,
        r.worstShare,
        r.worstExpected,
        r.worstDifference,
        r.outlier,
      ]),
    ).toEqual([
      ['Ann Able', 2, 2, 50, 0, 50, 0, 0, 0, 'No'],
      ['Ben Baker', 2, 2, 0, 25, -25, 0, 50, -50, 'No'],
      ['Cal Cole', 1, 1, 0, 0, 0, 100, 0, 100, 'No'],
    ]);
    expect(f.rows[0]!.grades).toBe(
      'Outstanding: 1; Good: 0; Requires improvement to be good: 1; Inadequate: 0',
    );
    expect(f.rows[1]!.grades).toBe(
      'Outstanding: 0; Good: 2; Requires improvement to be good: 0; Inadequate: 0',
    );
  });

  it('counts inspections declared incomplete, by framework and inspector', async () => {
    // Under way or done in the year: X1–X7 (the planned one is not): 7, one incomplete (Ann's).
    const f = await figure('incomplete-inspections', YEAR, 'manager');
    expect(f.rows.map((r) => [r.by, r.name, r.inspections, r.incomplete, r.share])).toEqual([
      ['Framework', 'SCCIF', 7, 1, 14.3],
      ['Inspector', 'Ann Able', 3, 1, 33.3],
      ['Inspector', 'Ben Baker', 2, 0, 0],
      ['Inspector', 'Cal Cole', 2, 0, 0],
    ]);
  });

  it('answers an empty year with empty figures, not errors', async () => {
    for (const id of [
      'first-inspection-outcomes',
      'full-inspections-requirements',
      'requirements-by-theme',
      'notifications',
      'moderation',
      'inspector-grades',
      'incomplete-inspections',
    ]) {
      const f = await figure(id, EMPTY_YEAR, 'manager');
      expect(f.rows, id).toEqual([]);
    }
    const register = await figure('providers-by-type', EMPTY_YEAR);
    expect(register.rows.every((row) => row.providers === 0 && row.share === null)).toBe(true);
    const growth = await figure('childrens-homes-growth', EMPTY_YEAR);
    expect(growth.summary[1]).toEqual({ label: 'Growth on the previous year', value: '–' });
    const owners = await figure('ownership-concentration', EMPTY_YEAR);
    expect(owners.total).toMatchObject({ homes: 0, homesShare: null, placesShare: null });
  });

  it('defaults to the current inspection year', async () => {
    const f = await figure('notifications', '');
    expect(f.period).toEqual({ from: '2025-04-01', to: '2026-03-31' });
  });

  it('gives a figure as CSV when asked', async () => {
    const response = await t.app.inject({
      url: `/api/statistics/notifications?${YEAR}`,
      headers: { ...(await as('analyst')), accept: 'text/csv' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="notifications-2006-04-01-to-2007-03-31.csv"',
    );
    expect(response.body.split('\r\n')).toEqual([
      'Category,Notifications,Share of all (%),Homes that made one',
      'Incident requiring police involvement,3,60.0,2',
      'Serious concerns over a missing child,1,20.0,1',
      'Serious incident of self-harm by a child,1,20.0,1',
      'All notifications,5,100.0,3',
      '',
    ]);
    const empty = await t.app.inject({
      url: `/api/statistics/multi-building-applications?${EMPTY_YEAR}&format=csv`,
      headers: await as('analyst'),
    });
    expect(empty.body.split('\r\n')[1]).toBe('Applied,0,–');
  });

  it('exports the register and published reports as CSV', async () => {
    const register = await t.app.inject({
      url: '/api/statistics/register.csv',
      headers: await as('analyst'),
    });
    expect(register.statusCode).toBe(200);
    expect(register.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(register.headers['content-disposition']).toBe('attachment; filename="register-2025-06-14.csv"');
    const lines = register.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'URN,Name,Type,Sector,Address line 1,Address line 2,Town,Postcode,Local authority,Region,Places,Status,Owner group,Registered on',
    );
    const { n } = await t.db
      .selectFrom('providers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(lines).toHaveLength(Number(n) + 1);
    expect(lines).toContain(
      "SC900100,Stats home 900101,Children's home,Private,1 Test Road,,Testtown,NE1 1AA,Newcastle upon Tyne,North East,4,Registered,Stats Group One,2005-06-01",
    );

    const reports = await t.app.inject({
      url: '/api/statistics/published-reports.csv',
      headers: await as('manager'),
    });
    expect(reports.statusCode).toBe(200);
    const rows = reports.body.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'URN,Provider,Type,Local authority,Inspection start,Inspection end,Overall grade,Published on',
    );
    expect(rows).toContain(
      "SC900100,Stats home 900101,Children's home,Newcastle upon Tyne,2006-05-10,2006-05-10,Outstanding,2006-06-30",
    );
    expect(rows.filter((row) => row.startsWith('SC900101,'))).toEqual([]); // X2's report is a draft
  });

  it('describes the figures in the OpenAPI document', async () => {
    const document = (await t.app.inject({ url: '/api/openapi.json' })).json() as {
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/statistics', '/api/statistics/{figure}', '/api/statistics/register.csv']),
    );
    expect(document.paths['/api/statistics/{figure}']!.get!.responses['200']).toBeDefined();
  });

  it('refuses a period that is not one, naming the field', async () => {
    const ask = async (query: string) =>
      t.app.inject({ url: `/api/statistics/notifications?${query}`, headers: await as('analyst') });
    const bad = await ask('from=2007-02-30&to=2007-03-31');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['from']);
    const backwards = await ask('from=2007-04-01&to=2007-03-31');
    expect((backwards.json() as { errors: { field: string; message: string }[] }).errors).toEqual([
      { field: 'to', message: 'The end of the period must be the same as or after its start' },
    ]);
    const groups = await t.app.inject({
      url: `/api/statistics/ownership-concentration?${YEAR}&n=0`,
      headers: await as('analyst'),
    });
    expect(groups.statusCode).toBe(400);
    expect((groups.json() as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['n']);
    const unknown = await t.app.inject({
      url: '/api/statistics/no-such-figure',
      headers: await as('analyst'),
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('hides every statistics route from providers and the public, and consistency from planners', async () => {
    const urls = [
      '/api/statistics',
      `/api/statistics/notifications?${YEAR}`,
      '/api/statistics/moderation',
      '/api/statistics/register.csv',
      '/api/statistics/published-reports.csv',
    ];
    for (const url of urls) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(401);
      expect((await t.app.inject({ url, headers: await as('provider') })).statusCode, url).toBe(404);
      expect((await t.app.inject({ url, headers: await as('inspector') })).statusCode, url).toBe(404);
    }
    for (const id of ['moderation', 'inspector-grades', 'incomplete-inspections']) {
      expect(
        (await t.app.inject({ url: `/api/statistics/${id}`, headers: await as('planner') })).statusCode,
      ).toBe(404);
    }
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    for (const url of ['/statistics', '/statistics/notifications', '/statistics/consistency']) {
      expect((await getPage(t.app, provider, url)).statusCode, url).toBe(404);
      expect((await t.app.inject({ url, headers: { accept: 'text/html' } })).statusCode, url).toBe(303);
    }
    const planner = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    expect((await getPage(t.app, planner, '/statistics/consistency')).statusCode).toBe(404);
    expect((await getPage(t.app, planner, '/statistics')).body).not.toContain('/statistics/consistency');
  });

  it('shows each figure as a table with a chart, a CSV link and an empty state', async () => {
    const analyst = await signInAs(t.app, 'analyst', DEMO_PASSWORD);
    const index = await getPage(t.app, analyst, `/statistics?${YEAR}`);
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('href="/statistics/notifications?from=2006-04-01&amp;to=2007-03-31"');
    expect(index.body).toMatch(
      /class="govuk-service-navigation__link" href="\/statistics"[^>]*>(\s|<[^>]+>)*Statistics/,
    );

    const page = await getPage(t.app, analyst, `/statistics/notifications?${YEAR}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<table class="govuk-table"\s+id="table-notifications"/);
    expect(page.body).toMatch(/<svg[^>]+role="img" aria-labelledby="chart-notifications-title"/);
    expect(page.body).toContain('The largest is Incident requiring police involvement (3).');
    expect(page.body).not.toMatch(/style="/);
    expect(page.body).toContain(`href="/statistics/notifications/csv?from=2006-04-01&amp;to=2007-03-31"`);
    // The link works with the session the page was shown in (the API would want a bearer token).
    const csv = await getPage(t.app, analyst, '/statistics/notifications/csv?from=2006-04-01&to=2007-03-31');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\n')[0]).toContain('Category');
    const register = await getPage(t.app, analyst, '/statistics/register.csv');
    expect(register.statusCode).toBe(200);
    expect(register.body.startsWith('URN,Name,Type')).toBe(true);

    const empty = await getPage(t.app, analyst, `/statistics/first-inspection-outcomes?${EMPTY_YEAR}`);
    expect(empty.body).toContain('There are no figures for this period.');
    expect(empty.body).not.toContain('class="app-chart"');

    const wrong = await getPage(t.app, analyst, '/statistics/notifications?from=2007-13-01&to=2007-03-31');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('govuk-error-summary');
    expect(wrong.body).toContain('href="#from"');

    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const consistency = await getPage(t.app, manager, `/statistics/consistency?${YEAR}`);
    expect(consistency.statusCode).toBe(200);
    expect(consistency.body).toContain('id="table-moderation"');
    expect(consistency.body).toContain('id="table-inspector-grades"');
    expect(consistency.body).toContain('id="table-incomplete-inspections"');
  });
});
