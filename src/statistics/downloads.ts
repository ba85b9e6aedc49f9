import type { FastifyReply, FastifyRequest } from 'fastify';
import { today } from '../clock.js';
import { frameworks } from '../frameworks/frameworks.js';
import { PROVIDER_STATUSES, PROVIDER_TYPES, SECTORS } from '../providers/rules.js';
import { authorise } from '../web/access.js';
import { csvFilename, csvStream, figureCsv } from './csv.js';
import type { Figure } from './figures.js';
import { publishedReportBatches, registerBatches } from './store.js';

/**
 * The CSV downloads, the same for the API (bearer token) and the pages (session cookie): each has a
 * route of its own on both sides, since the API never takes the cookie.
 */

const label = (table: Record<string, string>, value: string) => table[value] ?? value;

/** The register as CSV, streamed from the database a batch at a time. */
export function sendRegisterCsv(request: FastifyRequest, reply: FastifyReply) {
  authorise(request, 'statistics.read', {}, 'hide');
  const on = today(request.server.clock);
  const stream = csvStream(
    [
      'URN',
      'Name',
      'Type',
      'Sector',
      'Address line 1',
      'Address line 2',
      'Town',
      'Postcode',
      'Local authority',
      'Region',
      'Places',
      'Status',
      'Owner group',
      'Registered on',
    ],
    registerBatches(request.server.db),
    (p) => [
      p.urn,
      p.name,
      label(PROVIDER_TYPES, p.type),
      label(SECTORS, p.sector),
      p.address_line1,
      p.address_line2,
      p.town,
      p.postcode,
      p.local_authority,
      p.region,
      p.places,
      label(PROVIDER_STATUSES, p.status),
      p.owner_group,
      p.registered_on,
    ],
  );
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', csvFilename(`register-${on}`))
    .send(stream);
}

/** Published reports' metadata as CSV, streamed a batch at a time. */
export function sendPublishedReportsCsv(request: FastifyRequest, reply: FastifyReply) {
  authorise(request, 'statistics.read', {}, 'hide');
  const on = today(request.server.clock);
  const grade = (frameworkId: string, gradeId: string | null) =>
    gradeId === null
      ? ''
      : (frameworks.find((f) => f.id === frameworkId)?.gradeScale.find((g) => g.id === gradeId)?.label ??
        gradeId);
  const stream = csvStream(
    [
      'URN',
      'Provider',
      'Type',
      'Local authority',
      'Inspection start',
      'Inspection end',
      'Overall grade',
      'Published on',
    ],
    publishedReportBatches(request.server.db),
    (r) => [
      r.urn,
      r.provider_name,
      label(PROVIDER_TYPES, r.type),
      r.local_authority,
      r.start_date,
      r.end_date,
      grade(r.framework_id, r.grade_id),
      r.published_on,
    ],
  );
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', csvFilename(`published-reports-${on}`))
    .send(stream);
}

/** One figure as CSV, named by the figure and its period. */
export function sendFigureCsv(reply: FastifyReply, figure: Figure) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', csvFilename(`${figure.id}-${figure.period.from}-to-${figure.period.to}`))
    .send(figureCsv(figure) as never); // a string is sent as it is, not through the JSON schema
}
