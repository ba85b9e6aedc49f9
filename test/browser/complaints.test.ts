import { afterAll, beforeAll, expect, it } from 'vitest';
import { englishDate } from '../../src/clock.js';
import { formatLongDate } from '../../src/calendar/working-days.js';
import { raiseComplaint } from '../../src/complaints/store.js';
import { recordDialogue, recordEvidence } from '../../src/inspections/evidence.js';
import { giveFeedback } from '../../src/inspections/feedback.js';
import { giveJudgement, signOffModeration } from '../../src/inspections/judgements.js';
import { inspectionRecord } from '../../src/inspections/record.js';
import { createInspection, moveInspection } from '../../src/inspections/store.js';
import { issueDraft } from '../../src/reports/drafts.js';
import { describeInBrowser, startWorld, type World } from './browser.js';

describeInBrowser('complaints in the browser', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });
  afterAll(async () => world?.close());

  it('lets a provider complain through the pages, without JavaScript, and a complaints handler acknowledge it', async () => {
    const provider = await world.user({ javaScript: false });
    await provider.signIn('provider');
    await provider.clickLink('Complaints');
    expect(await provider.heading()).toBe('Your complaints');
    expect(await provider.page.locator('#no-complaints').innerText()).toBe('No complaints found');

    await provider.clickButton('Make a complaint');
    expect(await provider.heading()).toBe('Make a complaint');
    // Only the completed inspection is offered: the planned no-notice visit is not the provider's to see.
    const options = await provider.page.locator('#inspectionId option').allInnerTexts();
    expect(options).toHaveLength(2);
    await provider.page.locator('#inspectionId').selectOption({ index: 1 });
    await provider.clickButton('Send complaint');
    expect(await provider.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [{ text: 'Describe the complaint', href: '#summary' }],
    });
    expect(await provider.fieldError('summary')).toBe('Describe the complaint');

    await provider.page
      .getByLabel('Your complaint')
      .fill('The inspector did not read the records of missing episodes we offered.');
    await provider.clickButton('Send complaint');
    expect(await provider.successBanner()).toBe('Your complaint has been sent');
    const reference = (await provider.heading()).replace('Complaint ', '');
    expect(reference).toMatch(/^C-[0-9A-F]{8}$/);
    const summary = await provider.summaryList();
    expect(summary['Made by']).toBe('Provider portal');
    expect(summary['Procedure']).toBe('Post-inspection arrangements from April 2024');
    expect(await provider.page.locator('#complaint-status').innerText()).toContain('Received');

    const handler = await world.user();
    await handler.signIn('complaints');
    await handler.clickLink('Complaints');
    const rows = await handler.tableRows();
    expect(rows[0]?.[0]).toBe(reference);
    expect(rows[0]?.[4]).toBe('Received');
    await handler.clickLink(reference);
    await handler.page.getByLabel('Add a note').fill('Asked the lead inspector for the evidence log.');
    await handler.clickButton('Add note');
    expect(await handler.successBanner()).toBe('Note added');
    await handler.clickButton('Acknowledge complaint');
    expect(await handler.successBanner()).toBe(
      'The complaint has been acknowledged and the complainant told',
    );
    expect(await handler.page.locator('#complaint-status').innerText()).toContain('Acknowledged');
    expect((await handler.summaryList())['Handled by']).toBe('Demo complaints handler');

    await provider.goto('/complaints');
    expect((await provider.tableRows())[0]).toEqual([
      reference,
      expect.any(String),
      expect.any(String),
      'Provider portal',
      'Acknowledged',
    ]);
    await provider.clickLink('Messages');
    expect(await provider.heading()).toBe('Your messages');
    await provider.clickLink(`We have received your complaint ${reference}`);
    expect(await provider.page.locator('#message-body').innerText()).toContain(
      `Its reference is ${reference}`,
    );
    // The handler's investigation notes are not the provider's to read.
    await provider.goto('/complaints');
    await provider.clickLink(reference);
    expect(await provider.page.getByText('Asked the lead inspector').count()).toBe(0);

    provider.done();
    handler.done();
  }, 180_000);

  /**
   * An inspection that ended in June 2023, under the 2020 procedure, carried through to its draft report
   * with the stores, as the inspection team would have.
   */
  async function inspectionOf2023() {
    const db = world.t.db;
    const idOf = async (email: string) =>
      (await db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    const [plannerId, inspectorId, providerId, managerId] = await Promise.all([
      idOf('planner@demo.invalid'),
      idOf('inspector@demo.invalid'),
      idOf('provider@demo.invalid'),
      idOf('manager@demo.invalid'),
    ]);
    const home = await db
      .selectFrom('person_providers')
      .select('provider_id')
      .where('person_id', '=', providerId)
      .orderBy('provider_id')
      .executeTakeFirstOrThrow();
    const id = await createInspection(db, plannerId, {
      providerId: home.provider_id,
      frameworkId: 'childrens-homes',
      type: 'full',
      notice: 'announced',
      startDate: '2023-06-05',
      endDate: '2023-06-07',
      leadInspectorId: inspectorId,
      team: [],
    });
    await moveInspection(db, inspectorId, id, 'on-site');
    const evidence: string[] = [];
    for (const source of ['observation', 'child', 'staff', 'document', 'case-tracking'] as const) {
      evidence.push(
        await recordEvidence(db, inspectorId, id, { source, summary: `Evidence from ${source}` }),
      );
    }
    const areas = ['overall-experiences-and-progress', 'help-and-protection', 'leaders-and-managers'];
    for (const [index, areaId] of areas.entries()) {
      await giveJudgement(db, inspectorId, id, {
        areaId,
        grade: 'good',
        evidenceIds: [evidence[index]!, evidence[index + 1]!],
        rationale: 'Consistent, child-centred practice',
      });
    }
    await recordDialogue(db, inspectorId, id, { kind: 'conduct-comment', summary: 'No comments on conduct' });
    await giveFeedback(db, inspectorId, id, { summary: 'Feedback given', acknowledgeWarnings: true });
    await signOffModeration(db, managerId, id, { outcome: 'done' });
    const record = (await inspectionRecord(db, id))!;
    const reportId = await issueDraft(
      db,
      world.t.app.clock,
      inspectorId,
      record,
      'Children are safe.\n\nRecords of missing episodes were not reviewed.',
    );
    return { id, reportId, providerId: home.provider_id };
  }

  it('takes a complaint under the 2020 procedure through the pages: response with remedies, internal review, then ICASO', async () => {
    const inspection = await inspectionOf2023();
    const today = formatLongDate(englishDate(new Date()));

    const provider = await world.user({ javaScript: false });
    await provider.signIn('provider');
    await provider.goto(`/complaints/new?inspectionId=${inspection.id}`);
    await provider.page
      .getByLabel('Your complaint')
      .fill('The report says missing episodes were not reviewed; we showed the inspector the reviews.');
    await provider.clickButton('Send complaint');
    expect(await provider.successBanner()).toBe('Your complaint has been sent');
    const reference = (await provider.heading()).replace('Complaint ', '');
    expect((await provider.summaryList())['Procedure']).toBe(
      'Post-inspection arrangements from September 2020',
    );
    const complaintPath = new URL(provider.page.url()).pathname;

    // The handler acknowledges, notes, then closes it with remedies that change the report.
    const handler = await world.user();
    await handler.signIn('complaints');
    await handler.goto(complaintPath);
    await handler.clickButton('Acknowledge complaint');
    await handler.page
      .getByLabel('Add a note')
      .fill('The evidence log shows the reviews were seen on day 2.');
    await handler.clickButton('Add note');
    expect(await handler.successBanner()).toBe('Note added');

    await handler.page.getByLabel('Partly upheld', { exact: true }).check();
    await handler.page.locator('#reasons').fill('The reviews were seen but the report says they were not.');
    await handler.page.getByLabel('The report is amended', { exact: true }).check();
    await handler.page.getByLabel('A judgement is changed', { exact: true }).check();
    await handler.clickButton('Send response and close');
    expect(await handler.errorSummary()).toEqual({
      title: 'There is a problem',
      links: [
        {
          text: 'Say what is amended in the report and why: the report shows this note',
          href: '#amendmentNote',
        },
        { text: 'Select the judgement that changes', href: '#judgementArea' },
        { text: 'Select the new grade', href: '#judgementGrade' },
      ],
    });
    // What was chosen is kept, and the fields needed are open.
    expect(await handler.page.getByLabel('A judgement is changed', { exact: true }).isChecked()).toBe(true);
    await handler.page
      .getByLabel('What is amended and why')
      .fill('The passage on missing episodes is corrected.');
    const narrative = handler.page.getByLabel('The report’s narrative, as amended');
    expect(await narrative.inputValue()).toContain('Records of missing episodes were not reviewed.');
    await narrative.fill('Children are safe.\n\nRecords of missing episodes were reviewed promptly.');
    await handler.page.getByLabel('Judgement that changes').selectOption('leaders-and-managers');
    await handler.page.getByLabel('New grade').selectOption('outstanding');
    await handler.clickButton('Send response and close');
    expect(await handler.successBanner()).toBe('The response has been sent and the complaint closed');
    expect(await handler.page.locator('#complaint-status').innerText()).toContain('Responded to and closed');

    // The provider reads the amended report, which says why it changed.
    await provider.goto(`/reports/${inspection.reportId}`);
    expect(await provider.page.locator('#amendment-1').innerText()).toContain(
      `Amended on ${today} following a complaint (${reference}): The passage on missing episodes is corrected.`,
    );
    expect(await provider.page.getByText('Records of missing episodes were reviewed promptly.').count()).toBe(
      1,
    );
    // The changed judgement is in the report too.
    expect(Object.values(await provider.summaryList())).toContain('Outstanding');

    // Under the 2020 procedure the provider asks for an internal review first.
    await provider.goto(complaintPath);
    await provider.page
      .getByLabel('Why should the handling be reviewed?')
      .fill('The handler did not speak to our registered manager.');
    await provider.clickButton('Ask for an internal review');
    expect(await provider.successBanner()).toBe('The internal review has been asked for');

    await handler.goto(complaintPath);
    await handler.page.getByLabel('The complaint was handled properly', { exact: true }).check();
    await handler.page.locator('#findingReasons').fill('The handler weighed the evidence log.');
    await handler.clickButton('Send the review’s finding');
    expect(await handler.successBanner()).toBe(
      'The internal review’s finding has been sent to the complainant',
    );

    await provider.goto(complaintPath);
    await provider.page
      .getByLabel('How was the complaint not handled properly?')
      .fill('Our registered manager was never asked for her account.');
    await provider.clickButton('Escalate to ICASO');
    expect(await provider.successBanner()).toBe('The complaint has been escalated to ICASO');

    // The adjudicator sees this complaint and no other, and rules on its handling.
    const other = await raiseComplaint(world.t.db, null, {
      inspectionId: inspection.id,
      channel: 'phone',
      complainantName: 'A parent',
      complainantEmail: null,
      summary: 'Not escalated, so not for ICASO.',
      receivedOn: englishDate(new Date()),
    });
    const adjudicator = await world.user();
    await adjudicator.signIn('adjudicator');
    await adjudicator.clickLink('Complaints');
    expect(await adjudicator.heading()).toBe('Complaints escalated to ICASO');
    expect((await adjudicator.tableRows()).map((row) => row[0])).toEqual([reference]);
    await adjudicator.goto(`/complaints/${other.id}`);
    expect(await adjudicator.heading()).toBe('Page not found');
    await adjudicator.goto('/complaints');
    await adjudicator.clickLink(reference);
    expect(
      await adjudicator.page.getByText('The evidence log shows the reviews were seen on day 2.').count(),
    ).toBe(1);
    await adjudicator.page.getByLabel('The complaint was not handled properly', { exact: true }).check();
    await adjudicator.page.locator('#rulingReasons').fill('The registered manager should have been heard.');
    await adjudicator.clickButton('Record ruling');
    expect(await adjudicator.successBanner()).toBe('Your ruling has been recorded and sent');
    expect(await adjudicator.page.locator('#complaint-status').innerText()).toContain('ICASO has ruled');

    provider.done();
    handler.done();
    adjudicator.done();
  }, 180_000);
});
