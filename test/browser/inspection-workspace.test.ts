import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeInBrowser, startWorld, type User, type World } from './browser.js';

/**
 * The demo inspector's inspection on site (from 24 November 2026): six pieces of evidence, one open line
 * of enquiry, no judgements. Worked through to feedback, once with JavaScript and once without.
 */
describeInBrowser('the inspector’s workspace', () => {
  describe.each([{ javaScript: true }, { javaScript: false }])(
    'JavaScript on: $javaScript',
    ({ javaScript }) => {
      let world: World;
      let user: User;
      let inspectionId: string;
      let providerName: string;

      const section = (id: string) => user.page.locator(`#${id}`);

      beforeAll(async () => {
        world = await startWorld();
        const response = await world.t.app.inject({
          url: '/api/inspections?status=on-site&mine=true',
          headers: { authorization: `Bearer ${await world.t.tokenFor('inspector')}` },
        });
        const items = (response.json() as { items: { id: string; provider: { name: string } }[] }).items;
        expect(items).toHaveLength(1);
        inspectionId = items[0]!.id;
        providerName = items[0]!.provider.name;
        user = await world.user({ javaScript });
      });
      afterAll(async () => world?.close());

      it('finds the inspection on site among the inspector’s own', async () => {
        await user.signIn('inspector');
        await user.clickLink('Inspections');
        expect(await user.heading()).toBe('Inspections');
        expect(await user.page.getByLabel('Only mine').isChecked()).toBe(true);
        expect(await user.page.getByRole('button', { name: 'Plan an inspection' }).count()).toBe(0);
        const mine = await user.tableRows();
        expect(mine).toHaveLength(4);
        expect(mine.map((row) => row[4]).sort()).toEqual([
          'Completed',
          'Feedback given',
          'On site',
          'Planned',
        ]);

        await user.page.getByLabel('Status').selectOption({ label: 'On site' });
        await user.clickButton('Filter');
        expect(await user.page.locator('#result-count').innerText()).toBe('Showing 1 to 1 of 1 inspection');
        expect(await user.tableRows()).toEqual([
          [
            providerName,
            'Full inspection',
            '24 November 2026 to 26 November 2026',
            'Demo inspector',
            'On site',
          ],
        ]);

        await user.clickLink(providerName);
        expect(new URL(user.page.url()).pathname).toBe(`/inspections/${inspectionId}`);
        expect(await user.heading()).toBe(providerName);
        expect(await user.summaryList()).toMatchObject({
          Framework: 'Social care common inspection framework (SCCIF): children’s homes',
          Type: 'Full inspection',
          Notice: 'No notice',
          Dates: '24 November 2026 to 26 November 2026',
          'Lead inspector': 'Demo inspector',
          Status: 'On site',
        });
        expect(await user.page.locator('.govuk-task-list__item').allInnerTexts()).toEqual([
          expect.stringMatching(/^Start the inspection[\s\S]*Completed$/),
          expect.stringMatching(/^Evidence\s+6 pieces from 6 sources[\s\S]*Enough recorded$/),
          expect.stringMatching(/^Lines of enquiry\s+1 line opened\s+1 open$/),
          expect.stringMatching(/^Professional dialogue[\s\S]*Incomplete$/),
          expect.stringMatching(/^Judgements\s+0 of 3 areas graded\s+Not yet started$/),
          expect.stringMatching(/^Requirements and recommendations[\s\S]*Optional$/),
          expect.stringMatching(/^Check and give feedback[\s\S]*Cannot start yet$/),
        ]);
        expect(await user.page.getByRole('heading', { name: 'Open lines of enquiry' }).count()).toBe(1);
        expect(await user.page.getByText('Children missing from home').count()).toBe(1);
        user.done();
      });

      it('records evidence, refusing an empty record, and filters the log', async () => {
        await user.clickLink('Evidence');
        expect(await user.heading()).toBe('Evidence');
        expect(await user.tableRows()).toHaveLength(6);

        await user.clickButton('Record evidence');
        expect(await user.errorSummary()).toEqual({
          title: 'There is a problem',
          links: [
            { text: 'Select where the evidence came from', href: '#source' },
            { text: 'Enter a summary of the evidence', href: '#summary' },
          ],
        });
        expect(await user.fieldError('summary')).toBe('Enter a summary of the evidence');
        expect(await user.page.title()).toMatch(/^Error: Evidence/);

        await user.page.getByLabel('Parent or family').check();
        await user.page
          .getByLabel('Summary of the evidence')
          .fill('A parent said the home keeps them told about their son’s week');
        await user.page.getByLabel('Child reference (optional)').fill('child-b');
        await user.page
          .getByLabel('Line of enquiry (optional)')
          .selectOption({ label: 'Children missing from home' });
        await user.clickButton('Record evidence');
        expect(await user.successBanner()).toBe('Evidence recorded');
        const rows = await user.tableRows();
        expect(rows).toHaveLength(7);
        expect(rows[6]).toEqual([
          'E7 evidence',
          'Parent or family',
          'A parent said the home keeps them told about their son’s week',
          'child-b',
          'Children missing from home',
          '1',
        ]);

        await user.page.getByLabel('Child reference', { exact: true }).fill('child-b');
        await user.clickButton('Filter');
        expect((await user.tableRows()).map((row) => row[0])).toEqual(['E7 evidence']);
        await user.clickLink('Clear filters');
        expect(await user.tableRows()).toHaveLength(7);
        user.done();
      });

      it('corrects a piece of evidence and keeps both versions', async () => {
        await user.clickLink('E3 evidence');
        expect(await user.heading()).toBe('Evidence E3');
        await user.page
          .getByLabel('Summary of the evidence')
          .fill('The deputy and a night worker explained the missing-from-home protocol');
        await user.clickButton('Save correction');
        expect(await user.errorSummary()).toEqual({
          title: 'There is a problem',
          links: [{ text: 'Say why the evidence is being corrected', href: '#reason' }],
        });
        await user.page
          .getByLabel('Why is the evidence being corrected?')
          .fill('A second member of staff was present');
        await user.clickButton('Save correction');
        expect(await user.successBanner()).toBe('Evidence corrected: the earlier version is kept');
        expect(await user.summaryList()).toMatchObject({
          Summary: 'The deputy and a night worker explained the missing-from-home protocol',
          Version: '2',
        });
        expect(await user.tableRows()).toEqual([
          [
            '2',
            'Staff',
            'The deputy and a night worker explained the missing-from-home protocol',
            'A second member of staff was present',
            expect.any(String),
          ],
          [
            '1',
            'Staff',
            'The deputy explained the missing-from-home protocol and recent return-home interviews',
            'First recorded',
            expect.any(String),
          ],
        ]);
        user.done();
      });

      it('closes the line of enquiry with the evidence that answers it', async () => {
        await user.goto(`/inspections/${inspectionId}`);
        await user.clickLink('Lines of enquiry');
        expect(await user.heading()).toBe('Lines of enquiry');
        const card = user.page.locator('.govuk-summary-card', { hasText: 'Children missing from home' });
        await card.getByLabel('What the evidence showed').fill('Episodes are well managed and reviewed');
        await user.follow(card.getByRole('button', { name: /^Close line of enquiry/ }));
        const summary = await user.errorSummary();
        expect(summary?.links).toEqual([
          {
            text: 'Select the evidence that answers this line of enquiry',
            href: expect.stringMatching(/^#evidenceIds-[0-9a-f-]{36}$/),
          },
        ]);
        expect(await user.page.locator(`${summary!.links[0]!.href}`).count()).toBe(1);

        const again = user.page.locator('.govuk-summary-card', { hasText: 'Children missing from home' });
        expect(await again.getByLabel('What the evidence showed').inputValue()).toBe(
          'Episodes are well managed and reviewed',
        );
        await again.getByRole('checkbox', { name: /^E3 / }).check();
        await again.getByRole('checkbox', { name: /^E4 / }).check();
        await user.follow(again.getByRole('button', { name: /^Close line of enquiry/ }));
        expect(await user.successBanner()).toBe('Line of enquiry closed');
        expect(await user.summaryList()).toMatchObject({
          'What the evidence showed': 'Episodes are well managed and reviewed',
          Evidence: 'E3, E4',
        });
        expect(await user.page.locator('.govuk-summary-card .govuk-tag').innerText()).toBe('Closed');
        user.done();
      });

      it('logs a concern the provider raised and its resolution, and the comments on conduct', async () => {
        await user.goto(`/inspections/${inspectionId}/dialogue`);
        expect(await user.heading()).toBe('Professional dialogue');
        await user.page.getByLabel('Concern raised by the provider').check();
        await user.page
          .getByLabel('What was discussed')
          .fill('The manager was worried staff were interviewed without her');
        await user.clickButton('Save dialogue');
        expect(await user.successBanner()).toBe('Dialogue recorded');

        await user.clickButton('Record resolution');
        expect((await user.errorSummary())?.links.map((l) => l.text)).toEqual([
          'Enter how the concern was resolved',
        ]);
        await user.page
          .getByLabel('How was the concern resolved?')
          .fill('Explained why; the manager was satisfied');
        await user.clickButton('Record resolution');
        expect(await user.successBanner()).toBe('Resolution of the concern recorded');

        await user.page.getByLabel('Provider’s comments on the conduct of the inspection').check();
        await user.page
          .getByLabel('What was discussed')
          .fill('The manager had no further comments on the conduct of the inspection');
        await user.clickButton('Save dialogue');
        expect(await user.tableRows()).toEqual([
          [
            expect.any(String),
            'Concern raised by the provider',
            'Demo inspector',
            'The manager was worried staff were interviewed without her',
            'Explained why; the manager was satisfied',
          ],
          [
            expect.any(String),
            'Provider’s comments on the conduct of the inspection',
            'Demo inspector',
            'The manager had no further comments on the conduct of the inspection',
            '',
          ],
        ]);
        user.done();
      });

      it('escalates a concern it cannot resolve to a manager, on the dialogue log', async () => {
        await user.goto(`/inspections/${inspectionId}/dialogue`);
        await user.page.getByLabel('Concern raised by the provider').check();
        await user.page.getByLabel('What was discussed').fill('The manager disputes the inspection method');
        await user.clickButton('Save dialogue');
        await user.clickLink('The dialogue log with each concern’s outcome');
        expect(await user.heading()).toBe('Professional dialogue log');
        await user.clickButton('Escalate to a manager');
        expect((await user.errorSummary())?.links.map((l) => l.text)).toEqual([
          'Say why the concern could not be resolved on site',
        ]);
        await user.page
          .getByLabel('Cannot resolve it? Say why, to escalate it to a manager')
          .fill('It is about the framework, not this visit');
        await user.clickButton('Escalate to a manager');
        expect(await user.successBanner()).toBe('The concern has been escalated to the managers');
        expect(await user.page.getByText('Waiting for the manager’s outcome').count()).toBe(1);
        user.done();
      });

      it('gives the three judgements, each on evidence, and shows the limited overall grade', async () => {
        await user.goto(`/inspections/${inspectionId}`);
        await user.clickLink('Judgements');
        expect(await user.heading()).toBe('Judgements');

        const judge = async (areaId: string, grade: string, evidence: string[], rationale: string) => {
          const area = section(`area-${areaId}`);
          await area.getByLabel(grade, { exact: true }).check();
          for (const ref of evidence)
            await area.getByRole('checkbox', { name: new RegExp(`^${ref} `) }).check();
          await area.getByLabel('Reasons for the judgement').fill(rationale);
          await user.follow(area.getByRole('button', { name: /^Save judgement/ }));
        };

        await judge('overall-experiences-and-progress', 'Good', [], 'Children make good progress');
        expect(await user.errorSummary()).toEqual({
          title: 'There is a problem',
          links: [
            {
              text: 'A judgement must rest on recorded evidence: select the evidence behind it',
              href: '#evidenceIds-overall-experiences-and-progress',
            },
          ],
        });
        expect(await user.fieldError('evidenceIds-overall-experiences-and-progress')).toBe(
          'A judgement must rest on recorded evidence: select the evidence behind it',
        );
        expect(
          await section('area-overall-experiences-and-progress')
            .getByLabel('Reasons for the judgement')
            .inputValue(),
        ).toBe('Children make good progress');

        await judge('overall-experiences-and-progress', 'Good', ['E1', 'E2'], 'Children make good progress');
        expect(await user.successBanner()).toBe('Judgement recorded');
        await judge(
          'help-and-protection',
          'Requires improvement to be good',
          ['E3', 'E4'],
          'Missing episodes are reviewed late',
        );
        await judge('leaders-and-managers', 'Good', ['E5', 'E6'], 'Leaders know the home well');
        expect(await user.successBanner()).toBe('Judgement recorded');

        expect(await section('overall-grade').innerText()).toContain(
          'Overall grade: Requires improvement to be good',
        );
        expect(await section('limited-by').innerText()).toBe(
          'Limited by the limiting judgement: How well children and young people are helped and protected',
        );
        expect(await section('area-help-and-protection').locator('.govuk-tag').innerText()).toBe(
          'Requires improvement to be good',
        );
        user.done();
      });

      it('adds a requirement, listing every missing part when it is empty', async () => {
        await user.goto(`/inspections/${inspectionId}`);
        await user.clickLink('Requirements and recommendations');
        expect(await user.heading()).toBe('Requirements and recommendations');

        await user.clickButton('Add requirement');
        expect(await user.errorSummary()).toEqual({
          title: 'There is a problem',
          links: [
            { text: 'Select the regulation that is not met', href: '#regulationId' },
            { text: 'Say what the provider must do', href: '#action' },
            {
              text: 'Say what impact this has, or is likely to have, on children’s experiences and progress',
              href: '#impact',
            },
            {
              text: 'A requirement must rest on evidence from at least two different sources',
              href: '#evidenceIds',
            },
            { text: 'Enter the date by which the provider must comply', href: '#complyBy-day' },
          ],
        });
        expect(await user.fieldError('regulationId')).toBe('Select the regulation that is not met');
        expect(await user.fieldError('complyBy-day')).toBe(
          'Enter the date by which the provider must comply',
        );

        await user.page
          .getByLabel('Regulation not met')
          .selectOption({ label: 'Regulation 12: The protection of children standard' });
        await user.page
          .getByLabel('What the provider must do')
          .fill('Review each missing episode within 72 hours');
        await user.page
          .getByLabel('Impact on children’s experiences and progress')
          .fill('Patterns of risk are missed');
        await user.page.getByRole('checkbox', { name: /^E3 / }).check();
        await user.page.getByRole('checkbox', { name: /^E4 / }).check();
        await user.page.getByLabel('Day', { exact: true }).fill('31');
        await user.page.getByLabel('Month', { exact: true }).fill('1');
        await user.page.getByLabel('Year', { exact: true }).fill('2027');
        await user.clickButton('Add requirement');
        expect(await user.successBanner()).toBe('Requirement added');
        expect(await user.summaryList()).toMatchObject({
          'What the provider must do': 'Review each missing episode within 72 hours',
          'Impact on children': 'Patterns of risk are missed',
          Evidence: 'E3, E4',
          'Comply by': '31 January 2027',
        });

        await user.page
          .getByLabel('Recommendation', { exact: true })
          .fill('Record the reasons for each missing episode in the child’s plan');
        await user.page.getByLabel('Guide').selectOption({
          label: 'Guide to the Children’s Homes Regulations including the quality standards',
        });
        await user.page.getByLabel('Page').fill('42');
        await user.page.getByLabel('Paragraph').fill('9.31');
        await user.clickButton('Add recommendation');
        expect(await user.successBanner()).toBe('Recommendation added');
        user.done();
      });

      it('checks the answers and gives feedback', async () => {
        await user.goto(`/inspections/${inspectionId}`);
        await user.clickLink('Check and give feedback');
        expect(await user.heading()).toBe('Check your answers before giving feedback');
        expect(await user.page.locator('.govuk-warning-text').count()).toBe(0);
        expect(await user.summaryList()).toMatchObject({
          'Overall experiences and progress of children and young people': 'Good 2 pieces of evidence',
          'How well children and young people are helped and protected':
            'Requires improvement to be good 2 pieces of evidence',
          'The effectiveness of leaders and managers': 'Good 2 pieces of evidence',
          'Overall grade':
            'Requires improvement to be good Limited by: How well children and young people are helped and protected',
          'Regulation 12: The protection of children standard':
            'Review each missing episode within 72 hours (comply by 31 January 2027)',
          'Judgements without evidence': 'None',
          'Requirements without evidence from two sources': 'None',
          'Open lines of enquiry': 'None',
          'Areas not graded': 'None',
          Evidence: '7 pieces from 7 sources',
        });

        await user.clickButton('Give feedback');
        expect((await user.errorSummary())?.links).toEqual([
          { text: 'Enter a summary of the feedback given', href: '#summary' },
        ]);
        await user.page
          .getByLabel('Summary of the feedback given')
          .fill('Feedback given to the registered manager');
        await user.clickButton('Give feedback');

        expect(new URL(user.page.url()).pathname).toBe(`/inspections/${inspectionId}`);
        expect(await user.successBanner()).toBe('Feedback recorded');
        expect((await user.summaryList()).Status).toBe('Feedback given');
        expect(await user.page.locator('.govuk-task-list__item').last().innerText()).toMatch(/Completed$/);

        // The records stay readable, but nothing more can be added.
        await user.clickLink('Evidence');
        expect(await user.page.getByRole('button', { name: 'Record evidence' }).count()).toBe(0);
        expect(await user.page.locator('.govuk-inset-text').innerText()).toBe(
          'Records can be added only while inspectors are on site. This inspection is feedback given.',
        );
        user.done();
      });

      it('shows the provider only their own inspections, and this one as not found', async () => {
        const provider = await world.user({ javaScript });
        await provider.signIn('provider');
        await provider.clickLink('Inspections');
        expect(await provider.heading()).toBe('Your inspections');
        expect(await provider.page.getByRole('button', { name: 'Plan an inspection' }).count()).toBe(0);
        const rows = await provider.tableRows();
        expect(rows.map((row) => row[4])).toEqual(['Completed']);

        await provider.goto(`/inspections/${inspectionId}`);
        expect(await provider.heading()).toBe('Page not found');
        expect(await provider.page.getByText(providerName).count()).toBe(0);
        await provider.goto(`/inspections/${inspectionId}/evidence`);
        expect(await provider.heading()).toBe('Page not found');

        // Their own inspection: the judgements after feedback, never the working records.
        await provider.goto('/inspections');
        await provider.clickLink(rows[0]![0]!);
        expect(await provider.page.getByRole('heading', { name: 'Judgements' }).count()).toBe(1);
        expect(await provider.page.locator('.govuk-task-list').count()).toBe(0);
        const own = new URL(provider.page.url()).pathname;
        await provider.goto(`${own}/evidence`);
        expect(await provider.heading()).toBe('Page not found');
        provider.done();
      });
    },
  );
});
