import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { PrintableReport } from '../../src/reports/pdf.js';
import type { ReportStatus } from '../../src/reports/rules.js';
import { amendReportAfterComplaint } from '../../src/reports/follow.js';
import { PdfBusy, PdfPool } from '../../src/reports/pdf-pool.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { killAllChildren, startServerProcess, type ServerProcess } from '../support/child-server.js';
import { databaseKinds } from '../support/databases.js';

/**
 * Report PDFs: laid out in worker threads, a published version's PDF kept and revalidated, a word of
 * 100,000 characters laid out like any other, and the threads working under `npm start` as in tests.
 */

const kinds = await databaseKinds();
const LONG_WORD = 'x'.repeat(100_000);
const isPdf = (bytes: Buffer) => bytes.subarray(0, 5).toString('latin1') === '%PDF-';

describe.each(kinds)('report PDFs on the %s database', (kind) => {
  let t: TestApp;
  const clock = new ManualClock(new Date());
  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const pdfOf = async (role: string | null, id: string, headers: Record<string, string> = {}) =>
    t.app.inject({ url: `/api/reports/${id}/pdf`, headers: { ...(role ? await as(role) : {}), ...headers } });
  const reportIn = async (status: ReportStatus) =>
    t.db
      .selectFrom('reports')
      .select(['id', 'inspection_id as inspectionId', 'version'])
      .where('status', '=', status)
      .orderBy('id')
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock, afterInspection: true });
  });
  afterAll(async () => t?.close());

  it('sends a published report’s PDF with an ETag, the same bytes again, and 304 to a browser that has it', async () => {
    const { id } = await reportIn('published');
    const first = await pdfOf(null, id);
    expect(first.statusCode).toBe(200);
    expect(isPdf(first.rawPayload)).toBe(true);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/".+"$/);

    // A day later the PDF would carry another creation date, were it laid out again.
    clock.set(new Date(clock.now().getTime() + 86_400_000));
    const again = await pdfOf(null, id);
    expect(again.rawPayload.equals(first.rawPayload)).toBe(true);
    expect(again.headers.etag).toBe(etag);

    const notModified = await pdfOf(null, id, { 'if-none-match': etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.rawPayload.length).toBe(0);
    expect((await pdfOf(null, id, { 'if-none-match': 'W/"something-else"' })).statusCode).toBe(200);
  });

  it('lays out a draft afresh each time, for its readers only, and keeps it out of shared caches', async () => {
    const { id } = await reportIn('draft');
    const first = await pdfOf('complaints', id);
    expect(first.statusCode).toBe(200);
    expect(isPdf(first.rawPayload)).toBe(true);
    expect(first.headers['cache-control']).toBe('private, no-store');
    expect(first.headers.etag).toBeUndefined();
    clock.set(new Date(clock.now().getTime() + 86_400_000));
    expect((await pdfOf('complaints', id)).rawPayload.equals(first.rawPayload)).toBe(false);
    expect((await pdfOf(null, id)).statusCode).toBe(404);
  });

  it('renders a report whose narrative is one word of 100,000 characters as a PDF of many pages', async () => {
    const { id, inspectionId, version } = await reportIn('published');
    const manager = (await t.app.inject({ url: '/api/me', headers: await as('manager') })).json().id;
    await t.db.transaction().execute((trx) =>
      amendReportAfterComplaint(
        trx,
        manager,
        inspectionId,
        {
          complaint: 'C-PDF-1',
          note: 'One very long word',
          narrative: LONG_WORD,
          judgementsChanged: false,
        },
        clock.now(),
      ),
    );
    const pdf = await pdfOf(null, id);
    expect(pdf.statusCode).toBe(200);
    expect(isPdf(pdf.rawPayload)).toBe(true);
    // The new version is a new ETag: the old one no longer matches.
    expect(pdf.headers.etag).toContain(`-${version + 1}-`);
    // Helvetica at 11 points holds about 90 x's a line: more than a thousand lines, over many pages.
    const pages = pdf.rawPayload.toString('latin1').match(/\/Type \/Page\b/g) ?? [];
    expect(pages.length).toBeGreaterThan(15);
  });

  it('answers 503 with Retry-After when every worker is busy, and lays a crowd’s published PDF out once', async () => {
    const busy = await startTestApp(kind, { PDF_WORKERS: '1' }, { afterInspection: true });
    try {
      const headers = { authorization: `Bearer ${await busy.tokenFor('complaints')}` };
      const idOf = async (status: ReportStatus) =>
        (
          await busy.db
            .selectFrom('reports')
            .select('id')
            .where('status', '=', status)
            .executeTakeFirstOrThrow()
        ).id;
      const crowd = async (id: string) =>
        Promise.all(
          Array.from({ length: 20 }, () => busy.app.inject({ url: `/api/reports/${id}/pdf`, headers })),
        );

      // One thread and four waiting: a draft is laid out for each request, so most of twenty are refused.
      const drafts = await crowd(await idOf('draft'));
      const refused = drafts.filter((answer) => answer.statusCode === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(drafts.filter((answer) => answer.statusCode === 200).length).toBeGreaterThanOrEqual(5);
      expect(drafts.every((answer) => answer.statusCode === 200 || answer.statusCode === 503)).toBe(true);
      for (const answer of refused) {
        expect(answer.headers['retry-after']).toBe('5');
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(answer.headers['cache-control']).toBe('no-store');
        expect(answer.headers['content-disposition']).toBeUndefined();
      }

      // The same twenty for a published version share one layout: none is refused, all get the same bytes.
      const published = await crowd(await idOf('published'));
      expect(published.map((answer) => answer.statusCode)).toEqual(Array(20).fill(200));
      expect(published.every((answer) => answer.rawPayload.equals(published[0]!.rawPayload))).toBe(true);
    } finally {
      await busy.close();
    }
  });
});

