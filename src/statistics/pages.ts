import type { FastifyInstance, FastifyRequest } from 'fastify';
import { can } from '../people/policy.js';
import { authorise } from '../web/access.js';
import { invalid, notFound } from '../refusal.js';
import { sendFigureCsv, sendPublishedReportsCsv, sendRegisterCsv } from './downloads.js';
import { barChart } from './chart.js';
import { cellText, computeFigure, FIGURES, type Figure } from './figures.js';
import { figuresFor, readFigureRequest, type FigureQuery } from './access.js';
import {
  inspectionYearOf,
  OUTLIER_MINIMUM_INSPECTIONS,
  OUTLIER_THRESHOLD_POINTS,
  parsePeriod,
} from './rules.js';
import { today } from '../clock.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `statistics/views/${name}.njk`;

/** A figure as the page shows it: its table's head and rows in words, its chart, and whether it is empty. */
function presentFigure(figure: Figure, query: string) {
  const numeric = (kind: string) => kind !== 'text';
  const head = figure.columns.map((c) => ({
    text: c.label,
    ...(numeric(c.kind) ? { format: 'numeric' } : {}),
  }));
  const line = (row: Record<string, unknown>, total: boolean) =>
    figure.columns.map((c) => ({
      text: cellText(c, row[c.key] as never),
      ...(numeric(c.kind) ? { format: 'numeric' } : {}),
      ...(total ? { classes: 'govuk-!-font-weight-bold' } : {}),
    }));
  const counts = figure.columns.filter((c) => c.kind === 'count').map((c) => c.key);
  const empty = figure.rows.every((row) => counts.every((key) => !row[key]));
  return {
    ...figure,
    head,
    tableRows: [
      ...figure.rows.map((row) => line(row, false)),
      ...(figure.total ? [line(figure.total, true)] : []),
    ],
    chartSvg: empty ? null : barChart(figure, `chart-${figure.id}`),
    empty,
    wide: figure.columns.length > 4,
    csvLink: `/statistics/${figure.id}/csv${query ? '?' : ''}${query}`,
  };
}

function queryOf(raw: Record<string, unknown>): FigureQuery {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { from: text(raw.from), to: text(raw.to), n: text(raw.n) };
}

function periodQuery(period: { from: string; to: string }, n?: number) {
  return new URLSearchParams({
    from: period.from,
    to: period.to,
    ...(n === undefined ? {} : { n: String(n) }),
  }).toString();
}

export async function statisticsPages(app: FastifyInstance) {
  app.get(
    '/statistics',
    { ...hidden, config: { access: { hidden: 'statistics.read' } } },
    async (request, reply) => {
      authorise(request, 'statistics.read', {}, 'hide');
      const query = queryOf(request.query as Record<string, unknown>);
      const parsed = parsePeriod(query, today(app.clock));
      const period = parsed.ok ? parsed.period : inspectionYearOf(today(app.clock));
      const figures = figuresFor(request).map((f) => ({
        ...f,
        href: `/statistics/${f.id}?${periodQuery(period)}`,
      }));
      return reply.page(
        view('index'),
        {
          title: 'Statistics',
          figures,
          period,
          values: { from: query.from ?? period.from, to: query.to ?? period.to },
          errors: parsed.ok ? [] : parsed.errors,
          consistency: can(request.person, 'consistency.read')
            ? `/statistics/consistency?${periodQuery(period)}`
            : null,
        },
        parsed.ok ? 200 : 400,
      );
    },
  );

  app.get(
    '/statistics/consistency',
    { ...hidden, config: { access: { hidden: 'consistency.read' } } },
    async (request, reply) => {
      authorise(request, 'statistics.read', {}, 'hide');
      if (!can(request.person, 'consistency.read')) throw notFound();
      const query = queryOf(request.query as Record<string, unknown>);
      const ids = FIGURES.filter((f) => f.action === 'consistency.read').map((f) => f.id);
      const asked = ids.map((id) => readFigureRequest(request, id, query));
      const first = asked[0]!;
      if (!first.ok) {
        return reply.page(
          view('consistency'),
          { title: 'Consistency of inspection', figures: [], values: query, errors: first.errors },
          400,
        );
      }
      const figures = await Promise.all(
        asked.map(async (a) => {
          if (!a.ok) throw notFound();
          const figure = await computeFigure(app.db, a.definition, a.period, { n: a.n });
          return presentFigure(figure, periodQuery(a.period));
        }),
      );
      return reply.page(view('consistency'), {
        title: 'Consistency of inspection',
        figures,
        period: first.period,
        values: { from: first.period.from, to: first.period.to },
        outlierMinimum: OUTLIER_MINIMUM_INSPECTIONS,
        outlierPoints: OUTLIER_THRESHOLD_POINTS,
        errors: [],
      });
    },
  );

  app.get(
    '/statistics/:figure',
    { ...hidden, config: { access: { hidden: 'statistics.read' } } },
    async (request: FastifyRequest, reply) => {
      const { figure: id } = request.params as { figure: string };
      const query = queryOf(request.query as Record<string, unknown>);
      const asked = readFigureRequest(request, id, query);
      const withN = asked.definition.id === 'ownership-concentration';
      if (!asked.ok) {
        return reply.page(
          view('figure'),
          {
            title: asked.definition.title,
            figure: null,
            definition: asked.definition,
            values: query,
            withN,
            errors: asked.errors,
          },
          400,
        );
      }
      const figure = await computeFigure(app.db, asked.definition, asked.period, { n: asked.n });
      return reply.page(view('figure'), {
        title: figure.title,
        figure: presentFigure(figure, periodQuery(asked.period, withN ? asked.n : undefined)),
        definition: asked.definition,
        values: { from: asked.period.from, to: asked.period.to, n: String(asked.n) },
        withN,
        errors: [],
      });
    },
  );

  // Downloads for signed-in people: the API's CSV routes take bearer tokens only.
  const download = { ...hidden, config: { access: { hidden: 'statistics.read' } } } as const;
  app.get('/statistics/register.csv', download, async (request, reply) => sendRegisterCsv(request, reply));
  app.get('/statistics/published-reports.csv', download, async (request, reply) =>
    sendPublishedReportsCsv(request, reply),
  );
  app.get('/statistics/:figure/csv', download, async (request: FastifyRequest, reply) => {
    const { figure: id } = request.params as { figure: string };
    const asked = readFigureRequest(request, id, queryOf(request.query as Record<string, unknown>));
    if (!asked.ok) throw invalid(asked.errors);
    return sendFigureCsv(reply, await computeFigure(app.db, asked.definition, asked.period, { n: asked.n }));
  });
}
