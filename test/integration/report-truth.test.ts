import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { getPage, signInAs } from '../support/pages.js';
import { databaseKinds } from '../support/databases.js';
import {
  completeInspection,
  conductToFeedback,
  heldToFeedback,
  signOffModeration,
} from '../support/steps.js';

const kinds = await databaseKinds();

/**
 * What is published never contradicts what was decided (docs/after-the-inspection.md): the draft waits
 * for moderation, a later change of grade reaches the report, and a flawed inspection's report is
 * withdrawn and never published.
 */
describe.each(kinds)('the report keeps to its inspection on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2025-03-03T10:00:00Z'));
  let homeId: string;
  let inspectorId: string;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string | null, url: string) =>
    t.app.inject({ url, headers: role ? await as(role) : {} });
  const onDay = (date: string) => clock.set(`${date}T10:00:00Z`);
  const told = (template: string) =>
    t.db
      .selectFrom('outbox')
      .select(['recipient', 'body'])
      .where('template', '=', template)
      .where('recipient', '=', 'provider@demo.invalid')
      .execute();
  const held = (startDate: string, endDate: string) =>
    heldToFeedback(post, {
      providerId: homeId,
      inspectorId,
      startDate,
      endDate,
      grades: ['good', 'good', 'good'],
    });
  const issue = async (inspectionId: string) => {
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, {
      narrative: 'Children are safe and well cared for.',
    });
    expect(issued.statusCode, issued.body).toBe(201);
    return issued.json() as { id: string; responseDue: string };
  };

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    homeId = (await get('provider', '/api/me')).json().providers[0].id;
    inspectorId = (await get('inspector', '/api/me')).json().id;
  });
  afterAll(async () => t?.close());

  it('issues the draft only once a manager has signed moderation off, done or waived with a reason', async () => {
    onDay('2025-03-03');
    const id = await held('2025-02-24', '2025-02-26');
    const early = await post('inspector', `/api/inspections/${id}/report`, { narrative: 'Too soon' });
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toBe(
      'A manager must sign moderation off (done, or waived with a reason) before the draft report is issued.',
    );
    expect(
      (await post('inspector', `/api/inspections/${id}/moderation`, { outcome: 'done' })).statusCode,
    ).toBe(403);
    const noReason = await post('manager', `/api/inspections/${id}/moderation`, { outcome: 'waived' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors).toEqual([
      { field: 'reason', message: 'Give the reason moderation is waived' },
    ]);
    expect((await get('manager', `/api/inspections/${id}`)).json().moderation).toBeNull();

    const waived = await post('manager', `/api/inspections/${id}/moderation`, {
      outcome: 'waived',
      reason: 'A monitoring-style visit with every grade unchanged from the last',
    });
    expect(waived.statusCode, waived.body).toBe(200);
    expect(waived.json().moderation).toMatchObject({
      waiver: 'A monitoring-style visit with every grade unchanged from the last',
    });
    expect((await post('manager', `/api/inspections/${id}/moderation`, { outcome: 'done' })).statusCode).toBe(
      409,
    );
    await issue(id);
  });

  it('puts a grade moderated after the draft into a new version, gives the provider its window again and tells them', async () => {
    onDay('2025-03-03');
    const id = await held('2025-02-24', '2025-02-26');
    await signOffModeration(post, id);
    const issued = await issue(id);
    // Five working days after Monday 3 March 2025.
    expect(issued.responseDue).toBe('2025-03-10');

    onDay('2025-03-05');
    const moderated = await post(
      'manager',
      `/api/inspections/${id}/judgements/help-and-protection/moderation`,
      {
        grade: 'inadequate',
        reason: 'Missing episodes were not followed up',
      },
    );
    expect(moderated.statusCode, moderated.body).toBe(201);

    const report = (await get('provider', `/api/reports/${issued.id}`)).json();
    expect(report.version).toBe(2);
    expect(report.content.judgements).toContainEqual(
      expect.objectContaining({ areaId: 'help-and-protection', grade: 'inadequate' }),
    );
    expect(report.content.overallGrade.grade).toBe('inadequate');
    // Five working days after Wednesday 5 March 2025: the whole window again, as if issued that day.
    expect(report.responseDue).toBe('2025-03-12');
    expect(report.draftIssuedOn).toBe('2025-03-05');
    const timeline = (await get('provider', `/api/inspections/${id}/timeline`)).json();
    expect(timeline.steps.find((s: { id: string }) => s.id === 'response').due).toBe('2025-03-12');
    const messages = await told('report-regraded');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain('Missing episodes were not followed up');
    expect(messages[0]!.body).toContain('You now have until 12 March 2025 to respond');

    // Nothing is presumed at the end of the first window.
    await runDueDeadlines(t.db, t.app.deadlineActions, new Date('2025-03-11T12:00:00Z'));
    expect((await get('provider', `/api/reports/${issued.id}`)).json().status).toBe('draft');

    // The page the provider reads says the same.
    onDay('2025-03-06');
    const answered = await post('provider', `/api/reports/${issued.id}/response`, {
      route: 'minor-points',
      points: [{ passage: 'Children are safe', comment: 'Clearer wording' }],
    });
    expect(answered.statusCode, answered.body).toBe(201);
    // A grade moderated after the answer: a new version, the answer kept, no new window.
    const again = await post('manager', `/api/inspections/${id}/judgements/leaders-and-managers/moderation`, {
      grade: 'requires-improvement-to-be-good',
      reason: 'Supervision is irregular',
    });
    expect(again.statusCode, again.body).toBe(201);
    const after = (await get('provider', `/api/reports/${issued.id}`)).json();
    expect(after.version).toBe(3);
    expect(after.responseDue).toBe('2025-03-12');
    expect(after.response).not.toBeNull();
    expect(await told('report-regraded')).toHaveLength(2);
  });

  it('withdraws the draft of an inspection declared incomplete: never answered, presumed accurate or published', async () => {
    onDay('2025-03-03');
    const id = await held('2025-02-24', '2025-02-26');
    await signOffModeration(post, id);
    const issued = await issue(id);

    const declared = await post('manager', `/api/inspections/${id}/incomplete`, {
      condition: 'insufficient-evidence',
      reasons: 'Too few children were spoken to',
      additionalVisit: {
        startDate: '2025-03-10',
        endDate: '2025-03-11',
        leadInspectorId: inspectorId,
        team: [],
      },
    });
    expect(declared.statusCode, declared.body).toBe(201);

    const report = (await get('manager', `/api/reports/${issued.id}`)).json();
    expect(report.status).toBe('withdrawn');
    const messages = await told('report-withdrawn');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toContain('will not be published');

    const answer = await post('provider', `/api/reports/${issued.id}/response`, {
      route: 'minor-points',
      points: [{ passage: 'Children are safe', comment: 'x' }],
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().detail).toBe(
      'The report was withdrawn because the inspection was declared incomplete.',
    );
    await runDueDeadlines(t.db, t.app.deadlineActions, new Date('2025-04-30T12:00:00Z'));
    expect((await get('manager', `/api/reports/${issued.id}`)).json().status).toBe('withdrawn');
    onDay('2025-04-30');
    expect((await post('manager', `/api/reports/${issued.id}/finalise`)).statusCode).toBe(409);
    expect((await post('manager', `/api/reports/${issued.id}/publish`)).statusCode).toBe(409);
    expect((await get(null, `/api/reports/${issued.id}`)).statusCode).toBe(404);
    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const inProgress = await getPage(t.app, manager, '/reports/in-progress?pageSize=100');
    expect(inProgress.statusCode).toBe(200);
    expect(inProgress.body).not.toContain(`/inspections/${id}/report`);
    expect(inProgress.body).not.toContain(issued.id);

    // The additional visit has its own report, and that is the one published.
    const visitId: string = declared.json().id;
    onDay('2025-03-10');
    await conductToFeedback(post, visitId, ['requires-improvement-to-be-good', 'good', 'good']);
    await signOffModeration(post, visitId);
    const visitReport = await issue(visitId);
    onDay('2025-03-25');
    expect((await post('manager', `/api/reports/${visitReport.id}/finalise`)).statusCode).toBe(200);
    await completeInspection(post, visitId);
    expect((await post('manager', `/api/reports/${visitReport.id}/publish`)).statusCode).toBe(200);
    const published = (await get(null, `/api/reports/${visitReport.id}`)).json();
    expect(published.content.overallGrade.grade).toBe('requires-improvement-to-be-good');
    expect((await get(null, `/api/reports/${issued.id}`)).statusCode).toBe(404);
  });

  it('publishes only the report of a completed inspection', async () => {
    onDay('2025-03-03');
    const id = await held('2025-02-24', '2025-02-26');
    await signOffModeration(post, id);
    const issued = await issue(id);
    onDay('2025-03-11');
    expect((await post('manager', `/api/reports/${issued.id}/finalise`)).statusCode).toBe(200);
    const early = await post('manager', `/api/reports/${issued.id}/publish`);
    expect(early.statusCode).toBe(409);
    expect(early.json().detail).toBe('The inspection must be completed before its report is published.');
    await completeInspection(post, id);
    expect((await post('manager', `/api/reports/${issued.id}/publish`)).statusCode).toBe(200);
    const published = (await get(null, `/api/reports/${issued.id}`)).json();
    expect(published.content.judgements.map((j: { grade: string }) => j.grade)).toEqual([
      'good',
      'good',
      'good',
    ]);
  });
});
