import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { aPerson } from '../support/factories.js';
import { describeInBrowser, startWorld, type World } from './browser.js';

const PASSWORD = 'a-long-browser-password';

/** What an authenticator app given this key shows, `stepsAhead` 30-second steps from now. */
function codeFor(key: string, stepsAhead = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(key.replaceAll(' ', '')),
    timestamp: Date.now() + stepsAhead * 30_000,
  });
}

describeInBrowser('two-factor sign-in', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('is set up with the key from the page, then asked for after the password', async () => {
    const person = await aPerson(world.t.db, { role: 'inspector', password: PASSWORD });
    const user = await world.user();

    async function signInWithPassword() {
      await user.goto('/sign-in');
      await user.page.getByLabel('Email address').fill(person.email);
      await user.page.getByLabel('Password').fill(PASSWORD);
      await user.clickButton('Sign in');
    }

    await signInWithPassword();
    await user.goto('/account');
    await user.clickLink('Two-factor sign-in');
    expect(await user.heading()).toBe('Two-factor sign-in');
    await user.clickButton('Set up two-factor sign-in');
    expect(await user.heading()).toBe('Set up two-factor sign-in');
    await expect.poll(() => user.page.getByAltText(/QR code/).isVisible()).toBe(true);

    // Typed in by hand, as someone who cannot scan the QR code would.
    const key = (await user.page.locator('#setup-key').innerText()).trim();
    await user.page.getByLabel('Code from your authenticator app').fill(codeFor(key));
    await user.clickButton('Turn on two-factor sign-in');
    expect(await user.heading()).toBe('Your recovery codes');
    expect(await user.successBanner()).toBe('Two-factor sign-in is on.');
    expect(await user.page.locator('#recovery-codes li').count()).toBe(10);
    await user.clickButton('Continue');
    expect((await user.summaryList())['Recovery codes left']).toBe('10');

    await user.clickButton('Sign out');
    await signInWithPassword();
    expect(await user.heading()).toBe('Enter your code');
    expect(await user.page.getByText(/^Signed in as/).count()).toBe(0);

    const label = 'Enter the 6-digit code from your authenticator app';
    await user.clickButton('Continue');
    expect(await user.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: label, href: '#code' }],
    });
    await user.page.getByLabel(label).fill(codeFor(key, 1));
    await user.clickButton('Continue');
    expect(await user.page.getByText(/^Signed in as Made inspector/).count()).toBe(1);
    user.done();
  });
});
