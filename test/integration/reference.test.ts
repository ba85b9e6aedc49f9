import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { databaseKinds } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';

const kinds = await databaseKinds();

/** Visible text of a page, tags stripped and spaces squeezed, for matching headings and table rows. */
function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => textOf(row[1]!).trim());
}

// Fri 14 June 2024, under the April 2024 procedure: call Mon 17 June; draft report 18 working days on,
// Wed 10 July; 5 more to answer it or complain, Wed 17 July; final report 30 working days on, Fri 26 July.
const june2024 = {
  framework: 'childrens-homes',
  end: '2024-06-14',
  procedure: 'post-inspection-2024-04',
  dayAfterContact: '2024-06-17',
  draftReportDue: '2024-07-10',
  responseDue: '2024-07-17',
  finalReportDue: '2024-07-26',
  complaintDue: '2024-07-17',
  internalReview: false,
};

describe.each(kinds)('reference data on the %s database', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  describe('the timeline API', () => {
    it('gives the hand-checked deadlines for a children’s home inspection ending 14 June 2024', async () => {
      const response = await t.app.inject({ url: '/api/timeline?framework=childrens-homes&end=2024-06-14' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual(june2024);
    });

    it('needs no sign-in, and answers as the command line does', async () => {
      const api = await t.app.inject({ url: '/api/timeline?framework=ilacs&end=2023-12-22' });
      expect(api.statusCode).toBe(200);
      let printed = '';
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        printed += String(chunk);
        return true;
      });
      try {
        expect(await runCli(['timeline', '--framework', 'ilacs', '--end', '2023-12-22'])).toBe(0);
      } finally {
        write.mockRestore();
      }
      expect(JSON.parse(printed)).toEqual(api.json());
      expect(api.json()).toMatchObject({ procedure: 'post-inspection-2020', dayAfterContact: null });
    });

    it('gives a last day before September 2020 the procedure of its day', async () => {
      const response = await t.app.inject({ url: '/api/timeline?framework=childrens-homes&end=2020-08-31' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        procedure: 'post-inspection-before-2020',
        internalReview: true,
      });
    });

    it('refuses a last day when the framework was not in force, naming end', async () => {
      const response = await t.app.inject({ url: '/api/timeline?framework=childrens-homes&end=2016-08-31' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().errors).toEqual([
        {
          field: 'end',
          message: 'SCCIF was not in force on 31 August 2016: it applied from 1 April 2017',
        },
      ]);
    });

    it('refuses an unknown framework, naming framework', async () => {
      const response = await t.app.inject({ url: '/api/timeline?framework=nurseries&end=2024-06-14' });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        {
          field: 'framework',
          message: expect.stringContaining("There is no inspection framework 'nurseries'"),
        },
      ]);
    });

    it('refuses a missing or impossible last day, naming end', async () => {
      const missing = await t.app.inject({ url: '/api/timeline?framework=childrens-homes' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().errors[0].field).toBe('end');
      const impossible = await t.app.inject({
        url: '/api/timeline?framework=childrens-homes&end=2024-02-30',
      });
      expect(impossible.statusCode).toBe(400);
      expect(impossible.json().errors).toEqual([
        { field: 'end', message: '2024-02-30 is not a real date: February 2024 has 29 days' },
      ]);
    });
  });

  describe('the reference API', () => {
    it('lists all five frameworks with their dates and provider types', async () => {
      const response = await t.app.inject({ url: '/api/frameworks' });
      expect(response.statusCode).toBe(200);
      const list = response.json() as { id: string; providerTypes: string[]; effectiveTo: string | null }[];
      expect(list.map((framework) => framework.id).sort()).toEqual(
        ['child-protection-2012', 'childrens-homes', 'ilacs', 'sif-2013', 'supported-accommodation'].sort(),
      );
      expect(list.find((framework) => framework.id === 'sif-2013')).toMatchObject({
        effectiveFrom: '2013-11-01',
        effectiveTo: '2017-12-31',
        providerTypes: ['local-authority'],
      });
    });

    it('gives one framework in full: ILACS has a care leavers area from 2023', async () => {
      const response = await t.app.inject({ url: '/api/frameworks/ilacs' });
      expect(response.statusCode).toBe(200);
      const ilacs = response.json();
      expect(ilacs.judgementAreas).toContainEqual(
        expect.objectContaining({ id: 'care-leavers', effectiveFrom: '2023-01-01', effectiveTo: null }),
      );
      expect(ilacs.judgementAreas).toContainEqual(
        expect.objectContaining({ id: 'help-and-protection', limiting: true }),
      );
      expect(ilacs.overallGrade).toEqual({ kind: 'separate-judgement', areaId: 'overall-effectiveness' });
      expect(ilacs.gradeScale.at(-1)).toEqual({
        id: 'inadequate',
        label: 'Inadequate',
        reinspectionMonths: 18,
      });
    });

    it('answers an unknown framework with a 404 problem', async () => {
      const response = await t.app.inject({ url: '/api/frameworks/nurseries' });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });

    it('lists 14 notification categories', async () => {
      const response = await t.app.inject({ url: '/api/notification-categories' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toHaveLength(14);
      expect(response.json().at(-1).id).toBe('other');
    });

    it('lists the regulations by instrument, and the guides', async () => {
      const { instruments, guides } = (await t.app.inject({ url: '/api/regulations' })).json();
      const homes = instruments.find((i: { id: string }) => i.id === 'childrens-homes-regulations-2015');
      expect(homes.regulations.filter((r: { qualityStandard: boolean }) => r.qualityStandard)).toHaveLength(
        9,
      );
      expect(homes).toMatchObject({ effectiveFrom: '2015-04-01', providerTypes: ['childrens-home'] });
      expect(guides.map((g: { id: string }) => g.id)).toEqual([
        'childrens-homes-guide-2015',
        'supported-accommodation-guide-2023',
        'working-together-2015',
        'working-together-2018',
        'working-together-2023',
        'care-planning-guidance',
      ]);
      expect(guides.find((g: { id: string }) => g.id === 'working-together-2018')).toMatchObject({
        instrumentId: null,
        pages: 116,
        effectiveFrom: '2018-07-04',
        effectiveTo: '2023-12-14',
      });
    });

    it('lists the procedures with their steps and day counts', async () => {
      const procedures = (await t.app.inject({ url: '/api/procedures' })).json();
      expect(procedures.map((p: { id: string }) => p.id)).toEqual([
        'post-inspection-before-2020',
        'post-inspection-2020',
        'post-inspection-2024-01',
        'post-inspection-2024-04',
      ]);
      const april = procedures[3];
      expect(april.draftReport).toEqual({ count: 18, unit: 'working-days', after: 'last-day' });
      expect(april.steps).toContainEqual(
        expect.objectContaining({
          title: 'Draft report sent to the provider',
          due: '18 working days after the last day of the inspection',
        }),
      );
    });

    it('lists the bank holidays of 2022, with the Queen’s state funeral', async () => {
      const response = await t.app.inject({ url: '/api/bank-holidays?year=2022' });
      expect(response.statusCode).toBe(200);
      const { year, holidays } = response.json();
      expect(year).toBe(2022);
      expect(holidays.map((h: { date: string }) => h.date)).toContain('2022-09-19');
    });

    it('refuses a year that is not four digits, naming year', async () => {
      const response = await t.app.inject({ url: '/api/bank-holidays?year=22' });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0].field).toBe('year');
    });

    it('documents every reference route in the OpenAPI document, with no sign-in needed', async () => {
      const { paths } = (await t.app.inject({ url: '/api/openapi.json' })).json();
      for (const path of [
        '/api/frameworks',
        '/api/frameworks/{id}',
        '/api/regulations',
        '/api/procedures',
        '/api/notification-categories',
        '/api/bank-holidays',
        '/api/timeline',
      ]) {
        expect(paths[path]?.get?.tags, path).toEqual(['reference']);
        expect(paths[path].get.summary, path).toBeTruthy();
        expect(paths[path].get.security, path).toEqual([]);
      }
    });
  });

  describe('the reference pages', () => {
    const page = (url: string) => t.app.inject({ url, headers: { accept: 'text/html' } });

    it('offers Reference in the navigation to everyone, and links to each section', async () => {
      const response = await page('/reference');
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/<a class="govuk-service-navigation__link" href="\/reference"/);
      for (const href of [
        '/reference/frameworks',
        '/reference/procedures',
        '/reference/regulations',
        '/reference/notification-categories',
        '/reference/calendar',
      ]) {
        expect(response.body).toContain(`href="${href}"`);
      }
    });

    it('shows the children’s homes framework with its grade scale and judgement areas', async () => {
      const response = await page('/reference/frameworks/childrens-homes');
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/<h1 class="govuk-heading-l">Social care common inspection framework/);
      const rows = rowsOf(response.body);
      expect(rows).toEqual(
        expect.arrayContaining([
          'Grade Next inspection due within',
          'Outstanding 12 months',
          'Requires improvement to be good 6 months',
          'How well children and young people are helped and protected Yes 1 April 2017 Still in force',
          'The effectiveness of leaders and managers No 1 April 2017 Still in force',
        ]),
      );
      // Best first.
      const grades = rows.filter((row) => /months$/.test(row));
      expect(grades[0]).toMatch(/^Outstanding/);
      expect(grades.at(-1)).toMatch(/^Inadequate/);
      expect(textOf(response.body)).toContain('Grade scale, best first');
    });

    it('answers an unknown framework page with the 404 page', async () => {
      const response = await page('/reference/frameworks/nurseries');
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('Page not found');
    });

    it('lists the frameworks, the procedures, the regulations and the notification categories', async () => {
      const frameworks = await page('/reference/frameworks');
      expect(frameworks.body).toContain('href="/reference/frameworks/ilacs"');
      const procedures = textOf((await page('/reference/procedures')).body);
      expect(procedures).toContain('Post-inspection arrangements from April 2024');
      expect(procedures).toContain('By 18 working days after the last day of the inspection.');
      const regulations = rowsOf((await page('/reference/regulations')).body);
      expect(regulations).toContain('12 The protection of children standard Yes');
      const categories = rowsOf((await page('/reference/notification-categories')).body);
      expect(categories).toHaveLength(15);
    });

    it('shows the bank holidays of 2023 in a table', async () => {
      const response = await page('/reference/calendar?year=2023');
      expect(response.statusCode).toBe(200);
      expect(textOf(response.body)).toContain('Bank holidays in England and Wales in 2023');
      const rows = rowsOf(response.body);
      expect(rows).toEqual(
        expect.arrayContaining([
          'Date Day Bank holiday',
          "8 May 2023 Monday King Charles III's Coronation",
          '25 December 2023 Monday Christmas Day',
          '26 December 2023 Tuesday Boxing Day',
        ]),
      );
      expect(rows).toHaveLength(9 + 1);
    });

    it('shows a GOV.UK error for a year that is not four digits', async () => {
      const response = await page('/reference/calendar?year=23');
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('govuk-error-summary');
      expect(response.body).toContain('<a href="#year">Year must be 4 digits, for example 2024</a>');
      expect(response.body).toMatch(/id="year-error"/);
    });

    it('works out the deadlines for an inspection from the form', async () => {
      const response = await page(
        '/reference/calendar?year=2024&framework=childrens-homes&end-day=14&end-month=6&end-year=2024',
      );
      expect(response.statusCode).toBe(200);
      const text = textOf(response.body);
      expect(text).toContain('Deadlines for an inspection that ended on 14 June 2024');
      expect(text).toContain('Call about unresolved issues 17 June 2024');
      expect(text).toContain('Draft report due 10 July 2024');
      expect(text).toContain('Final report due 26 July 2024');
      expect(text).toContain('Formal complaint by 17 July 2024');
    });

    it('names the field at fault when the deadlines cannot be worked out', async () => {
      const early = await page(
        '/reference/calendar?framework=childrens-homes&end-day=31&end-month=8&end-year=2016',
      );
      expect(early.statusCode).toBe(400);
      expect(early.body).toContain(
        '<a href="#end-day">SCCIF was not in force on 31 August 2016: it applied from 1 April 2017</a>',
      );
      const partial = await page('/reference/calendar?framework=&end-day=14&end-month=&end-year=2024');
      expect(partial.body).toContain('<a href="#framework">Select a framework</a>');
      expect(partial.body).toContain(
        '<a href="#end-month">The last day of the inspection must include a month</a>',
      );
    });
  });
});
