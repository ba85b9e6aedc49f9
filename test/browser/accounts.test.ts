import { afterAll, beforeAll, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/database.js';
import { inviteAccount } from '../../src/people/invitations.js';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('accounts: an invitation, a forgotten password, a new password', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  /** The path of the one-time link in the newest email of a kind sent to an address. */
  async function linkIn(email: string, template: string): Promise<string> {
    const [message] = await world.t.db
      .selectFrom('outbox')
      .select('body')
      .where('recipient', '=', email)
      .where('template', '=', template)
      .orderBy('created_at', 'desc')
      .execute();
    return /\/account\/set-password\?token=[\w-]+/.exec(message!.body)![0];
  }

  it('takes an invited person from the emailed link to their first sign-in', async () => {
    const email = 'new.planner@example.org';
    await inTransaction(world.t.db, (trx) =>
      inviteAccount(
        trx,
        { email, name: 'Nia Planner', roles: ['planner'], providerIds: [], providerAdmin: false },
        null,
        new Date(),
        { send: true },
      ),
    );
    const user = await world.user();
    const link = await linkIn(email, 'account-invitation');
    await user.goto(link);
    expect(await user.heading()).toBe('Create your password');

    await user.page.getByLabel('Password', { exact: true }).fill('short');
    await user.page.getByLabel('Confirm password').fill('short');
    await user.clickButton('Save password');
    expect(await user.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [
        {
          text: 'Password must be at least 12 characters long; a few unrelated words make a good one',
          href: '#password',
        },
      ],
    });

    await user.page.getByLabel('Password', { exact: true }).fill('copper meadow violin tide');
    await user.page.getByLabel('Confirm password').fill('copper meadow violin tide');
    await user.clickButton('Save password');
    expect(await user.heading()).toBe('Sign in');
    expect(await user.successBanner()).toBe('Your password has been saved. Sign in with it now.');

    await user.page.getByLabel('Email address').fill(email);
    await user.page.getByLabel('Password').fill('copper meadow violin tide');
    await user.clickButton('Sign in');
    await user.clickLink('Your account');
    expect(await user.heading()).toBe('Your account');
    expect(await user.summaryList()).toMatchObject({
      Name: 'Nia Planner',
      'Email address': email,
      Roles: 'Planner',
    });

    // The link has done its work.
    await user.goto(link);
    expect(await user.heading()).toBe('This link cannot be used');
    user.done();
  });

  it('resets a forgotten password without JavaScript, and changes it again from the account page', async () => {
    const user = await world.user({ javaScript: false });
    await user.goto('/sign-in');
    await user.clickLink('Forgotten your password?');
    expect(await user.heading()).toBe('Reset your password');
    await user.clickButton('Send the link');
    expect(await user.fieldError('email')).toBe('Enter your email address');
    await user.page.getByLabel('Email address').fill('reviewer@demo.invalid');
    await user.clickButton('Send the link');
    expect(await user.heading()).toBe('Check your email');

    await user.goto(await linkIn('reviewer@demo.invalid', 'password-reset'));
    expect(await user.heading()).toBe('Choose a new password');
    await user.page.getByLabel('Password', { exact: true }).fill('harbour lights at dusk');
    await user.page.getByLabel('Confirm password').fill('harbour lights at dawn');
    await user.clickButton('Save password');
    expect(await user.fieldError('confirmPassword')).toBe(
      'The passwords do not match: enter the same password twice',
    );
    await user.page.getByLabel('Password', { exact: true }).fill('harbour lights at dusk');
    await user.page.getByLabel('Confirm password').fill('harbour lights at dusk');
    await user.clickButton('Save password');
    await user.signIn('reviewer', 'harbour lights at dusk');
    await user.clickLink('Your account');
    await user.clickLink('Change your password');
    expect(await user.heading()).toBe('Change your password');
    await user.page.getByLabel('Current password').fill('harbour lights at dusk');
    await user.page.getByLabel('New password', { exact: true }).fill('lighthouse keeper notes');
    await user.page.getByLabel('Confirm new password').fill('lighthouse keeper notes');
    await user.clickButton('Change password');
    expect(await user.heading()).toBe('Your account');
    expect(await user.successBanner()).toBe(
      'Your password has been changed. Anywhere else you were signed in has been signed out.',
    );
    user.done();
  });
});
