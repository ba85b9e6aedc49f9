import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { ReportContent } from '../../src/reports/rules.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { getPage, signInAs } from '../support/pages.js';
import { signOffModeration } from '../support/steps.js';

/**
 * A requirement cites a regulation of the instrument that applies to the provider's type under the
 * inspection's framework on its dates, a recommendation a guide likewise (and a page within it), and the
 * report names the instrument.
 */

const kinds = await databaseKinds();
const HOMES_REGULATIONS = 'The Children’s Homes (England) Regulations 2015';

/** The text a PDF shows, roughly: every string drawn, in order, from its inflated content streams. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  let text = '';
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(match[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const hex of content.matchAll(/<([0-9a-fA-F]+)>/g)) {
      text += Buffer.from(hex[1]!, 'hex').toString('latin1');
    }
  }
  // WinAnsi's right single quotation mark.
  return text.replace(/\x92/g, '’');
}

describe.each(kinds)('citations on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2021-03-15T10:00:00Z'));
  let inspectorId: string;
  let inspectionId: string;
  const evidence: string[] = [];

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object = {}) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const requirement = (regulationId: string) => ({
    regulationId,
    action: 'Update risk assessments after every missing episode',
    impact: 'Children’s risks are not always understood, so plans do not keep them safe',
    evidenceIds: [evidence[2], evidence[3]],
    complyBy: '2021-05-28',
  });
  const recommendation = (guideId: string, page: number) => ({
    guideId,
    page,
    paragraph: '3.2',
    text: 'Share concerns about a missing child with the placing authority at once',
  });

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    inspectorId = (await get('inspector', '/api/me')).json().id;
    const own = (await get('provider', '/api/me')).json().providers as { id: string }[];
    const created = await post('planner', '/api/inspections', {
      providerId: own[0]!.id,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate: '2021-03-09',
      endDate: '2021-03-11',
      leadInspectorId: inspectorId,
    });
    expect(created.statusCode, created.body).toBe(201);
    inspectionId = created.json().id;
    const started = await post('inspector', `/api/inspections/${inspectionId}/status`, { status: 'on-site' });
    expect(started.statusCode).toBe(200);
    for (const [source, summary] of [
      ['observation', 'Warm, attuned interactions at tea time'],
      ['child', 'Child A says staff listen and help with school'],
      ['staff', 'Staff describe the missing-from-home protocol accurately'],
      ['document', 'Risk assessments not updated after two missing episodes'],
      ['case-tracking', 'Child A’s plan and records tell one consistent story'],
    ]) {
      const recorded = await post('inspector', `/api/inspections/${inspectionId}/evidence`, {
        source,
        summary,
      });
      expect(recorded.statusCode).toBe(201);
      evidence.push(recorded.json().id);
    }
  });
  afterAll(async () => t?.close());

  it('refuses a 2023 supported accommodation regulation on a 2021 children’s home inspection, and counts nothing', async () => {
    const refused = await post(
      'inspector',
      `/api/inspections/${inspectionId}/requirements`,
      requirement('supported-accommodation-2023-reg-5'),
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().errors).toEqual([
      {
        field: 'regulationId',
        message:
          'Regulation 5 of The Supported Accommodation (England) Regulations 2023 does not apply to a children’s home inspected under SCCIF from 9 March 2021 to 11 March 2021: cite a regulation of The Children’s Homes (England) Regulations 2015',
      },
    ]);
    const stored = await t.db
      .selectFrom('requirements')
      .select('id')
      .where('inspection_id', '=', inspectionId)
      .execute();
    expect(stored).toEqual([]);

    const accepted = await post(
      'inspector',
      `/api/inspections/${inspectionId}/requirements`,
      requirement('childrens-homes-2015-reg-12'),
    );
    expect(accepted.statusCode, accepted.body).toBe(201);
    const record = (await get('inspector', `/api/inspections/${inspectionId}`)).json();
    expect(record.requirements).toMatchObject([
      {
        regulationId: 'childrens-homes-2015-reg-12',
        regulationTitle: 'Regulation 12: The protection of children standard',
        instrumentTitle: HOMES_REGULATIONS,
      },
    ]);
  });

  it('refuses a guide that does not apply, an edition not yet published, and a page beyond the guide', async () => {
    const url = `/api/inspections/${inspectionId}/recommendations`;
    const otherGuide = await post('inspector', url, recommendation('supported-accommodation-guide-2023', 55));
    expect(otherGuide.statusCode).toBe(422);
    expect(otherGuide.json().errors.map((e: { field: string }) => e.field)).toEqual(['guideId']);
    const laterEdition = await post('inspector', url, recommendation('working-together-2023', 12));
    expect(laterEdition.statusCode).toBe(422);
    expect(laterEdition.json().errors[0].message).toMatch(/Working Together .*\(2023\) does not apply/);
    const beyond = await post('inspector', url, recommendation('working-together-2018', 117));
    expect(beyond.statusCode).toBe(422);
    expect(beyond.json().errors).toEqual([
      {
        field: 'page',
        message: 'Working Together to Safeguard Children (2018) has 116 pages: page 117 is not one of them',
      },
    ]);
    expect((await post('inspector', url, recommendation('working-together-2018', 116))).statusCode).toBe(201);
    expect((await post('inspector', url, recommendation('childrens-homes-guide-2015', 42))).statusCode).toBe(
      201,
    );
  });

  it('offers on the findings page only the regulations and guides that apply', async () => {
    const jar = await signInAs(t.app, 'inspector', DEMO_PASSWORD);
    const page = await getPage(t.app, jar, `/inspections/${inspectionId}/findings`);
    expect(page.statusCode).toBe(200);
    const options = [...page.body.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toContain('childrens-homes-2015-reg-12');
    expect(options.some((id) => id!.startsWith('supported-accommodation-'))).toBe(false);
    expect(options).toEqual(
      expect.arrayContaining([
        'childrens-homes-guide-2015',
        'working-together-2018',
        'care-planning-guidance',
      ]),
    );
    expect(options).not.toContain('working-together-2023');
    expect(page.body).toContain(HOMES_REGULATIONS);
  });

  it('names the instrument in the report, its page and its PDF, and in versions written before it was kept', async () => {
    for (const [areaId, grade, ids] of [
      ['overall-experiences-and-progress', 'good', [evidence[0], evidence[1]]],
      ['help-and-protection', 'requires-improvement-to-be-good', [evidence[2], evidence[3]]],
      ['leaders-and-managers', 'good', [evidence[4]]],
    ] as const) {
      const given = await post('inspector', `/api/inspections/${inspectionId}/judgements`, {
        areaId,
        grade,
        evidenceIds: ids,
        rationale: 'The evidence shows it',
      });
      expect(given.statusCode, given.body).toBe(201);
    }
    await post('inspector', `/api/inspections/${inspectionId}/dialogue`, {
      kind: 'conduct-comment',
      summary: 'No comments on the conduct of the inspection',
    });
    const feedback = await post('inspector', `/api/inspections/${inspectionId}/feedback`, {
      summary: 'Feedback given to the registered manager',
      acknowledgeWarnings: true,
    });
    expect(feedback.statusCode, feedback.body).toBe(200);
    await signOffModeration(post, inspectionId);
    const issued = await post('inspector', `/api/inspections/${inspectionId}/report`, {
      narrative: 'Children make good progress.',
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const report = issued.json();
    expect(report.content.requirements).toMatchObject([
      { regulation: 'Regulation 12: The protection of children standard', instrument: HOMES_REGULATIONS },
    ]);

    const jar = await signInAs(t.app, 'inspector', DEMO_PASSWORD);
    const shown = async () => (await getPage(t.app, jar, `/reports/${report.id}`)).body;
    expect(await shown()).toContain(
      `${HOMES_REGULATIONS}, Regulation 12: The protection of children standard`,
    );
    const pdf = await get('inspector', `/api/reports/${report.id}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdfText(pdf.rawPayload)).toContain('Children’s Homes (England) Regulations 2015');

    // A version stored before the instrument was kept (versions are never changed: a new one is added).
    const version = await t.db
      .selectFrom('report_versions')
      .selectAll()
      .where('report_id', '=', report.id)
      .executeTakeFirstOrThrow();
    const content = (
      typeof version.content === 'string' ? JSON.parse(version.content) : version.content
    ) as ReportContent;
    const older = { ...content, requirements: content.requirements.map(({ instrument: _, ...r }) => r) };
    await t.db
      .insertInto('report_versions')
      .values({
        ...version,
        version: 2,
        content: JSON.stringify(older),
        change_note: 'Stored as before the instrument was kept',
      })
      .execute();
    await t.db.updateTable('reports').set({ version: 2 }).where('id', '=', report.id).execute();
    const read = (await get('inspector', `/api/reports/${report.id}`)).json();
    expect(read.content.requirements[0].instrument).toBe(HOMES_REGULATIONS);
    expect(await shown()).toContain(`${HOMES_REGULATIONS}, Regulation 12`);
  });
});
