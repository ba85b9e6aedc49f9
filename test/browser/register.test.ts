import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('a planner keeps the register of providers', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it.each([
    { javaScript: true, name: 'Kestrel House', urn: 'SC999001' },
    { javaScript: false, name: 'Osprey Lodge', urn: 'SC999002' },
  ])(
    'registers, finds and pages through providers (JavaScript on: $javaScript)',
    async ({ javaScript, name, urn }) => {
      const user = await world.user({ javaScript });
      const page = user.page;

      await user.signIn('planner');
      expect(await user.heading()).toBe('Welcome, Demo planner');
      expect(await page.locator('body.govuk-frontend-supported').count()).toBe(javaScript ? 1 : 0);

      await user.clickLink('Providers');
      expect(await user.heading()).toBe('Providers');
      await user.clickButton('Register a provider');
      expect(await user.heading()).toBe('Register a provider');

      // Half filled in, with a reference in the wrong form.
      await page.getByLabel('Name', { exact: true }).fill(name);
      await page.getByLabel('Unique reference number').fill('ABC');
      await page.getByLabel('Number of places').fill('four');
      await user.clickButton('Save provider');

      const summary = await user.errorSummary();
      expect(summary?.title).toBe('There is a problem');
      expect(summary?.links).toEqual([
        { text: 'Unique reference number must be SC followed by 6 digits, or 6 or 7 digits', href: '#urn' },
        { text: 'Select the type of provider', href: '#type' },
        { text: 'Select the sector', href: '#sector' },
        { text: 'Enter address line 1', href: '#addressLine1' },
        { text: 'Enter the town or city', href: '#town' },
        { text: 'Enter the postcode', href: '#postcode' },
        { text: 'Enter the local authority', href: '#localAuthority' },
        { text: 'Select the region', href: '#region' },
        { text: 'Enter the number of places as a whole number', href: '#places' },
        { text: 'Enter the registration date as a real date, like 2024-03-27', href: '#registeredOn-day' },
      ]);
      expect(await page.title()).toMatch(/^Error: Register a provider/);
      expect(await user.fieldError('urn')).toBe(
        'Unique reference number must be SC followed by 6 digits, or 6 or 7 digits',
      );
      expect(await user.fieldError('registeredOn-day')).toBe(
        'Enter the registration date as a real date, like 2024-03-27',
      );
      expect(await user.fieldError('name')).toBe('');
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(name);

      // Every link in the summary leads to a field that takes focus.
      for (const { href } of summary!.links) {
        expect(await page.locator(`${href}:is(input, select, textarea)`).count(), href).toBe(1);
      }
      if (javaScript) {
        expect(await user.isFocused('.govuk-error-summary')).toBe(true);
        await page.getByRole('link', { name: 'Select the region' }).click();
        expect(await user.isFocused('#region')).toBe(true);
      } else {
        await page.getByRole('link', { name: 'Select the region' }).click();
        expect(new URL(page.url()).hash).toBe('#region');
      }

      await page.getByLabel('Unique reference number').fill(urn.toLowerCase());
      await page.getByLabel('Type of provider').selectOption({ label: "Children's home" });
      await page.getByLabel('Sector').selectOption({ label: 'Voluntary' });
      await page.getByLabel('Address line 1').fill('12 Orchard Lane');
      await page.getByLabel('Town or city').fill('Leeds');
      await page.getByLabel('Postcode').fill('ls1 4ab');
      await page.getByLabel('Local authority').fill('Leeds');
      await page.getByLabel('Region').selectOption({ label: 'Yorkshire and The Humber' });
      await page.getByLabel('Number of places').fill('4');
      const registered = page.getByRole('group', { name: 'Date of registration' });
      await registered.getByLabel('Day').fill('9');
      await registered.getByLabel('Month').fill('5');
      await registered.getByLabel('Year').fill('2023');
      await user.clickButton('Save provider');

      expect(await user.successBanner()).toBe(`${name} has been registered`);
      expect(await user.heading()).toBe(name);
      expect(await user.summaryList()).toMatchObject({
        'Unique reference number': urn,
        Status: 'Registered',
        Sector: 'Voluntary',
        Address: '12 Orchard Lane Leeds LS1 4AB',
        'Local authority': 'Leeds',
        Region: 'Yorkshire and The Humber',
        Places: '4',
        'Owner group': 'None (independent)',
        Registered: '9 May 2023',
      });

      await user.clickLink('Back to providers');
      await page
        .getByLabel('Name, reference, town, postcode or local authority')
        .fill(name.split(' ')[0]!.toLowerCase());
      await user.clickButton('Search');
      expect(await page.locator('#result-count').innerText()).toBe('Showing 1 to 1 of 1 provider');
      expect(await user.tableRows()).toEqual([[name, urn, "Children's home", 'Leeds', '4', 'Registered']]);

      await user.clickLink('Clear search');
      const firstPage = await page.locator('#result-count').innerText();
      const total = Number(firstPage.match(/^Showing 1 to 25 of (\d+) providers$/)?.[1]);
      expect(total).toBeGreaterThan(25);
      expect(total).toBeLessThanOrEqual(50);
      const namesOnPage1 = (await user.tableRows()).map((row) => row[0]);
      expect(namesOnPage1).toHaveLength(25);

      await user.clickLink('Next page');
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      // "Next" starts after the last provider shown rather than counting past the first page's rows.
      expect(new URL(page.url()).searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(await page.locator('#result-count').innerText()).toBe(
        `Showing 26 to ${total} of ${total} providers`,
      );
      expect(await page.locator('.govuk-pagination [aria-current="page"]').innerText()).toBe('2');
      const namesOnPage2 = (await user.tableRows()).map((row) => row[0]);
      expect(namesOnPage2).toHaveLength(total - 25);
      expect(namesOnPage2.filter((n) => namesOnPage1.includes(n))).toEqual([]);

      await user.clickLink('Previous page');
      expect(await page.locator('#result-count').innerText()).toBe(`Showing 1 to 25 of ${total} providers`);
      expect((await user.tableRows()).map((row) => row[0])).toEqual(namesOnPage1);

      await user.clickButton('Sign out');
      expect(await user.successBanner()).toBe('You have signed out.');
      expect(await user.heading()).toBe('Sign in');
      await user.goto('/providers');
      expect(await user.heading()).toBe('Sign in');
      expect(new URL(page.url()).searchParams.get('returnTo')).toBe('/providers');

      user.done();
    },
  );
});
