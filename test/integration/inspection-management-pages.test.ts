import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs, type CookieJar } from '../support/pages.js';

const kinds = await databaseKinds();

interface ApiInspection {
  id: string;
  status: string;
  notice: string;
  provider: { id: string; name: string };
}

describe.each(kinds)('the inspection management pages on the %s database', (kind) => {
  let t: TestApp;
  let feedbackGiven: ApiInspection;
  let plannedNoNotice: ApiInspection;
  let completed: ApiInspection;

  async function inspections(status: string): Promise<ApiInspection[]> {
    const response = await t.app.inject({
      url: `/api/inspections?status=${status}`,
      headers: { authorization: `Bearer ${await t.tokenFor('manager')}` },
    });
    expect(response.statusCode).toBe(200);
    return (response.json() as { items: ApiInspection[] }).items;
  }

  const signIn = (role: string) => signInAs(t.app, role, DEMO_PASSWORD);

  beforeAll(async () => {
    t = await startTestApp(kind);
    [feedbackGiven] = (await inspections('feedback-given')) as [ApiInspection];
    plannedNoNotice = (await inspections('planned')).find((i) => i.notice === 'none')!;
    // A completed inspection of one of the provider user's own homes: one it may read but not moderate.
    const own = await t.app.inject({
      url: '/api/inspections?status=completed',
      headers: { authorization: `Bearer ${await t.tokenFor('provider')}` },
    });
    [completed] = (own.json() as { items: ApiInspection[] }).items as [ApiInspection];
  });
  afterAll(async () => t?.close());

  it('refuses the moderation and incomplete pages to anyone but a manager', async () => {
    const inspector = await signIn('inspector');
    const moderation = await getPage(t.app, inspector, `/inspections/${feedbackGiven.id}/moderation`);
    expect(moderation.statusCode).toBe(403);
    expect(moderation.body).toContain('Your role does not allow this.');
    expect((await getPage(t.app, inspector, `/inspections/${feedbackGiven.id}/incomplete`)).statusCode).toBe(
      403,
    );

    const planner = await signIn('planner');
    expect((await getPage(t.app, planner, `/inspections/${feedbackGiven.id}/moderation`)).statusCode).toBe(
      403,
    );

    const manager = await signIn('manager');
    const page = await getPage(t.app, manager, `/inspections/${feedbackGiven.id}/moderation`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Complete the inspection');
  });

  it('answers 404 for a missing inspection, and for one hidden from the person', async () => {
    const manager = await signIn('manager');
    for (const id of ['4a1c2b3d-0000-4000-8000-000000000000', 'not-an-id']) {
      expect((await getPage(t.app, manager, `/inspections/${id}/moderation`)).statusCode).toBe(404);
      expect((await getPage(t.app, manager, `/inspections/${id}/incomplete`)).statusCode).toBe(404);
    }
    // A provider never learns of a planned no-notice visit: refused by role before any inspection is
    // looked up, it gets the same answer for that visit, a visible one and one that does not exist.
    const provider = await signIn('provider');
    for (const id of [plannedNoNotice.id, completed.id, '3f6d1a52-9c1e-4b7a-8d2f-0a1b2c3d4e5f']) {
      expect((await getPage(t.app, provider, `/inspections/${id}/moderation`)).statusCode).toBe(403);
    }
    const own = await getPage(t.app, provider, `/providers/${plannedNoNotice.provider.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('There are no inspections of this provider.');
    expect(own.body).not.toContain('Plan an inspection');
  });

  it('lets planners and managers plan, and names each missing answer', async () => {
    const inspector = await signIn('inspector');
    expect((await getPage(t.app, inspector, '/inspections/new')).statusCode).toBe(403);

    const planner = await signIn('planner');
    const form = await getPage(t.app, planner, `/inspections/new?providerId=${feedbackGiven.provider.id}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`value="${feedbackGiven.provider.id}" selected`);
    const response = await postForm(t.app, planner, '/inspections/new', {
      _csrf: csrfTokenIn(form.body),
      providerId: feedbackGiven.provider.id,
      frameworkId: '',
      type: 'full',
    });
    expect(response.statusCode).toBe(400);
    for (const href of ['#notice', '#startDate-day', '#endDate-day', '#leadInspectorId']) {
      expect(response.body).toContain(`href="${href}"`);
    }
    // The default framework is not reported as missing while the first day is.
    expect(response.body).not.toContain('href="#frameworkId"');
  });

  it('shows a stale moderation as a conflict, keeping what was typed', async () => {
    const manager = await signIn('manager');
    const page = await getPage(t.app, manager, `/inspections/${feedbackGiven.id}/moderation`);
    const version = page.body.match(
      /moderation\/leaders-and-managers" novalidate>\s*<input[^>]+>\s*<input type="hidden" name="version" value="(\d+)"/,
    )?.[1];
    expect(version).toBeDefined();
    // Someone else moderates the same judgement first.
    const first = await t.app.inject({
      method: 'POST',
      url: `/api/inspections/${feedbackGiven.id}/judgements/leaders-and-managers/moderation`,
      headers: { authorization: `Bearer ${await t.tokenFor('manager')}` },
      payload: {
        grade: 'outstanding',
        reason: 'Leaders’ oversight is exceptional',
        version: Number(version),
      },
    });
    expect(first.statusCode).toBe(201);
    const stale = await postForm(
      t.app,
      manager,
      `/inspections/${feedbackGiven.id}/moderation/leaders-and-managers`,
      {
        _csrf: csrfTokenIn(page.body),
        version: version!,
        grade: 'requires-improvement-to-be-good',
        reason: 'Oversight of missing episodes is weak',
      },
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('This judgement changed after you opened it');
    expect(stale.body).toContain('href="#grade-leaders-and-managers"');
    expect(stale.body).toContain('Oversight of missing episodes is weak');
  });

  it('completes an inspection once, and says why a form from before no longer works', async () => {
    const manager = await signIn('manager');
    const page = await getPage(t.app, manager, `/inspections/${feedbackGiven.id}/moderation`);
    const csrf = csrfTokenIn(page.body);
    const version = page.body.match(
      /complete" novalidate>\s*<input[^>]+>\s*<input type="hidden" name="version" value="(\d+)"/,
    )?.[1];
    expect(version).toBeDefined();
    const done = await postForm(t.app, manager, `/inspections/${feedbackGiven.id}/complete`, {
      _csrf: csrf,
      version: version!,
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/inspections/${feedbackGiven.id}/moderation?saved=completed`);

    const again = await postForm(t.app, manager, `/inspections/${feedbackGiven.id}/complete`, {
      _csrf: csrf,
      version: version!,
    });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('href="#judgements"');
    const late = await postForm(
      t.app,
      manager,
      `/inspections/${feedbackGiven.id}/moderation/help-and-protection`,
      {
        _csrf: csrf,
        grade: 'good',
        reason: 'Too late',
      },
    );
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain(
      'Judgements are moderated after feedback and before the inspection is completed.',
    );
    expect(late.body).toContain('href="#judgements"');

    const incomplete = await getPage(t.app, manager, `/inspections/${feedbackGiven.id}/incomplete`);
    expect(incomplete.statusCode).toBe(200);
    expect(incomplete.body).toContain('This inspection is completed.');
    expect(incomplete.body).not.toContain('Declare incomplete and plan the visit');
  });

  it('keeps conflicts of interest to the inspectorate', async () => {
    const provider = await signIn('provider');
    expect((await getPage(t.app, provider, '/conflicts')).statusCode).toBe(403);

    const planner = await signIn('planner');
    const page = await getPage(t.app, planner, '/conflicts');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Declare a conflict of interest');
    const post = await postForm(t.app, planner, '/conflicts', {
      _csrf: csrfTokenIn(page.body),
      providerId: feedbackGiven.provider.id,
      description: 'A friend works there',
    });
    expect(post.statusCode).toBe(403);

    const inspector: CookieJar = await signIn('inspector');
    const own = await getPage(t.app, inspector, '/conflicts');
    const declared = await postForm(t.app, inspector, '/conflicts', {
      _csrf: csrfTokenIn(own.body),
      providerId: feedbackGiven.provider.id,
      description: 'A friend works there',
    });
    expect(declared.statusCode).toBe(303);
    // An inspector may not declare for someone else.
    const other = (
      await t.app.inject({
        url: '/api/me',
        headers: { authorization: `Bearer ${await t.tokenFor('manager')}` },
      })
    ).json() as { id: string };
    expect(other.id).toMatch(/^[0-9a-f-]{36}$/);
    const forOther = await postForm(t.app, inspector, '/conflicts', {
      _csrf: csrfTokenIn(own.body),
      personId: other.id,
      providerId: completed.provider.id,
      description: 'Not mine to declare',
    });
    expect(forOther.statusCode).toBe(403);
  });
});
