import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { csrfTokenIn, getPage, postForm, signInAs, type CookieJar } from '../support/pages.js';

const kinds = await databaseKinds();

describe.each(kinds)('the inspector’s workspace pages on the %s database', (kind) => {
  let t: TestApp;
  let inspector: CookieJar;
  let onSite: string;

  const api = async (role: string, url: string, payload?: object) =>
    t.app.inject({
      method: payload ? 'POST' : 'GET',
      url,
      headers: { authorization: `Bearer ${await t.tokenFor(role)}` },
      ...(payload ? { payload } : {}),
    });
  const evidenceCount = async (id: string) =>
    (await api('inspector', `/api/inspections/${id}`)).json().evidence.length;

  /** Submits a form on a page with that page's CSRF token, as a browser would. */
  const submit = async (jar: CookieJar, page: string, action: string, fields: Record<string, string>) => {
    const form = await getPage(t.app, jar, page);
    expect(form.statusCode).toBe(200);
    return postForm(t.app, jar, action, { _csrf: csrfTokenIn(form.body), ...fields });
  };

  beforeAll(async () => {
    t = await startTestApp(kind);
    inspector = await signInAs(t.app, 'inspector', DEMO_PASSWORD);
    onSite = (await api('inspector', '/api/inspections?status=on-site&mine=true')).json().items[0].id;
  });
  afterAll(async () => t?.close());

  it('refuses a form post without its CSRF token, and records nothing', async () => {
    const before = await evidenceCount(onSite);
    const response = await postForm(t.app, inspector, `/inspections/${onSite}/evidence`, {
      source: 'staff',
      summary: 'Posted from elsewhere',
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('Form expired');
    expect(await evidenceCount(onSite)).toBe(before);
  });

  it('answers 404 for an inspection that does not exist', async () => {
    for (const url of [
      '/inspections/00000000-0000-4000-8000-000000000000',
      '/inspections/00000000-0000-4000-8000-000000000000/evidence',
      '/inspections/not-an-id/judgements',
      `/inspections/${onSite}/evidence/00000000-0000-4000-8000-000000000000`,
    ]) {
      const response = await getPage(t.app, inspector, url);
      expect(response.statusCode, url).toBe(404);
      expect(response.body).toContain('Page not found');
    }
  });

  it('records evidence from the form, then redirects to the log with a banner', async () => {
    const before = await evidenceCount(onSite);
    const response = await submit(
      inspector,
      `/inspections/${onSite}/evidence`,
      `/inspections/${onSite}/evidence`,
      {
        source: 'staff',
        summary: 'The cook described how children help plan the menu',
      },
    );
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/inspections/${onSite}/evidence?saved=evidence`);
    expect(await evidenceCount(onSite)).toBe(before + 1);
    const log = await getPage(t.app, inspector, response.headers.location as string);
    expect(log.body).toContain('Evidence recorded');
    expect(log.body).toContain('The cook described how children help plan the menu');
  });

  it('shows other staff the records read-only, and refuses their posts', async () => {
    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const page = await getPage(t.app, manager, `/inspections/${onSite}/evidence`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Record evidence</button>');
    const response = await postForm(t.app, manager, `/inspections/${onSite}/evidence`, {
      _csrf: csrfTokenIn(page.body),
      source: 'staff',
      summary: 'Not on the team',
    });
    expect(response.statusCode).toBe(403);
  });

  it('links a manager to moderation after feedback, and shows the flaw once declared incomplete', async () => {
    const awaiting = (await api('manager', '/api/inspections?status=feedback-given')).json().items[0];
    const manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const before = await getPage(t.app, manager, `/inspections/${awaiting.id}`);
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain(`href="/inspections/${awaiting.id}/moderation"`);

    const inspectorId = (await api('inspector', '/api/me')).json().id;
    const declared = await api('manager', `/api/inspections/${awaiting.id}/incomplete`, {
      condition: 'insufficient-evidence',
      reasons: 'Too little was seen of night-time care',
      additionalVisit: { startDate: '2026-12-07', endDate: '2026-12-07', leadInspectorId: inspectorId },
    });
    expect(declared.statusCode).toBe(201);
    const after = await getPage(t.app, inspector, `/inspections/${awaiting.id}`);
    expect(after.body).toContain('Incomplete inspection');
    expect(after.body).toContain('Too little was seen of night-time care');
    expect(after.body).toContain(`href="/inspections/${declared.json().id}"`);
    expect(after.body).not.toContain('/moderation"');
  });

  it('starts a planned inspection, and warns before feedback until the warnings are acknowledged', async () => {
    const homes = (await api('planner', '/api/providers?type=childrens-home&pageSize=100')).json().items;
    const inspectorId = (await api('inspector', '/api/me')).json().id;
    const planned = await api('planner', '/api/inspections', {
      providerId: homes[homes.length - 1].id,
      frameworkId: 'childrens-homes',
      type: 'monitoring',
      notice: 'short',
      startDate: '2026-12-01',
      endDate: '2026-12-01',
      leadInspectorId: inspectorId,
    });
    expect(planned.statusCode).toBe(201);
    const id = planned.json().id;
    const base = `/inspections/${id}`;

    const started = await submit(inspector, base, `${base}/start`, { version: '1' });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toBe(`${base}?saved=started`);

    // Two pieces of evidence from one source: too thin to stand on.
    const evidenceIds = [];
    for (const summary of ['Children were out at school all day', 'The rota shows safe staffing']) {
      evidenceIds.push(
        (await api('inspector', `/api/inspections/${id}/evidence`, { source: 'document', summary })).json()
          .id,
      );
    }
    for (const areaId of [
      'overall-experiences-and-progress',
      'help-and-protection',
      'leaders-and-managers',
    ]) {
      const given = await api('inspector', `/api/inspections/${id}/judgements`, {
        areaId,
        grade: 'good',
        evidenceIds,
        rationale: 'Records are in order',
      });
      expect(given.statusCode).toBe(201);
    }
    await api('inspector', `/api/inspections/${id}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No comments',
    });

    const check = await getPage(t.app, inspector, `${base}/feedback`);
    expect(check.body).toContain('govuk-warning-text');
    expect(check.body).toContain('I have seen the warnings');

    const refused = await postForm(t.app, inspector, `${base}/feedback`, {
      _csrf: csrfTokenIn(check.body),
      summary: 'Feedback given to the manager',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('href="#acknowledgeWarnings"');
    expect(refused.body).toContain(
      'Warning: Too little evidence, or evidence of too poor quality, was gathered',
    );

    const given = await postForm(t.app, inspector, `${base}/feedback`, {
      _csrf: csrfTokenIn(refused.body),
      summary: 'Feedback given to the manager',
      acknowledgeWarnings: 'true',
    });
    expect(given.statusCode).toBe(303);
    expect(given.headers.location).toBe(`${base}?saved=feedback`);
    const page = await getPage(t.app, inspector, given.headers.location as string);
    expect(page.body).toContain('Feedback recorded');
    expect((await api('inspector', `/api/inspections/${id}`)).json().status).toBe('feedback-given');
  });
});
