import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aPerson, aProvider, anInspectionOnSite } from '../support/factories.js';
import { getPage, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

describe.each(kinds)('what the reviewer of closed complaints sees, on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2025-06-09T09:00:00Z'));
  let t: TestApp;
  let secrets: string[];

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) => {
    const response = await t.app.inject({ method: 'POST', url, headers: await as(role), payload });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  };

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const owner = await t.db
      .insertInto('owner_groups')
      .values({ name: 'Kestrel Family Care Partnership', created_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const home = await aProvider(t.db, {
      name: 'Willowbank Lodge',
      addressLine1: '7 Orchard Close',
      town: 'Wakefield',
      postcode: 'WF1 2AB',
      ownerGroupId: owner.id,
    });
    const lead = await aPerson(t.db, { role: 'inspector', name: 'Rosalind Achebe' });
    const inspection = await anInspectionOnSite(t.db, {
      providerId: home.id,
      leadInspectorId: lead.id,
      startDate: '2025-06-02',
    });
    secrets = [
      'Willowbank',
      home.urn,
      '7 Orchard Close',
      'Wakefield',
      'WF1 2AB',
      'Kestrel',
      'Achebe',
      'Rosalind',
      'Tom Hartley',
      'Hartley',
      'tom.hartley',
      'Priya',
      '3 March 2012',
      // Written with their punctuation: bare digits could turn up in a UUID or a page's nonce.
      '(416)',
      '555-0142',
      '7700 900',
    ];
    const complaint = await post('complaints', '/api/complaints', {
      inspectionId: inspection.id,
      channel: 'email',
      complainantName: 'Tom Hartley',
      complainantEmail: 'tom.hartley@example.invalid',
      receivedOn: '2025-06-09',
      summary:
        `Willowbank Lodge (URN ${home.urn}), 7 Orchard Close, Wakefield WF1 2AB: Ms Achebe never spoke to ` +
        'Priya, born on 3 March 2012, whose aunt in Toronto can be reached on +1 (416) 555-0142.',
    });
    await post('complaints', `/api/complaints/${complaint.id}/acknowledge`);
    await post('complaints', `/api/complaints/${complaint.id}/notes`, {
      note: 'Called Mr Hartley on 0044 7700 900461; Kestrel Family Care Partnership confirmed Priya’s account.',
    });
    clock.set('2025-06-10T09:00:00Z');
    await post('complaints', `/api/complaints/${complaint.id}/outcome`, {
      outcome: 'not-upheld',
      reasons:
        'Rosalind Achebe spoke to Priya’s key worker at Willowbank instead, which the procedure allows.',
    });
  });
  afterAll(async () => t?.close());

  it('shows the complaint with the home’s address and URN, the child’s name and birth date and phone numbers withheld', async () => {
    clock.set('2025-06-11T09:00:00Z');
    const review = await post('reviewer', '/api/complaint-reviews', {
      from: '2025-06-10',
      to: '2025-06-10',
      size: 100,
    });
    const ours = (review.sample as { case: number; summary: string; notes: { note: string }[] }[]).find((c) =>
      c.summary.includes('never spoke to'),
    )!;
    expect(ours.summary).toBe(
      '[provider] (URN [URN]), [address] [postcode]: [person] never spoke to [child], born on ' +
        '[date of birth], whose aunt in Toronto can be reached on [phone].',
    );
    expect(ours.notes.map((n) => n.note)).toEqual([
      'Called [person] on [phone]; [owner group] confirmed [child]’s account.',
    ]);
    const api = JSON.stringify(
      (
        await t.app.inject({ url: `/api/complaint-reviews/${review.id}`, headers: await as('reviewer') })
      ).json(),
    );
    const reviewer = await signInAs(t.app, 'reviewer', DEMO_PASSWORD);
    const page = await getPage(t.app, reviewer, `/complaint-reviews/${review.id}/cases/${ours.case}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('[child]');
    for (const secret of secrets) {
      expect(api, secret).not.toContain(secret);
      expect(page.body, secret).not.toContain(secret);
    }
  });
});
