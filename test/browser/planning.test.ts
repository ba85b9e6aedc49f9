import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('the inspection plan in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  let planner: Awaited<ReturnType<World['user']>>;
  let name = '';

  // Generous: every page is checked with axe, and the machine may be busy.
  const slow = 120_000;

  it(
    'shows a planner who is due and why',
    async () => {
      planner = await world.user();
      await planner.signIn('planner');
      await planner.clickLink('Plan');
      expect(await planner.heading()).toBe('Inspection plan');

      // The demo has providers graded inadequate after good: brought forward by the drop.
      const rows = await planner.tableRows();
      const index = rows.findIndex(
        (row) => row[3]?.includes('Grade dropped') && row[2]?.includes('Brought forward'),
      );
      expect(index, JSON.stringify(rows)).toBeGreaterThanOrEqual(0);
      name = await planner.page.locator('table tbody tr').nth(index).locator('a').first().innerText();
      expect(rows.some((row) => row[2]?.includes('Overdue'))).toBe(true);
    },
    slow,
  );

  it(
    'shows the workload of a changed interval as a table and a chart',
    async () => {
      await planner.goto('/plan');
      await planner.clickLink('What if an interval changed?');
      expect(await planner.heading()).toBe('What if an interval changed?');
      await planner.page.getByLabel('Framework').selectOption('ilacs');
      await planner.page.getByLabel('After this overall grade').selectOption('inadequate');
      await planner.page.getByLabel('New interval in months').fill('12');
      await planner.clickButton('Show the workload');
      expect(await planner.page.locator('#what-if-change').innerText()).toContain(
        '18 months now, 12 months in the what-if',
      );
      const months = await planner.tableRows();
      expect(months).toHaveLength(24);
      expect(months.some((m) => m[3] !== '0')).toBe(true);
      expect(await planner.page.locator('#chart-title').textContent()).toBe(
        'Inspections per month, now and with the change',
      );
    },
    slow,
  );

  it(
    'plans an inspection from a plan row',
    async () => {
      await planner.goto('/plan');
      await planner.clickLink(`Plan inspection of ${name}`);
      expect(await planner.heading()).toBe('Plan an inspection');
      await planner.clickButton('Plan inspection');
      expect(await planner.errorSummary()).toEqual({
        title: 'There is a problem',
        links: [{ text: 'Select an inspector to lead the inspection', href: '#leadInspectorId' }],
      });
      await planner.page.getByLabel('Lead inspector').selectOption({ label: 'Demo inspector' });
      await planner.clickButton('Plan inspection');
      expect(await planner.successBanner()).toBe('The inspection has been planned');
      expect(await planner.heading()).toContain(name);

      planner.done();
    },
    slow,
  );
});
