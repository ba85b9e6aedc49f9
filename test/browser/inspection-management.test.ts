import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type User, type World } from './browser.js';

interface ApiInspection {
  id: string;
  type: string;
  notice: string;
  status: string;
  startDate: string;
  endDate: string;
  provider: { id: string; name: string };
  framework: { id: string };
  leadInspector: { id: string; name: string };
  additionalVisitOf: string | null;
  flaw: { condition: string; reasons: string } | null;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

describeInBrowser('managing inspections', () => {
  let world: World;

  /** Calls the API as the demo account for a role. */
  async function api(role: string, url: string, payload?: object) {
    const response = await world.t.app.inject({
      method: payload ? 'POST' : 'GET',
      url,
      headers: { authorization: `Bearer ${await world.t.tokenFor(role)}` },
      ...(payload ? { payload } : {}),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  }

  async function provider(name: string): Promise<{ id: string; name: string }> {
    const { items } = (await api('planner', `/api/providers?pageSize=100&q=${encodeURIComponent(name)}`)) as {
      items: { id: string; name: string }[];
    };
    return items.find((p) => p.name === name)!;
  }

  const inspection = (id: string) => api('manager', `/api/inspections/${id}`) as Promise<ApiInspection>;

  async function inspections(status: string): Promise<ApiInspection[]> {
    return ((await api('manager', `/api/inspections?status=${status}`)) as { items: ApiInspection[] }).items;
  }

  async function fillDate(user: User, name: string, iso: string) {
    const [year, month, day] = iso.split('-');
    await user.page.locator(`#${name}-day`).fill(String(Number(day)));
    await user.page.locator(`#${name}-month`).fill(String(Number(month)));
    await user.page.locator(`#${name}-year`).fill(year!);
  }

  /** Each row of a table as the text of its cells. */
  async function rowsOf(user: User, selector: string): Promise<string[][]> {
    const rows = [];
    for (const row of await user.page.locator(`${selector} tbody tr`).all()) {
      rows.push(
        (await row.locator('th, td').allInnerTexts()).map((cell) => cell.replace(/\s+/g, ' ').trim()),
      );
    }
    return rows;
  }

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('keeps an inspector with a declared conflict off an inspection the planner plans from the provider page', async () => {
    // A home registered today, so never inspected (every demo home has some history).
    const home = (await api('planner', '/api/providers', {
      urn: 'SC990001',
      name: 'Hollybank House',
      type: 'childrens-home',
      sector: 'private',
      addressLine1: '4 Hollybank Lane',
      town: 'Leeds',
      postcode: 'LS6 2AB',
      localAuthority: 'Leeds',
      region: 'Yorkshire and The Humber',
      places: 4,
      registeredOn: '2026-11-02',
    })) as { id: string; name: string };
    const connection = 'My sister is a residential care worker at the home';

    const inspector = await world.user();
    await inspector.signIn('inspector');
    await inspector.goto(`/providers/${home.id}`);
    expect(await inspector.heading()).toBe('Hollybank House');
    expect(await inspector.page.locator('#no-inspections').innerText()).toBe(
      'There are no inspections of this provider.',
    );
    expect(await inspector.page.getByRole('link', { name: 'Plan an inspection' }).count()).toBe(0);

    await inspector.clickLink('Declare a conflict of interest with this provider');
    expect(await inspector.heading()).toBe('Conflicts of interest');
    expect(await inspector.page.locator('#no-declarations').innerText()).toBe(
      'You have not declared any conflicts of interest.',
    );
    expect(await inspector.page.getByLabel('Provider', { exact: true }).inputValue()).toBe(home.id);
    expect(await inspector.page.getByLabel('Inspector', { exact: true }).count()).toBe(0);
    await inspector.clickButton('Declare conflict of interest');
    expect((await inspector.errorSummary())?.links).toEqual([
      { text: 'Describe the connection to the provider', href: '#description' },
    ]);
    expect(await inspector.fieldError('description')).toBe('Describe the connection to the provider');
    await inspector.page.getByLabel('Connection to the provider').fill(connection);
    await inspector.clickButton('Declare conflict of interest');
    expect(await inspector.successBanner()).toBe('The conflict of interest has been recorded');
    expect(await inspector.tableRows()).toEqual([
      ['Hollybank House', connection, expect.stringMatching(/^\d{1,2} \w+ \d{4}$/)],
    ]);
    inspector.done();

    // The planner works without JavaScript.
    const planner = await world.user({ javaScript: false });
    const page = planner.page;
    await planner.signIn('planner');
    await planner.goto(`/providers/${home.id}`);
    await planner.clickLink('Plan an inspection');
    expect(await planner.heading()).toBe('Plan an inspection');
    expect(await page.getByLabel('Provider', { exact: true }).inputValue()).toBe(home.id);
    expect(await page.locator('#framework-in-force').innerText()).toBe(
      'Social care common inspection framework (SCCIF): children’s homes',
    );
    expect(await page.getByLabel('Full inspection').isChecked()).toBe(true);

    await page.getByLabel('Announced').check();
    await page.getByLabel('Lead inspector').selectOption({ label: 'Demo inspector' });
    await planner.clickButton('Plan inspection');
    expect(await planner.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [
        { text: 'Enter the first day as a real date, like 2025-03-27', href: '#startDate-day' },
        { text: 'Enter the last day as a real date, like 2025-03-28', href: '#endDate-day' },
      ],
    });
    expect(await page.title()).toMatch(/^Error: Plan an inspection/);
    expect(await planner.fieldError('startDate-day')).toBe(
      'Enter the first day as a real date, like 2025-03-27',
    );
    expect(await page.getByLabel('Announced').isChecked()).toBe(true);
    expect(await page.getByLabel('Provider', { exact: true }).inputValue()).toBe(home.id);

    await fillDate(planner, 'startDate', '2027-03-02');
    await fillDate(planner, 'endDate', '2027-03-04');
    await planner.clickButton('Plan inspection');
    const refusal = `Demo inspector has declared a conflict of interest with this provider: ${connection}`;
    expect((await planner.errorSummary())?.links).toEqual([{ text: refusal, href: '#leadInspectorId' }]);
    expect(await planner.fieldError('leadInspectorId')).toBe(refusal);
    expect(await page.locator('#framework-in-force').innerText()).toContain('SCCIF');

    // Nor may the inspector join the team.
    await page.getByLabel('Lead inspector').selectOption({ label: 'Demo regulatory inspection manager' });
    await page.getByRole('group', { name: 'Team (optional)' }).getByLabel('Demo inspector').check();
    await planner.clickButton('Plan inspection');
    expect((await planner.errorSummary())?.links).toEqual([{ text: refusal, href: '#team' }]);
    expect(await planner.fieldError('team')).toBe(refusal);

    await page.getByRole('group', { name: 'Team (optional)' }).getByLabel('Demo inspector').uncheck();
    await planner.clickButton('Plan inspection');
    const landed = new URL(page.url());
    expect(landed.pathname).toMatch(new RegExp(`^/inspections/${UUID}$`));
    expect(landed.searchParams.get('saved')).toBe('planned');
    expect(await inspection(landed.pathname.split('/')[2]!)).toMatchObject({
      provider: { id: home.id },
      framework: { id: 'childrens-homes' },
      type: 'full',
      notice: 'announced',
      status: 'planned',
      startDate: '2027-03-02',
      endDate: '2027-03-04',
      leadInspector: { name: 'Demo regulatory inspection manager' },
      team: [],
    });

    await planner.goto(`/providers/${home.id}`);
    expect(await planner.tableRows()).toEqual([
      [
        '2 March 2027 to 4 March 2027',
        'Full inspection',
        'Announced',
        'Planned',
        'Demo regulatory inspection manager',
      ],
    ]);
    await planner.goto('/conflicts');
    expect(await planner.tableRows()).toEqual([
      ['Demo inspector', 'Hollybank House', connection, expect.any(String)],
    ]);
    expect(await page.getByRole('button', { name: 'Declare conflict of interest' }).count()).toBe(0);
    planner.done();
  }, 120_000);

  it('lets a manager moderate a judgement, with its reason kept in the history, then complete the inspection', async () => {
    const [awaiting] = await inspections('feedback-given');
    expect(awaiting).toMatchObject({ startDate: '2026-11-16', leadInspector: { name: 'Demo inspector' } });
    const area = 'How well children and young people are helped and protected';
    const reason = 'Return-home interviews are thorough and every missing episode is reviewed';

    const manager = await world.user();
    const page = manager.page;
    await manager.signIn('manager');
    await manager.goto(`/providers/${awaiting!.provider.id}`);
    await manager.clickLink(/^Moderate/);
    expect(await manager.heading()).toBe('Moderate the inspection');
    expect(await manager.summaryList()).toMatchObject({
      Status: 'Feedback given',
      'Lead inspector': 'Demo inspector',
      Dates: '16 November 2026 to 18 November 2026',
      'Overall grade': `Requires improvement to be good (limited by the grade for ${area})`,
      'Judgements without evidence': 'None: every judgement rests on recorded evidence',
    });
    expect(await page.locator('.govuk-summary-card').count()).toBe(3);

    const card = page.locator('#judgement-help-and-protection');
    expect(await card.locator('.govuk-summary-card__title').innerText()).toBe(area);
    expect(await card.innerText()).toContain('The evidence shows consistent, child-centred practice.');
    expect(await card.innerText()).toContain(
      'Child or young person: A child said staff help with homework and that they feel safe here',
    );
    expect(await rowsOf(manager, '#history-help-and-protection')).toEqual([
      [
        '1',
        'Requires improvement to be good',
        'Given by the inspector',
        '',
        'Demo inspector',
        expect.any(String),
      ],
    ]);

    await card.getByLabel('Good', { exact: true }).check();
    await manager.clickButton(`Change the grade for ${area}`);
    expect((await manager.errorSummary())?.links).toEqual([
      { text: 'Give the reason for changing the grade', href: '#reason-help-and-protection' },
    ]);
    expect(await manager.isFocused('.govuk-error-summary')).toBe(true);
    expect(await manager.fieldError('reason-help-and-protection')).toBe(
      'Give the reason for changing the grade',
    );
    expect(await card.getByLabel('Good', { exact: true }).isChecked()).toBe(true);

    await card.getByLabel(`Reason for the change to ${area}`).fill(reason);
    await manager.clickButton(`Change the grade for ${area}`);
    expect(await manager.successBanner()).toBe(`The grade for ${area} has been changed`);
    expect(await rowsOf(manager, '#history-help-and-protection')).toEqual([
      ['2', 'Good', 'Moderated', reason, 'Demo regulatory inspection manager', expect.any(String)],
      [
        '1',
        'Requires improvement to be good',
        'Given by the inspector',
        '',
        'Demo inspector',
        expect.any(String),
      ],
    ]);
    expect(await card.locator('.govuk-tag').allInnerTexts()).toEqual(['Good', 'Moderated']);
    expect((await manager.summaryList())['Overall grade']).toBe('Good');

    // Moderation is signed off before the draft report may be issued; a waiver needs its reason.
    expect((await manager.summaryList()).Moderation).toBe('Not yet signed off');
    await page.getByLabel('No, waive moderation').check();
    await manager.clickButton('Sign moderation off');
    expect((await manager.errorSummary())?.links).toEqual([
      { text: 'Give the reason moderation is waived', href: '#reason' },
    ]);
    await page.getByLabel('Yes, moderation is done').check();
    await manager.clickButton('Sign moderation off');
    expect(await manager.successBanner()).toBe(
      'Moderation has been signed off: the draft report can be issued',
    );
    expect((await manager.summaryList()).Moderation).toMatch(/^Done, signed off on /);
    expect(await page.getByRole('button', { name: 'Sign moderation off' }).count()).toBe(0);

    await manager.clickButton('Complete the inspection');
    expect(await manager.successBanner()).toBe('The inspection has been completed');
    expect((await manager.summaryList()).Status).toBe('Completed');
    expect(await page.getByRole('button', { name: /^Change the grade/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Complete the inspection' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Declare the inspection incomplete' }).count()).toBe(0);
    expect((await inspection(awaiting!.id)).status).toBe('completed');
    manager.done();
  });

  it('lets a manager declare an inspection incomplete and plan the additional visit', async () => {
    const home = await provider('Rowan Cottage');
    const me = (await api('inspector', '/api/me')) as { id: string };
    const planned = (await api('planner', '/api/inspections', {
      providerId: home.id,
      frameworkId: 'childrens-homes',
      type: 'full',
      notice: 'short',
      startDate: '2026-10-05',
      endDate: '2026-10-06',
      leadInspectorId: me.id,
      team: [],
    })) as ApiInspection;
    await api('inspector', `/api/inspections/${planned.id}/status`, { status: 'on-site' });

    const manager = await world.user();
    const page = manager.page;
    await manager.signIn('manager');
    await manager.goto(`/inspections/${planned.id}/moderation`);
    expect((await manager.summaryList()).Status).toBe('On site');
    expect(await page.locator('.govuk-inset-text').innerText()).toContain('This inspection is on site');
    await manager.clickLink('Declare the inspection incomplete');
    expect(await manager.heading()).toBe('Declare the inspection incomplete');

    await manager.clickButton('Declare incomplete and plan the visit');
    expect((await manager.errorSummary())?.links).toEqual([
      { text: 'Select which condition makes the inspection flawed', href: '#condition' },
      { text: 'Give the reasons the inspection is flawed', href: '#reasons' },
      { text: 'Enter the first day of the additional visit, like 2025-04-02', href: '#visitStartDate-day' },
      { text: 'Enter the last day of the additional visit, like 2025-04-04', href: '#visitEndDate-day' },
      { text: 'Select an inspector to lead the additional visit', href: '#visitLeadInspectorId' },
    ]);

    await page.getByLabel('The evidence is unreliable').check();
    await page.getByLabel('Reasons').fill('Interviews with children were held with their key worker present');
    await fillDate(manager, 'visitStartDate', '2026-10-01');
    await fillDate(manager, 'visitEndDate', '2026-10-13');
    await page.getByLabel('Lead inspector').selectOption({ label: 'Demo inspector (on the inspection)' });
    await manager.clickButton('Declare incomplete and plan the visit');
    expect((await manager.errorSummary())?.links).toEqual([
      {
        text: 'The additional visit must start on or after the last day of the inspection',
        href: '#visitStartDate-day',
      },
    ]);
    expect(await page.getByLabel('The evidence is unreliable').isChecked()).toBe(true);

    await fillDate(manager, 'visitStartDate', '2026-10-12');
    await manager.clickButton('Declare incomplete and plan the visit');
    const landed = new URL(page.url());
    expect(landed.pathname).toMatch(new RegExp(`^/inspections/${UUID}$`));
    expect(landed.searchParams.get('saved')).toBe('additional-visit');
    const visitId = landed.pathname.split('/')[2]!;
    expect(visitId).not.toBe(planned.id);
    expect(await inspection(visitId)).toMatchObject({
      type: 'additional-visit',
      notice: 'none',
      status: 'planned',
      additionalVisitOf: planned.id,
      startDate: '2026-10-12',
      endDate: '2026-10-13',
      provider: { id: home.id },
    });
    expect(await inspection(planned.id)).toMatchObject({
      status: 'incomplete',
      flaw: {
        condition: 'unreliable-evidence',
        reasons: 'Interviews with children were held with their key worker present',
      },
    });

    await manager.goto(`/inspections/${planned.id}/moderation`);
    expect(await manager.summaryList()).toMatchObject({
      Status: 'Incomplete (declared flawed)',
      'Why it is incomplete':
        'The conduct of the inspection makes the evidence unreliable. Interviews with children were held with their key worker present',
    });
    expect(await page.getByRole('link', { name: 'View the additional visit' }).getAttribute('href')).toBe(
      `/inspections/${visitId}`,
    );
    expect(await page.getByRole('link', { name: 'Declare the inspection incomplete' }).count()).toBe(0);
    manager.done();
  });

  it('never shows a provider the no-notice inspection planned at its own home', async () => {
    const plannedNoNotice = (await inspections('planned')).find((i) => i.notice === 'none')!;
    const me = (await api('provider', '/api/me')) as { providers: { id: string; name: string }[] };
    expect(me.providers.map((p) => p.id)).toContain(plannedNoNotice.provider.id);

    const user = await world.user();
    await user.signIn('provider');
    await user.goto(`/providers/${plannedNoNotice.provider.id}`);
    expect(await user.heading()).toBe(plannedNoNotice.provider.name);
    expect(await user.page.locator('#no-inspections').innerText()).toBe(
      'There are no inspections of this provider.',
    );
    expect(await user.page.getByRole('link', { name: 'Plan an inspection' }).count()).toBe(0);
    expect(await user.page.getByRole('link', { name: /conflict of interest/ }).count()).toBe(0);

    // Their other home's completed inspection is there.
    const other = me.providers.find((p) => p.id !== plannedNoNotice.provider.id)!;
    await user.goto(`/providers/${other.id}`);
    expect(await user.tableRows()).toEqual([
      ['11 February 2025 to 12 February 2025', 'Full inspection', 'No notice', 'Completed', 'Demo inspector'],
    ]);

    // Moderation is refused by role before any inspection is looked up: the same page for this visit
    // as for one that does not exist.
    await user.goto(`/inspections/${plannedNoNotice.id}/moderation`);
    expect(await user.heading()).toBe('Forbidden');
    const refusal = await user.page.locator('main').innerText();
    await user.goto('/inspections/3f6d1a52-9c1e-4b7a-8d2f-0a1b2c3d4e5f/moderation');
    expect(await user.page.locator('main').innerText()).toBe(refusal);
    user.done();

    // The inspectorate sees it on the same page.
    const planner = await world.user();
    await planner.signIn('planner');
    await planner.goto(`/providers/${plannedNoNotice.provider.id}`);
    expect(await planner.tableRows()).toEqual([
      ['12 January 2027 to 13 January 2027', 'Full inspection', 'No notice', 'Planned', 'Demo inspector'],
    ]);
    planner.done();
  });
});
