import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('managing people in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('invites someone, shows the link, finds them and disables them after asking', async () => {
    const admin = await world.user();
    await admin.signIn('admin');
    expect(await admin.page.getByRole('link', { name: 'Inspections' }).count()).toBe(0);
    await admin.clickLink('Manage people');
    expect(await admin.heading()).toBe('People');

    await admin.clickButton('Invite someone');
    expect(await admin.heading()).toBe('Invite someone');
    await admin.clickButton('Send invitation');
    const refused = await admin.errorSummary();
    expect(refused?.links.map((link) => link.href)).toEqual(
      expect.arrayContaining(['#email', '#name', '#roles']),
    );
    await admin.page.getByLabel('Full name').fill('Browser Invitee');
    await admin.page.getByLabel('Email address').fill('browser.invitee@example.invalid');
    await admin.page.getByRole('checkbox', { name: 'Planner' }).check();
    await admin.clickButton('Send invitation');
    expect(await admin.heading()).toBe('Invitation sent');
    expect(await admin.page.getByLabel('Invitation link').inputValue()).toMatch(
      /\/account\/set-password\?token=[\w-]{20,}$/,
    );

    await admin.clickLink('Back to people');
    await admin.page.getByLabel('Name or email address').fill('browser.invitee');
    await admin.clickButton('Search');
    const rows = await admin.tableRows();
    expect(rows).toEqual([
      ['Browser Invitee', 'browser.invitee@example.invalid', 'Planner', 'Never', 'Invited'],
    ]);

    await admin.clickLink('Browser Invitee');
    expect(await admin.heading()).toBe('Browser Invitee');
    expect((await admin.summaryList())['Roles']).toBe('Planner');
    await admin.clickButton('Disable account');
    expect(await admin.heading()).toBe('Are you sure you want to disable Browser Invitee’s account?');
    await admin.clickButton('Disable account');
    expect(await admin.successBanner()).toBe(
      'The account has been disabled. Its sessions and API tokens have ended',
    );
    expect((await admin.summaryList())['Status']).toBe('Disabled');

    await admin.clickButton('Re-enable account');
    expect(await admin.successBanner()).toBe('The account has been re-enabled');
    admin.done();
  }, 180_000);
});
