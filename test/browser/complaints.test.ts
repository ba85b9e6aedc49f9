import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('complaints in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('lets a provider complain through the pages, without JavaScript, and a complaints handler acknowledge it', async () => {
    const provider = await world.user({ javaScript: false });
    await provider.signIn('provider');
    await provider.clickLink('Complaints');
    expect(await provider.heading()).toBe('Your complaints');
    expect(await provider.page.locator('#no-complaints').innerText()).toBe('No complaints found');

    await provider.clickButton('Make a complaint');
    expect(await provider.heading()).toBe('Make a complaint');
    // Only the completed inspection is offered: the planned no-notice visit is not the provider's to see.
    const options = await provider.page.locator('#inspectionId option').allInnerTexts();
    expect(options).toHaveLength(2);
    await provider.page.locator('#inspectionId').selectOption({ index: 1 });
    await provider.clickButton('Send complaint');
    expect(await provider.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: 'Describe the complaint', href: '#summary' }],
    });
    expect(await provider.fieldError('summary')).toBe('Describe the complaint');

    await provider.page
      .getByLabel('Your complaint')
      .fill('The inspector did not read the records of missing episodes we offered.');
    await provider.clickButton('Send complaint');
    expect(await provider.successBanner()).toBe('Your complaint has been sent');
    const reference = (await provider.heading()).replace('Complaint ', '');
    expect(reference).toMatch(/^C-[0-9A-F]{8}$/);
    const summary = await provider.summaryList();
    expect(summary['Made by']).toBe('Provider portal');
    expect(summary['Procedure']).toBe('Post-inspection arrangements from April 2024');
    expect(await provider.page.locator('#complaint-status').innerText()).toContain('Received');

    const handler = await world.user();
    await handler.signIn('complaints');
    await handler.clickLink('Complaints');
    const rows = await handler.tableRows();
    expect(rows[0]?.[0]).toBe(reference);
    expect(rows[0]?.[4]).toBe('Received');
    await handler.clickLink(reference);
    await handler.page.getByLabel('Add a note').fill('Asked the lead inspector for the evidence log.');
    await handler.clickButton('Add note');
    expect(await handler.successBanner()).toBe('Note added');
    await handler.clickButton('Acknowledge complaint');
    expect(await handler.successBanner()).toBe(
      'The complaint has been acknowledged and the complainant told',
    );
    expect(await handler.page.locator('#complaint-status').innerText()).toContain('Acknowledged');
    expect((await handler.summaryList())['Handled by']).toBe('Demo complaints handler');

    await provider.goto('/complaints');
    expect((await provider.tableRows())[0]).toEqual([
      reference,
      expect.any(String),
      expect.any(String),
      'Provider portal',
      'Acknowledged',
    ]);
    await provider.clickLink('Messages');
    expect(await provider.heading()).toBe('Your messages');
    await provider.clickLink(`We have received your complaint ${reference}`);
    expect(await provider.page.locator('#message-body').innerText()).toContain(
      `Its reference is ${reference}`,
    );
    // The handler's investigation notes are not the provider's to read.
    await provider.goto('/complaints');
    await provider.clickLink(reference);
    expect(await provider.page.getByText('Asked the lead inspector').count()).toBe(0);

    provider.done();
    handler.done();
  });
});