describe('the PDF worker pool', () => {
  const report: PrintableReport = {
    status: 'draft',
    draftIssuedOn: '2026-11-02',
    finalisedOn: null,
    publishedOn: null,
    version: 1,
    narrative: `Short.\n\n${LONG_WORD}`,
    content: {
      provider: {
        id: 'p',
        name: 'Oak House',
        urn: 'SC123456',
        type: 'childrens-home',
        localAuthority: 'Leeds',
      },
      inspection: { id: 'i', type: 'full', startDate: '2026-10-05', endDate: '2026-10-07' },
      framework: { id: 'childrens-homes', name: 'Children’s homes' },
      judgements: [],
      overallGrade: null,
      requirements: [],
      recommendations: [],
    },
  };
  const pools: PdfPool[] = [];
  const pool = (options: Partial<ConstructorParameters<typeof PdfPool>[0]> = {}) => {
    const made = new PdfPool({
      workers: 1,
      queueLength: 1,
      timeoutMs: 60_000,
      idleMs: 60_000,
      heapMb: 256,
      ...options,
    });
    pools.push(made);
    return made;
  };
  afterAll(async () => Promise.all(pools.map((p) => p.close())));

  it('refuses at once when every thread is busy and the queue is full, and finishes the rest', async () => {
    const one = pool();
    const renders = [1, 2, 3].map(() =>
      one.render(report, new Date()).then(
        (pdf) => ({ pdf }),
        (error: unknown) => ({ error }),
      ),
    );
    const [first, second, third] = await Promise.all(renders);
    expect('pdf' in first! && isPdf(first.pdf)).toBe(true);
    expect('pdf' in second! && isPdf(second.pdf)).toBe(true);
    expect(third).toEqual({ error: expect.any(PdfBusy) });
    expect(one.size).toEqual({ threads: 1, waiting: 0 });
  });

  it('ends a thread that takes too long, and refuses its job as busy', async () => {
    const slow = pool({ timeoutMs: 1 });
    await expect(slow.render(report, new Date())).rejects.toMatchObject({ reason: 'timed-out' });
  });
});

describe('report PDFs from the service started as `npm start` starts it', () => {
  let dataDir: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-pdf-'));
    server = await startServerProcess('pdf', { DATA_DIR: dataDir, PDF_WORKERS: '1', LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await killAllChildren();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lays out a published report in a worker thread of its own process', async () => {
    const search = await fetch(`${server!.url}/api/reports`);
    expect(search.status).toBe(200);
    const { items } = (await search.json()) as { items: { id: string }[] };
    expect(items.length).toBeGreaterThan(0);
    const response = await fetch(`${server!.url}/reports/${items[0]!.id}/pdf`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(isPdf(Buffer.from(await response.arrayBuffer()))).toBe(true);
    expect(server!.output()).not.toMatch(/"level":(50|60)/);
  });
});
