import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('the annual sample of local authorities in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('lets a planner draw the sample without JavaScript and see the authorities grouped by class', async () => {
    const planner = await world.user({ javaScript: false });
    await planner.signIn('planner');
    await planner.goto('/plan/samples');
    expect(await planner.heading()).toBe('Annual samples of local authorities');
    expect(await planner.page.locator('#no-samples').innerText()).toBe('No samples have been drawn yet.');

    await planner.clickButton('Draw a sample');
    expect(await planner.heading()).toBe('Draw the annual sample of local authorities');
    // A random seed is offered, and may be replaced.
    expect(await planner.page.getByLabel('Seed').inputValue()).toMatch(/^[0-9a-f]{12}$/);
    await planner.page.getByLabel('Number of authorities').fill('26');
    await planner.page.getByLabel('Seed').fill('agreed-at-the-planning-meeting');
    await planner.clickButton('Draw the sample');
    expect(await planner.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: 'The sample size must be from 20 to 25', href: '#size' }],
    });
    expect(await planner.fieldError('size')).toBe('The sample size must be from 20 to 25');

    await planner.page.getByLabel('Number of authorities').fill('22');
    await planner.clickButton('Draw the sample');
    expect(await planner.successBanner()).toBe('The sample has been drawn and recorded');
    expect(await planner.heading()).toMatch(/^Sample of local authorities for \d{4} to \d{4}$/);
    expect((await planner.summaryList())['Seed']).toBe('agreed-at-the-planning-meeting');
    const captions = await planner.page.locator('caption').allInnerTexts();
    expect(captions.map((c) => c.trim())).toEqual([
      'Predominantly urban (15)',
      'Urban with significant rural (4)',
      'Predominantly rural (3)',
    ]);

    await planner.clickLink('Back to the samples');
    expect((await planner.tableRows())[0]?.[2]).toBe('agreed-at-the-planning-meeting');
    planner.done();
  });
});
