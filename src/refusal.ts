import type { ZodError } from 'zod';

/**
 * Why the service will not do what was asked, in the domain's terms. Rules, stores and workflows throw
 * or return these; only `web/` turns them into HTTP (`problemOf` in `web/problem.ts`), so nothing below
 * the routes knows about status codes.
 */

/** One thing wrong with one field of a request, in words for the person who sent it. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * - `invalid`: the request is malformed or a field fails its own check;
 * - `not-found`: no such record, or one the person may not see (the two must look alike);
 * - `conflict`: the record is at a stage, or a version, that does not allow this now;
 * - `unprocessable`: well formed, but a rule of the procedure, the calendar or the framework forbids it.
 */
export type RefusalKind = 'invalid' | 'not-found' | 'conflict' | 'unprocessable';

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
    this.name = 'Refusal';
  }
}

function summary(errors: FieldError[], detail: string | undefined, many: string): string {
  return detail ?? (errors.length === 1 ? errors[0]!.message : `${errors.length} ${many}`);
}

export function invalid(errors: FieldError[], detail?: string): Refusal {
  return new Refusal('invalid', summary(errors, detail, 'fields need correcting.'), errors);
}

/** Used both for records that do not exist and for records the person may not see. */
export function notFound(detail = 'There is no such page or record.'): Refusal {
  return new Refusal('not-found', detail);
}

export function conflict(detail: string, errors: FieldError[] = []): Refusal {
  return new Refusal('conflict', detail, errors);
}

export function unprocessable(errors: FieldError[], detail?: string): Refusal {
  return new Refusal('unprocessable', summary(errors, detail, 'parts are missing or wrong.'), errors);
}

/** A form or body that failed its schema, field by field. */
export function invalidInput(error: ZodError): Refusal {
  return invalid(fieldErrorsOf(error));
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
