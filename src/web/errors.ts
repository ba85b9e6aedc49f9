import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { databaseFault, type DatabaseTimeouts } from '../db/faults.js';
import { isApiRequest } from './access.js';
import { Problem, problemOf } from './problem.js';
import { renderTemplate } from './render.js';
import { firstPerField, invalid, notFound, Refusal } from '../refusal.js';

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Sign in required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  429: 'Too many requests',
};

/** How long a client is asked to wait (Retry-After) when the database is unavailable. */
export const RETRY_AFTER_SECONDS = 60;

const NO_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 0, statementTimeoutMs: 0 };

/** The database could not be reached or did not answer in time: 503, not a fault in the request. */
export function unavailable(reason: string): Problem {
  return new Problem(
    503,
    'Service unavailable',
    `The service cannot use its database just now (${reason}). Try again in a minute.`,
  );
}

/**
 * Turns anything thrown during a request into a problem a client or person can act on. `timeouts` are
 * the database's limits, named when a fault crossed one.
 */
export function toProblem(error: unknown, timeouts: DatabaseTimeouts = NO_TIMEOUTS): Problem {
  if (error instanceof Problem) return error;
  const fault = databaseFault(error, timeouts);
  if (fault) return unavailable(fault);
  if (error instanceof Refusal) return problemOf(error);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext ?? 'body';
    return problemOf(
      invalid(
        firstPerField(
          error.validation.map((v) => ({
            field: v.instancePath.replace(/^\//, '').replaceAll('/', '.') || context,
            message: v.message ?? 'is not valid',
          })),
        ),
      ),
    );
  }
  const e = error as Partial<FastifyError> & { code?: string };
  if (e.code === '23505') {
    return new Problem(409, 'Conflict', 'That record already exists.');
  }
  if (e.code?.startsWith('FST_CSRF')) {
    return new Problem(
      403,
      'Form expired',
      'The form had expired or came from elsewhere. Go back, reload the page and try again.',
    );
  }
  const status = e.statusCode ?? 500;
  if (status === 413) {
    // The limit is bodyLimit in app.ts; no form or API body comes near it, and there are no uploads.
    return new Problem(413, TITLES[413]!, 'The request is larger than the 1 MB the service accepts.');
  }
  if (status === 429) {
    return new Problem(429, TITLES[429]!, 'Too many attempts. Wait a minute, then try again.');
  }
  if (status >= 400 && status < 500) {
    const detail = e.message ?? 'The request could not be understood.';
    if (status === 400) return problemOf(invalid([{ field: 'body', message: detail }], detail));
    return new Problem(status, TITLES[status] ?? 'Request refused', detail);
  }
  return new Problem(
    500,
    'Internal server error',
    'Something went wrong. Nothing was changed; try again later.',
  );
}

function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem) {
  // A refusal that knows better (a busy PDF pool) has set its own.
  if (problem.status === 503 && !reply.hasHeader('retry-after')) {
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  }
  if (isApiRequest(request)) {
    if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
    return reply.status(problem.status).type('application/problem+json').send(problem.toJSON());
  }
  if (problem.status === 401) {
    const returnTo = request.method === 'GET' ? `?returnTo=${encodeURIComponent(request.url)}` : '';
    return reply.redirect(`/sign-in${returnTo}`, 303);
  }
  // A form refused with field errors shows them in the GOV.UK error summary, as a re-shown form would.
  return reply.page(
    'web/views/error.njk',
    {
      title: problem.status === 503 ? 'Sorry, the service is unavailable' : problem.title,
      problem,
      errors: problem.errors,
    },
    problem.status,
  );
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error, app.database.timeouts);
    // Unavailable (the database, a busy PDF pool) is a state the service expects and recovers from: a
    // warning, so that a flood of refusals does not bury real failures in error lines.
    if (problem.status === 503) request.log.warn({ err: error }, 'request refused: unavailable');
    else if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, problemOf(notFound())));
}

/**
 * Errors Fastify meets before any route or hook runs: an address with a bad percent-encoding, a path
 * parameter past its length limit. No hook has run, so no cookie was read and nobody is signed in.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const problem =
    error.code === 'FST_ERR_BAD_URL'
      ? problemOf(
          invalid(
            [{ field: 'url', message: 'has a character that is not correctly encoded' }],
            'The address has a character that is not correctly encoded.',
          ),
        )
      : toProblem(error);
  if (isApiRequest(request)) return sendProblem(request, reply, problem);
  // The page helpers are not on this bare reply: the error page is rendered as to someone signed out.
  const html = renderTemplate('web/views/error.njk', {
    title: problem.title,
    problem,
    errors: problem.errors,
    person: null,
    navigation: [],
    currentUrl: '/',
  });
  return reply.status(problem.status).type('text/html; charset=utf-8').send(html);
}
