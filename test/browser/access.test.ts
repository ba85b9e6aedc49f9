import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('who sees what', () => {
  let world: World;

  /** Through the API, as a planner: the register, for picking a provider to open. */
  async function register(): Promise<{ id: string; name: string; town: string }[]> {
    const response = await world.t.app.inject({
      url: '/api/providers?pageSize=100',
      headers: { authorization: `Bearer ${await world.t.tokenFor('planner')}` },
    });
    expect(response.statusCode).toBe(200);
    return (response.json() as { items: { id: string; name: string; town: string }[] }).items;
  }

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('refuses a wrong password with the GOV.UK error summary', async () => {
    const user = await world.user();
    await user.signIn('planner', 'not-the-password');

    expect(await user.heading()).toBe('Sign in');
    const summary = await user.errorSummary();
    expect(summary).toEqual({
      title: 'There is a problem',
      links: [{ text: 'Enter a correct email address and password', href: '#email' }],
    });
    expect(await user.fieldError('email')).toBe('Enter a correct email address and password');
    expect(await user.page.getByLabel('Email address').inputValue()).toBe('planner@demo.invalid');
    expect(await user.page.getByLabel('Password').inputValue()).toBe('');
    expect(await user.page.getByText(/^Signed in as/).count()).toBe(0);
    user.done();
  });

  it('shows a provider only their own providers, and any other as not found', async () => {
    const user = await world.user();
    await user.signIn('provider');
    await user.clickLink('Your providers');

    expect(await user.heading()).toBe('Your providers');
    expect(await user.page.getByRole('button', { name: 'Register a provider' }).count()).toBe(0);
    const rows = await user.tableRows();
    expect(rows).toHaveLength(2);

    const me = await world.t.app.inject({
      url: '/api/me',
      headers: { authorization: `Bearer ${await world.t.tokenFor('provider')}` },
    });
    const own = (me.json() as { providers: { id: string; name: string }[] }).providers;
    expect(rows.map((row) => row[0]).sort()).toEqual(own.map((p) => p.name).sort());

    await user.clickLink(rows[0]![0]!);
    expect(await user.heading()).toBe(rows[0]![0]);
    expect(await user.page.getByRole('button', { name: 'Change details' }).count()).toBe(0);

    const other = (await register()).find((p) => !own.some((o) => o.id === p.id))!;
    await user.goto(`/providers/${other.id}`);
    expect(await user.heading()).toBe('Page not found');
    expect(await user.page.getByText(other.name).count()).toBe(0);
    await user.goto(`/providers/${other.id}/history`);
    expect(await user.heading()).toBe('Page not found');
    user.done();
  });

  it('shows a manager the history of a change they made', async () => {
    const provider = (await register()).find((p) => p.name === 'Willow Lodge')!;
    const user = await world.user();
    await user.signIn('manager');
    const manager = (await user.heading()).replace(/^Welcome, /, '');
    await user.goto(`/providers/${provider.id}`);
    expect(await user.heading()).toBe('Willow Lodge');
    const placesBefore = (await user.summaryList()).Places!;
    const placesAfter = String(Number(placesBefore) + 3);

    await user.clickButton('Change details');
    expect(await user.heading()).toBe('Change Willow Lodge');
    await user.page.getByLabel('Number of places').fill(placesAfter);
    await user.page.getByLabel('Town or city').fill('Salford');
    await user.clickButton('Save provider');
    expect(await user.successBanner()).toBe('Your changes have been saved');
    expect(await user.summaryList()).toMatchObject({ Places: placesAfter });

    await user.clickLink('View history');
    expect(await user.heading()).toBe('History');
    const [latest, ...older] = await user.tableRows();
    expect(latest).toEqual([
      expect.any(String),
      manager,
      'provider.changed',
      expect.stringContaining(`places: ${placesBefore} → ${placesAfter}`),
    ]);
    expect(latest![3]).toContain(`town: ${provider.town} → Salford`);
    expect(older.at(-1)).toEqual([
      expect.any(String),
      'Demo planner',
      'provider.created',
      expect.any(String),
    ]);
    user.done();
  });

  it('lets an inspector read a provider but not change it or see its history', async () => {
    const provider = (await register()).find((p) => p.name === 'Oakfield House')!;
    const user = await world.user();
    await user.signIn('inspector');
    await user.clickLink('Providers');
    await user.page.getByLabel('Name, reference, town, postcode or local authority').fill('Oakfield');
    await user.clickButton('Search');
    await user.clickLink('Oakfield House');

    expect(await user.heading()).toBe('Oakfield House');
    expect((await user.summaryList())['Unique reference number']).toMatch(/^SC\d{6}$/);
    expect(await user.page.getByRole('button', { name: 'Change details' }).count()).toBe(0);
    expect(await user.page.getByRole('link', { name: 'View history' }).count()).toBe(0);

    await user.goto(`/providers/${provider.id}/edit`);
    expect(await user.heading()).toBe('Forbidden');
    await user.goto(`/providers/${provider.id}/history`);
    expect(await user.heading()).toBe('Page not found');
    user.done();
  });
});
