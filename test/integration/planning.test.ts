import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

/** Every provider of this test lives in a region of its own, so the demo register never mixes in. */
const REGION = 'Planning test region';

interface PlanRow {
  provider: { id: string; name: string };
  kind: 'full' | 'monitoring';
  basis: string;
  due: string;
  broughtForward: string;
  overdue: boolean;
  notice: string;
  signals: { kind: string; weightDays: number; bringForwardTo: string | null; explanation: string }[];
}

describe.each(kinds)('the inspection plan on the %s database', (kind) => {
  // Today is 15 June 2026 throughout.
  const clock = new ManualClock(new Date('2026-06-15T10:00:00Z'));
  let t: TestApp;
  const ids: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', string> = { a: '', b: '', c: '', d: '', e: '', f: '' };
  let managerId = '';
  let providerUserId = '';
  let plannerId = '';

  const as = async (role: string | null) =>
    role ? { authorization: `Bearer ${await t.tokenFor(role)}` } : ({} as Record<string, string>);
  const get = async (role: string | null, url: string) => t.app.inject({ url, headers: await as(role) });
  const post = async (role: string | null, url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const fields = (response: { json(): unknown }) =>
    (response.json() as { errors: { field: string }[] }).errors.map((e) => e.field);

  async function provider(name: string, type: string, registeredOn: string): Promise<string> {
    const row = await t.db
      .insertInto('providers')
      .values({
        urn: `PT${Math.floor(Math.random() * 1e9)}`,
        name,
        type,
        sector: type === 'local-authority' ? 'local-authority' : 'private',
        address_line1: '1 Test Street',
        address_line2: null,
        town: 'Testbury',
        postcode: 'TE1 1ST',
        local_authority: 'Testshire',
        region: REGION,
        places: 4,
        status: 'registered',
        owner_group_id: null,
        registered_on: registeredOn,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function inspection(
    providerId: string,
    endDate: string,
    grade: string | null,
    options: { frameworkId?: string; type?: string; status?: string } = {},
  ): Promise<string> {
    const row = await t.db
      .insertInto('inspections')
      .values({
        provider_id: providerId,
        framework_id: options.frameworkId ?? 'childrens-homes',
        type: options.type ?? 'full',
        notice: 'none',
        start_date: endDate,
        end_date: endDate,
        lead_inspector_id: managerId,
        status: options.status ?? 'completed',
        overall_grade: grade,
        flaw_condition: null,
        flaw_reasons: null,
        additional_visit_of: null,
        created_by: managerId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async function concern(
    providerId: string,
    receivedOn: string,
    decision: null | { decision: 'bring-forward' | 'inspect-now'; to: string | null },
  ) {
    await t.db
      .insertInto('concerns')
      .values({
        reference: `CON-T${Math.floor(Math.random() * 1e9)}`,
        provider_id: providerId,
        provider_description: 'A home in the test region',
        channel: 'phone',
        summary: 'A neighbour is worried about the children',
        raiser_name: null,
        raiser_email: null,
        raiser_relationship: null,
        received_at: `${receivedOn}T09:00:00Z`,
        status: decision ? 'decided' : 'new',
        risk_level: decision ? 'high' : null,
        decision: decision?.decision ?? null,
        decision_reasons: decision ? 'Serious allegations' : null,
        bring_forward_to: decision?.to ?? null,
        decided_by: decision ? plannerId : null,
        decided_at: decision ? new Date(`${receivedOn}T15:00:00Z`) : null,
        notification_id: null,
        raised_by: null,
      })
      .execute();
  }

  async function notification(
    providerId: string,
    eventDate: string,
    categoryId: string,
    broughtForwardTo?: string,
  ) {
    await t.db
      .insertInto('event_notifications')
      .values({
        reference: `N-T${Math.floor(Math.random() * 1e9)}`,
        provider_id: providerId,
        category_id: categoryId,
        event_date: eventDate,
        what_happened: 'Something serious',
        actions_taken: 'Police called',
        told_other: null,
        submitted_by: providerUserId,
        submitted_at: `${eventDate}T12:00:00Z`,
        status: broughtForwardTo ? 'reviewed' : 'submitted',
        review_outcome: broughtForwardTo ? 'inspection-brought-forward' : null,
        review_notes: null,
        bring_forward_to: broughtForwardTo ?? null,
        concern_id: null,
        reviewed_by: broughtForwardTo ? plannerId : null,
        reviewed_at: broughtForwardTo ? new Date(`${eventDate}T16:00:00Z`) : null,
      })
      .execute();
  }

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const person = async (email: string) =>
      (await t.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    managerId = await person('manager@demo.invalid');
    providerUserId = await person('provider@demo.invalid');
    plannerId = await person('planner@demo.invalid');

    // A: good on 30 September 2025, so due 30 September 2026; a concern awaiting assessment (30 days)
    // and a new manager (45 days) bring it to 17 July 2026.
    ids.a = await provider('Alpha House', 'childrens-home', '2015-03-01');
    await inspection(ids.a, '2024-09-20', 'good');
    await inspection(ids.a, '2025-09-30', 'good');
    await concern(ids.a, '2026-05-01', null);
    await concern(ids.a, '2025-09-01', null); // before the last inspection: already seen
    await t.db
      .insertInto('provider_changes')
      .values({
        provider_id: ids.a,
        kind: 'manager-changed',
        occurred_on: '2026-03-01',
        note: null,
        recorded_by: plannerId,
      })
      .execute();

    // B: never inspected, registered 10 January 2026, so due 10 January 2027; a concern decided
    // 'bring forward' to 1 August 2026.
    ids.b = await provider('Bravo Lodge', 'childrens-home', '2026-01-10');
    await concern(ids.b, '2026-05-20', { decision: 'bring-forward', to: '2026-08-01' });

    // C: good, then requires improvement on 31 March 2026: due 30 September 2026 (six months); the drop
    // (60 days) and a requirement not met by 31 May 2026 (21 days) bring it to 11 July 2026.
    ids.c = await provider('Charlie Cottage', 'childrens-home', '2012-06-01');
    await inspection(ids.c, '2024-10-01', 'good');
    const cLast = await inspection(ids.c, '2026-03-31', 'requires-improvement-to-be-good');
    await t.db
      .insertInto('requirements')
      .values({
        inspection_id: cLast,
        regulation_id: 'childrens-homes-2015-reg-12',
        action: 'Review every missing episode',
        impact: 'Risks are not reduced',
        evidence_ids: [],
        comply_by: '2026-05-31',
        recorded_by: managerId,
      })
      .execute();

    // D: good on 10 May 2025, due 10 May 2026: overdue, and it stays on its due date even though a
    // notification was reviewed as bringing it forward to 1 April 2026.
    ids.d = await provider('Delta View', 'childrens-home', '2010-01-01');
    await inspection(ids.d, '2025-05-10', 'good');
    await notification(ids.d, '2026-03-20', 'missing-child', '2026-04-01');
    await notification(ids.d, '2025-01-20', 'allegation-of-abuse'); // before the last inspection

    // E: a local authority judged inadequate on 20 February 2026: the full inspection is due 20 August
    // 2027 (18 months), monitoring visits every three months, the last on 15 May 2026: next 15 August 2026.
    ids.e = await provider('Echo Council children’s services', 'local-authority', '2008-01-01');
    await inspection(ids.e, '2026-02-20', 'inadequate', { frameworkId: 'ilacs' });
    await inspection(ids.e, '2026-05-15', null, { frameworkId: 'ilacs', type: 'monitoring' });

    // F: overdue, but an inspection is already planned: not in the plan.
    ids.f = await provider('Foxtrot House', 'childrens-home', '2011-01-01');
    await inspection(ids.f, '2025-01-10', 'good');
    await inspection(ids.f, '2026-07-01', null, { status: 'planned' });
  });
  afterAll(async () => t?.close());

  const planUrl = (extra = '') =>
    `/api/plan?from=2026-06-15&to=2026-09-30&region=${encodeURIComponent(REGION)}${extra}`;

  it('orders the period’s inspections by brought-forward date, overdue ones included, with hand-worked dates', async () => {
    const response = await get('planner', planUrl('&pageSize=10'));
    expect(response.statusCode, response.body).toBe(200);
    const plan = response.json() as { total: number; items: PlanRow[]; period: object };
    expect(plan.period).toEqual({ from: '2026-06-15', to: '2026-09-30', today: '2026-06-15' });
    expect(plan.items.map((r) => [r.provider.name, r.kind, r.due, r.broughtForward, r.overdue])).toEqual([
      ['Delta View', 'full', '2026-05-10', '2026-05-10', true],
      ['Charlie Cottage', 'full', '2026-09-30', '2026-07-11', false],
      ['Alpha House', 'full', '2026-09-30', '2026-07-17', false],
      ['Bravo Lodge', 'full', '2027-01-10', '2026-08-01', false],
      ['Echo Council children’s services', 'monitoring', '2026-08-15', '2026-08-15', false],
    ]);
    expect(plan.total).toBe(5);
    const byName = (name: string) => plan.items.find((r) => r.provider.name === name)!;
    expect(
      byName('Alpha House')
        .signals.map((s) => [s.kind, s.weightDays])
        .sort(),
    ).toEqual([
      ['concern-awaiting-assessment', 30],
      ['manager-changed', 45],
    ]);
    expect(
      byName('Alpha House').signals.find((s) => s.kind === 'concern-awaiting-assessment')!.explanation,
    ).toMatch(/awaiting assessment/);
    expect(
      byName('Charlie Cottage')
        .signals.map((s) => s.kind)
        .sort(),
    ).toEqual(['grade-drop', 'overdue-requirement']);
    expect(byName('Bravo Lodge')).toMatchObject({ basis: 'registration', notice: 'none' });
    expect(byName('Bravo Lodge').signals).toEqual([
      expect.objectContaining({ kind: 'concern-bring-forward', weightDays: 0, bringForwardTo: '2026-08-01' }),
    ]);
    expect(byName('Delta View').signals).toEqual([
      expect.objectContaining({ kind: 'notification', bringForwardTo: '2026-04-01' }),
    ]);
    expect(byName('Echo Council children’s services').notice).toBe('short');
    expect(plan.items.some((r) => r.provider.name === 'Foxtrot House')).toBe(false);
  });

  it('pages through the plan', async () => {
    const page = async (n: number) =>
      (await get('planner', planUrl(`&pageSize=2&page=${n}`))).json() as {
        items: PlanRow[];
        total: number;
        totalPages: number;
      };
    const [one, two, three, four] = await Promise.all([page(1), page(2), page(3), page(4)]);
    expect(one.items.map((r) => r.provider.name)).toEqual(['Delta View', 'Charlie Cottage']);
    expect(two.items.map((r) => r.provider.name)).toEqual(['Alpha House', 'Bravo Lodge']);
    expect(three.items.map((r) => r.kind)).toEqual(['monitoring']);
    expect([one.totalPages, four.total, four.items.length]).toEqual([3, 5, 0]);
  });

  it('leaves out what falls after the period, but keeps overdue rows whatever the period', async () => {
    const plan = (
      await get('planner', `/api/plan?from=2026-07-12&to=2026-07-31&region=${encodeURIComponent(REGION)}`)
    ).json() as {
      items: PlanRow[];
    };
    expect(plan.items.map((r) => r.provider.name)).toEqual(['Delta View', 'Alpha House']);
  });

  it('explains one provider’s plan, and keeps the overall grade given through the inspection store', async () => {
    const response = await get('planner', `/api/plan/providers/${ids.e}`);
    expect(response.statusCode).toBe(200);
    const plan = response.json() as { rows: PlanRow[]; signals: unknown[] };
    expect(plan.rows.map((r) => [r.kind, r.due, r.broughtForward])).toEqual([
      ['monitoring', '2026-08-15', '2026-08-15'],
      ['full', '2027-08-20', '2027-08-20'],
    ]);
    expect(
      (await get('planner', '/api/plan/providers/00000000-0000-4000-8000-000000000000')).statusCode,
    ).toBe(404);
    // The demo's completed inspection was graded through giveJudgement: good overall.
    const graded = await t.db
      .selectFrom('inspections')
      .select('overall_grade')
      .where('status', '=', 'completed')
      .where('lead_inspector_id', '<>', managerId)
      .execute();
    expect(graded.map((g) => g.overall_grade)).toContain('good');
  });

  it('refuses a period it cannot read, naming the field', async () => {
    const bad = await get('planner', '/api/plan?from=2026-13-01&to=2026-12-31');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(fields(bad)).toEqual(['from']);
    const backwards = await get('planner', '/api/plan?from=2026-12-01&to=2026-11-30');
    expect(backwards.statusCode).toBe(400);
    expect(fields(backwards)).toEqual(['to']);
    const whatIf = await get('planner', '/api/plan/what-if?frameworkId=ilacs&gradeId=satisfactory&months=0');
    expect(whatIf.statusCode).toBe(400);
    expect(fields(whatIf).sort()).toEqual(['gradeId', 'months']);
  });

  it('shows the workload of a changed interval, month by month', async () => {
    const response = await get(
      'planner',
      `/api/plan/what-if?frameworkId=ilacs&gradeId=inadequate&months=12&from=2026-06-01&to=2028-05-31&region=${encodeURIComponent(REGION)}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    const result = response.json() as {
      change: object;
      months: { month: string; baseline: number; changed: number; difference: number }[];
      totals: object;
    };
    expect(result.change).toEqual({
      frameworkId: 'ilacs',
      gradeId: 'inadequate',
      fromMonths: 18,
      toMonths: 12,
    });
    expect(result.months).toHaveLength(24);
    const changedMonths = result.months.filter((m) => m.difference !== 0).map((m) => [m.month, m.difference]);
    // Echo: due August 2027 under 18 months; February 2027 and again February 2028 under 12.
    expect(changedMonths).toEqual([
      ['2027-02', 1],
      ['2027-08', -1],
      ['2028-02', 1],
    ]);
    // Alpha 2, Bravo 1, Charlie 4 (every six months), Delta 2 (overdue, now), Echo 1.
    expect(result.totals).toEqual({ baseline: 10, changed: 11, difference: 1 });
    expect(result.months.find((m) => m.month === '2026-06')).toMatchObject({ baseline: 1 });
  });

  it('records a change of owner, which brings the inspection forward, and audits it', async () => {
    const bad = await post('planner', `/api/providers/${ids.a}/changes`, {
      kind: 'cook-changed',
      occurredOn: '2026-07-01',
    });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['kind']);
    const future = await post('planner', `/api/providers/${ids.a}/changes`, {
      kind: 'owner-changed',
      occurredOn: '2026-07-01',
    });
    expect(future.statusCode).toBe(400);
    expect(fields(future)).toEqual(['occurredOn']);

    const recorded = await post('manager', `/api/providers/${ids.a}/changes`, {
      kind: 'owner-changed',
      occurredOn: '2026-06-01',
      note: 'Sold to a new group',
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    const audit = await t.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id'])
      .where('entity_id', '=', ids.a)
      .where('action', '=', 'provider-change.recorded')
      .execute();
    expect(audit).toHaveLength(1);
    // 30 + 45 + 60 = 135 days before 30 September reaches past today: brought forward to today.
    const plan = (await get('planner', `/api/plan/providers/${ids.a}`)).json() as {
      rows: PlanRow[];
      changes: unknown[];
    };
    expect(plan.rows[0]).toMatchObject({ due: '2026-09-30', broughtForward: '2026-06-15' });
    expect(plan.changes).toHaveLength(2);
  });

  it('answers 404 to provider users, other staff and the public on every plan route', async () => {
    const routes: [string, string, object?][] = [
      ['GET', planUrl()],
      ['GET', '/api/plan?from=nonsense'],
      ['GET', '/api/plan/what-if?frameworkId=ilacs&gradeId=inadequate&months=12'],
      ['GET', `/api/plan/providers/${ids.a}`],
      ['POST', `/api/providers/${ids.a}/changes`, { kind: 'owner-changed', occurredOn: '2026-06-01' }],
      ['GET', '/plan'],
      ['GET', '/plan/what-if?frameworkId=ilacs&gradeId=inadequate&months=12'],
      ['GET', `/plan/providers/${ids.a}`],
      ['GET', `/plan/providers/${ids.a}/inspect`],
      ['GET', `/plan/providers/${ids.a}/changes`],
    ];
    for (const role of ['provider', 'inspector', 'analyst', 'complaints', null]) {
      for (const [method, url, payload] of routes) {
        const response = await t.app.inject({
          method: method as 'GET' | 'POST',
          url,
          headers: await as(role),
          ...(payload ? { payload } : {}),
        });
        expect(response.statusCode, `${role ?? 'public'} ${method} ${url}`).toBe(404);
        expect(response.body).not.toContain('Alpha House');
        expect(response.body).not.toContain('2026-07-17');
      }
    }
    // Nothing was recorded by the refused posts.
    expect(
      await t.db.selectFrom('provider_changes').select('id').where('provider_id', '=', ids.a).execute(),
    ).toHaveLength(2);
    // Signed in through the pages, a provider user gets 404 for the plan's forms too.
    const jar = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    expect((await getPage(t.app, jar, '/plan')).statusCode).toBe(404);
    expect(
      (await postForm(t.app, jar, `/plan/providers/${ids.a}/changes`, { kind: 'owner-changed' })).statusCode,
    ).toBe(404);
  });

  it('shows the plan and the what-if as pages, and plans an inspection from a plan row', async () => {
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const plan = await getPage(
      t.app,
      jar,
      `/plan?from=2026-06-15&to=2026-09-30&region=${encodeURIComponent(REGION)}`,
    );
    expect(plan.statusCode).toBe(200);
    expect(plan.body).toContain('Charlie Cottage');
    expect(plan.body).toContain('Grade dropped');
    const detail = await getPage(t.app, jar, `/plan/providers/${ids.c}`);
    expect(detail.body).toContain('The overall grade fell from Good to Requires improvement to be good');
    expect(detail.body).toContain('Requirement not met in time');
    const badPeriod = await getPage(t.app, jar, '/plan?from=2026-02-30');
    expect(badPeriod.body).toContain('From must be a real date');
    const whatIf = await getPage(
      t.app,
      jar,
      `/plan/what-if?frameworkId=ilacs&gradeId=inadequate&months=12&from=2026-06-01&to=2028-05-31&region=${encodeURIComponent(REGION)}`,
    );
    expect(whatIf.statusCode).toBe(200);
    expect(whatIf.body).toContain('<svg');
    expect(whatIf.body).not.toMatch(/style=/);

    // A conflicted inspector is not offered as lead.
    const inspectorId = (
      await t.db
        .selectFrom('people')
        .select('id')
        .where('email', '=', 'inspector@demo.invalid')
        .executeTakeFirstOrThrow()
    ).id;
    await t.db
      .insertInto('conflicts_of_interest')
      .values({
        person_id: inspectorId,
        provider_id: ids.c,
        description: 'Worked there',
        declared_by: managerId,
      })
      .execute();
    const form = await getPage(t.app, jar, `/plan/providers/${ids.c}/inspect`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain(`value="${inspectorId}"`);
    expect(form.body).toContain(`value="${managerId}"`);

    const _csrf = csrfTokenIn(form.body);
    const missing = await postForm(t.app, jar, `/plan/providers/${ids.c}/inspect`, {
      _csrf,
      kind: 'full',
      frameworkId: 'childrens-homes',
      notice: 'none',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Select an inspector to lead the inspection');

    // Today is 15 June 2026 on this clock: two years ahead is the furthest a plan may start.
    const tooFar = await postForm(t.app, jar, `/plan/providers/${ids.c}/inspect`, {
      _csrf,
      kind: 'full',
      frameworkId: 'childrens-homes',
      notice: 'none',
      leadInspectorId: managerId,
      'startDate-day': '16',
      'startDate-month': '6',
      'startDate-year': '2028',
      'endDate-day': '17',
      'endDate-month': '6',
      'endDate-year': '2028',
    });
    expect(tooFar.statusCode).toBe(400);
    expect(tooFar.body).toContain('href="#startDate-day"');
    expect(tooFar.body).toContain(
      'The first day must be no more than 2 years ahead: 2028-06-15 at the latest',
    );

    const created = await postForm(t.app, jar, `/plan/providers/${ids.c}/inspect`, {
      _csrf,
      kind: 'full',
      frameworkId: 'childrens-homes',
      notice: 'none',
      leadInspectorId: managerId,
      'startDate-day': '11',
      'startDate-month': '7',
      'startDate-year': '2026',
      'endDate-day': '13',
      'endDate-month': '7',
      'endDate-year': '2026',
    });
    expect(created.statusCode, created.body).toBe(303);
    expect(created.headers.location).toMatch(/^\/inspections\/[0-9a-f-]+\?saved=planned$/);
    // Now planned, Charlie Cottage leaves the plan.
    const after = (await get('planner', planUrl())).json() as { items: PlanRow[] };
    expect(after.items.some((r) => r.provider.name === 'Charlie Cottage')).toBe(false);
  });
});
