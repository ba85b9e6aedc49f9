import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('concerns about providers in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  let home: { name: string; town: string };
  let reference = '';

  it('lets a member of the public raise a concern without JavaScript and see its reference', async () => {
    home = await world.t.db
      .selectFrom('providers')
      .select(['name', 'town'])
      .where('type', '=', 'childrens-home')
      .orderBy('name')
      .executeTakeFirstOrThrow();

    const member = await world.user({ javaScript: false });
    await member.goto('/');
    await member.clickLink(
      'Raise a concern about a children’s home or other children’s social care provider',
    );
    expect(await member.heading()).toBe('Raise a concern about a children’s social care provider');
    await member.page.getByLabel('Name of the home or service').fill(home.name);
    await member.clickButton('Send concern');
    expect(await member.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [
        { text: 'Enter the town or postcode of the home or service', href: '#providerPlace' },
        { text: 'Describe what happened', href: '#summary' },
        { text: 'Select who you are', href: '#relationship' },
      ],
    });
    expect(await member.fieldError('summary')).toBe('Describe what happened');

    await member.page.getByLabel('Town or postcode').fill(home.town);
    await member.page
      .getByLabel('What happened?')
      .fill('My nephew says the night staff lock the kitchen and the children go to bed hungry.');
    await member.page.getByLabel('Parent or carer').check();
    await member.clickButton('Send concern');
    expect(await member.heading()).toBe('Concern sent');
    reference = await member.page.locator('#concern-reference').innerText();
    expect(reference).toMatch(/^CON-[0-9A-F]{8}$/);
    member.done();
  });

  let planner: Awaited<ReturnType<World['user']>>;

  it('shows the concern to a planner, who matches it to a provider on the register', async () => {
    expect(reference).not.toBe('');
    planner = await world.user();
    await planner.signIn('planner');
    await planner.clickLink('Concerns');
    expect(await planner.heading()).toBe('Concerns about providers');
    const row = (await planner.tableRows()).find((r) => r[0] === reference);
    expect(row?.slice(1)).toEqual([
      `${home.name}, ${home.town} (not matched)`,
      expect.any(String),
      'Online form',
      'Not assessed',
      'Awaiting assessment',
    ]);
    await planner.clickLink(reference);
    expect(await planner.heading()).toBe(`Concern ${reference}`);
    expect((await planner.summaryList())['Provider']).toBe('Not matched to a provider on the register yet');

    await planner.page.getByLabel('Find the provider on the register').fill(home.name);
    await planner.clickButton('Search the register');
    planner.done();
  });

  it('lets the planner assess the concern and bring the inspection forward', async () => {
    await planner.page.getByLabel(home.name, { exact: true }).check();
    await planner.page.getByLabel('High', { exact: true }).check();
    await planner.page.getByLabel('Bring the next inspection forward').check();
    const inTwoMonths = new Date(Date.now() + 61 * 24 * 3600_000);
    await planner.page.getByLabel('Day', { exact: true }).fill(String(inTwoMonths.getUTCDate()));
    await planner.page.getByLabel('Month', { exact: true }).fill(String(inTwoMonths.getUTCMonth() + 1));
    await planner.page.getByLabel('Year', { exact: true }).fill(String(inTwoMonths.getUTCFullYear()));
    await planner.page
      .getByLabel('Reasons')
      .fill('Food withheld at night would be a serious failure of care.');
    await planner.clickButton('Record decision');

    expect(await planner.successBanner()).toBe('Your decision has been recorded');
    expect(await planner.page.locator('#concern-status').innerText()).toBe(
      'Bring the next inspection forward',
    );
    const summary = await planner.summaryList();
    expect(summary['Provider']).toContain(home.name);
    expect(summary['Risk']).toBe('High');
    expect(summary['Decision']).toBe('Bring the next inspection forward');
    expect(summary['Inspect by']).toBe(
      new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }).format(inTwoMonths),
    );
    expect(summary['Decided by']).toMatch(/^Demo planner, /);
    planner.done();
  });
});
