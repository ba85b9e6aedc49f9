import { z } from 'zod';
import type { FieldError, Refusal, RefusalKind } from '../refusal.js';

/**
 * An RFC 9457 problem. Thrown anywhere in a request, it becomes `application/problem+json` on the API
 * and an error page (or a form with an error summary) in the pages.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }

  toJSON() {
    return {
      type: 'about:blank',
      status: this.status,
      title: this.title,
      detail: this.detail,
      ...(this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

export function unauthorised(): Problem {
  return new Problem(401, 'Sign in required', 'Sign in, or send a valid bearer token, to use this.');
}

export function forbidden(detail = 'Your role does not allow this.', errors: FieldError[] = []): Problem {
  return new Problem(403, 'Forbidden', detail, errors);
}

const REFUSAL_STATUS: Record<RefusalKind, [number, string]> = {
  invalid: [400, 'Invalid request'],
  'not-found': [404, 'Not found'],
  conflict: [409, 'Conflict'],
  unprocessable: [422, 'Unprocessable content'],
};

/** The one place a domain refusal becomes HTTP. */
export function problemOf(refusal: Refusal): Problem {
  const [status, title] = REFUSAL_STATUS[refusal.kind];
  return new Problem(status, title, refusal.detail, refusal.errors);
}

/** The problem document as the OpenAPI document describes it. */
export const problemSchema = z
  .object({
    type: z.string(),
    status: z.number().int(),
    title: z.string(),
    detail: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .describe('application/problem+json (RFC 9457)');

/** The refusals an API operation may answer with, for its OpenAPI description. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  422: problemSchema,
};
