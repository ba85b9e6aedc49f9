import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aPerson } from '../support/factories.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

interface LogEntry {
  id: string;
  kind: string;
  concern: {
    status: string;
    resolution: string | null;
    resolvedBy: { name: string } | null;
    escalation: { reason: string; escalatedBy: { name: string } | null } | null;
  } | null;
}

/**
 * A concern the provider raises on site that the lead cannot resolve goes to the inspector's manager,
 * who records the outcome; the provider reads the dialogue log of its own inspection after feedback
 * (seed 003).
 */
describe.each(kinds)('concerns escalated from the inspection on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2025-06-03T10:00:00Z'));
  let t: TestApp;
  let inspectionId: string;
  let concernId: string;
  let otherProviderToken: string;

  const token = async (role: string) =>
    role.startsWith('Bearer ') ? role : `Bearer ${await t.tokenFor(role)}`;
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: { authorization: await token(role) }, payload });
  const get = async (role: string, url: string) =>
    t.app.inject({ url, headers: { authorization: await token(role) } });
  const log = (role: string) => get(role, `/api/inspections/${inspectionId}/dialogue`);
  const outbox = (template: string, recipient: string) =>
    t.db
      .selectFrom('outbox')
      .selectAll()
      .where('template', '=', template)
      .where('recipient', '=', recipient)
      .execute();

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const me = (await get('provider', '/api/me')).json();
    const created = await post('planner', '/api/inspections', {
      providerId: me.providers[0].id,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate: '2025-06-02',
      endDate: '2025-06-03',
      leadInspectorId: (await get('inspector', '/api/me')).json().id,
    });
    expect(created.statusCode, created.body).toBe(201);
    inspectionId = created.json().id;
    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/status`, { status: 'on-site' })).statusCode,
    ).toBe(200);
    const raised = await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'provider-concern',
      summary: 'The manager objects to children being spoken to without staff present',
    });
    expect(raised.statusCode, raised.body).toBe(201);
    concernId = raised.json().id;

    // A user of another provider, who must never see this inspection's log.
    const providers = (await get('planner', '/api/providers?type=childrens-home&pageSize=50')).json()
      .items as { id: string }[];
    const other = providers.find((p) => !me.providers.some((own: { id: string }) => own.id === p.id))!;
    const person = await aPerson(t.db, {
      role: 'provider',
      password: DEMO_PASSWORD,
      providerIds: [other.id],
    });
    const issued = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: person.email, password: DEMO_PASSWORD },
    });
    otherProviderToken = `Bearer ${issued.json().token}`;
  });
  afterAll(async () => t?.close());

  it('hides the log from the provider before feedback', async () => {
    expect((await log('inspector')).statusCode).toBe(200);
    expect((await log('provider')).statusCode).toBe(404);
    const page = await getPage(
      t.app,
      await signInAs(t.app, 'provider', DEMO_PASSWORD),
      `/inspections/${inspectionId}/dialogue-log`,
    );
    expect(page.statusCode).toBe(404);
  });

  it('lets the lead escalate a concern with the reason, and tells the managers', async () => {
    const url = `/api/inspections/${inspectionId}/dialogue/${concernId}/escalation`;
    const noReason = await post('inspector', url, {});
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors.map((e: { field: string }) => e.field)).toEqual(['reason']);
    expect((await post('manager', url, { reason: 'x' })).statusCode).toBe(403);
    expect((await post('provider', url, { reason: 'x' })).statusCode).toBe(403);
    const early = await post('manager', `/api/inspections/${inspectionId}/dialogue/${concernId}/outcome`, {
      outcome: 'x',
    });
    expect(early.statusCode).toBe(409);

    const escalated = await post('inspector', url, {
      reason: 'It is about the inspection method, not this visit',
    });
    expect(escalated.statusCode, escalated.body).toBe(200);
    expect(escalated.json().concern).toMatchObject({
      status: 'escalated',
      resolution: null,
      escalation: {
        reason: 'It is about the inspection method, not this visit',
        escalatedBy: { name: 'Demo inspector' },
      },
    });
    const told = await outbox('concern-escalated', 'manager@demo.invalid');
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain('It is about the inspection method, not this visit');
    // Now it is the manager's: the lead can no longer resolve it, nor escalate it again.
    const resolve = await post(
      'inspector',
      `/api/inspections/${inspectionId}/dialogue/${concernId}/resolution`,
      {
        resolution: 'Sorted',
      },
    );
    expect(resolve.statusCode).toBe(409);
    expect((await post('inspector', url, { reason: 'again' })).statusCode).toBe(409);
  });

  it('lets a manager record the outcome, and tells the provider', async () => {
    const url = `/api/inspections/${inspectionId}/dialogue/${concernId}/outcome`;
    expect((await post('inspector', url, { outcome: 'x' })).statusCode).toBe(403);
    const noOutcome = await post('manager', url, { outcome: ' ' });
    expect(noOutcome.statusCode).toBe(400);
    expect(noOutcome.json().errors[0].field).toBe('outcome');
    const settled = await post('manager', url, {
      outcome: 'Speaking to children alone is part of the framework; the inspector explained why.',
    });
    expect(settled.statusCode, settled.body).toBe(200);
    expect(settled.json().concern).toMatchObject({
      status: 'settled',
      resolvedBy: { name: 'Demo regulatory inspection manager' },
    });
    const told = await outbox('concern-outcome', 'provider@demo.invalid');
    expect(told).toHaveLength(1);
    expect(told[0]!.body).toContain('Speaking to children alone is part of the framework');
    expect((await post('manager', url, { outcome: 'again' })).statusCode).toBe(409);
    const audit = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', inspectionId)
      .where('action', 'in', ['dialogue.concern-escalated', 'dialogue.concern-settled'])
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'dialogue.concern-escalated',
      'dialogue.concern-settled',
    ]);
  });

  it('lets the provider read its own log once feedback is given, and no other provider', async () => {
    const evidence: string[] = [];
    for (const source of ['observation', 'child', 'staff', 'document', 'case-tracking']) {
      evidence.push(
        (
          await post('inspector', `/api/inspections/${inspectionId}/evidence`, { source, summary: source })
        ).json().id,
      );
    }
    for (const [index, areaId] of [
      'overall-experiences-and-progress',
      'help-and-protection',
      'leaders-and-managers',
    ].entries()) {
      await post('inspector', `/api/inspections/${inspectionId}/judgements`, {
        areaId,
        grade: 'good',
        evidenceIds: [evidence[index], evidence[index + 1]],
        rationale: 'Consistent practice',
      });
    }
    await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'None',
    });
    expect((await log('provider')).statusCode).toBe(404);
    const feedback = await post('inspector', `/api/inspections/${inspectionId}/feedback`, {
      summary: 'Feedback given',
    });
    expect(feedback.statusCode, feedback.body).toBe(200);

    const read = await log('provider');
    expect(read.statusCode).toBe(200);
    const concern = (read.json().items as LogEntry[]).find((e) => e.id === concernId)!;
    expect(concern.concern).toMatchObject({
      status: 'settled',
      resolution: 'Speaking to children alone is part of the framework; the inspector explained why.',
      escalation: { reason: 'It is about the inspection method, not this visit' },
    });
    expect((read.json().items as LogEntry[]).map((e) => e.kind)).toContain('informal-feedback');
    expect((await log(otherProviderToken)).statusCode).toBe(404);

    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    const inspectionPage = await getPage(t.app, provider, `/inspections/${inspectionId}`);
    expect(inspectionPage.body).toContain(`/inspections/${inspectionId}/dialogue-log`);
    const page = await getPage(t.app, provider, `/inspections/${inspectionId}/dialogue-log`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Manager’s outcome');
    expect(page.body).toContain('It is about the inspection method, not this visit');
    expect(page.body).not.toContain('Record the outcome');
  });

  it('escalates and settles a concern through the pages', async () => {
    // Recorded before the feedback, while on site, in the database: the log's pages act at any stage.
    const { id: entryId } = await t.db
      .insertInto('dialogue_entries')
      .values({
        inspection_id: inspectionId,
        kind: 'provider-concern',
        summary: 'A second concern about the feedback meeting',
        resolution: null,
        resolved_at: null,
        snapshot: null,
        recorded_by: (await get('inspector', '/api/me')).json().id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const lead = await signInAs(t.app, 'inspector', DEMO_PASSWORD);
    const page = await getPage(t.app, lead, `/inspections/${inspectionId}/dialogue-log`);
    expect(page.body).toContain('Escalate to a manager');
    const refused = await postForm(
      t.app,
      lead,
      `/inspections/${inspectionId}/dialogue/${entryId}/escalation`,
      {
        _csrf: csrfTokenIn(page.body),
      },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain(`href="#reason-${entryId}"`);
    const sent = await postForm(t.app, lead, `/inspections/${inspectionId}/dialogue/${entryId}/escalation`, {
      _csrf: csrfTokenIn(page.body),
      reason: 'The lead chaired the meeting',
    });
    expect(sent.statusCode).toBe(303);

    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const managerPage = await getPage(t.app, manager, `/inspections/${inspectionId}/dialogue-log`);
    expect(managerPage.body).toContain('Waiting for the manager’s outcome');
    const settled = await postForm(
      t.app,
      manager,
      `/inspections/${inspectionId}/dialogue/${entryId}/outcome`,
      {
        _csrf: csrfTokenIn(managerPage.body),
        outcome: 'Apology given for how the meeting was run',
      },
    );
    expect(settled.statusCode).toBe(303);
    expect(settled.headers.location).toBe(`/inspections/${inspectionId}/dialogue-log?saved=settled`);
    const after = await getPage(t.app, manager, settled.headers.location as string);
    expect(after.body).toContain('Apology given for how the meeting was run');
  });
});
