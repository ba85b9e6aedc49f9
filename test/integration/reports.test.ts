import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { fillReportSearchFields } from '../../src/db/migrations/0012_statistics_search.js';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { reviseJudgementIn } from '../../src/inspections/judgements.js';
import type { ReportContent } from '../../src/reports/rules.js';
import { completeInspection, signOffModeration } from '../support/steps.js';
import { amendReportAfterComplaint } from '../../src/reports/follow.js';
import { searchPublishedReports, SEARCH_COUNT_LIMIT } from '../../src/reports/search.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { getPage, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();
/** Where the service is published: every link in a message starts here. */
const BASE_URL = 'https://inspect.example.gov.uk';

const NARRATIVE =
  'Children make good progress and are well cared for.\n\n' +
  'The registered manager knows every child well. Records of missing episodes are complete and reviewed.';

describe.each(kinds)('inspection reports on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2025-03-03T10:00:00Z'));
  let homes: { id: string; name: string }[];
  let inspectorId: string;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string | null, url: string) =>
    t.app.inject({ url, headers: role ? await as(role) : {} });
  /** The deadline actions of reports alone, so that other capabilities' deadlines do not count here. */
  const reportActions = () =>
    new Map([...t.app.deadlineActions].filter(([kind]) => kind.startsWith('report.')));
  /** A morning in England on `date`. */
  const onDay = (date: string) => clock.set(`${date}T10:00:00Z`);

  const messages = (template: string, recipient?: string) => {
    let query = t.db.selectFrom('outbox').selectAll().where('template', '=', template);
    if (recipient) query = query.where('recipient', '=', recipient);
    return query.orderBy('created_at').execute();
  };
  const deadlinesOf = (reportId: string) =>
    t.db
      .selectFrom('deadlines')
      .select(['kind', 'due_at', 'status'])
      .where('subject_id', '=', reportId)
      .orderBy('kind', 'desc')
      .execute();

  /** An inspection held through the API up to its feedback: evidence, three judgements, conduct comments. */
  async function conductInspection(providerId: string, startDate: string, endDate: string, findings = false) {
    const created = await post('planner', '/api/inspections', {
      providerId,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate,
      endDate,
      leadInspectorId: inspectorId,
    });
    expect(created.statusCode).toBe(201);
    const id: string = created.json().id;
    expect((await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' })).statusCode).toBe(
      200,
    );
    const evidence: string[] = [];
    for (const [source, summary] of [
      ['observation', 'Warm, attuned interactions at tea time'],
      ['child', 'Child A says staff listen and help with school'],
      ['staff', 'Staff describe the missing-from-home protocol accurately'],
      ['document', 'Return-home interviews completed within 72 hours'],
      ['case-tracking', 'Child A’s plan and records tell one consistent story'],
    ]) {
      const recorded = await post('inspector', `/api/inspections/${id}/evidence`, { source, summary });
      expect(recorded.statusCode).toBe(201);
      evidence.push(recorded.json().id);
    }
    const grades: [string, string, string[]][] = [
      ['overall-experiences-and-progress', 'good', [evidence[0]!, evidence[1]!]],
      ['help-and-protection', 'requires-improvement-to-be-good', [evidence[2]!, evidence[3]!]],
      ['leaders-and-managers', 'good', [evidence[4]!]],
    ];
    for (const [areaId, grade, evidenceIds] of grades) {
      const given = await post('inspector', `/api/inspections/${id}/judgements`, {
        areaId,
        grade,
        evidenceIds,
        rationale: 'The evidence shows it',
      });
      expect(given.statusCode).toBe(201);
    }
    if (findings) {
      const requirement = await post('inspector', `/api/inspections/${id}/requirements`, {
        regulationId: 'childrens-homes-2015-reg-12',
        action: 'Update risk assessments after every missing episode',
        impact: 'Children’s risks are not always understood, so plans do not keep them safe',
        evidenceIds: [evidence[2], evidence[3]],
        complyBy: '2025-05-30',
      });
      expect(requirement.statusCode).toBe(201);
      const recommendation = await post('inspector', `/api/inspections/${id}/recommendations`, {
        guideId: 'childrens-homes-guide-2015',
        page: 42,
        paragraph: '9.5',
        text: 'Records of restraint should say what happened afterwards',
      });
      expect(recommendation.statusCode).toBe(201);
    }
    await post('inspector', `/api/inspections/${id}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No comments on the conduct of the inspection',
    });
    const feedback = await post('inspector', `/api/inspections/${id}/feedback`, {
      summary: 'Feedback given to the registered manager',
      acknowledgeWarnings: true,
    });
    expect(feedback.statusCode).toBe(200);
    await signOffModeration(post, id);
    return id;
  }

  async function issue(inspectionId: string, narrative = NARRATIVE) {
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, { narrative });
    expect(issued.statusCode).toBe(201);
    return issued.json();
  }

  beforeAll(async () => {
    t = await startTestApp(kind, { BASE_URL: BASE_URL }, { clock });
    homes = (await get('provider', '/api/me')).json().providers;
    expect(homes).toHaveLength(2);
    inspectorId = (await get('inspector', '/api/me')).json().id;
  });
  afterAll(async () => t?.close());

  let reportId: string;
  let inspectionId: string;

  it('issues the draft under the April 2024 procedure, with its deadlines, and tells the provider', async () => {
    inspectionId = await conductInspection(homes[0]!.id, '2025-02-24', '2025-02-26', true);
    onDay('2025-03-03');

    const onSite = (await get('inspector', '/api/inspections?status=on-site&mine=true')).json().items[0];
    const early = await post('inspector', `/api/inspections/${onSite.id}/report`, { narrative: 'Too soon' });
    expect(early.statusCode).toBe(409);
    expect(
      (await post('provider', `/api/inspections/${inspectionId}/report`, { narrative: 'x' })).statusCode,
    ).toBe(403);
    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/report`, { narrative: ' ' })).statusCode,
    ).toBe(400);

    const report = await issue(inspectionId);
    reportId = report.id;
    expect(report).toMatchObject({
      status: 'draft',
      inspectionId,
      procedure: { id: 'post-inspection-2024-04', responseRoutes: ['minor-points', 'formal-complaint'] },
      draftIssuedOn: '2025-03-03',
      // Five working days after Monday 3 March 2025.
      responseDue: '2025-03-10',
      finalisedOn: null,
      publishedOn: null,
      presumedAccurate: false,
      version: 1,
      narrative: NARRATIVE,
      response: null,
    });
    expect(report.content).toMatchObject({
      provider: { id: homes[0]!.id, name: homes[0]!.name },
      inspection: { startDate: '2025-02-24', endDate: '2025-02-26' },
      framework: { id: 'childrens-homes' },
      overallGrade: {
        grade: 'requires-improvement-to-be-good',
        limitedBy: ['How well children and young people are helped and protected'],
      },
      requirements: [
        {
          regulationId: 'childrens-homes-2015-reg-12',
          action: 'Update risk assessments after every missing episode',
          complyBy: '2025-05-30',
        },
      ],
      recommendations: [{ page: 42, paragraph: '9.5' }],
    });
    expect(report.content.judgements).toHaveLength(3);
    expect(report.versions).toMatchObject([{ version: 1, changeNote: 'Draft report issued' }]);

    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/report`, { narrative: 'Again' })).statusCode,
    ).toBe(409);

    // The reminder at the start of Thursday 6 March, two working days before; the presumption once 10 March ends.
    expect(await deadlinesOf(reportId)).toEqual([
      { kind: 'report.response-reminder', due_at: new Date('2025-03-06T00:00:00Z'), status: 'pending' },
      { kind: 'report.presume-accurate', due_at: new Date('2025-03-11T00:00:00Z'), status: 'pending' },
    ]);
    const told = await messages('draft-report-issued', 'provider@demo.invalid');
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain('You have until 10 March 2025 to respond');
    // A full link the provider can follow from the email, not a bare path.
    expect(told[0]!.body).toContain(`respond at ${BASE_URL}/reports/${reportId}/respond.`);
    expect(told[0]!.body).not.toMatch(/\s\/reports\//);

    expect((await get(null, `/api/reports/${reportId}`)).statusCode).toBe(404);
    expect((await get('analyst', `/api/reports/${reportId}`)).statusCode).toBe(200);
    expect((await get('provider', `/api/inspections/${inspectionId}/report`)).json().id).toBe(reportId);
  });

  it('amends the narrative as a new version, keeping the old, and refuses a lost update', async () => {
    const amended = NARRATIVE.replace('well cared for', 'very well cared for');
    const refusedProvider = await post('provider', `/api/reports/${reportId}/versions`, {
      narrative: amended,
      note: 'x',
    });
    expect(refusedProvider.statusCode).toBe(403);
    const response = await post('inspector', `/api/reports/${reportId}/versions`, {
      narrative: amended,
      note: 'Stronger wording after moderation',
      version: 1,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ id: reportId, version: 2 });
    const stale = await post('inspector', `/api/reports/${reportId}/versions`, {
      narrative: NARRATIVE,
      note: 'Back again',
      version: 1,
    });
    expect(stale.statusCode).toBe(409);
    const seen = (await get('provider', `/api/reports/${reportId}`)).json();
    expect(seen.narrative).toBe(amended);
    expect(seen.versions.map((v: { narrative: string }) => v.narrative)).toEqual([NARRATIVE, amended]);
  });

  it('refuses minor points that do not quote the report, or a route the procedure does not have, writing nothing', async () => {
    const bad = await post('provider', `/api/reports/${reportId}/response`, {
      route: 'minor-points',
      points: [
        { passage: 'The registered manager knows every child well', comment: 'She is new' },
        { passage: 'The home is closing next month', comment: 'It is not' },
      ],
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([
      {
        field: 'points.1.passage',
        message:
          'Point 2: the passage must be text from the report, copied exactly; “The home is closing next month” is not in it',
      },
    ]);
    const wrongRoute = await post('provider', `/api/reports/${reportId}/response`, {
      route: 'factual-accuracy-and-process-comments',
      points: [{ passage: 'well cared for', comment: 'x' }],
    });
    expect(wrongRoute.statusCode).toBe(422);
    expect(wrongRoute.json().errors).toEqual([
      {
        field: 'route',
        message:
          "'factual-accuracy-and-process-comments' is not a way to answer this draft; under its procedure the routes are minor-points or formal-complaint",
      },
    ]);
    const empty = await post('provider', `/api/reports/${reportId}/response`, {
      route: 'minor-points',
      points: [],
    });
    expect(empty.json().errors[0].field).toBe('points');
    expect(
      (await post('inspector', `/api/reports/${reportId}/response`, { route: 'minor-points' })).statusCode,
    ).toBe(403);

    expect(
      await t.db.selectFrom('draft_responses').selectAll().where('report_id', '=', reportId).execute(),
    ).toEqual([]);
    expect((await deadlinesOf(reportId)).map((d) => d.status)).toEqual(['pending', 'pending']);
  });

  it('takes good points, which the team decides; finalising waits until every point is decided', async () => {
    onDay('2025-03-07');
    const sent = await post('provider', `/api/reports/${reportId}/response`, {
      route: 'minor-points',
      points: [
        { passage: 'The registered manager knows every child well', comment: 'She has been in post a month' },
        {
          passage: 'Update risk assessments after every missing episode',
          comment: 'This was done in February',
        },
      ],
    });
    expect(sent.statusCode).toBe(201);
    const response = sent.json();
    expect(response).toMatchObject({ route: 'minor-points', submittedOn: '2025-03-07', complaint: null });
    expect(
      response.points.map((p: { position: number; decision: null }) => [p.position, p.decision]),
    ).toEqual([
      [1, null],
      [2, null],
    ]);
    expect((await deadlinesOf(reportId)).map((d) => d.status)).toEqual(['cancelled', 'cancelled']);
    expect(await messages('draft-response-received', 'inspector@demo.invalid')).toHaveLength(1);
    const again = await post('provider', `/api/reports/${reportId}/response`, {
      route: 'minor-points',
      points: [{ passage: 'well cared for', comment: 'x' }],
    });
    expect(again.statusCode).toBe(409);

    const [first, second] = response.points as { id: string }[];
    const early = await post('inspector', `/api/reports/${reportId}/finalise`);
    expect(early.statusCode).toBe(422);
    expect(early.json().errors).toEqual([
      { field: 'points', message: 'Decide every point before finalising: 2 points are undecided' },
    ]);
    const noReason = await post('inspector', `/api/reports/${reportId}/points/${first!.id}`, {
      decision: 'accepted',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    expect(
      (
        await post('provider', `/api/reports/${reportId}/points/${first!.id}`, {
          decision: 'accepted',
          reason: 'x',
        })
      ).statusCode,
    ).toBe(403);

    const corrected =
      'Children make good progress and are very well cared for.\n\nThe new registered manager is getting to know every child.';
    const accepted = await post('inspector', `/api/reports/${reportId}/points/${first!.id}`, {
      decision: 'accepted',
      reason: 'The manager started in February',
      narrative: corrected,
    });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ decision: 'accepted', decidedBy: 'Demo inspector' });
    expect((await post('inspector', `/api/reports/${reportId}/finalise`)).json().errors[0].message).toBe(
      'Decide every point before finalising: 1 point is undecided',
    );
    const rejected = await post('manager', `/api/reports/${reportId}/points/${second!.id}`, {
      decision: 'rejected',
      reason: 'The records we saw were not updated',
    });
    expect(rejected.statusCode).toBe(200);

    onDay('2025-03-10');
    const final = await post('inspector', `/api/reports/${reportId}/finalise`);
    expect(final.statusCode).toBe(200);
    expect(final.json()).toMatchObject({
      status: 'final',
      finalisedOn: '2025-03-10',
      presumedAccurate: false,
      narrative: corrected,
      version: 4,
    });
    expect(final.json().versions.map((v: { changeNote: string }) => v.changeNote)).toEqual([
      'Draft report issued',
      'Stronger wording after moderation',
      'Point 1 accepted: The manager started in February',
      'Finalised: 1 of 2 points accepted',
    ]);
    expect(
      (await post('inspector', `/api/reports/${reportId}/versions`, { narrative: 'x', note: 'y' }))
        .statusCode,
    ).toBe(409);
    expect(await messages('report-finalised', 'provider@demo.invalid')).toHaveLength(1);
  });

  it('publishes a final report (managers only), once', async () => {
    onDay('2025-03-11');
    await completeInspection(post, inspectionId);
    expect((await post('inspector', `/api/reports/${reportId}/publish`)).statusCode).toBe(403);
    const published = await post('manager', `/api/reports/${reportId}/publish`);
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', publishedOn: '2025-03-11', version: 5 });
    expect((await post('manager', `/api/reports/${reportId}/publish`)).statusCode).toBe(409);
    const publicView = await get(null, `/api/reports/${reportId}`);
    expect(publicView.statusCode).toBe(200);
    expect(publicView.json().response).toBeUndefined();
    expect(publicView.json().versions).toBeUndefined();
  });

  let complaintReportId: string;

  it('takes a formal complaint through the draft, and holds publication until it closes', async () => {
    onDay('2025-04-01');
    const id = await conductInspection(homes[1]!.id, '2025-03-17', '2025-03-19');
    const report = await issue(id);
    complaintReportId = report.id;
    const noSummary = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'formal-complaint',
    });
    expect(noSummary.statusCode).toBe(422);
    expect(noSummary.json().errors).toEqual([
      { field: 'summary', message: 'Say what you are complaining about and why' },
    ]);
    const sent = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'formal-complaint',
      summary: 'The help and protection judgement ignores the evidence we gave on the last day',
    });
    expect(sent.statusCode).toBe(201);
    expect(sent.json().complaint.reference).toMatch(/^C-[0-9A-F]{8}$/);
    const complaint = await t.db
      .selectFrom('complaints')
      .selectAll()
      .where('inspection_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(complaint).toMatchObject({
      channel: 'draft-response',
      complainant_email: 'provider@demo.invalid',
      received_on: '2025-04-01',
      reference: sent.json().complaint.reference,
    });

    expect((await post('inspector', `/api/reports/${report.id}/finalise`)).statusCode).toBe(200);
    const blocked = await post('manager', `/api/reports/${report.id}/publish`);
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().detail).toBe(
      'A complaint about this inspection is still open: the complaint must close before the report is published.',
    );
    expect((await get('provider', `/api/reports/${report.id}`)).json().status).toBe('final');

    await t.db
      .updateTable('complaints')
      .set({ closed_at: clock.now() })
      .where('id', '=', complaint.id)
      .execute();
    await completeInspection(post, id);
    expect((await post('manager', `/api/reports/${report.id}/publish`)).statusCode).toBe(200);
  });

  it('refuses a late response with the deadline, then presumes the report accurate exactly once', async () => {
    onDay('2025-06-02');
    const id = await conductInspection(homes[0]!.id, '2025-05-20', '2025-05-21');
    const report = await issue(id);
    expect(report.responseDue).toBe('2025-06-09');

    onDay('2025-06-05'); // Thursday: the reminder went out at the start of the day.
    expect(await runDueDeadlines(t.db, reportActions(), clock.now())).toEqual({ done: 1, failed: 0 });
    expect(await messages('draft-report-reminder', 'provider@demo.invalid')).toHaveLength(1);
    const refused = await post('inspector', `/api/reports/${report.id}/finalise`);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].field).toBe('responseDue');

    // Tuesday 10 June in the morning, British Summer Time: the window closed at the end of 9 June.
    clock.set('2025-06-10T08:00:00+01:00');
    const late = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'minor-points',
      points: [{ passage: 'well cared for', comment: 'x' }],
    });
    expect(late.statusCode).toBe(422);
    expect(late.json().errors).toEqual([
      { field: 'responseDue', message: 'The deadline to respond was 9 June 2025' },
    ]);

    expect(await runDueDeadlines(t.db, reportActions(), clock.now())).toEqual({ done: 1, failed: 0 });
    expect(await runDueDeadlines(t.db, reportActions(), clock.now())).toEqual({ done: 0, failed: 0 });
    const presumed = (await get('inspector', `/api/reports/${report.id}`)).json();
    expect(presumed).toMatchObject({
      status: 'final',
      presumedAccurate: true,
      finalisedOn: '2025-06-10',
      version: 2,
    });
    expect(presumed.versions[1]).toMatchObject({
      changeNote: 'No response by 9 June 2025: the report is presumed accurate and final',
      changedBy: null,
    });
    expect(await messages('report-presumed-accurate', 'provider@demo.invalid')).toHaveLength(1);
    expect((await deadlinesOf(report.id)).map((d) => d.status)).toEqual(['done', 'done']);
    const afterwards = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'minor-points',
      points: [{ passage: 'well cared for', comment: 'x' }],
    });
    expect(afterwards.statusCode).toBe(422);

    const timeline = (await get('provider', `/api/inspections/${id}/timeline`)).json();
    expect(timeline.steps.find((s: { id: string }) => s.id === 'response')).toMatchObject({
      due: '2025-06-09',
      on: '2025-06-10',
      outcome: 'No response in time: the report is presumed accurate',
    });
  });

  it('offers only factual accuracy and process comments under the 2020 procedure', async () => {
    onDay('2023-06-20');
    const id = await conductInspection(homes[1]!.id, '2023-06-12', '2023-06-14');
    const report = await issue(id);
    expect(report.procedure).toMatchObject({
      id: 'post-inspection-2020',
      responseRoutes: ['factual-accuracy-and-process-comments'],
    });
    expect(report.responseDue).toBe('2023-06-27');
    const minor = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'minor-points',
      points: [{ passage: 'well cared for', comment: 'x' }],
    });
    expect(minor.statusCode).toBe(422);
    expect(minor.json().errors[0]).toMatchObject({ field: 'route' });
    expect(minor.json().errors[0].message).toContain('factual-accuracy-and-process-comments');
    const complaint = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'formal-complaint',
      summary: 'x',
    });
    expect(complaint.statusCode).toBe(422);
    const comments = await post('provider', `/api/reports/${report.id}/response`, {
      route: 'factual-accuracy-and-process-comments',
      points: [{ passage: 'Records of missing episodes are complete', comment: 'And audited monthly' }],
    });
    expect(comments.statusCode).toBe(201);

    const timeline = (await get('provider', `/api/inspections/${id}/timeline`)).json();
    expect(timeline.procedure.id).toBe('post-inspection-2020');
    expect(timeline.steps.map((s: { id: string }) => s.id)).toEqual([
      'draft-report',
      'response',
      'final-report',
      'formal-complaint',
      'publication',
    ]);
    expect(timeline.events).toEqual([
      { on: '2023-06-20', step: 'draft-report', what: 'Draft report issued' },
      {
        on: '2023-06-20',
        step: 'response',
        what: 'Responded: point out factual inaccuracies and comment on the inspection process or conduct',
      },
    ]);
  });

  it('finds only published reports in the public search, with its filters', async () => {
    const all = await get(null, '/api/reports');
    expect(all.statusCode).toBe(200);
    expect(
      all
        .json()
        .items.map((r: { id: string }) => r.id)
        .sort(),
    ).toEqual([reportId, complaintReportId].sort());
    expect(all.json().items.every((r: { status: string }) => r.status === 'published')).toBe(true);

    const byName = (
      await get(null, `/api/reports?q=${encodeURIComponent(homes[0]!.name.slice(0, 5))}`)
    ).json();
    expect(byName.items.map((r: { id: string }) => r.id)).toEqual([reportId]);
    const urn = byName.items[0].provider.urn;
    expect((await get(null, `/api/reports?q=${urn.toLowerCase()}`)).json().total).toBe(1);
    expect(
      (await get(null, '/api/reports?grade=requires-improvement-to-be-good&type=childrens-home')).json()
        .total,
    ).toBe(2);
    expect((await get(null, '/api/reports?grade=outstanding')).json().total).toBe(0);
    const la = byName.items[0].provider.localAuthority;
    expect(
      (await get(null, `/api/reports?localAuthority=${encodeURIComponent(la)}`)).json().items[0].id,
    ).toBe(reportId);
    expect((await get(null, '/api/reports?page=2&pageSize=1')).json()).toMatchObject({
      page: 2,
      pageSize: 1,
      total: 2,
      totalPages: 2,
    });
    const badGrade = await get(null, '/api/reports?grade=brilliant');
    expect(badGrade.statusCode).toBe(400);
    expect(badGrade.json().errors[0].field).toBe('grade');
  });

  it('hides another provider’s unpublished report from the provider, and from the public', async () => {
    onDay('2026-11-20');
    const theirs = (await get('inspector', '/api/inspections?status=feedback-given&mine=true')).json()
      .items[0];
    expect(homes.map((h) => h.id)).not.toContain(theirs.provider.id);
    await signOffModeration(post, theirs.id);
    const report = await issue(theirs.id);
    for (const url of [
      `/api/reports/${report.id}`,
      `/api/reports/${report.id}/pdf`,
      `/api/inspections/${theirs.id}/report`,
      `/api/inspections/${theirs.id}/timeline`,
    ]) {
      expect((await get('provider', url)).statusCode, url).toBe(404);
    }
    expect((await get(null, `/api/reports/${report.id}`)).statusCode).toBe(404);
    expect((await get(null, `/api/reports/${report.id}/pdf`)).statusCode).toBe(404);
    expect(
      (await post('provider', `/api/reports/${report.id}/response`, { route: 'minor-points' })).statusCode,
    ).toBe(404);
    expect((await get('complaints', `/api/reports/${report.id}`)).statusCode).toBe(200);
    expect((await get(null, '/api/reports/not-a-report')).statusCode).toBe(404);
  });

  it('keeps a planned no-notice inspection’s timeline from the provider', async () => {
    const planned = (await get('planner', '/api/inspections?status=planned&pageSize=100'))
      .json()
      .items.find((i: { provider: { id: string } }) => homes.some((h) => h.id === i.provider.id));
    expect(planned.notice).toBe('none');
    expect((await get('provider', `/api/inspections/${planned.id}/timeline`)).statusCode).toBe(404);
    const staff = await get('planner', `/api/inspections/${planned.id}/timeline`);
    expect(staff.statusCode).toBe(200);
    expect(staff.json()).toMatchObject({
      procedure: { id: 'post-inspection-2024-04' },
      reportId: null,
      events: [],
    });
  });

  it('renders a report as a PDF for anyone once published', async () => {
    const pdf = await get(null, `/api/reports/${reportId}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(
      /^attachment; filename="inspection-report-[A-Z0-9]+\.pdf"$/,
    );
    expect(pdf.rawPayload.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(pdf.rawPayload.length).toBeGreaterThan(2000);
  });

  it('shows the report pages: public search and report, and the team’s section only to the inspectorate', async () => {
    const jar = await signInAs(t.app, 'inspector', DEMO_PASSWORD);
    const team = await getPage(t.app, jar, `/inspections/${inspectionId}/report`);
    expect(team.statusCode).toBe(200);
    expect(team.body).toContain('Point 1 accepted: The manager started in February');
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    expect((await getPage(t.app, provider, `/inspections/${inspectionId}/report`)).statusCode).toBe(404);
    const signedOut = await t.app.inject({ url: `/reports/${reportId}/respond` });
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.headers.location).toBe(
      `/sign-in?returnTo=${encodeURIComponent(`/reports/${reportId}/respond`)}`,
    );
    const search = await t.app.inject({ url: `/reports?q=${encodeURIComponent(homes[0]!.name)}` });
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain(`href="/reports/${reportId}"`);
    const page = await t.app.inject({ url: `/reports/${reportId}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Download PDF');
    expect(page.body).toContain('Requires improvement to be good');
  });

  it('lists every report in progress a page at a time, well past the first hundred', async () => {
    // 105 drafts written straight to the tables, copying a real report's content: what matters here
    // is the list, not how each report came to be.
    const content = (
      await t.db
        .selectFrom('report_versions')
        .select('content')
        .where('report_id', '=', reportId)
        .where('version', '=', 1)
        .executeTakeFirstOrThrow()
    ).content;
    const oldest = '2019-01-01';
    await t.db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('inspections')
        .values(
          Array.from({ length: 105 }, (_, n) => ({
            provider_id: homes[1]!.id,
            framework_id: 'childrens-homes',
            type: 'full',
            notice: 'announced',
            start_date: `2019-01-${String((n % 28) + 1).padStart(2, '0')}`,
            end_date: `2019-01-${String((n % 28) + 1).padStart(2, '0')}`,
            lead_inspector_id: inspectorId,
            status: 'completed',
          })),
        )
        .returning('id')
        .execute();
      const reports = await trx
        .insertInto('reports')
        .values(
          created.map(({ id }, n) => ({
            inspection_id: id,
            procedure_id: 'post-inspection-2024-04',
            // The first is the oldest draft, so it comes last in the list.
            draft_issued_on: n === 0 ? oldest : '2019-02-01',
            response_due: n === 0 ? oldest : '2019-02-08',
          })),
        )
        .returning('id')
        .execute();
      await trx
        .insertInto('report_versions')
        .values(
          reports.map(({ id }) => ({
            report_id: id,
            version: 1,
            narrative: 'Bulk',
            content: JSON.stringify(content),
            change_note: 'Draft report issued',
          })),
        )
        .execute();
    });
    const oldestReport = await t.db
      .selectFrom('reports')
      .select('inspection_id')
      .where('draft_issued_on', '=', oldest)
      .executeTakeFirstOrThrow();
    const total = Number(
      (
        await t.db
          .selectFrom('reports')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '<>', 'published')
          .executeTakeFirstOrThrow()
      ).n,
    );
    expect(total).toBeGreaterThan(105);
    const rowsOf = (html: string) => (html.match(/<tr class="govuk-table__row">/g) ?? []).length - 1;

    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const search = await getPage(t.app, manager, '/reports');
    expect(rowsOf(search.body.slice(search.body.indexOf('id="unpublished"')).split('</table>')[0]!)).toBe(10);
    expect(search.body).toContain(`See all ${total} reports in progress`);

    const lastPage = Math.ceil(total / 25);
    const first = await getPage(t.app, manager, '/reports/in-progress');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain(`Showing 1 to 25 of ${total} reports`);
    expect(rowsOf(first.body)).toBe(25);
    expect(first.body).toContain(`href="/reports/in-progress?page=${lastPage}"`);
    expect(first.body).not.toContain(`/inspections/${oldestReport.inspection_id}/report`);
    const last = await getPage(t.app, manager, `/reports/in-progress?page=${lastPage}`);
    expect(last.body).toContain(`Showing ${(lastPage - 1) * 25 + 1} to ${total} of ${total} reports`);
    expect(last.body).toContain(`href="/inspections/${oldestReport.inspection_id}/report"`);

    // A provider pages through its own; someone signed out is asked to sign in.
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    const own = await getPage(t.app, provider, '/reports/in-progress?pageSize=100&page=2');
    expect(own.statusCode).toBe(200);
    expect(own.body).toMatch(/Showing 101 to \d+ of \d+ reports/);
    expect((await t.app.inject({ url: '/reports/in-progress' })).statusCode).toBe(303);
  });
});

describe.each(kinds)('the public search kept in step with the reports on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2025-03-03T10:00:00Z'));
  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string | null, url: string) =>
    t.app.inject({ url, headers: role ? await as(role) : {} });
  const ids = (response: { json(): { items: { id: string }[] } }) => response.json().items.map((r) => r.id);
  const onDay = (date: string) => clock.set(`${date}T10:00:00Z`);

  beforeAll(async () => {
    t = await startTestApp(kind, { BASE_URL: BASE_URL }, { clock });
  });
  afterAll(async () => t?.close());

  /** A published report of an inspection graded good, limited to requires improvement. */
  async function publishedReport(providerId: string, start: string, end: string) {
    const inspectorId = (await get('inspector', '/api/me')).json().id;
    const created = await post('planner', '/api/inspections', {
      providerId,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate: start,
      endDate: end,
      leadInspectorId: inspectorId,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id: string = created.json().id;
    expect((await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' })).statusCode).toBe(
      200,
    );
    const evidence = await post('inspector', `/api/inspections/${id}/evidence`, {
      source: 'observation',
      summary: 'Warm, attuned interactions at tea time',
    });
    for (const [areaId, grade] of [
      ['overall-experiences-and-progress', 'good'],
      ['help-and-protection', 'requires-improvement-to-be-good'],
      ['leaders-and-managers', 'good'],
    ]) {
      const given = await post('inspector', `/api/inspections/${id}/judgements`, {
        areaId,
        grade,
        evidenceIds: [evidence.json().id],
        rationale: 'The evidence shows it',
      });
      expect(given.statusCode).toBe(201);
    }
    await post('inspector', `/api/inspections/${id}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No comments on the conduct of the inspection',
    });
    const feedback = await post('inspector', `/api/inspections/${id}/feedback`, {
      summary: 'Feedback given to the registered manager',
      acknowledgeWarnings: true,
    });
    expect(feedback.statusCode, feedback.body).toBe(200);
    await signOffModeration(post, id);
    return id;
  }

  it('counts the grade the inspector gave, not the moderated one, in the consistency figures', async () => {
    const home = (await get('provider', '/api/me')).json().providers[0];
    const id = await publishedReport(home.id, '2017-05-15', '2017-05-17');
    // Moderation lowers the headline area: inadequate overall, where the inspector had it requiring
    // improvement (limited by help and protection).
    const moderated = await post(
      'manager',
      `/api/inspections/${id}/judgements/overall-experiences-and-progress/moderation`,
      { grade: 'inadequate', reason: 'The evidence of progress does not hold up' },
    );
    expect(moderated.statusCode, moderated.body).toBe(201);
    const completed = await post('manager', `/api/inspections/${id}/status`, { status: 'completed' });
    expect(completed.statusCode, completed.body).toBe(200);

    const figure = (
      await get('analyst', '/api/statistics/inspector-grades?from=2017-04-01&to=2018-03-31')
    ).json();
    expect(figure.rows.map((r: Record<string, unknown>) => [r.inspections, r.grades])).toEqual([
      [1, 'Outstanding: 0; Good: 0; Requires improvement to be good: 1; Inadequate: 0'],
    ]);
  });

  it('finds an amended report by what it says now, and counts a broad search only so far', async () => {
    onDay('2025-04-01');
    const home = (await get('provider', '/api/me')).json().providers[1];
    const inspectionId = await publishedReport(home.id, '2025-03-17', '2025-03-19');
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, {
      narrative: NARRATIVE,
    });
    expect(issued.statusCode).toBe(201);
    const reportId: string = issued.json().id;
    onDay('2025-05-20');
    expect((await post('manager', `/api/reports/${reportId}/finalise`)).statusCode).toBe(200);
    await completeInspection(post, inspectionId);
    expect((await post('manager', `/api/reports/${reportId}/publish`)).statusCode).toBe(200);
    const byGrade = (grade: string) =>
      get(null, `/api/reports?grade=${grade}&q=${encodeURIComponent(home.name)}`);
    expect(ids(await byGrade('requires-improvement-to-be-good'))).toContain(reportId);
    expect(ids(await byGrade('inadequate'))).not.toContain(reportId);

    // An upheld complaint changes a grade and amends the published report in one transaction.
    const manager = (await get('manager', '/api/me')).json().id;
    await t.db.transaction().execute(async (trx) => {
      await reviseJudgementIn(trx, manager, inspectionId, 'overall-experiences-and-progress', {
        grade: 'inadequate',
        reason: 'Complaint upheld',
      });
      await amendReportAfterComplaint(
        trx,
        manager,
        inspectionId,
        { complaint: 'C-TEST-1', note: 'The headline grade was wrong', judgementsChanged: true },
        clock.now(),
      );
    });
    expect(ids(await byGrade('inadequate'))).toContain(reportId);
    expect(ids(await byGrade('requires-improvement-to-be-good'))).not.toContain(reportId);

    // Under the cap the count is exact; past it the search says "more than".
    const exact = (await get(null, '/api/reports')).json();
    expect(exact.totalExact).toBe(true);
    const capped = await searchPublishedReports(t.db, { page: 1, pageSize: 1 }, exact.total - 1);
    expect(capped).toMatchObject({ total: exact.total - 1, totalExact: false });
    expect(capped.items).toHaveLength(1);
  });

  it('says a search found more than ten thousand reports rather than counting them all', async () => {
    const stored = (
      await t.db
        .selectFrom('reports as r')
        .innerJoin('report_versions as v', (join) =>
          join.onRef('v.report_id', '=', 'r.id').onRef('v.version', '=', 'r.version'),
        )
        .select('v.content')
        .where('r.status', '=', 'published')
        .executeTakeFirstOrThrow()
    ).content;
    const copied = (typeof stored === 'string' ? JSON.parse(stored) : stored) as ReportContent;
    const content = { ...copied, provider: { ...copied.provider, name: 'Bulk home' } };
    const provider = (await get('provider', '/api/me')).json().providers[0].id;
    const lead = (await get('inspector', '/api/me')).json().id;
    // Ten thousand published reports written straight to the tables, as the migration finds them.
    await sql`
      with made as (
        insert into inspections (provider_id, framework_id, type, notice, start_date, end_date,
          lead_inspector_id, status)
        select ${provider}::uuid, 'childrens-homes', 'full', 'announced', date '2018-01-01' + n % 300,
          date '2018-01-01' + n % 300, ${lead}::uuid, 'completed'
        from generate_series(1, ${SEARCH_COUNT_LIMIT}) n
        returning id, end_date
      ),
      reported as (
        insert into reports (inspection_id, procedure_id, status, draft_issued_on, response_due,
          finalised_on, published_on)
        select id, 'post-inspection-2020', 'published', end_date + 5, end_date + 10, end_date + 15,
          end_date + 20
        from made
        returning id
      )
      insert into report_versions (report_id, version, narrative, content, change_note)
      select id, 1, 'Bulk', ${JSON.stringify(content)}::jsonb, 'Published' from reported`.execute(t.db);
    await sql.raw(fillReportSearchFields).execute(t.db);

    const all = (await get(null, '/api/reports?pageSize=50')).json();
    expect(all).toMatchObject({
      total: SEARCH_COUNT_LIMIT,
      totalExact: false,
      totalPages: SEARCH_COUNT_LIMIT / 50,
    });
    const page = await t.app.inject({ url: '/reports?pageSize=50&page=3' });
    expect(page.body).toContain('Showing 101 to 150 of more than 10,000 reports');
    // A filter that matches few is counted exactly.
    const home = (await get('provider', '/api/me')).json().providers[1];
    const few = (await get(null, `/api/reports?q=${encodeURIComponent(home.name)}`)).json();
    expect(few).toMatchObject({ totalExact: true, total: few.items.length });
  });
});
