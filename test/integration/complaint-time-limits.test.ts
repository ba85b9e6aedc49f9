import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';
import { signOffModeration } from '../support/steps.js';

const kinds = await databaseKinds();

interface ApiComplaint {
  id: string;
  status: string;
  closedAt: string | null;
  response: unknown;
  timeLimit: {
    due: string | null;
    late: boolean;
    decision: { decision: string; reasons: string; decidedBy: { name: string } | null } | null;
  };
  actions: string[];
}

/**
 * The time limit for a complaint (seed 003): by the end of the fifth working day after the final report
 * reached the provider. A later complaint is taken in, flagged late, and the handler decides on it.
 */
describe.each(kinds)('complaint time limits on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2023-11-30T10:00:00Z'));
  let t: TestApp;
  let inspectionId: string;
  let reportId: string;
  const made: Record<'beforeFinal' | 'lastDay' | 'late' | 'lateByPhone', string> = {
    beforeFinal: '',
    lastDay: '',
    late: '',
    lateByPhone: '',
  };

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const complaint = async (id: string, role = 'complaints') =>
    (await get(role, `/api/complaints/${id}`)).json() as ApiComplaint;
  const at = (instant: string) => clock.set(instant);

  async function conduct(providerId: string, inspectorId: string): Promise<string> {
    const created = await post('planner', '/api/inspections', {
      providerId,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate: '2023-11-27',
      endDate: '2023-11-29',
      leadInspectorId: inspectorId,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' })).statusCode).toBe(
      200,
    );
    const evidence: string[] = [];
    for (const source of ['observation', 'child', 'staff', 'document', 'case-tracking']) {
      evidence.push(
        (await post('inspector', `/api/inspections/${id}/evidence`, { source, summary: source })).json().id,
      );
    }
    const areas = ['overall-experiences-and-progress', 'help-and-protection', 'leaders-and-managers'];
    for (const [index, areaId] of areas.entries()) {
      const judged = await post('inspector', `/api/inspections/${id}/judgements`, {
        areaId,
        grade: 'good',
        evidenceIds: [evidence[index], evidence[index + 1]],
        rationale: 'Consistent practice',
      });
      expect(judged.statusCode, judged.body).toBe(201);
    }
    await post('inspector', `/api/inspections/${id}/dialogue`, { kind: 'conduct-comment', summary: 'None' });
    const feedback = await post('inspector', `/api/inspections/${id}/feedback`, {
      summary: 'Feedback given',
    });
    expect(feedback.statusCode, feedback.body).toBe(200);
    await signOffModeration(post, id);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const home = (await get('provider', '/api/me')).json().providers[0] as { id: string };
    inspectionId = await conduct(home.id, (await get('inspector', '/api/me')).json().id);
    at('2023-12-01T10:00:00Z');
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, { narrative: 'Good.' });
    expect(issued.statusCode, issued.body).toBe(201);
    reportId = issued.json().id;
  });
  afterAll(async () => t?.close());

  it('counts five working days from the final report, over Christmas and New Year, and flags a later complaint', async () => {
    // Recorded while only the draft had been sent: no time limit had started.
    at('2023-12-05T10:00:00Z');
    const early = await post('complaints', '/api/complaints', {
      inspectionId,
      summary: 'The inspector would not look at our records',
      channel: 'email',
      complainantName: 'R Person',
      complainantEmail: 'r.person@example.com',
      receivedOn: '2023-12-04',
    });
    expect(early.statusCode, early.body).toBe(201);
    made.beforeFinal = early.json().id;
    expect(early.json().timeLimit).toEqual({ due: null, late: false, decision: null });

    // Finalised on Friday 22 December 2023: 25, 26 December and 1 January are bank holidays.
    at('2023-12-22T10:00:00Z');
    const final = await post('inspector', `/api/reports/${reportId}/finalise`);
    expect(final.statusCode, final.body).toBe(200);
    expect(final.json().finalisedOn).toBe('2023-12-22');

    at('2024-01-03T16:30:00Z');
    const inTime = await post('provider', '/api/complaints', {
      inspectionId,
      summary: 'Complaint on the last day',
    });
    expect(inTime.statusCode, inTime.body).toBe(201);
    made.lastDay = inTime.json().id;
    expect(inTime.json().timeLimit).toEqual({ due: '2024-01-03', late: false, decision: null });

    at('2024-01-04T09:00:00Z');
    const late = await post('provider', '/api/complaints', { inspectionId, summary: 'Complaint a day late' });
    expect(late.statusCode, late.body).toBe(201);
    made.late = late.json().id;
    expect(late.json().timeLimit).toEqual({ due: '2024-01-03', late: true, decision: null });
    const told = await t.db
      .selectFrom('outbox')
      .select('body')
      .where('template', '=', 'complaint-received')
      .where('body', 'like', `%/complaints/${made.late}%`)
      .execute();
    expect(told[0]?.body).toContain('It came after its time limit, the end of 3 January 2024');

    // Recorded by complaints staff: judged by the day it came in, not the day it was recorded.
    at('2024-01-08T09:00:00Z');
    const byPhone = await post('complaints', '/api/complaints', {
      inspectionId,
      summary: 'A call about the feedback meeting',
      channel: 'phone',
      complainantName: 'S Caller',
      receivedOn: '2024-01-05',
    });
    made.lateByPhone = byPhone.json().id;
    expect(byPhone.json().timeLimit).toMatchObject({ due: '2024-01-03', late: true });
  });

  it('asks the handler to decide on a late complaint, with reasons, before it is answered', async () => {
    const id = made.lateByPhone;
    expect((await post('complaints', `/api/complaints/${id}/acknowledge`)).statusCode).toBe(200);
    expect((await complaint(id)).actions).toContain('decide-late');
    const answer = await post('complaints', `/api/complaints/${id}/outcome`, {
      outcome: 'not-upheld',
      reasons: 'No grounds',
    });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().detail).toContain('decide whether to accept it out of time first');

    const noReasons = await post('complaints', `/api/complaints/${id}/late-decision`, {
      decision: 'accepted',
    });
    expect(noReasons.statusCode).toBe(400);
    expect(noReasons.json().errors.map((e: { field: string }) => e.field)).toEqual(['reasons']);
    expect((await complaint(id)).timeLimit.decision).toBeNull();
    const byProvider = await post('provider', `/api/complaints/${made.late}/late-decision`, {
      decision: 'accepted',
      reasons: 'x',
    });
    expect(byProvider.statusCode).toBe(403);
    const inTime = await post('complaints', `/api/complaints/${made.lastDay}/late-decision`, {
      decision: 'accepted',
      reasons: 'x',
    });
    expect(inTime.statusCode).toBe(422);
    expect(inTime.json().errors[0].field).toBe('late');

    const accepted = await post('complaints', `/api/complaints/${id}/late-decision`, {
      decision: 'accepted',
      reasons: 'The caller was in hospital over the new year',
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().timeLimit.decision).toMatchObject({
      decision: 'accepted',
      reasons: 'The caller was in hospital over the new year',
      decidedBy: { name: 'Demo complaints handler' },
    });
    expect(accepted.json().actions).toContain('respond');
    expect(
      (
        await post('complaints', `/api/complaints/${id}/late-decision`, {
          decision: 'accepted',
          reasons: 'x',
        })
      ).statusCode,
    ).toBe(409);
    const audit = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', id)
      .where('action', '=', 'complaint.accepted-out-of-time')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('closes a complaint not accepted out of time, tells the complainant why, and holds up nothing', async () => {
    const id = made.late;
    const refused = await post('complaints', `/api/complaints/${id}/late-decision`, {
      decision: 'not-accepted',
      reasons: 'No reason was given for the delay',
    });
    expect(refused.statusCode, refused.body).toBe(200);
    const closed = await complaint(id, 'provider');
    expect(closed).toMatchObject({
      status: 'closed',
      response: null,
      timeLimit: {
        late: true,
        decision: { decision: 'not-accepted', reasons: 'No reason was given for the delay' },
      },
    });
    expect(closed.closedAt).not.toBeNull();
    // The provider may ask for an internal review of that decision, as of any handling.
    expect(closed.actions).toContain('request-review');
    const message = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('template', '=', 'complaint-not-accepted-out-of-time')
      .where('recipient', '=', 'provider@demo.invalid')
      .executeTakeFirst();
    expect(message?.body).toContain('No reason was given for the delay');
    expect(message?.body).toContain('The time limit was the end of 3 January 2024');
    const deadlines = await t.db
      .selectFrom('deadlines')
      .select('status')
      .where('subject_id', '=', id)
      .execute();
    expect(deadlines.map((d) => d.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('lists late complaints with their flag, and filters by it', async () => {
    const list = async (query: string, role = 'complaints') =>
      (await get(role, `/api/complaints?inspectionId=${inspectionId}${query}`)).json()
        .items as ApiComplaint[];
    expect((await list('&late=true')).map((c) => c.id).sort()).toEqual([made.late, made.lateByPhone].sort());
    expect((await list('&late=false')).map((c) => c.id).sort()).toEqual(
      [made.beforeFinal, made.lastDay].sort(),
    );
    // The provider sees its own, however they were made.
    expect((await list('&late=true', 'provider')).map((c) => c.id).sort()).toEqual(
      [made.late, made.lateByPhone].sort(),
    );
    expect((await list('')).find((c) => c.id === made.late)?.timeLimit.late).toBe(true);
    expect((await get('complaints', '/api/complaints?late=maybe')).statusCode).toBe(400);
  });

  it('shows the flag, the time limit and the decision on the pages, and asks for the reasons', async () => {
    const handler = await signInAs(t.app, 'complaints', DEMO_PASSWORD);
    const lates = await getPage(t.app, handler, '/complaints?late=true');
    expect(lates.statusCode).toBe(200);
    expect(lates.body).toMatch(/govuk-tag--orange">\s*Late\s*</);
    expect(lates.body).not.toContain(`/complaints/${made.lastDay}"`);
    expect(lates.body).toContain(`/complaints/${made.late}"`);

    const shown = await getPage(t.app, handler, `/complaints/${made.late}`);
    expect(shown.body).toContain('By the end of 3 January 2024: received after it');
    expect(shown.body).toContain('Not accepted: made out of time');
    expect(shown.body).toContain('No reason was given for the delay');
    const inTime = await getPage(t.app, handler, `/complaints/${made.beforeFinal}`);
    expect(inTime.body).toContain('None had started when it was received: in time');

    // A late complaint still to decide: the form asks for the reasons.
    at('2024-01-09T09:00:00Z');
    const another = await post('complaints', '/api/complaints', {
      inspectionId,
      summary: 'Another late call',
      channel: 'phone',
      complainantName: 'T Caller',
      receivedOn: '2024-01-09',
    });
    const id = another.json().id as string;
    const page = await getPage(t.app, handler, `/complaints/${id}`);
    expect(page.body).toContain('Do you accept it out of time?');
    const missing = await postForm(t.app, handler, `/complaints/${id}/late-decision`, {
      _csrf: csrfTokenIn(page.body),
      lateDecision: 'not-accepted',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#lateReasons"');
    const done = await postForm(t.app, handler, `/complaints/${id}/late-decision`, {
      _csrf: csrfTokenIn(page.body),
      lateDecision: 'not-accepted',
      lateReasons: 'Out of time without cause',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/complaints/${id}?saved=late-not-accepted`);
    expect((await complaint(id)).status).toBe('closed');
  });
});
