import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aPerson, aProvider } from '../support/factories.js';
import { completeInspection, signOffModeration } from '../support/steps.js';

/**
 * An inspection held before September 2020, under the single inspection framework, taken end to end
 * under the procedure of its day: the draft checked for factual accuracy only, the report finalised and,
 * once the complaint about it has been through the internal review to ICASO, published.
 */

const kinds = await databaseKinds();
const PASSWORD = 'historical-provider-password';

describe.each(kinds)('an inspection that ended in 2016, on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2016-03-14T10:00:00Z'));
  let providerToken: string;
  let inspectionId: string;
  let reportId: string;
  let complaintId: string;
  const evidence: string[] = [];

  const as = async (role: string) =>
    role === 'la'
      ? { authorization: `Bearer ${providerToken}` }
      : { authorization: `Bearer ${await t.tokenFor(role)}` };
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const on = (date: string) => clock.set(`${date}T10:00:00Z`);

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const authority = await aProvider(t.db, {
      urn: String(880_000 + Math.floor(Math.random() * 100_000)),
      name: 'Historic Borough Council children’s services',
      type: 'local-authority',
      sector: 'local-authority',
      registeredOn: '2008-04-01',
    });
    const person = await aPerson(t.db, { role: 'provider', password: PASSWORD, providerIds: [authority.id] });
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: person.email, password: PASSWORD },
    });
    expect(token.statusCode, token.body).toBe(201);
    providerToken = token.json().token;

    const inspectorId = (await get('inspector', '/api/me')).json().id;
    const created = await post('planner', '/api/inspections', {
      providerId: authority.id,
      frameworkId: 'sif-2013',
      notice: 'none',
      startDate: '2016-02-22',
      endDate: '2016-03-11',
      leadInspectorId: inspectorId,
    });
    expect(created.statusCode, created.body).toBe(201);
    inspectionId = created.json().id;
    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/status`, { status: 'on-site' })).statusCode,
    ).toBe(200);
    for (const [source, summary] of [
      ['case-tracking', 'Twelve children’s journeys tracked from referral'],
      ['staff', 'Social workers describe manageable caseloads'],
      ['document', 'Strategy discussions recorded within a day'],
      ['child', 'Care leavers say their personal advisers keep in touch'],
      ['observation', 'Front door decisions are timely and recorded'],
    ]) {
      const recorded = await post('inspector', `/api/inspections/${inspectionId}/evidence`, {
        source,
        summary,
      });
      expect(recorded.statusCode, recorded.body).toBe(201);
      evidence.push(recorded.json().id);
    }
  });
  afterAll(async () => t?.close());

  it('is graded under the single inspection framework, and cites guidance rather than regulations', async () => {
    for (const [areaId, grade, ids] of [
      ['overall-effectiveness', 'requires-improvement', [evidence[0], evidence[4]]],
      ['help-and-protection', 'requires-improvement', [evidence[2], evidence[4]]],
      ['looked-after-and-permanence', 'good', [evidence[0], evidence[1]]],
      ['adoption-performance', 'good', [evidence[0]]],
      ['care-leavers', 'good', [evidence[3]]],
      ['leadership-management-governance', 'requires-improvement', [evidence[1], evidence[2]]],
      ['lscb', 'good', [evidence[2]]],
    ] as const) {
      const given = await post('inspector', `/api/inspections/${inspectionId}/judgements`, {
        areaId,
        grade,
        evidenceIds: ids,
        rationale: 'The evidence shows it',
      });
      expect(given.statusCode, given.body).toBe(201);
    }
    const requirement = await post('inspector', `/api/inspections/${inspectionId}/requirements`, {
      regulationId: 'childrens-homes-2015-reg-12',
      action: 'x',
      impact: 'y',
      evidenceIds: [evidence[1], evidence[2]],
      complyBy: '2016-06-30',
    });
    expect(requirement.statusCode).toBe(422);
    expect(requirement.json().errors[0]).toMatchObject({
      field: 'regulationId',
      message: expect.stringMatching(/no regulations in the catalogue apply/),
    });
    const recommendation = await post('inspector', `/api/inspections/${inspectionId}/recommendations`, {
      guideId: 'working-together-2015',
      page: 40,
      paragraph: '23',
      text: 'Strategy discussions should involve the police and health in every case',
    });
    expect(recommendation.statusCode, recommendation.body).toBe(201);
    await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No comments on the conduct of the inspection',
    });
    const feedback = await post('inspector', `/api/inspections/${inspectionId}/feedback`, {
      summary: 'Feedback given to the director of children’s services',
      acknowledgeWarnings: true,
    });
    expect(feedback.statusCode, feedback.body).toBe(200);
    await signOffModeration(post, inspectionId);
    expect((await get('inspector', `/api/inspections/${inspectionId}`)).json().overallGrade).toMatchObject({
      grade: 'requires-improvement',
    });
  });

  it('has its draft issued under the procedure before September 2020 and checked for factual accuracy only', async () => {
    on('2016-04-04');
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, {
      narrative:
        'Children who need help and protection are seen quickly.\n\nCare leavers are well supported.',
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const report = issued.json();
    reportId = report.id;
    expect(report).toMatchObject({
      status: 'draft',
      procedure: { id: 'post-inspection-before-2020', responseRoutes: ['factual-accuracy'] },
      draftIssuedOn: '2016-04-04',
      // Five working days after Monday 4 April 2016.
      responseDue: '2016-04-11',
    });

    on('2016-04-06');
    const complaintAsAnswer = await post('la', `/api/reports/${reportId}/response`, {
      route: 'formal-complaint',
    });
    expect(complaintAsAnswer.statusCode).toBe(422);
    expect(complaintAsAnswer.json().errors[0].field).toBe('route');
    const answered = await post('la', `/api/reports/${reportId}/response`, {
      route: 'factual-accuracy',
      points: [
        { passage: 'Care leavers are well supported', comment: 'Care leavers are very well supported' },
      ],
    });
    expect(answered.statusCode, answered.body).toBe(201);
    const [point] = answered.json().points as { id: string }[];
    const decided = await post('inspector', `/api/reports/${reportId}/points/${point!.id}`, {
      decision: 'rejected',
      reason: 'The evidence supports the words as they stand',
    });
    expect(decided.statusCode, decided.body).toBe(200);

    on('2016-04-12');
    const final = await post('inspector', `/api/reports/${reportId}/finalise`);
    expect(final.statusCode, final.body).toBe(200);
    expect(final.json()).toMatchObject({ status: 'final', finalisedOn: '2016-04-12' });
  });

  it('takes a complaint through the internal review to ICASO, and is published once it is closed', async () => {
    on('2016-04-15');
    const made = await post('la', '/api/complaints', {
      inspectionId,
      summary: 'The inspectors did not speak to our early help partners.',
    });
    expect(made.statusCode, made.body).toBe(201);
    complaintId = made.json().id;
    expect(made.json()).toMatchObject({
      status: 'received',
      procedure: { id: 'post-inspection-before-2020', internalReview: true },
    });
    expect((await post('manager', `/api/reports/${reportId}/publish`)).statusCode).toBe(409);

    expect((await post('complaints', `/api/complaints/${complaintId}/acknowledge`, {})).statusCode).toBe(200);
    on('2016-05-03');
    const closed = await post('complaints', `/api/complaints/${complaintId}/outcome`, {
      outcome: 'not-upheld',
      reasons: 'Early help partners were met on the second day.',
      remedies: [],
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const straightOn = await post('la', `/api/complaints/${complaintId}/escalate`, { grounds: 'x' });
    expect(straightOn.statusCode).toBe(409);
    expect(straightOn.json().detail).toBe(
      'Under the post-inspection arrangements before September 2020 an internal review comes first: ask for one before escalating to ICASO',
    );
    on('2016-05-10');
    const review = await post('la', `/api/complaints/${complaintId}/internal-review`, {
      grounds: 'The reply did not say who was met.',
    });
    expect(review.statusCode, review.body).toBe(200);
    const reviewed = await post('complaints', `/api/complaints/${complaintId}/internal-review/decision`, {
      finding: 'handled-properly',
      reasons: 'The meeting notes were shared with the reply.',
    });
    expect(reviewed.statusCode, reviewed.body).toBe(200);
    const escalated = await post('la', `/api/complaints/${complaintId}/escalate`, {
      grounds: 'The internal review did not look at our notes.',
    });
    expect(escalated.statusCode, escalated.body).toBe(200);
    expect(escalated.json().status).toBe('escalated');

    await completeInspection(post, inspectionId);
    const published = await post('manager', `/api/reports/${reportId}/publish`);
    expect(published.statusCode, published.body).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', publishedOn: '2016-05-10' });
  });
});
