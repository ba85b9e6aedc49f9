import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { databaseKinds } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { signOffModeration } from '../support/steps.js';

const kinds = await databaseKinds();

describe.each(kinds)('the regulator’s own report dates on the %s database', (kind) => {
  let t: TestApp;
  let inspectionId: string;
  const clock = new ManualClock(new Date('2025-06-04T09:00:00Z'));
  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const overdueMessages = async () =>
    (
      await t.db
        .selectFrom('outbox')
        .select('recipient')
        .where('template', '=', 'draft-report-overdue')
        .where('body', 'like', `%${inspectionId}%`)
        .execute()
    ).map((m) => m.recipient);
  const dashboard = async () =>
    (await t.app.inject({ url: '/api/deadlines/due', headers: await as('manager') })).json() as {
      groups: { items: { kind: string; overdue: boolean; flagged: boolean; subject: { id: string } }[] }[];
    };
  const draftFlag = async () =>
    (await dashboard()).groups
      .flatMap((g) => g.items)
      .find((i) => i.kind === 'inspection.draft-report-overdue' && i.subject.id === inspectionId);

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const inspectorId = (
      await (await t.app.inject({ url: '/api/me', headers: await as('inspector') })).json()
    ).id;
    const home = (await (await t.app.inject({ url: '/api/me', headers: await as('provider') })).json())
      .providers[0];
    inspectionId = (
      await post('planner', '/api/inspections', {
        providerId: home.id,
        frameworkId: 'childrens-homes',
        notice: 'announced',
        startDate: '2025-06-02',
        endDate: '2025-06-03',
        leadInspectorId: inspectorId,
      })
    ).json().id;
    await post('inspector', `/api/inspections/${inspectionId}/status`, { status: 'on-site' });
    const sources = ['observation', 'child', 'staff', 'document', 'case-tracking'];
    const ids: string[] = [];
    for (const source of sources) {
      ids.push(
        (
          await post('inspector', `/api/inspections/${inspectionId}/evidence`, {
            source,
            summary: `From ${source}`,
          })
        ).json().id,
      );
    }
    for (const areaId of [
      'overall-experiences-and-progress',
      'help-and-protection',
      'leaders-and-managers',
    ]) {
      await post('inspector', `/api/inspections/${inspectionId}/judgements`, {
        areaId,
        grade: 'good',
        evidenceIds: ids,
        rationale: 'Evidence',
      });
    }
    await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'None',
    });
    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/feedback`, { summary: 'Given' })).statusCode,
    ).toBe(200);
    await signOffModeration(post, inspectionId);
  });
  afterAll(async () => t?.close());

  it('tells the lead inspector and managers once when the draft report is late, and shows it as overdue until issued', async () => {
    // 18 working days after Tuesday 3 June 2025 is Friday 27 June 2025.
    await runDueDeadlines(t.db, t.app.deadlineActions, new Date('2025-06-27T22:59:00Z'));
    expect(await overdueMessages()).toEqual([]);
    expect(await draftFlag()).toMatchObject({ overdue: false, flagged: false });
    await runDueDeadlines(t.db, t.app.deadlineActions, new Date('2025-06-27T23:00:00Z'));
    await runDueDeadlines(t.db, t.app.deadlineActions, new Date('2025-06-30T09:00:00Z'));
    expect((await overdueMessages()).sort()).toEqual(['inspector@demo.invalid', 'manager@demo.invalid']);
    expect(await draftFlag()).toMatchObject({ overdue: true, flagged: true });

    clock.set('2025-06-30T10:00:00Z');
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, {
      narrative: 'Children are happy and safe here.',
    });
    expect(issued.statusCode).toBe(201);
    expect(await draftFlag()).toBeUndefined();
  });
});
