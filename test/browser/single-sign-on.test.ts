import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';
import { freePort, startIdentityProvider, type TestIdentityProvider } from '../support/identity-provider.js';

/**
 * Signing in with the organisation's account in Chromium, against a real OpenID provider started here.
 * Only the service's pages are checked for accessibility: the provider's plain sign-in page is a
 * stand-in for the organisation's own, which is not the service's to answer for.
 */
describeInBrowser('single sign-on', () => {
  let world: World;
  let idp: TestIdentityProvider;

  beforeAll(async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    idp = await startIdentityProvider(`${baseUrl}/sign-in/oidc/callback`);
    world = await startWorld({ env: { ...idp.env, BASE_URL: baseUrl }, port });
  });
  afterAll(async () => {
    await world?.close();
    await idp?.close();
  });

  it('signs a planner in with their organisation’s account and brings them back where they were going', async () => {
    idp.people.set('planner-at-the-organisation', { email: 'planner@demo.invalid', emailVerified: true });
    const user = await world.user();
    await user.goto('/inspections');
    expect(await user.heading()).toBe('Sign in');

    const leaving = user.page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/`));
    await user.page.getByRole('button', { name: 'Sign in with your organisation’s account' }).click();
    await leaving;
    // The identity provider's own sign-in page.
    await user.page.locator('input[name="login"]').fill('planner-at-the-organisation');
    await user.page.locator('input[name="password"]').fill('whatever the organisation asks');
    const back = user.page.waitForURL((url) => url.href.startsWith(`${world.baseUrl}/`));
    await user.page.getByRole('button', { name: 'Sign-in' }).click();
    await back;
    await user.check();

    expect(new URL(user.page.url()).pathname).toBe('/inspections');
    await expect(user.page.getByText(/^Signed in as Demo planner/).count()).resolves.toBe(1);
    user.done();
  });

  it('tells someone without an account here, and leaves them signed out', async () => {
    idp.people.set('stranger', { email: 'stranger@elsewhere.invalid', emailVerified: true });
    const user = await world.user();
    await user.goto('/sign-in');
    const leaving = user.page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/`));
    await user.page.getByRole('button', { name: 'Sign in with your organisation’s account' }).click();
    await leaving;
    await user.page.locator('input[name="login"]').fill('stranger');
    await user.page.locator('input[name="password"]').fill('whatever the organisation asks');
    const back = user.page.waitForURL((url) => url.href.startsWith(`${world.baseUrl}/`));
    await user.page.getByRole('button', { name: 'Sign-in' }).click();
    await back;
    await user.check();

    expect(await user.heading()).toBe('You could not be signed in');
    await expect(user.page.getByText('There is no account for your email address').count()).resolves.toBe(1);
    await user.clickLink('Go to the sign-in page');
    expect(await user.heading()).toBe('Sign in');
    expect(await user.page.getByText(/^Signed in as/).count()).toBe(0);
    user.done();
  });
});
