import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { authorise } from '../web/access.js';
import { problemResponses } from '../web/problem.js';
import { invalid } from '../refusal.js';
import { sendFigureCsv, sendPublishedReportsCsv, sendRegisterCsv } from './downloads.js';
import { computeFigure } from './figures.js';
import { figuresFor, readFigureRequest } from './access.js';
import { figureListSchema, figureParams, figureQuery, figureSchema } from './schemas.js';

const tags = ['statistics'];
function wantsCsv(request: FastifyRequest, format: string | undefined): boolean {
  if (format === 'csv') return true;
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/.test(accept) && !/\bapplication\/json\b/.test(accept);
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
      if (wantsCsv(request, request.query.format)) return sendFigureCsv(reply, figure);
      return figure;
    },
  );
}
