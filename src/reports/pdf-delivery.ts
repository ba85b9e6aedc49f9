import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../web/problem.js';
import { PdfCache } from './pdf-cache.js';
import { PdfBusy, PdfPool } from './pdf-pool.js';
import type { PrintableReport } from './pdf.js';
import type { Report } from './store.js';

/**
 * Sending a report's PDF: laid out in a worker thread (`pdf-pool.ts`), a published version's bytes kept
 * (`pdf-cache.ts`) and revalidated by its ETag, and a full pool answered with 503 and Retry-After.
 */

/** Bump when the layout in pdf.ts changes, so that caches and browsers take the new one. */
const LAYOUT = 2;
/** Jobs that may wait for a free thread, for each thread. */
const QUEUE_PER_WORKER = 4;
const CACHE_BYTES = 32 * 1024 * 1024;
const RETRY_AFTER_SECONDS = 5;

interface PdfService {
  pool: PdfPool;
  cache: PdfCache;
  /** Renders of a published version under way, so that a crowd asking for it lays it out once. */
  rendering: Map<string, Promise<Buffer>>;
}

// One per database (the service's, or each test's), made on first use: reports' ids are only unique
// within a database, and an app that never sends a PDF starts no thread.
const services = new WeakMap<object, PdfService>();

function serviceOf(request: FastifyRequest): PdfService {
  const key = request.server.db;
  let service = services.get(key);
  if (!service) {
    const workers = request.server.config.pdfWorkers;
    service = {
      pool: new PdfPool({
        workers,
        queueLength: workers * QUEUE_PER_WORKER,
        timeoutMs: 60_000,
        idleMs: 120_000,
        heapMb: 512,
      }),
      cache: new PdfCache(CACHE_BYTES),
      rendering: new Map(),
    };
    services.set(key, service);
  }
  return service;
}

/** Ends the threads and forgets the cache of one database's PDFs (the app is closing). */
export async function closePdfs(db: object): Promise<void> {
  const service = services.get(db);
  services.delete(db);
  await service?.pool.close();
}

/** Only what the PDF shows goes to the thread: not every earlier version nor the provider's answer. */
function printable(report: Report): PrintableReport {
  const { status, draftIssuedOn, finalisedOn, publishedOn, version, narrative, content } = report;
  return { status, draftIssuedOn, finalisedOn, publishedOn, version, narrative, content };
}

/** A published version's PDF, laid out once and then kept. */
async function publishedPdf(
  service: PdfService,
  report: PrintableReport,
  key: string,
  now: Date,
): Promise<Buffer> {
  const kept = service.cache.get(key);
  if (kept) return kept;
  let rendering = service.rendering.get(key);
  if (!rendering) {
    rendering = service.pool.render(report, now).finally(() => service.rendering.delete(key));
    service.rendering.set(key, rendering);
  }
  const pdf = await rendering;
  service.cache.set(key, pdf);
  return pdf;
}

/** Whether an If-None-Match header names this ETag (weak comparison, RFC 9110 §13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** Sends the report as a PDF to save (an attachment), to someone already known to be allowed to read it. */
export async function sendPdf(request: FastifyRequest, reply: FastifyReply, report: Report) {
  const service = serviceOf(request);
  const name = `inspection-report-${report.content.provider.urn.replace(/[^A-Za-z0-9-]/g, '')}.pdf`;
  const published = report.status === 'published';
  const key = `${report.id}:${report.version}`;
  // Weak: an instance that lays the same version out again stamps another creation time in it.
  const etag = `W/"${report.id}-${report.version}-${LAYOUT}"`;
  // Public and shared caches may keep a published PDF; after five minutes they ask again, because an
  // amendment after a complaint makes a new version at the same address. Set on success only: a 503
  // must not be kept.
  const caching: Record<string, string> = published
    ? { 'cache-control': 'public, max-age=300', etag }
    : { 'cache-control': 'private, no-store' };
  if (published && etagMatches(request.headers['if-none-match'], etag)) {
    return reply.code(304).headers(caching).send();
  }
  let pdf: Buffer;
  try {
    const now = request.server.clock.now();
    pdf = published
      ? await publishedPdf(service, printable(report), key, now)
      : await service.pool.render(printable(report), now);
  } catch (error) {
    if (!(error instanceof PdfBusy)) throw error;
    reply.header('retry-after', String(RETRY_AFTER_SECONDS)).header('cache-control', 'no-store');
    throw new Problem(
      503,
      'Unavailable',
      'Too many PDFs are being made at the moment. Try again in a few seconds.',
    );
  }
  return reply
    .type('application/pdf')
    .headers(caching)
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(pdf);
}
