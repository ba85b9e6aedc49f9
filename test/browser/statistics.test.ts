import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('statistics in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('lets an analyst read two figures as table and chart, download one as CSV, and correct a period', async () => {
    const analyst = await world.user({ javaScript: false });
    await analyst.signIn('analyst');
    await analyst.clickLink('Statistics');
    expect(await analyst.heading()).toBe('Statistics');

    await analyst.clickLink('Providers on the register by type');
    expect(await analyst.heading()).toBe('Providers on the register by type');
    const types = await analyst.tableRows();
    expect(types.map((row) => row[0])).toContain("Children's home");
    const homes = types.find((row) => row[0] === "Children's home")!;
    expect(Number(homes[1])).toBeGreaterThan(0);
    const chart = analyst.page.locator('svg.app-chart[role="img"]');
    await expect(chart.count()).resolves.toBe(1);
    expect(await chart.locator('title').textContent()).toContain('The table gives every figure.');
    // One bar for each type; the last row of the table is the total.
    expect(types.at(-1)![0]).toBe('All providers');
    expect(await chart.locator('rect').count()).toBe(types.length - 1);

    const csvLink = analyst.page.getByRole('link', { name: /Download CSV/ });
    const href = (await csvLink.getAttribute('href'))!;
    const csv = await analyst.context.request.get(new URL(href, world.baseUrl).href);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers()['content-disposition']).toMatch(
      /^attachment; filename="providers-by-type-.+\.csv"$/,
    );
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Type of provider,Providers,Share of all (%),Places');
    expect(lines).toContain(
      `Children's home,${homes[1]!.replace(/,/g, '')},${homes[2]},${homes[3]!.replace(/,/g, '')}`,
    );

    await analyst.page.getByLabel('From').fill('2025-13-01');
    await analyst.clickButton('Show figures');
    expect(await analyst.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [
        { text: 'Enter the start of the period as a real date, for example 2024-04-01', href: '#from' },
      ],
    });

    await analyst.clickLink('Statistics');
    await analyst.clickLink('Growth in children’s homes');
    expect(await analyst.heading()).toBe('Growth in children’s homes');
    expect(await analyst.tableRows()).toHaveLength(2); // a year earlier, and now
    expect(await analyst.page.locator('svg.app-chart[role="img"] rect').count()).toBe(2);
    expect((await analyst.summaryList())['Growth on the previous year']).toMatch(/^([+-]?\d+\.\d%|–)$/);
    analyst.done();
  }, 180_000);
});
