import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDueDeadlines } from '../../src/deadlines/store.js';
import { describeInBrowser, startWorld, type World } from './browser.js';

/**
 * Reports through the pages: the public finds a published report without signing in; a provider
 * answers its draft with minor points, without JavaScript; the inspector decides the points and a
 * manager publishes.
 */
describeInBrowser('inspection reports', () => {
  let world: World;

  async function api(role: string, url: string, payload?: object) {
    const response = await world.t.app.inject({
      method: payload ? 'POST' : 'GET',
      url,
      headers: { authorization: `Bearer ${await world.t.tokenFor(role)}` },
      ...(payload ? { payload } : {}),
    });
    return { status: response.statusCode, body: response.json() as Record<string, any> };
  }

  const narrative =
    'Children are happy here and make good progress at school.\n\n' +
    'The registered manager knows every child well and leads a stable staff team.';

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('lets anyone find a published report and read it, without signing in', async () => {
    // Another provider's inspection, fed back: its draft goes unanswered, is presumed accurate, and is published.
    const inspection = (await api('inspector', '/api/inspections?status=feedback-given&mine=true')).body
      .items[0];
    expect(
      (await api('manager', `/api/inspections/${inspection.id}/moderation`, { outcome: 'done' })).status,
    ).toBe(200);
    const issued = await api('inspector', `/api/inspections/${inspection.id}/report`, { narrative });
    expect(issued.status).toBe(201);
    const reportId: string = issued.body.id;
    const reportActions = new Map(
      [...world.t.app.deadlineActions].filter(([kind]) => kind.startsWith('report.')),
    );
    const afterTheDeadline = new Date(Date.now() + 30 * 86_400_000);
    await runDueDeadlines(world.t.db, reportActions, afterTheDeadline);
    const completed = await api('manager', `/api/inspections/${inspection.id}/status`, {
      status: 'completed',
    });
    expect(completed.status).toBe(200);
    expect((await api('manager', `/api/reports/${reportId}/publish`, {})).status).toBe(200);
    const { urn, localAuthority } = issued.body.content.provider;

    const user = await world.user();
    await user.goto('/');
    await user.clickLink('Reports');
    expect(await user.heading()).toBe('Inspection reports');
    expect(await user.page.getByRole('heading', { name: 'Reports for your providers' }).count()).toBe(0);

    await user.page.getByLabel('Provider name or unique reference number').fill('No such home anywhere');
    await user.clickButton('Search');
    expect(await user.page.locator('#no-results').innerText()).toBe('No reports found');

    await user.page.getByLabel('Provider name or unique reference number').fill(urn);
    await user.page.getByLabel('Overall grade').selectOption({ label: 'Requires improvement to be good' });
    await user.clickButton('Search');
    expect(await user.page.locator('#result-count').innerText()).toBe('Showing 1 to 1 of 1 report');
    const [row] = await user.tableRows();
    expect(row).toEqual([
      inspection.provider.name,
      urn,
      "Children's home",
      localAuthority,
      'Requires improvement to be good',
      expect.stringMatching(/^\d{1,2} [A-Z][a-z]+ \d{4}$/),
    ]);

    await user.clickLink(inspection.provider.name);
    expect(new URL(user.page.url()).pathname).toBe(`/reports/${reportId}`);
    expect(await user.heading()).toBe(inspection.provider.name);
    expect(await user.summaryList()).toMatchObject({
      'Unique reference number': urn,
      'Inspection dates': '16 November 2026 to 18 November 2026',
      Status: 'Published',
    });
    expect(await user.page.getByRole('link', { name: /^Download PDF/ }).getAttribute('href')).toBe(
      `/reports/${reportId}/pdf`,
    );
    expect(await user.page.getByText('The registered manager knows every child well').count()).toBe(1);
    expect(await user.page.getByRole('heading', { name: 'Response to the draft' }).count()).toBe(0);
    user.done();
  });

  let reportId: string;
  let inspectionId: string;

  it('lets the provider answer its draft with minor points, without JavaScript', async () => {
    const own = (await api('provider', '/api/inspections?status=completed')).body.items[0];
    inspectionId = own.id;
    const issued = await api('inspector', `/api/inspections/${own.id}/report`, { narrative });
    expect(issued.status).toBe(201);
    reportId = issued.body.id;

    const user = await world.user({ javaScript: false });
    await user.signIn('provider');
    await user.clickLink('Reports');
    expect(await user.page.getByRole('heading', { name: 'Reports for your providers' }).count()).toBe(1);
    await user.clickLink(new RegExp(`^Respond to the draft report of ${own.provider.name}`));
    expect(await user.heading()).toBe('Respond to the draft report');
    expect(await user.page.locator('#deadline').innerText()).toContain(
      `You have until ${formatLong(issued.body.responseDue)} to respond.`,
    );
    const routes = await user.page.locator('.govuk-radios__item label').allInnerTexts();
    expect(routes).toEqual([
      'Raise minor points of clarity or factual accuracy',
      'Make a formal complaint seeking a review of the findings and judgements',
    ]);

    // Nothing chosen: the route is asked for.
    await user.clickButton('Send response');
    expect(await user.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: 'Choose how to respond: minor-points or formal-complaint', href: '#route' }],
    });

    await user.page.getByLabel('Raise minor points of clarity or factual accuracy').check();
    await user.page.locator('#points-1-passage').fill('make good progress at school');
    await user.page.locator('#points-1-comment').fill('Two children are not yet in school');
    // A passage that is not in the report, in the third row, with the second left empty.
    await user.page.locator('#points-3-passage').fill('The home has a swimming pool');
    await user.page.locator('#points-3-comment').fill('It does not');
    await user.clickButton('Send response');
    expect(await user.page.title()).toMatch(/^Error: Respond to the draft report/);
    expect(await user.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [
        {
          text: 'Point 2: the passage must be text from the report, copied exactly; “The home has a swimming pool” is not in it',
          href: '#points-3-passage',
        },
      ],
    });
    expect(await user.page.locator('#points-1-comment').inputValue()).toBe(
      'Two children are not yet in school',
    );
    expect((await api('provider', `/api/reports/${reportId}`)).body.response).toBeNull();

    await user.page.locator('#points-3-passage').fill('leads a stable staff team');
    await user.page.locator('#points-3-comment').fill('Two staff left in October');
    await user.clickButton('Send response');
    expect(await user.heading()).toBe('Response sent');
    expect(await user.page.getByRole('heading', { name: 'Point 2' }).count()).toBe(1);

    const report = (await api('provider', `/api/reports/${reportId}`)).body;
    expect(report.response.route).toBe('minor-points');
    expect(report.response.points.map((p: { passage: string }) => p.passage)).toEqual([
      'make good progress at school',
      'leads a stable staff team',
    ]);

    await user.goto(`/reports/${reportId}/respond`);
    expect(await user.heading()).toBe('Response sent');
    user.done();
  });

  it('lets the inspector decide the points and finalise, and a manager publish', async () => {
    const inspector = await world.user();
    await inspector.signIn('inspector');
    await inspector.goto(`/inspections/${inspectionId}`);
    await inspector.clickLink('Write, issue and follow the inspection report');
    expect(await inspector.heading()).toBe('Report');

    await inspector.clickButton('Finalise the report');
    expect(await inspector.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: 'Decide every point before finalising: 2 points are undecided', href: '#finalise' }],
    });

    const points = (await api('inspector', `/api/reports/${reportId}`)).body.response.points as {
      id: string;
    }[];
    const decide = async (n: number, decision: 'Accept' | 'Reject', reason: string) => {
      const section = inspector.page.locator(`#point-${points[n - 1]!.id}`);
      await section.getByLabel(decision, { exact: true }).check();
      await section.getByLabel(`Reason for the decision on point ${n}`).fill(reason);
      await inspector.follow(section.getByRole('button', { name: /^Record the decision/ }));
      expect(await inspector.successBanner()).toBe('Decision recorded');
    };
    await decide(1, 'Accept', 'Confirmed with the local authority');
    await decide(2, 'Reject', 'The staff team was stable during the inspection');

    await inspector.page
      .getByLabel('Narrative', { exact: true })
      .fill(narrative.replace('make good progress at school', 'make good progress in their education'));
    await inspector.page.getByLabel('What changed and why').fill('Point 1 accepted');
    await inspector.clickButton('Save a new version');
    expect(await inspector.successBanner()).toMatch(/^The narrative has been amended/);

    await inspector.clickButton('Finalise the report');
    expect(await inspector.successBanner()).toBe('The report is final and the provider has been told');
    expect(await inspector.page.getByRole('button', { name: 'Publish the report' }).count()).toBe(0);
    inspector.done();

    const manager = await world.user();
    await manager.signIn('manager');
    await manager.goto(`/inspections/${inspectionId}/report`);
    await manager.clickButton('Publish the report');
    expect(await manager.successBanner()).toBe('The report is published');
    const versions = await manager.page.locator('#version-table tbody tr').count();
    expect(versions).toBe(4);
    manager.done();
  });
});

function formatLong(date: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${date}T00:00:00Z`));
}
