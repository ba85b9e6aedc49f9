import type { FastifyRequest } from 'fastify';
import { today } from '../clock.js';
import { can } from '../people/policy.js';
import { authorise } from '../web/access.js';
import { notFound, type FieldError } from '../refusal.js';
import { figureById, FIGURES, type FigureDefinition } from './figures.js';
import { parsePeriod, type Period } from './rules.js';

/** Who may read which figure, and the figure request they make, shared by the API and the pages. */

const DEFAULT_GROUPS = 10;
const MAX_GROUPS = 100;

export interface FigureQuery {
  from?: string | undefined;
  to?: string | undefined;
  n?: string | undefined;
}

export type FigureRequest =
  | { ok: true; definition: FigureDefinition; period: Period; n: number }
  | { ok: false; definition: FigureDefinition; errors: FieldError[] };

/**
 * The figure a person asked for, if they may see it (otherwise 404, as if there were none), with the
 * period and options checked; errors name the query parameter at fault.
 */
export function readFigureRequest(
  request: FastifyRequest,
  figureId: string,
  query: FigureQuery,
): FigureRequest {
  authorise(request, 'statistics.read', {}, 'hide');
  const definition = figureById(figureId);
  if (!definition || !can(request.person, definition.action)) throw notFound();
  const parsed = parsePeriod(query, today(request.server.clock));
  const errors = parsed.ok ? [] : [...parsed.errors];
  let n = DEFAULT_GROUPS;
  if (query.n !== undefined && query.n.trim() !== '') {
    n = Number(query.n);
    if (!/^\d+$/.test(query.n.trim()) || n < 1 || n > MAX_GROUPS) {
      errors.push({
        field: 'n',
        message: `Enter the number of owner groups as a whole number from 1 to ${MAX_GROUPS}`,
      });
    }
  }
  if (!parsed.ok || errors.length > 0) return { ok: false, definition, errors };
  return { ok: true, definition, period: parsed.period, n };
}

/** The figures a person may read, in the catalogue's order. */
export function figuresFor(request: FastifyRequest): FigureDefinition[] {
  return FIGURES.filter((figure) => can(request.person, figure.action));
}
