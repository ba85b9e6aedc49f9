import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { today } from '../clock.js';
import { frameworks } from '../frameworks/frameworks.js';
import { PROVIDER_STATUSES, PROVIDER_TYPES, SECTORS } from '../providers/rules.js';
import { authorise } from '../web/access.js';
import { problemResponses } from '../web/problem.js';
import { invalid } from '../refusal.js';
import { csvFilename, csvStream, figureCsv } from './csv.js';
import { computeFigure } from './figures.js';
import { figuresFor, readFigureRequest } from './access.js';
import { figureListSchema, figureParams, figureQuery, figureSchema } from './schemas.js';
import { publishedReportBatches, registerBatches } from './store.js';

const tags = ['statistics'];
function wantsCsv(request: FastifyRequest, format: string | undefined): boolean {
  if (format === 'csv') return true;
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
}

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

export async function statisticsRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/statistics',
    {
      config: { access: { hidden: 'statistics.read' } },
      schema: {
        tags,
        summary:
          'The figures the caller may read (analysts, managers, planners; consistency for managers and analysts)',
        response: { 200: figureListSchema, ...problemResponses },
      },
    },
    async (request) => {
      authorise(request, 'statistics.read', {}, 'hide');
      return {
        items: figuresFor(request).map((figure) => ({
          id: figure.id,
          title: figure.title,
          description: figure.description,
          link: `/api/statistics/${figure.id}`,
        })),
      };
    },
  );

  app.get(
    '/api/statistics/register.csv',
    {
      config: { access: { hidden: 'statistics.read' } },
      schema: {
        tags,
        summary: 'Every provider on the register as CSV (text/csv), in URN order',
        response: { 401: problemResponses[401], 404: problemResponses[404] },
      },
    },
    async (request, reply) => sendRegisterCsv(request, reply),
  );

  app.get(
    '/api/statistics/published-reports.csv',
    {
      config: { access: { hidden: 'statistics.read' } },
      schema: {
        tags,
        summary:
          'Published reports’ metadata as CSV (text/csv): URN, provider, type, local authority, inspection dates, overall grade, published date',
        response: { 401: problemResponses[401], 404: problemResponses[404] },
      },
    },
    async (request, reply) => sendPublishedReportsCsv(request, reply),
  );

  app.get(
    '/api/statistics/:figure',
    {
      config: { access: { hidden: 'statistics.read' } },
      schema: {
        tags,
        summary:
          'One figure for a period (default: the current inspection year, 1 April to 31 March), as JSON, or as CSV with Accept: text/csv',
        params: figureParams,
        querystring: figureQuery,
        response: { 200: figureSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const asked = readFigureRequest(request, request.params.figure, request.query);
      if (!asked.ok) throw invalid(asked.errors);
      const figure = await computeFigure(app.db, asked.definition, asked.period, { n: asked.n });
      reply.header('vary', 'accept');
      if (wantsCsv(request, request.query.format)) {
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            csvFilename(`${figure.id}-${figure.period.from}-to-${figure.period.to}`),
          )
          .send(figureCsv(figure) as never); // a string is sent as it is, not through the JSON schema
      }
      return figure;
    },
  );
}
