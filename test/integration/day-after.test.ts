import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { hashPassword } from '../../src/people/passwords.js';
import { createPerson } from '../../src/people/store.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

/** Only this capability's deadline actions, so that others' deadlines do not change the counts. */
const actionsOf = (app: TestApp['app'], prefix: string) =>
  new Map([...app.deadlineActions].filter(([kind]) => kind.startsWith(prefix)));

const kinds = await databaseKinds();

describe.each(kinds)('the call on the day after an inspection, on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2024-06-14T10:00:00Z'));
  let t: TestApp;
  let homes: { id: string; name: string }[];
  let otherHome: { id: string; name: string };
  let inspectorId: string;
  let managerId: string;
  const people: Record<string, string> = {};
  const inspections: Record<string, string> = {};
  let contactId: string;

  const headers = async (who: string) => ({
    authorization: `Bearer ${people[`${who}:token`] ?? (await t.tokenFor(who))}`,
  });
  const post = async (who: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await headers(who), payload });
  const get = async (who: string, url: string) => t.app.inject({ url, headers: await headers(who) });
  const at = (instant: string) => clock.set(instant);

  /** An inspection carried through to feedback through the API. */
  async function conduct(providerId: string, startDate: string, endDate: string, team: string[] = []) {
    const created = await post('planner', '/api/inspections', {
      providerId,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate,
      endDate,
      leadInspectorId: inspectorId,
      team,
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id as string;
    await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' });
    const evidence: string[] = [];
    for (const source of ['observation', 'child', 'staff', 'document', 'case-tracking']) {
      evidence.push(
        (
          await post('inspector', `/api/inspections/${id}/evidence`, { source, summary: `From ${source}` })
        ).json().id,
      );
    }
    for (const [index, areaId] of [
      'overall-experiences-and-progress',
      'help-and-protection',
      'leaders-and-managers',
    ].entries()) {
      await post('inspector', `/api/inspections/${id}/judgements`, {
        areaId,
        grade: 'good',
        evidenceIds: [evidence[index], evidence[index + 1]],
        rationale: 'Consistent practice',
      });
    }
    await post('inspector', `/api/inspections/${id}/dialogue`, { kind: 'conduct-comment', summary: 'None' });
    const feedback = await post('inspector', `/api/inspections/${id}/feedback`, { summary: 'Given' });
    expect(feedback.statusCode, feedback.body).toBe(200);
    return id;
  }

  /** An inspector of our own, with a token. */
  async function inspector(name: string, email: string) {
    const id = await createPerson(t.db, {
      email,
      name,
      passwordHash: await hashPassword(DEMO_PASSWORD),
      roles: ['inspector'],
    });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email, password: DEMO_PASSWORD },
    });
    people[name] = id;
    people[`${name}:token`] = response.json().token;
    return id;
  }

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    homes = (await get('provider', '/api/me')).json().providers;
    inspectorId = (await get('inspector', '/api/me')).json().id;
    managerId = (await get('manager', '/api/me')).json().id;
    const all = (await get('planner', '/api/providers?type=childrens-home&pageSize=50')).json().items as {
      id: string;
      name: string;
    }[];
    otherHome = all.find((p) => !homes.some((h) => h.id === p.id))!;
    await inspector('Alex Adams', 'alex.adams@demo.invalid');
    await inspector('Bea Brown', 'bea.brown@demo.invalid');
    // Alex has a connection to the first home, so never takes a call about it.
    expect(
      (
        await post('manager', '/api/conflicts', {
          personId: people['Alex Adams'],
          providerId: homes[0]!.id,
          description: 'My brother works there',
        })
      ).statusCode,
    ).toBe(201);
    inspections.april = await conduct(homes[0]!.id, '2024-06-12', '2024-06-14');
    inspections.second = await conduct(homes[1]!.id, '2024-06-12', '2024-06-14');
    inspections.other = await conduct(otherHome.id, '2024-06-12', '2024-06-14');
    inspections.y2020 = await conduct(homes[0]!.id, '2023-11-06', '2023-11-08');
    inspections.everyone = await conduct(homes[0]!.id, '2024-07-01', '2024-07-05', [
      managerId,
      people['Bea Brown']!,
    ]);
  });
  afterAll(async () => t?.close());

  it('takes a contact on the working day after the last day only, naming the dates', async () => {
    for (const when of ['2024-06-14T15:00:00Z', '2024-06-15T10:00:00Z', '2024-06-18T08:00:00Z']) {
      at(when);
      const refused = await post('provider', `/api/inspections/${inspections.april}/day-after-contact`, {
        issues: 'We disagree with what was said at feedback',
      });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().errors).toEqual([
        {
          field: 'date',
          message:
            'You can contact us about this inspection on Monday 17 June 2024 only, the working day after it ended on Friday 14 June 2024',
        },
      ]);
    }
    expect((await get('provider', `/api/inspections/${inspections.april}/day-after-contact`)).json()).toEqual(
      {
        contactDay: '2024-06-17',
        contact: null,
      },
    );
  });

  it('says the 2020 procedure has no such call', async () => {
    at('2023-11-09T10:00:00Z');
    const refused = await post('provider', `/api/inspections/${inspections.y2020}/day-after-contact`, {
      issues: 'x',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].field).toBe('inspectionId');
    expect(refused.json().detail).toMatch(
      /post-inspection arrangements from September 2020, which have no call on the day after the inspection/,
    );
  });

  it('takes it only from the inspected provider', async () => {
    at('2024-06-17T09:00:00Z');
    expect(
      (await post('provider', `/api/inspections/${inspections.other}/day-after-contact`, { issues: 'x' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await post('complaints', `/api/inspections/${inspections.april}/day-after-contact`, { issues: 'x' }))
        .statusCode,
    ).toBe(403);
    const empty = await post('provider', `/api/inspections/${inspections.april}/day-after-contact`, {
      issues: ' ',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('issues');
  });

  it('assigns an independent inspector with no conflict, the least busy first, once per inspection', async () => {
    at('2024-06-17T09:00:00Z');
    const raised = await post('provider', `/api/inspections/${inspections.april}/day-after-contact`, {
      issues: 'The feedback on leadership did not reflect what we showed the inspector.',
    });
    expect(raised.statusCode, raised.body).toBe(201);
    contactId = raised.json().id;
    // Alex (first by name) declared a conflict; the lead is the demo inspector: Bea takes it.
    expect(raised.json()).toMatchObject({ takenBy: 'Bea Brown', answered: false });
    const again = await post('provider', `/api/inspections/${inspections.april}/day-after-contact`, {
      issues: 'And another thing',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors[0].field).toBe('inspectionId');

    // At the second home Alex has no conflict and no open contact, while Bea now has one.
    const second = await post('provider', `/api/inspections/${inspections.second}/day-after-contact`, {
      issues: 'We were not told about the second day',
    });
    expect(second.statusCode, second.body).toBe(201);
    expect(second.json().takenBy).toBe('Alex Adams');

    const assigned = await t.db
      .selectFrom('outbox')
      .select(['recipient', 'template'])
      .where('template', 'like', 'day-after-contact-%')
      .orderBy('recipient')
      .execute();
    expect(assigned).toEqual(
      expect.arrayContaining([
        { recipient: 'bea.brown@demo.invalid', template: 'day-after-contact-assigned' },
        { recipient: 'alex.adams@demo.invalid', template: 'day-after-contact-assigned' },
        { recipient: 'provider@demo.invalid', template: 'day-after-contact-received' },
      ]),
    );
    const mine = (await get('Bea Brown', '/api/messages')).json();
    expect(mine.items.map((m: { template: string }) => m.template)).toEqual(['day-after-contact-assigned']);
  });

  it('refuses when nobody independent and unconflicted is left', async () => {
    at('2024-07-08T09:00:00Z');
    const refused = await post('provider', `/api/inspections/${inspections.everyone}/day-after-contact`, {
      issues: 'x',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/No experienced inspector is available who is independent/);
    expect((await t.db.selectFrom('day_after_contacts').select('id').execute()).length).toBe(2);
  });

  it('lets only the assigned inspector record whether they consulted the lead, and the outcome', async () => {
    at('2024-06-17T14:00:00Z');
    expect((await get('inspector', `/api/day-after-contacts/${contactId}`)).statusCode).toBe(404);
    expect((await get('Alex Adams', `/api/day-after-contacts/${contactId}`)).statusCode).toBe(404);
    expect((await get('manager', `/api/day-after-contacts/${contactId}`)).statusCode).toBe(200);
    const notAssigned = await post('manager', `/api/day-after-contacts/${contactId}/outcome`, {
      consultedLead: true,
      outcome: 'x',
    });
    expect(notAssigned.statusCode).toBe(403);
    expect(notAssigned.json().errors[0]).toEqual({
      field: 'authorization',
      message: 'Only Bea Brown, who was assigned the contact, can record its outcome',
    });
    const missing = await post('Bea Brown', `/api/day-after-contacts/${contactId}/outcome`, { outcome: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'consultedLead',
      'outcome',
    ]);
    const recorded = await post('Bea Brown', `/api/day-after-contacts/${contactId}/outcome`, {
      consultedLead: true,
      outcome: 'Talked it through with the lead; the report will explain the leadership evidence.',
    });
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json()).toMatchObject({
      consultedLead: true,
      assignedTo: { name: 'Bea Brown' },
      inspection: { leadInspector: { id: inspectorId } },
    });
    expect(recorded.json().outcomeAt).toBe('2024-06-17T14:00:00.000Z');
    const twice = await post('Bea Brown', `/api/day-after-contacts/${contactId}/outcome`, {
      consultedLead: false,
      outcome: 'x',
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().errors[0].field).toBe('outcome');
    expect((await get('provider', `/api/inspections/${inspections.april}/day-after-contact`)).json()).toEqual(
      {
        contactDay: '2024-06-17',
        contact: expect.objectContaining({ takenBy: 'Bea Brown', answered: true }),
      },
    );
    const list = (await get('Bea Brown', '/api/day-after-contacts')).json().items;
    expect(list.map((c: { id: string }) => c.id)).toEqual([contactId]);
    expect((await get('manager', '/api/day-after-contacts')).json().items).toHaveLength(2);
  });

  it('flags a contact with no outcome by the end of the next working day, once', async () => {
    // Raised on Monday 17 June: the outcome is due by the end of Tuesday 18 June (23:00 UTC in summer time).
    expect(
      await runDueDeadlines(t.db, actionsOf(t.app, 'day-after.'), new Date('2024-06-18T22:59:00Z')),
    ).toEqual({
      done: 0,
      failed: 0,
    });
    expect(
      await runDueDeadlines(t.db, actionsOf(t.app, 'day-after.'), new Date('2024-06-19T08:00:00Z')),
    ).toEqual({
      done: 1,
      failed: 0,
    });
    expect(
      await runDueDeadlines(t.db, actionsOf(t.app, 'day-after.'), new Date('2024-06-20T08:00:00Z')),
    ).toEqual({
      done: 0,
      failed: 0,
    });
    const overdue = await t.db
      .selectFrom('outbox')
      .select('recipient')
      .where('template', '=', 'day-after-contact-overdue')
      .execute();
    expect(overdue).toEqual([{ recipient: 'alex.adams@demo.invalid' }]);
  });

  it('serves the provider’s page and the inspector’s pages', async () => {
    at('2024-06-17T09:30:00Z');
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    const answered = await getPage(t.app, provider, `/inspections/${inspections.april}/day-after-contact`);
    expect(answered.statusCode).toBe(200);
    expect(answered.body).toContain('Bea Brown');
    const closed = await getPage(t.app, provider, `/inspections/${inspections.y2020}/day-after-contact`);
    expect(closed.body).toContain('which have no call on the day after the inspection');
    expect(
      (await getPage(t.app, provider, `/inspections/${inspections.other}/day-after-contact`)).statusCode,
    ).toBe(404);

    // A provider's form, refused with an error summary when empty.
    at('2024-07-08T09:30:00Z');
    const form = await getPage(t.app, provider, `/inspections/${inspections.everyone}/day-after-contact`);
    expect(form.body).toContain('What is still unresolved?');
    const empty = await postForm(t.app, provider, `/inspections/${inspections.everyone}/day-after-contact`, {
      _csrf: csrfTokenIn(form.body),
      issues: '',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#issues"');

    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const list = await getPage(t.app, manager, '/day-after-contacts');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Bea Brown');
    const detail = await getPage(t.app, manager, `/day-after-contacts/${contactId}`);
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('Consulted the lead inspector');
    expect((await getPage(t.app, manager, '/due')).statusCode).toBe(200);
  });
});
