import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';
import { completeInspection, signOffModeration } from '../support/steps.js';

/** Only this capability's deadline actions, so that others' deadlines do not change the counts. */
const actionsOf = (app: TestApp['app'], prefix: string) =>
  new Map([...app.deadlineActions].filter(([kind]) => kind.startsWith(prefix)));

const kinds = await databaseKinds();

interface ApiComplaint {
  id: string;
  reference: string;
  status: string;
  channel: string;
  procedure: { id: string; internalReview: boolean };
  complainant: { name: string; email: string | null };
  overdue: { acknowledgement: boolean; response: boolean };
  response: { outcome: string; remedies: string[]; reinspectionId: string | null } | null;
  internalReview: { requestDue: string | null; finding: string | null } | null;
  escalation: { escalatedAt: string } | null;
  ruling: { ruling: string } | null;
  notes?: { note: string; writtenBy: { name: string } }[];
  actions: string[];
}

describe.each(kinds)('complaints through the API on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2023-11-20T10:00:00Z'));
  let t: TestApp;
  let home: { id: string; name: string };
  let otherHome: { id: string; name: string };
  let inspectorId: string;
  let managerId: string;
  /** Inspections under each procedure: 2020 (A), January 2024 (B), April 2024 (C), and another provider's (D). */
  const inspections: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };
  const complaints: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const complaint = async (role: string, id: string) =>
    (await get(role, `/api/complaints/${id}`)).json() as ApiComplaint;
  const at = (instant: string) => clock.set(instant);
  const outbox = async (template: string, recipient?: string) => {
    let query = t.db.selectFrom('outbox').selectAll().where('template', '=', template);
    if (recipient) query = query.where('recipient', '=', recipient);
    return query.execute();
  };
  const fields = (response: { json(): unknown }) =>
    (response.json() as { errors: { field: string }[] }).errors.map((e) => e.field);

  /** An inspection carried through to feedback through the API, as the inspection team would. */
  async function conduct(providerId: string, startDate: string, endDate: string): Promise<string> {
    const created = await post('planner', '/api/inspections', {
      providerId,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate,
      endDate,
      leadInspectorId: inspectorId,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    expect((await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' })).statusCode).toBe(
      200,
    );
    const evidence: string[] = [];
    for (const source of ['observation', 'child', 'staff', 'document', 'case-tracking']) {
      const response = await post('inspector', `/api/inspections/${id}/evidence`, {
        source,
        summary: `Evidence from ${source}`,
      });
      evidence.push(response.json().id);
    }
    const areas = ['overall-experiences-and-progress', 'help-and-protection', 'leaders-and-managers'];
    for (const [index, areaId] of areas.entries()) {
      const judged = await post('inspector', `/api/inspections/${id}/judgements`, {
        areaId,
        grade: 'good',
        evidenceIds: [evidence[index], evidence[index + 1]],
        rationale: 'Consistent, child-centred practice',
      });
      expect(judged.statusCode, judged.body).toBe(201);
    }
    await post('inspector', `/api/inspections/${id}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No comments on conduct',
    });
    const feedback = await post('inspector', `/api/inspections/${id}/feedback`, {
      summary: 'Feedback given',
    });
    expect(feedback.statusCode, feedback.body).toBe(200);
    await signOffModeration(post, id);
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    home = (await get('provider', '/api/me')).json().providers[0];
    inspectorId = (await get('inspector', '/api/me')).json().id;
    managerId = (await get('manager', '/api/me')).json().id;
    const providers = (await get('planner', '/api/providers?type=childrens-home&pageSize=50')).json()
      .items as {
      id: string;
      name: string;
    }[];
    const own = (await get('provider', '/api/me')).json().providers.map((p: { id: string }) => p.id);
    otherHome = providers.find((p) => !own.includes(p.id))!;
    inspections.a = await conduct(home.id, '2023-11-06', '2023-11-08');
    inspections.b = await conduct(home.id, '2024-02-05', '2024-02-07');
    inspections.c = await conduct(home.id, '2024-06-12', '2024-06-14');
    inspections.d = await conduct(otherHome.id, '2024-06-18', '2024-06-20');
  });
  afterAll(async () => t?.close());

  it('takes a complaint from the provider portal under the procedure of the inspection’s last day', async () => {
    at('2023-11-20T10:00:00Z');
    const missing = await post('provider', '/api/complaints', { inspectionId: inspections.a });
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['summary']);
    const notPortal = await post('provider', '/api/complaints', {
      inspectionId: inspections.a,
      summary: 'x',
      channel: 'phone',
    });
    expect(notPortal.statusCode).toBe(400);
    expect(fields(notPortal)).toEqual(['channel']);
    const elsewhere = await post('provider', '/api/complaints', {
      inspectionId: inspections.d,
      summary: 'Not ours',
    });
    expect(elsewhere.statusCode).toBe(404);

    const response = await post('provider', '/api/complaints', {
      inspectionId: inspections.a,
      summary: 'The inspector did not look at our records of missing episodes.',
    });
    expect(response.statusCode, response.body).toBe(201);
    const made = response.json() as ApiComplaint;
    complaints.a = made.id;
    expect(made).toMatchObject({
      status: 'received',
      channel: 'portal',
      procedure: { id: 'post-inspection-2020', internalReview: true },
      complainant: { name: 'Demo provider', email: 'provider@demo.invalid' },
      acknowledgementDue: '2023-11-22',
      responseDue: '2024-01-04',
      actions: [],
    });
    expect(made.reference).toMatch(/^C-[0-9A-F]{8}$/);
    expect(made.notes).toBeUndefined();
    expect(await outbox('complaint-received', 'complaints@demo.invalid')).toHaveLength(1);
    const deadlines = await t.db
      .selectFrom('deadlines')
      .select(['kind', 'status'])
      .where('subject_id', '=', made.id)
      .orderBy('kind')
      .execute();
    expect(deadlines).toEqual([
      { kind: 'complaint.acknowledgement-overdue', status: 'pending' },
      { kind: 'complaint.response-overdue', status: 'pending' },
    ]);
  });

  it('refuses every step out of turn, naming the field, and changes nothing', async () => {
    const before = await complaint('complaints', complaints.a);
    const early = await post('complaints', `/api/complaints/${complaints.a}/outcome`, {
      outcome: 'upheld',
      reasons: 'x',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().errors).toEqual([
      { field: 'status', message: 'Acknowledge the complaint before responding to it' },
    ]);
    const tooSoon = await post('provider', `/api/complaints/${complaints.a}/escalate`, { grounds: 'x' });
    expect(tooSoon.statusCode).toBe(409);
    expect(tooSoon.json().errors[0]).toMatchObject({ field: 'status' });
    const notStaff = await post('provider', `/api/complaints/${complaints.a}/acknowledge`);
    expect(notStaff.statusCode).toBe(403);
    expect(notStaff.json().errors).toEqual([
      { field: 'authorization', message: 'Only complaints staff can acknowledge a complaint' },
    ]);
    expect((await get('adjudicator', `/api/complaints/${complaints.a}`)).statusCode).toBe(404);
    expect(
      (
        await post('adjudicator', `/api/complaints/${complaints.a}/ruling`, {
          ruling: 'handled-properly',
          reasons: 'x',
        })
      ).statusCode,
    ).toBe(404);
    expect((await get('reviewer', `/api/complaints/${complaints.a}`)).statusCode).toBe(404);
    expect((await get('reviewer', '/api/complaints')).statusCode).toBe(403);
    const after = await complaint('complaints', complaints.a);
    expect(after.status).toBe('received');
    expect((after as unknown as { version: number }).version).toBe(
      (before as unknown as { version: number }).version,
    );
  });

  it('walks the 2020 procedure: acknowledged, noted, closed, internal review, then ICASO', async () => {
    at('2023-11-21T09:00:00Z');
    const acknowledged = await post('complaints', `/api/complaints/${complaints.a}/acknowledge`, {});
    expect(acknowledged.statusCode, acknowledged.body).toBe(200);
    expect(acknowledged.json()).toMatchObject({
      status: 'acknowledged',
      handler: { name: 'Demo complaints handler' },
    });
    expect(await outbox('complaint-acknowledged', 'provider@demo.invalid')).toHaveLength(1);
    expect((await post('complaints', `/api/complaints/${complaints.a}/acknowledge`, {})).statusCode).toBe(
      409,
    );

    const noted = await post('complaints', `/api/complaints/${complaints.a}/notes`, {
      note: 'Spoke to the lead inspector: records were sampled on day 2.',
    });
    expect(noted.statusCode).toBe(201);
    expect((await complaint('complaints', complaints.a)).notes).toEqual([
      expect.objectContaining({
        note: 'Spoke to the lead inspector: records were sampled on day 2.',
        writtenBy: expect.objectContaining({ name: 'Demo complaints handler' }),
      }),
    ]);
    expect((await complaint('provider', complaints.a)).notes).toBeUndefined();
    expect((await post('provider', `/api/complaints/${complaints.a}/notes`, { note: 'x' })).statusCode).toBe(
      403,
    );

    const contradictory = await post('complaints', `/api/complaints/${complaints.a}/outcome`, {
      outcome: 'not-upheld',
      reasons: 'The records were sampled',
      remedies: ['apology'],
    });
    expect(contradictory.statusCode).toBe(422);
    expect(contradictory.json().errors).toEqual([
      { field: 'remedies', message: 'A complaint that is not upheld has no remedies' },
    ]);

    at('2023-12-01T11:00:00Z');
    // No draft report has been issued yet, so there is nothing to amend.
    const noReport = await post('complaints', `/api/complaints/${complaints.a}/outcome`, {
      outcome: 'partly-upheld',
      reasons: 'The records were sampled, but the report does not say so.',
      remedies: ['apology', 'report-amended'],
      amendment: { note: 'Say that records were sampled' },
    });
    expect(noReport.statusCode).toBe(422);
    expect(noReport.json().errors).toEqual([
      {
        field: 'remedies',
        message: 'The report of this inspection has not been issued yet, so there is no report to amend',
      },
    ]);
    const closed = await post('complaints', `/api/complaints/${complaints.a}/outcome`, {
      outcome: 'partly-upheld',
      reasons: 'The records were sampled, but the report does not say so.',
      remedies: ['apology'],
    });
    expect(closed.statusCode, closed.body).toBe(200);
    const responded = closed.json() as ApiComplaint;
    expect(responded).toMatchObject({
      status: 'closed',
      response: { outcome: 'partly-upheld', remedies: ['apology'], reinspectionId: null },
      internalReview: { requestDue: '2023-12-22', finding: null },
      // Complaints staff may also record a request made by phone.
      actions: ['note', 'request-review'],
    });
    expect(await outbox('complaint-response', 'provider@demo.invalid')).toHaveLength(1);
    expect(await outbox('complaint-apology', 'provider@demo.invalid')).toHaveLength(1);
    expect((await complaint('provider', complaints.a)).actions).toEqual(['request-review']);
    const pending = await t.db
      .selectFrom('deadlines')
      .select('status')
      .where('subject_id', '=', complaints.a)
      .execute();
    expect(pending.map((d) => d.status)).toEqual(['cancelled', 'cancelled']);

    const straightToIcaso = await post('provider', `/api/complaints/${complaints.a}/escalate`, {
      grounds: 'Not happy',
    });
    expect(straightToIcaso.statusCode).toBe(409);
    expect(straightToIcaso.json().detail).toBe(
      'Under the post-inspection arrangements from September 2020 an internal review comes first: ask for one before escalating to ICASO',
    );

    at('2023-12-04T10:00:00Z');
    const review = await post('provider', `/api/complaints/${complaints.a}/internal-review`, {
      grounds: 'The handler did not speak to our registered manager.',
    });
    expect(review.statusCode, review.body).toBe(200);
    expect(review.json().status).toBe('review-requested');
    const waiting = await post('provider', `/api/complaints/${complaints.a}/escalate`, { grounds: 'x' });
    expect(waiting.json().detail).toBe(
      'Wait for the outcome of the internal review before escalating to ICASO',
    );

    const decided = await post('complaints', `/api/complaints/${complaints.a}/internal-review/decision`, {
      finding: 'handled-properly',
      reasons: 'The registered manager was offered a call and declined.',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json()).toMatchObject({
      status: 'reviewed',
      internalReview: { finding: 'handled-properly' },
    });
    expect(await outbox('complaint-internal-review-outcome', 'provider@demo.invalid')).toHaveLength(1);

    at('2023-12-11T10:00:00Z');
    const escalated = await post('provider', `/api/complaints/${complaints.a}/escalate`, {
      grounds: 'The internal review ignored our evidence.',
    });
    expect(escalated.statusCode, escalated.body).toBe(200);
    expect(escalated.json().status).toBe('escalated');
    expect(await outbox('complaint-escalated', 'adjudicator@demo.invalid')).toHaveLength(1);
    const lateNote = await post('complaints', `/api/complaints/${complaints.a}/notes`, { note: 'x' });
    expect(lateNote.statusCode).toBe(409);
  });

  it('refuses an internal review asked for late under January 2024, and ICASO before one', async () => {
    at('2024-02-20T10:00:00Z');
    const missingParts = await post('complaints', '/api/complaints', {
      inspectionId: inspections.b,
      summary: 'By phone',
    });
    expect(missingParts.statusCode).toBe(400);
    expect(fields(missingParts)).toEqual(['channel', 'complainantName', 'receivedOn']);
    const recorded = await post('complaints', '/api/complaints', {
      inspectionId: inspections.b,
      channel: 'phone',
      complainantName: 'Sam Patel',
      receivedOn: '2024-02-19',
      summary: 'The inspector arrived an hour early.',
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    complaints.b = recorded.json().id;
    expect(recorded.json()).toMatchObject({
      channel: 'phone',
      procedure: { id: 'post-inspection-2024-01', internalReview: true },
      complainant: { name: 'Sam Patel', email: null },
    });
    await post('complaints', `/api/complaints/${complaints.b}/acknowledge`, {});
    at('2024-02-22T10:00:00Z');
    expect(
      (
        await post('complaints', `/api/complaints/${complaints.b}/outcome`, {
          outcome: 'not-upheld',
          reasons: 'The time was agreed with the manager the week before.',
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await post('complaints', `/api/complaints/${complaints.b}/escalate`, { grounds: 'x' })).statusCode,
    ).toBe(409);
    // 15 working days from Thursday 22 February 2024 is Thursday 14 March 2024.
    at('2024-03-15T10:00:00Z');
    const late = await post('complaints', `/api/complaints/${complaints.b}/internal-review`, {
      grounds: 'Phoned in by the manager',
    });
    expect(late.statusCode).toBe(422);
    expect(late.json().errors).toEqual([
      {
        field: 'date',
        message:
          'An internal review had to be asked for by 14 March 2024, 15 working days after the response on 22 February 2024',
      },
    ]);
    expect((await complaint('complaints', complaints.b)).status).toBe('closed');
  });

  it('walks the April 2024 procedure: closed with a re-inspection, no internal review, straight to ICASO', async () => {
    at('2024-07-01T09:00:00Z');
    const made = await post('provider', '/api/complaints', {
      inspectionId: inspections.c,
      summary: 'The judgement on leadership ignores our new manager’s work.',
    });
    expect(made.statusCode).toBe(201);
    complaints.c = made.json().id;
    expect(made.json().procedure).toEqual({
      id: 'post-inspection-2024-04',
      name: 'Post-inspection arrangements from April 2024',
      internalReview: false,
    });
    expect(made.json().internalReview).toBeNull();
    await post('complaints', `/api/complaints/${complaints.c}/acknowledge`, {});

    at('2024-07-02T09:00:00Z');
    const sameLead = await post('complaints', `/api/complaints/${complaints.c}/outcome`, {
      outcome: 'upheld',
      reasons: 'x',
      remedies: ['re-inspection'],
      reinspection: { startDate: '2024-09-02', endDate: '2024-09-03', leadInspectorId: inspectorId },
    });
    expect(sameLead.statusCode).toBe(422);
    expect(sameLead.json().errors).toEqual([
      {
        field: 'reinspection.leadInspectorId',
        message: 'The re-inspection is led by an inspector who was not on the inspection complained about',
      },
    ]);
    const inspectionsBefore = (
      await get('planner', `/api/inspections?providerId=${home.id}&pageSize=100`)
    ).json().total;
    const leadersGrade = async () =>
      (await get('manager', `/api/inspections/${inspections.c}`))
        .json()
        .judgements.find((j: { areaId: string }) => j.areaId === 'leaders-and-managers');
    const outcome = {
      outcome: 'upheld',
      reasons: 'Evidence of the new manager’s work was not weighed.',
      remedies: ['re-inspection', 'judgement-changed'],
      judgement: { areaId: 'leaders-and-managers', grade: 'outstanding' },
    };

    // The re-inspection is planned inside the transaction that closes the complaint: when planning it
    // fails (the provider's own user cannot lead it), the complaint stays open and the judgement changed
    // before it in the same transaction is undone too.
    const notAnInspector = (await get('provider', '/api/me')).json().id as string;
    const responsesBefore = (await outbox('complaint-response')).length;
    const failed = await post('complaints', `/api/complaints/${complaints.c}/outcome`, {
      ...outcome,
      reinspection: { startDate: '2024-09-02', endDate: '2024-09-03', leadInspectorId: notAnInspector },
    });
    expect(failed.statusCode).toBe(400);
    expect(fields(failed)).toEqual(['reinspection.leadInspectorId']);
    expect(await complaint('complaints', complaints.c)).toMatchObject({
      status: 'acknowledged',
      response: null,
    });
    expect((await get('planner', `/api/inspections?providerId=${home.id}&pageSize=100`)).json().total).toBe(
      inspectionsBefore,
    );
    expect(await leadersGrade()).toMatchObject({ grade: 'good', version: 1 });
    expect(await outbox('complaint-response')).toHaveLength(responsesBefore);

    const closed = await post('complaints', `/api/complaints/${complaints.c}/outcome`, {
      ...outcome,
      reinspection: { startDate: '2024-09-02', endDate: '2024-09-03', leadInspectorId: managerId },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    // No report yet: the judgement changes now, and the report will be built from it when issued.
    const changed = await leadersGrade();
    expect(changed).toMatchObject({ grade: 'outstanding', version: 2 });
    expect(changed.history[1]).toMatchObject({
      kind: 'moderation',
      grade: 'outstanding',
      reason: `Changed following complaint ${closed.json().reference}: Evidence of the new manager’s work was not weighed.`,
    });
    const reinspectionId = closed.json().response.reinspectionId as string;
    expect(reinspectionId).toBeTruthy();
    const reinspection = (await get('planner', `/api/inspections/${reinspectionId}`)).json();
    expect(reinspection).toMatchObject({
      type: 'full',
      status: 'planned',
      startDate: '2024-09-02',
      provider: { id: home.id },
      leadInspector: { id: managerId },
    });
    expect((await get('planner', `/api/inspections?providerId=${home.id}&pageSize=100`)).json().total).toBe(
      inspectionsBefore + 1,
    );
    expect(await outbox('complaint-reinspection', 'manager@demo.invalid')).toHaveLength(1);

    const review = await post('provider', `/api/complaints/${complaints.c}/internal-review`, {
      grounds: 'We want a review',
    });
    expect(review.statusCode).toBe(422);
    expect(review.json().errors[0].field).toBe('procedure');
    expect(review.json().detail).toMatch(/there is no internal review/);

    const escalated = await post('provider', `/api/complaints/${complaints.c}/escalate`, {
      grounds: 'The handler did not explain how the judgement will change.',
    });
    expect(escalated.statusCode, escalated.body).toBe(200);
    expect(escalated.json().status).toBe('escalated');
  });

  it('shows the adjudicator only escalated complaints, with the notes, and lets it rule on the handling only', async () => {
    const listed = (await get('adjudicator', '/api/complaints')).json();
    expect(listed.items.map((c: ApiComplaint) => c.id).sort()).toEqual([complaints.a, complaints.c].sort());
    expect((await get('adjudicator', '/api/complaints?escalated=false')).json().total).toBe(0);
    expect((await get('adjudicator', `/api/complaints/${complaints.b}`)).statusCode).toBe(404);
    const seen = await complaint('adjudicator', complaints.a);
    expect(seen.notes).toHaveLength(1);
    expect(seen.actions).toEqual(['rule']);
    expect(
      (await post('adjudicator', `/api/complaints/${complaints.a}/notes`, { note: 'x' })).statusCode,
    ).toBe(403);
    // The adjudicator's remit is the handling: the inspection is not theirs to see or change.
    expect((await get('adjudicator', `/api/inspections/${inspections.a}`)).statusCode).toBe(404);
    expect(
      (
        await post(
          'adjudicator',
          `/api/inspections/${inspections.a}/judgements/help-and-protection/moderation`,
          {
            grade: 'inadequate',
            reason: 'x',
          },
        )
      ).statusCode,
      // Refused by role before anything is looked up: the same for any inspection, so nothing leaks.
    ).toBe(403);

    const badRuling = await post('adjudicator', `/api/complaints/${complaints.a}/ruling`, {
      ruling: 'overturned',
      reasons: 'x',
    });
    expect(badRuling.statusCode).toBe(400);
    expect(fields(badRuling)).toEqual(['ruling']);
    const ruled = await post('adjudicator', `/api/complaints/${complaints.a}/ruling`, {
      ruling: 'handled-properly',
      reasons: 'The complaint and the review followed the procedure.',
    });
    expect(ruled.statusCode, ruled.body).toBe(200);
    expect(ruled.json()).toMatchObject({ status: 'ruled', ruling: { ruling: 'handled-properly' } });
    const again = await post('adjudicator', `/api/complaints/${complaints.a}/ruling`, {
      ruling: 'not-handled-properly',
      reasons: 'x',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors[0].field).toBe('status');
    expect(await outbox('complaint-ruling', 'provider@demo.invalid')).toHaveLength(1);
    const judgements = (await get('manager', `/api/inspections/${inspections.a}`)).json().judgements;
    expect(judgements.map((j: { grade: string }) => j.grade)).toEqual(['good', 'good', 'good']);
  });

  it('flags a missed acknowledgement once, when its deadline falls due, and tells the complaints team', async () => {
    at('2024-07-01T09:00:00Z');
    const recorded = await post('complaints', '/api/complaints', {
      inspectionId: inspections.d,
      channel: 'email',
      complainantName: 'Jane Smith',
      complainantEmail: 'jane.smith@example.invalid',
      receivedOn: '2024-07-01',
      summary: `Jane Smith (jane.smith@example.invalid, 07700 900123) says Demo inspector was rude to staff at ${otherHome.name}.`,
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    complaints.d = recorded.json().id;
    expect(recorded.json().acknowledgementDue).toBe('2024-07-03');

    const before = await runDueDeadlines(
      t.db,
      actionsOf(t.app, 'complaint.'),
      new Date('2024-07-03T22:59:59Z'),
    );
    expect(before.done).toBe(0);
    const fired = await runDueDeadlines(
      t.db,
      actionsOf(t.app, 'complaint.'),
      new Date('2024-07-04T08:00:00Z'),
    );
    expect(fired).toEqual({ done: 1, failed: 0 });
    expect(
      await runDueDeadlines(t.db, actionsOf(t.app, 'complaint.'), new Date('2024-07-05T08:00:00Z')),
    ).toEqual({
      done: 0,
      failed: 0,
    });
    const overdue = await outbox('complaint-overdue', 'complaints@demo.invalid');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.subject).toMatch(/not acknowledged$/);
    expect((await complaint('complaints', complaints.d)).overdue).toEqual({
      acknowledgement: true,
      response: false,
    });
    const flagged = (await get('complaints', '/api/complaints?overdue=true')).json();
    expect(flagged.items.map((c: ApiComplaint) => c.id)).toEqual([complaints.d]);

    at('2024-07-04T09:00:00Z');
    const due = (await get('complaints', '/api/deadlines/due')).json();
    const team = due.groups.find((g: { team: string }) => g.team === 'Complaints');
    expect(
      team.items.map((i: { kind: string; overdue: boolean; flagged: boolean; subject: { id: string } }) => [
        i.kind,
        i.overdue,
        i.flagged,
        i.subject.id,
      ]),
    ).toEqual([
      ['complaint.acknowledgement-overdue', true, true, complaints.d],
      ['complaint.response-overdue', false, false, complaints.d],
    ]);
    expect((await get('provider', '/api/deadlines/due')).statusCode).toBe(403);

    // Acknowledged late: the flag stays as a record, the item leaves the dashboard.
    await post('complaints', `/api/complaints/${complaints.d}/acknowledge`, {});
    const after = (await get('complaints', '/api/deadlines/due')).json();
    const complaintKinds = after.groups
      .flatMap((g: { items: { kind: string }[] }) => g.items.map((i) => i.kind))
      .filter((kind: string) => kind.startsWith('complaint.'));
    expect(complaintKinds).toEqual(['complaint.response-overdue']);
    at('2024-07-05T09:00:00Z');
    await post('complaints', `/api/complaints/${complaints.d}/outcome`, {
      outcome: 'not-upheld',
      reasons: 'Staff we spoke to did not find Demo inspector rude; Jane Smith was told so by email.',
    });
  });

  it('keeps one provider’s complaints from another', async () => {
    expect((await get('provider', `/api/complaints/${complaints.d}`)).statusCode).toBe(404);
    const own = (await get('provider', '/api/complaints?pageSize=100')).json();
    expect(own.items.map((c: ApiComplaint) => c.id).sort()).toEqual(
      [complaints.a, complaints.b, complaints.c].sort(),
    );
    expect((await get('complaints', '/api/complaints?pageSize=2')).json()).toMatchObject({
      total: 4,
      totalPages: 2,
    });
    expect((await get('complaints', '/api/complaints?status=ruled')).json().items).toHaveLength(1);
    expect((await get('complaints', '/api/complaints?status=muddled')).statusCode).toBe(400);
  });

  it('draws a reproducible sample of closed complaints for the reviewer, anonymised', async () => {
    at('2024-08-01T10:00:00Z');
    expect(
      (await post('complaints', '/api/complaint-reviews', { from: '2024-06-01', to: '2024-07-31', size: 5 }))
        .statusCode,
    ).toBe(403);
    const future = await post('reviewer', '/api/complaint-reviews', {
      from: '2024-06-01',
      to: '2024-08-31',
      size: 5,
    });
    expect(future.statusCode).toBe(400);
    expect(fields(future)).toEqual(['to']);
    const empty = await post('reviewer', '/api/complaint-reviews', {
      from: '2023-01-01',
      to: '2023-01-31',
      size: 5,
    });
    expect(empty.statusCode).toBe(422);
    expect(fields(empty)).toEqual(['from']);

    const drawn = await post('reviewer', '/api/complaint-reviews', {
      from: '2024-06-01',
      to: '2024-07-31',
      size: 5,
      seed: 'summer-2024',
    });
    expect(drawn.statusCode, drawn.body).toBe(201);
    const review = drawn.json();
    // Only complaints handled under the April 2024 procedure are reviewed externally.
    expect(review).toMatchObject({ seed: 'summer-2024', size: 5, cases: 2 });
    const text = JSON.stringify(review);
    for (const secret of [
      'Jane',
      'Smith',
      'jane.smith',
      '07700',
      'Demo inspector',
      'Demo provider',
      'provider@demo.invalid',
      otherHome.name,
      home.name,
      complaints.c,
      complaints.d,
    ]) {
      expect(text).not.toContain(secret);
    }
    const janes = review.sample.find((c: { channel: string }) => c.channel === 'email');
    expect(janes.summary).toBe('[person] ([email], [phone]) says [person] was rude to staff at [provider].');
    expect(janes.provider).toEqual({
      type: 'childrens-home',
      typeLabel: expect.any(String),
      region: expect.any(String),
    });

    const again = await post('reviewer', '/api/complaint-reviews', {
      from: '2024-06-01',
      to: '2024-07-31',
      size: 5,
      seed: 'summer-2024',
    });
    expect(again.json().sample.map((c: { summary: string }) => c.summary)).toEqual(
      review.sample.map((c: { summary: string }) => c.summary),
    );
    const stored = await t.db
      .selectFrom('complaint_reviews')
      .select(['seed', 'sample_size', 'complaint_ids'])
      .where('id', '=', review.id)
      .executeTakeFirstOrThrow();
    expect(stored.seed).toBe('summer-2024');
    expect([...stored.complaint_ids].sort()).toEqual([complaints.c, complaints.d].sort());

    const finding = await post('reviewer', `/api/complaint-reviews/${review.id}/findings`, {
      case: 1,
      procedureFollowed: true,
      finding: 'Acknowledged and answered within the targets.',
    });
    expect(finding.statusCode, finding.body).toBe(200);
    expect(finding.json().sample[0].finding).toMatchObject({
      procedureFollowed: true,
      recordedOn: '2024-08-01',
    });
    const noCase = await post('reviewer', `/api/complaint-reviews/${review.id}/findings`, {
      case: 9,
      procedureFollowed: true,
      finding: 'x',
    });
    expect(noCase.statusCode).toBe(422);
    expect(fields(noCase)).toEqual(['case']);
    expect((await get('reviewer', '/api/complaint-reviews')).json().items).toHaveLength(2);
  });

  it('serves every complaint page, with an error summary for a refused form', async () => {
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    const list = await getPage(t.app, provider, '/complaints');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Your complaints');
    expect(list.body).toContain('ICASO has ruled');
    const form = await getPage(t.app, provider, `/complaints/new?inspectionId=${inspections.c}`);
    expect(form.statusCode).toBe(200);
    const refused = await postForm(t.app, provider, '/complaints/new', {
      _csrf: csrfTokenIn(form.body),
      inspectionId: inspections.c,
      summary: '   ',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('There is a problem');
    expect(refused.body).toContain('href="#summary"');
    const page = await getPage(t.app, provider, `/complaints/${complaints.a}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Investigation notes');
    expect((await getPage(t.app, provider, `/complaints/${complaints.d}`)).statusCode).toBe(404);

    const handler = await signInAs(t.app, 'complaints', DEMO_PASSWORD);
    for (const url of [
      '/complaints',
      '/complaints/new',
      `/complaints/${complaints.a}`,
      '/due',
      '/messages',
    ]) {
      const response = await getPage(t.app, handler, url);
      expect(response.statusCode, url).toBe(200);
    }
    expect((await getPage(t.app, handler, `/complaints/${complaints.a}`)).body).toContain(
      'Investigation notes',
    );

    const adjudicator = await signInAs(t.app, 'adjudicator', DEMO_PASSWORD);
    expect((await getPage(t.app, adjudicator, '/complaints')).body).toContain(
      'Complaints escalated to ICASO',
    );
    expect((await getPage(t.app, adjudicator, `/complaints/${complaints.c}`)).body).toContain('Your ruling');
    expect((await getPage(t.app, adjudicator, `/complaints/${complaints.b}`)).statusCode).toBe(404);

    const reviewer = await signInAs(t.app, 'reviewer', DEMO_PASSWORD);
    const reviews = await getPage(t.app, reviewer, '/complaint-reviews');
    expect(reviews.statusCode).toBe(200);
    const reviewId = (await get('reviewer', '/api/complaint-reviews')).json().items[0].id;
    expect((await getPage(t.app, reviewer, `/complaint-reviews/${reviewId}`)).statusCode).toBe(200);
    const casePage = await getPage(t.app, reviewer, `/complaint-reviews/${reviewId}/cases/1`);
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).not.toContain('Jane');
    expect((await getPage(t.app, reviewer, '/complaints')).statusCode).toBe(403);
  });

  it('amends a published report and changes a judgement as a complaint’s remedies, with the overall grade following', async () => {
    // An inspection under the April 2024 procedure whose report was published before the complaint.
    const id = await conduct(home.id, '2024-04-15', '2024-04-17');
    at('2024-04-22T09:00:00Z');
    const issued = await post('inspector', `/api/inspections/${id}/report`, {
      narrative: 'Children are safe.\n\nLeaders have not yet improved supervision.',
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const reportId = issued.json().id as string;
    at('2024-05-02T09:00:00Z');
    expect((await post('inspector', `/api/reports/${reportId}/finalise`)).statusCode).toBe(200);
    await completeInspection(post, id);
    expect((await post('manager', `/api/reports/${reportId}/publish`)).statusCode).toBe(200);
    const published = (await t.app.inject({ url: `/api/reports/${reportId}` })).json();
    expect(published).toMatchObject({
      status: 'published',
      version: 3,
      content: { overallGrade: { grade: 'good' } },
    });

    at('2024-05-07T09:00:00Z');
    const made = await post('provider', '/api/complaints', {
      inspectionId: id,
      summary: 'The report says supervision has not improved; the records we showed say otherwise.',
    });
    expect(made.statusCode, made.body).toBe(201);
    const complaintId = made.json().id as string;
    const reference = made.json().reference as string;
    await post('complaints', `/api/complaints/${complaintId}/acknowledge`, {});
    at('2024-05-09T09:00:00Z');

    // Each remedy that acts needs what it acts with; a grade off the framework's scale is refused.
    const close = (body: object) =>
      post('complaints', `/api/complaints/${complaintId}/outcome`, {
        outcome: 'partly-upheld',
        reasons: 'The supervision records were not weighed.',
        ...body,
      });
    const bare = await close({ remedies: ['report-amended', 'judgement-changed'] });
    expect(bare.statusCode).toBe(422);
    expect(fields(bare)).toEqual(['amendment.note', 'judgement.areaId', 'judgement.grade']);
    const offScale = await close({
      remedies: ['judgement-changed'],
      judgement: { areaId: 'leaders-and-managers', grade: 'excellent' },
    });
    expect(offScale.statusCode).toBe(422);
    expect(offScale.json().errors).toEqual([
      {
        field: 'judgement.grade',
        message: expect.stringMatching(
          /^'excellent' is not a grade on the framework’s scale: outstanding, good/,
        ),
      },
    ]);
    const unasked = await close({ remedies: ['apology'], amendment: { note: 'x' } });
    expect(fields(unasked)).toEqual(['remedies']);
    expect(await complaint('complaints', complaintId)).toMatchObject({ status: 'acknowledged' });
    expect((await get('analyst', `/api/reports/${reportId}`)).json().version).toBe(3);

    const amendedNarrative =
      'Children are safe.\n\nLeaders have improved supervision since the last inspection.';
    const closed = await close({
      remedies: ['report-amended', 'judgement-changed'],
      amendment: { note: 'The passage on supervision is corrected.', narrative: amendedNarrative },
      judgement: { areaId: 'help-and-protection', grade: 'inadequate' },
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json()).toMatchObject({ status: 'closed', response: { outcome: 'partly-upheld' } });

    // One new version: still published, the narrative amended, the judgement changed and the overall
    // grade worked out again by the framework's rules (an inadequate help and protection limits it).
    const report = (await get('analyst', `/api/reports/${reportId}`)).json();
    expect(report).toMatchObject({ status: 'published', version: 4, narrative: amendedNarrative });
    expect(
      report.content.judgements.find((j: { areaId: string }) => j.areaId === 'help-and-protection'),
    ).toMatchObject({ grade: 'inadequate', gradeLabel: 'Inadequate' });
    expect(report.content.overallGrade).toMatchObject({ grade: 'inadequate' });
    expect(report.content.amendments).toEqual([
      {
        on: '2024-05-09',
        complaint: reference,
        note: 'The passage on supervision is corrected.; judgement changed (How well children and young people are helped and protected: from good to inadequate)',
      },
    ]);
    expect(report.versions.at(-1)).toMatchObject({
      version: 4,
      changeNote: expect.stringContaining(`Amended following complaint ${reference}`),
      changedBy: { name: 'Demo complaints handler' },
    });
    const judgement = (await get('manager', `/api/inspections/${id}`))
      .json()
      .judgements.find((j: { areaId: string }) => j.areaId === 'help-and-protection');
    expect(judgement.history.at(-1)).toMatchObject({ kind: 'moderation', grade: 'inadequate' });
    expect(judgement.history.at(-1).reason).toContain(reference);

    // The public page shows the amended version and says so; the search finds it by its new grade.
    const page = await t.app.inject({ url: `/reports/${reportId}` });
    expect(page.body).toContain('Amended on 9 May 2024 following a complaint');
    expect(page.body).toContain('Leaders have improved supervision since the last inspection.');
    expect(page.body).not.toContain('Leaders have not yet improved supervision.');
    const found = await t.app.inject({
      url: `/api/reports?grade=inadequate&q=${encodeURIComponent(home.name)}`,
    });
    expect(found.json().items.map((r: { id: string }) => r.id)).toContain(reportId);

    // The provider is told, with a link it can follow from the email.
    const told = await outbox('report-amended-after-complaint', 'provider@demo.invalid');
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain(`Following complaint ${reference}`);
    expect(told[0]!.body).toContain(`http://localhost:3000/reports/${reportId}.`);
    const [toLead] = await outbox('complaint-remedy-applied', 'inspector@demo.invalid').then((m) =>
      m.filter((message) => message.body.includes(reference)),
    );
    expect(toLead?.body).toContain('The report is now at version 4');
  });
});
