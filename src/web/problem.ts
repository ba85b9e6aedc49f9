import { z, type ZodError } from 'zod';

/** One thing wrong with one field of a request, in words for the person who sent it. */
export interface FieldError {
  field: string;
  message: string;
}

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

/** Well-formed, but the domain's rules refuse it: each missing or wrong part against its field. */
export function unprocessable(errors: FieldError[], detail?: string): Problem {
  const summary =
    detail ?? (errors.length === 1 ? errors[0]!.message : `${errors.length} parts are missing or wrong.`);
  return new Problem(422, 'Unprocessable content', summary, errors);
}

/** Used both for records that do not exist and for records the person may not see: the two look alike. */
export function notFound(): Problem {
  return new Problem(404, 'Not found', 'There is no such page or record.');
}

export function unauthorised(): Problem {
  return new Problem(401, 'Sign in required', 'Sign in, or send a valid bearer token, to use this.');
}

export function forbidden(): Problem {
  return new Problem(403, 'Forbidden', 'Your role does not allow this.');
}

export function conflict(detail: string): Problem {
  return new Problem(409, 'Conflict', detail);
}

export function invalid(errors: FieldError[], detail?: string): Problem {
  const summary =
    detail ?? (errors.length === 1 ? errors[0]!.message : `${errors.length} fields need correcting.`);
  return new Problem(400, 'Invalid request', summary, errors);
}

/**
 * Names each failing field the way the client sent it (`places`, `address.town`, `items.0.name`), with
 * one message per field, the first found, as the GOV.UK error summary shows them.
 */
export function fieldErrorsOf(error: ZodError): FieldError[] {
  return firstPerField(
    error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join('.') : 'body',
      message: issue.message,
    })),
  );
}

export function firstPerField(errors: FieldError[]): FieldError[] {
  const byField = new Map<string, string>();
  for (const { field, message } of errors) if (!byField.has(field)) byField.set(field, message);
  return [...byField].map(([field, message]) => ({ field, message }));
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
