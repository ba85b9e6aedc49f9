import { afterAll, beforeAll, expect, it } from 'vitest';
import { englishDate } from '../../src/clock.js';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('serious-event notifications in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('lets a provider notify an event without JavaScript, and a planner review it and raise a concern', async () => {
    const provider = await world.user({ javaScript: false });
    await provider.signIn('provider');
    await provider.clickLink('Notifications');
    expect(await provider.heading()).toBe('Your notifications');

    await provider.clickButton('Notify a serious event');
    expect(await provider.heading()).toBe('Notify a serious event');
    await provider.page.getByLabel('Other', { exact: true }).check();
    await provider.clickButton('Send notification');
    expect((await provider.errorSummary())?.links).toEqual([
      { text: 'Select the home the event happened at', href: '#providerId' },
      { text: 'Select the category of the event', href: '#categoryId' },
      { text: 'Enter the date of the event as a real date, like 2024-06-17', href: '#eventDate-day' },
      { text: 'Describe what happened', href: '#whatHappened' },
      { text: 'Describe the actions you have taken', href: '#actionsTaken' },
      { text: 'Say who else you told', href: '#toldOther' },
    ]);
    expect(await provider.fieldError('toldOther')).toBe('Say who else you told');

    const home = (await provider.page.locator('#providerId + label').innerText()).trim();
    await provider.page.locator('#providerId').check();
    await provider.page.getByLabel('Serious concerns over a missing child').check();
    const [year, month, day] = englishDate(new Date()).split('-');
    await provider.page.getByLabel('Day').fill(String(Number(day)));
    await provider.page.getByLabel('Month').fill(String(Number(month)));
    await provider.page.getByLabel('Year').fill(year!);
    await provider.page
      .getByLabel('What happened', { exact: true })
      .fill('Child A did not come back from school; found by police at 23:00.');
    await provider.page
      .getByLabel('Actions taken', { exact: true })
      .fill('Reported missing after two hours; return-home interview booked.');
    await provider.page.getByLabel('Police', { exact: true }).check();
    await provider.page.getByLabel('Who else did you tell?').fill('Youth offending team');
    await provider.clickButton('Send notification');

    expect(await provider.heading()).toBe('Notification sent');
    const reference = await provider.page.locator('#notification-reference').innerText();
    expect(reference).toMatch(/^N-[0-9A-F]{8}$/);
    await provider.clickLink('Go to your notifications');
    // Newest event first: today's is above the demo's earlier ones.
    expect((await provider.tableRows())[0]).toEqual([
      reference,
      home,
      'Serious concerns over a missing child',
      expect.any(String),
      'Submitted',
    ]);

    const planner = await world.user();
    await planner.signIn('planner');
    await planner.clickLink('Notifications');
    expect(await planner.heading()).toBe('Serious-event notifications');
    await planner.clickLink(reference);
    expect((await planner.summaryList())['Also told']).toBe('Police; Other: Youth offending team');
    await planner.page.getByLabel('Raise a concern about the provider').check();
    await planner.page.getByLabel('Notes').fill('Third missing episode this term.');
    await planner.clickButton('Record review');
    expect(await planner.successBanner()).toBe(
      'Your review has been recorded and a concern about the provider raised',
    );
    const review = await planner.summaryList();
    expect(review['Outcome']).toBe('Concern raised');
    expect(review['Notes']).toBe('Third missing episode this term.');
    expect(review['Reviewed by']).toBe('Demo planner');

    await provider.goto('/notifications');
    expect((await provider.tableRows())[0]?.[4]).toBe('Reviewed');

    provider.done();
    planner.done();
  }, 300_000); // Eleven pages, each checked by axe: slow on a busy machine.
});
