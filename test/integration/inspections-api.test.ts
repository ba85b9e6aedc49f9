import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { today } from '../../src/clock.js';
import { latestPlannedStart } from '../../src/inspections/rules.js';

const kinds = await databaseKinds();

describe.each(kinds)('conducting an inspection through the API on the %s database', (kind) => {
  let t: TestApp;
  let home: { id: string; name: string };
  let inspectorId: string;
  let managerId: string;
  let inspectionId: string;
  const evidence: Record<string, string> = {};

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const record = async (role = 'inspector') => (await get(role, `/api/inspections/${inspectionId}`)).json();

  beforeAll(async () => {
    t = await startTestApp(kind);
    const me = (await get('provider', '/api/me')).json();
    home = me.providers[0];
    inspectorId = (await get('inspector', '/api/me')).json().id;
    managerId = (await get('manager', '/api/me')).json().id;
  });
  afterAll(async () => t?.close());

  it('plans an inspection under the framework in force, and refuses a team member with a declared conflict', async () => {
    const other = (await get('planner', '/api/providers?type=childrens-home&pageSize=50'))
      .json()
      .items.find((p: { id: string }) => p.id !== home.id);
    const declared = await post('inspector', '/api/conflicts', {
      providerId: other.id,
      description: 'My sister manages this home',
    });
    expect(declared.statusCode).toBe(201);

    const conflicted = await post('planner', '/api/inspections', {
      providerId: other.id,
      frameworkId: 'childrens-homes',
      notice: 'none',
      startDate: '2025-03-10',
      endDate: '2025-03-12',
      leadInspectorId: managerId,
      team: [inspectorId],
    });
    expect(conflicted.statusCode).toBe(400);
    expect(conflicted.json().errors).toEqual([
      {
        field: 'team.0',
        message:
          'Demo inspector has declared a conflict of interest with this provider: My sister manages this home',
      },
    ]);

    const wrongFramework = await post('planner', '/api/inspections', {
      providerId: home.id,
      frameworkId: 'ilacs',
      notice: 'none',
      startDate: '2025-03-10',
      endDate: '2025-03-12',
      leadInspectorId: inspectorId,
    });
    expect(wrongFramework.statusCode).toBe(400);
    expect(wrongFramework.json().errors[0].field).toBe('frameworkId');

    const response = await post('planner', '/api/inspections', {
      providerId: home.id,
      frameworkId: 'childrens-homes',
      notice: 'none',
      startDate: '2025-03-10',
      endDate: '2025-03-12',
      leadInspectorId: inspectorId,
    });
    expect(response.statusCode).toBe(201);
    inspectionId = response.json().id;
    expect(response.json()).toMatchObject({
      status: 'planned',
      type: 'full',
      notice: 'none',
      leadInspector: { name: 'Demo inspector' },
    });
  });

  it('refuses a plan more than two years ahead, or outside 1900 to 2100, on its first day, planning nothing', async () => {
    const latest = latestPlannedStart(today(t.app.clock));
    const plan = (startDate: string) =>
      post('planner', '/api/inspections', {
        providerId: home.id,
        frameworkId: 'childrens-homes',
        notice: 'none',
        startDate,
        endDate: startDate,
        leadInspectorId: inspectorId,
      });
    const count = async () =>
      (
        await t.db
          .selectFrom('inspections')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n;
    const before = await count();
    const dayAfter = new Date(Date.parse(`${latest}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const tooFar = await plan(dayAfter);
    expect(tooFar.statusCode).toBe(400);
    expect(tooFar.json().errors).toEqual([
      {
        field: 'startDate',
        message: `The first day must be no more than 2 years ahead: ${latest} at the latest`,
      },
    ]);
    const farOff = await plan('9999-12-31');
    expect(farOff.statusCode).toBe(400);
    expect(farOff.json().errors).toContainEqual({
      field: 'startDate',
      message: 'Must be a real date between 1900-01-01 and 2100-12-31',
    });
    expect(await count()).toBe(before);
  });

  it('keeps a planned no-notice inspection secret from the provider', async () => {
    expect((await get('provider', `/api/inspections/${inspectionId}`)).statusCode).toBe(404);
    const list = (await get('provider', '/api/inspections')).json();
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(inspectionId);
  });

  it('refuses records before the team is on site, and from anyone not on the team', async () => {
    const early = await post('inspector', `/api/inspections/${inspectionId}/evidence`, {
      source: 'observation',
      summary: 'x',
    });
    expect(early.statusCode).toBe(409);
    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/status`, { status: 'on-site' })).statusCode,
    ).toBe(200);
    const outsider = await post('complaints', `/api/inspections/${inspectionId}/evidence`, {
      source: 'observation',
      summary: 'x',
    });
    expect(outsider.statusCode).toBe(403);
  });

  it('records evidence from several sources, and a correction keeps the earlier version', async () => {
    const line = await post('inspector', `/api/inspections/${inspectionId}/lines-of-enquiry`, {
      title: 'Missing from home episodes',
    });
    expect(line.statusCode).toBe(201);
    const items: [string, string, string?][] = [
      ['observation', 'Warm, attuned interactions at tea time'],
      ['child', 'Child A says staff listen and help with school', 'child-a'],
      ['staff', 'Staff describe the missing-from-home protocol accurately'],
      ['document', 'Return-home interviews completed within 72 hours for all episodes', 'child-a'],
      ['case-tracking', 'Child A’s plan, risk assessment and records tell one consistent story', 'child-a'],
    ];
    for (const [source, summary, child] of items) {
      const response = await post('inspector', `/api/inspections/${inspectionId}/evidence`, {
        source,
        summary,
        childReference: child,
        lineOfEnquiryId: source === 'document' ? line.json().id : undefined,
      });
      expect(response.statusCode).toBe(201);
      evidence[source] = response.json().id;
    }
    const bad = await post('inspector', `/api/inspections/${inspectionId}/evidence`, {
      source: 'rumour',
      summary: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['source', 'summary']);

    const corrected = await post(
      'inspector',
      `/api/inspections/${inspectionId}/evidence/${evidence.staff}/versions`,
      {
        source: 'staff',
        summary: 'Two staff describe the missing-from-home protocol accurately',
        reason: 'Second member of staff interviewed',
      },
    );
    expect(corrected.json()).toEqual({ id: evidence.staff, version: 2 });
    const item = (await record()).evidence.find((e: { id: string }) => e.id === evidence.staff);
    expect(item.summary).toBe('Two staff describe the missing-from-home protocol accurately');
    expect(item.versions.map((v: { summary: string }) => v.summary)).toEqual([
      'Staff describe the missing-from-home protocol accurately',
      'Two staff describe the missing-from-home protocol accurately',
    ]);

    const summary = (await record()).substantiation;
    expect(summary.openLinesOfEnquiry).toEqual([{ id: line.json().id, title: 'Missing from home episodes' }]);
    const closed = await post(
      'inspector',
      `/api/inspections/${inspectionId}/lines-of-enquiry/${line.json().id}/close`,
      {
        conclusion: 'Episodes are few and well managed',
        evidenceIds: [evidence.document, evidence.staff],
      },
    );
    expect(closed.statusCode).toBe(204);
    expect((await record()).substantiation.openLinesOfEnquiry).toEqual([]);
  });

  it('refuses a judgement without evidence and a requirement missing its parts, naming each', async () => {
    const noEvidence = await post('inspector', `/api/inspections/${inspectionId}/judgements`, {
      areaId: 'help-and-protection',
      grade: 'good',
      evidenceIds: [],
      rationale: 'Looks fine',
    });
    expect(noEvidence.statusCode).toBe(422);
    expect(noEvidence.json().errors[0].field).toBe('evidenceIds');

    const badGrade = await post('inspector', `/api/inspections/${inspectionId}/judgements`, {
      areaId: 'help-and-protection',
      grade: 'adequate',
      evidenceIds: [evidence.staff],
      rationale: 'x',
    });
    expect(badGrade.statusCode).toBe(422);
    expect(badGrade.json().errors[0].field).toBe('grade');

    const requirement = await post('inspector', `/api/inspections/${inspectionId}/requirements`, {
      regulationId: 'childrens-homes-2015-reg-99',
      evidenceIds: [evidence.document],
      complyBy: '2025-03-01',
    });
    expect(requirement.statusCode).toBe(422);
    expect(requirement.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'regulationId',
      'action',
      'impact',
      'evidenceIds',
      'complyBy',
    ]);
    const recommendation = await post('inspector', `/api/inspections/${inspectionId}/recommendations`, {
      text: 'Improve records',
    });
    expect(recommendation.statusCode).toBe(422);
    expect(recommendation.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'guideId',
      'page',
      'paragraph',
    ]);
  });

  it('gives judgements on evidence, with the overall grade limited by help and protection', async () => {
    const judge = (areaId: string, grade: string, evidenceIds: string[]) =>
      post('inspector', `/api/inspections/${inspectionId}/judgements`, {
        areaId,
        grade,
        evidenceIds,
        rationale: `Because of ${evidenceIds.length} items`,
      });
    expect(
      (await judge('overall-experiences-and-progress', 'good', [evidence.child!, evidence.observation!]))
        .statusCode,
    ).toBe(201);
    expect(
      (
        await judge('help-and-protection', 'requires-improvement-to-be-good', [
          evidence.document!,
          evidence.staff!,
        ])
      ).statusCode,
    ).toBe(201);
    expect((await judge('leaders-and-managers', 'good', [evidence['case-tracking']!])).statusCode).toBe(201);
    const now = await record();
    expect(now.overallGrade).toEqual({
      grade: 'requires-improvement-to-be-good',
      label: 'Requires improvement to be good',
      limitedBy: ['help-and-protection'],
    });
    expect(now.substantiation).toMatchObject({
      unsubstantiatedJudgements: [],
      ungradedAreas: [],
      evidenceTooThin: false,
      flawWarnings: [],
    });

    const requirement = await post('inspector', `/api/inspections/${inspectionId}/requirements`, {
      regulationId: 'childrens-homes-2015-reg-12',
      action: 'Make sure risk assessments are updated after every missing episode',
      impact: 'Children’s risks are not always understood, so plans do not keep them safe',
      evidenceIds: [evidence.document, evidence.staff],
      complyBy: '2025-05-30',
    });
    expect(requirement.statusCode).toBe(201);
    const recommendation = await post('inspector', `/api/inspections/${inspectionId}/recommendations`, {
      guideId: 'childrens-homes-guide-2015',
      page: 42,
      paragraph: '9.5',
      text: 'Records of restraint should say what happened afterwards',
    });
    expect(recommendation.statusCode).toBe(201);
    expect(
      (
        await post('inspector', `/api/inspections/${inspectionId}/errors-put-right`, {
          description: 'Fire drill log was unsigned; signed on the day',
        })
      ).statusCode,
    ).toBe(201);
  });

  it('takes the provider’s comments on conduct before the informal feedback', async () => {
    const early = await post('inspector', `/api/inspections/${inspectionId}/feedback`, {
      summary: 'Feedback given to the manager',
    });
    expect(early.statusCode).toBe(422);
    expect(early.json().errors[0].field).toBe('conductComments');
    const concern = await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'provider-concern',
      summary: 'Manager worried the inspector interviewed staff without her',
    });
    await post('inspector', `/api/inspections/${inspectionId}/dialogue/${concern.json().id}/resolution`, {
      resolution: 'Explained why; manager satisfied',
    });
    await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'end-of-day',
      summary: 'Day 1 emerging findings shared',
    });
    await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No further comments on conduct',
    });
    const provider = await get('provider', `/api/inspections/${inspectionId}`);
    expect(provider.statusCode).toBe(200);
    expect(provider.json().judgements).toEqual([]);
    expect(provider.json().evidence).toBeUndefined();

    const given = await post('inspector', `/api/inspections/${inspectionId}/feedback`, {
      summary: 'Feedback given to the manager',
    });
    expect(given.statusCode).toBe(200);
    expect(given.json().status).toBe('feedback-given');
    const now = await record();
    const feedback = now.dialogue.find((d: { kind: string }) => d.kind === 'informal-feedback');
    expect(feedback.snapshot.overallGrade).toBe('requires-improvement-to-be-good');
    expect(now.dialogue.find((d: { kind: string }) => d.kind === 'provider-concern').resolution).toBe(
      'Explained why; manager satisfied',
    );
  });

  it('shows the provider its judgements after feedback, but never the evidence', async () => {
    const seen = (await get('provider', `/api/inspections/${inspectionId}`)).json();
    expect(seen.overallGrade.grade).toBe('requires-improvement-to-be-good');
    expect(seen.requirements).toHaveLength(1);
    expect(seen.evidence).toBeUndefined();
    expect(seen.dialogue).toBeUndefined();
  });

  it('lets a manager moderate a grade with a reason, keeping the inspector’s grade in the history', async () => {
    const inspector = await post(
      'inspector',
      `/api/inspections/${inspectionId}/judgements/leaders-and-managers/moderation`,
      { grade: 'outstanding', reason: 'x' },
    );
    expect(inspector.statusCode).toBe(403);
    const noReason = await post(
      'manager',
      `/api/inspections/${inspectionId}/judgements/leaders-and-managers/moderation`,
      { grade: 'requires-improvement-to-be-good' },
    );
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().errors[0].field).toBe('reason');
    const moderated = await post(
      'manager',
      `/api/inspections/${inspectionId}/judgements/leaders-and-managers/moderation`,
      {
        grade: 'requires-improvement-to-be-good',
        reason: 'Oversight of missing episodes is weak; leaders did not spot the gaps',
        version: 1,
      },
    );
    expect(moderated.statusCode).toBe(201);
    const stale = await post(
      'manager',
      `/api/inspections/${inspectionId}/judgements/leaders-and-managers/moderation`,
      {
        grade: 'good',
        reason: 'Second thoughts',
        version: 1,
      },
    );
    expect(stale.statusCode).toBe(409);
    const judgement = (await record('manager')).judgements.find(
      (j: { areaId: string }) => j.areaId === 'leaders-and-managers',
    );
    expect(judgement).toMatchObject({
      grade: 'requires-improvement-to-be-good',
      moderated: true,
      version: 2,
    });
    expect(judgement.history.map((h: { grade: string; kind: string }) => [h.grade, h.kind])).toEqual([
      ['good', 'inspector'],
      ['requires-improvement-to-be-good', 'moderation'],
    ]);
  });

  it('declares a flawed inspection incomplete and plans the additional visit', async () => {
    // Refused before the body is read: an inspector learns nothing about the fields (it was 400 once).
    const notManager = await post('inspector', `/api/inspections/${inspectionId}/incomplete`, {});
    expect(notManager.statusCode).toBe(403);
    const refused = await post('planner', `/api/inspections/${inspectionId}/incomplete`, {
      condition: 'insufficient-evidence',
      reasons: 'x',
      additionalVisit: { startDate: '2025-03-20', endDate: '2025-03-21', leadInspectorId: managerId },
    });
    expect(refused.statusCode).toBe(403);
    const response = await post('manager', `/api/inspections/${inspectionId}/incomplete`, {
      condition: 'insufficient-evidence',
      reasons: 'Too little case tracking for the number of children',
      additionalVisit: { startDate: '2025-03-20', endDate: '2025-03-21', leadInspectorId: managerId },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      type: 'additional-visit',
      status: 'planned',
      additionalVisitOf: inspectionId,
      notice: 'none',
    });
    const flawed = await record();
    expect(flawed.status).toBe('incomplete');
    expect(flawed.flaw).toEqual({
      condition: 'insufficient-evidence',
      reasons: 'Too little case tracking for the number of children',
    });
    expect(flawed.additionalVisit).toEqual({ id: response.json().id });
    const audit = await t.db
      .selectFrom('audit_events')
      .select('action')
      .where('entity_id', '=', inspectionId)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'inspection.created',
        'evidence.corrected',
        'judgement.moderated',
        'inspection.incomplete',
      ]),
    );
  });

  it('warns before feedback when judgements are not substantiated or evidence is thin', async () => {
    const created = await post('planner', '/api/inspections', {
      providerId: home.id,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate: '2025-06-02',
      endDate: '2025-06-03',
      leadInspectorId: inspectorId,
    });
    const id = created.json().id;
    await post('inspector', `/api/inspections/${id}/status`, { status: 'on-site' });
    const only = await post('inspector', `/api/inspections/${id}/evidence`, {
      source: 'observation',
      summary: 'One visit to the lounge',
    });
    await post('inspector', `/api/inspections/${id}/judgements`, {
      areaId: 'overall-experiences-and-progress',
      grade: 'good',
      evidenceIds: [only.json().id],
      rationale: 'Seemed fine',
    });
    await post('inspector', `/api/inspections/${id}/dialogue`, { kind: 'conduct-comment', summary: 'None' });
    const warned = await post('inspector', `/api/inspections/${id}/feedback`, { summary: 'Feedback' });
    expect(warned.statusCode).toBe(422);
    expect(warned.json().errors).toEqual([
      {
        field: 'acknowledgeWarnings',
        message:
          'Warning: Too little evidence, or evidence of too poor quality, was gathered. Confirm you have seen this to give feedback anyway',
      },
    ]);
    const mine = (await get('inspector', '/api/inspections?mine=true&status=on-site')).json();
    expect(mine.items.map((i: { id: string }) => i.id)).toContain(id);
    expect(
      mine.items.every(
        (i: { status: string; leadInspector: { id: string } }) =>
          i.status === 'on-site' && i.leadInspector.id === inspectorId,
      ),
    ).toBe(true);
    const theirs = (await get('manager', '/api/inspections?mine=true')).json();
    expect(theirs.items.map((i: { id: string }) => i.id)).not.toContain(id);
  });
});
