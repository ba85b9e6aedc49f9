import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { problemOf } from './problem.js';
import { invalidInput, Refusal, type FieldError } from '../refusal.js';

/** Helpers for GOV.UK forms posted as application/x-www-form-urlencoded. */

export type FormBody = Record<string, unknown>;

/** A text field's value, or undefined when it was not sent. */
export function formText(form: FormBody, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

/** A text field, with an empty answer read as "not given". */
export function formOptional(form: FormBody, name: string): string | undefined {
  return formText(form, name)?.trim() || undefined;
}

/** Checkboxes and repeated fields arrive as one string or many. */
export function formList(form: FormBody, name: string): string[] {
  const value = form[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string' && v !== '');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** A whole number typed into a box; anything else is passed on for the schema to reject with its message. */
export function formNumber(form: FormBody, name: string): number | string | undefined {
  const value = formText(form, name)?.trim();
  if (!value) return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * The GOV.UK date input's three boxes (`name-day`, `name-month`, `name-year`) as an ISO date, or
 * undefined when any box is empty; an impossible date is left for the schema to reject.
 */
export function formDate(form: FormBody, name: string): string | undefined {
  const [day, month, year] = ['day', 'month', 'year'].map((part) =>
    formText(form, `${name}-${part}`)?.trim(),
  );
  if (!day || !month || !year) return undefined;
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

/** The boxes as typed, to show the form again. */
export function formDateParts(form: FormBody, name: string) {
  return {
    day: formText(form, `${name}-day`),
    month: formText(form, `${name}-month`),
    year: formText(form, `${name}-year`),
  };
}

/** An ISO date split into boxes for the date input. */
export function dateParts(iso: string | null | undefined) {
  if (!iso) return {};
  const [year, month, day] = iso.split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

/**
 * The field errors of a refusal, to show on the form again, pointing date errors at their day box
 * (`dateFields`). Anything that is not a refusal with field errors is thrown on.
 */
export function formErrors(error: unknown, dateFields: string[] = []): FieldError[] {
  if (!(error instanceof Refusal) || error.errors.length === 0) throw error;
  return pointAtDayBoxes(error.errors, dateFields);
}

export function pointAtDayBoxes(errors: FieldError[], dateFields: string[]): FieldError[] {
  return errors.map((e) => (dateFields.includes(e.field) ? { ...e, field: `${e.field}-day` } : e));
}

/** The success banner a redirect asked for with `?saved=`, from a page's own table of banners. */
export function savedBanner(request: FastifyRequest, banners: Record<string, string>): string | null {
  const saved = (request.query as { saved?: unknown }).saved;
  return typeof saved === 'string' && Object.hasOwn(banners, saved) ? banners[saved]! : null;
}

/** How a form page is shown again after a post that was refused: the status, the errors, what was typed. */
export interface FormState {
  status?: number;
  errors?: FieldError[];
  posted?: { form: string; values: Record<string, unknown> };
}

export type FormOutcome = { redirect: string } | { status: number; errors: FieldError[] };

/** The `:id` of the route a page was asked for by. */
export const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/**
 * Places an error on the form field it belongs to: its field (before any `.`) when the form has it,
 * otherwise the first of `fields`; `key` tells apart the forms repeated for each item on a page.
 */
export const placeOn =
  (fields: string[], key?: string) =>
  (field: string): string => {
    const base = field.split('.')[0]!;
    const placed = fields.includes(base) ? base : fields[0]!;
    return key ? `${placed}-${key}` : placed;
  };

/** Places a refusal's errors by `fields` (the API's names to the form's ids), the rest on `fallback`. */
export const placeBy =
  (fields: Record<string, string>, fallback: string) =>
  (field: string): string =>
    fields[field] ?? fallback;

/**
 * A refusal (invalid, unprocessable or conflicting) shown on its form: `place` maps each field the
 * refusal names to the page's id for it (a refusal without fields comes as ''). Anything else is thrown
 * on, to the error pages.
 */
export function refusalOnForm(
  error: unknown,
  place: (field: string) => string,
): { status: number; errors: FieldError[] } {
  if (!(error instanceof Refusal) || error.kind === 'not-found') throw error;
  const errors = error.errors.length > 0 ? error.errors : [{ field: '', message: error.detail }];
  return {
    status: problemOf(error).status,
    errors: errors.map((e) => ({ field: place(e.field), message: e.message })),
  };
}

/**
 * Checks a converted form against its schema, then makes the change, which answers where to go next; a
 * refusal at either step comes back to be shown on the form.
 */
export async function submitForm<T>(
  parsed: z.ZodSafeParseResult<T>,
  place: (field: string) => string,
  act: (data: T) => Promise<string>,
): Promise<FormOutcome> {
  try {
    if (!parsed.success) throw invalidInput(parsed.error);
    return { redirect: await act(parsed.data) };
  } catch (error) {
    return refusalOnForm(error, place);
  }
}

/** A refused form, to be shown again: the status to answer with and the errors against their fields. */
export interface FormRefused {
  status: number;
  errors: FieldError[];
}

export interface FormPost<T> {
  /** The form as the schema read it. */
  parsed: z.ZodSafeParseResult<T>;
  /** The page's field for each field a refusal names (by default, the same name). */
  place?: (field: string) => string;
  /** Makes the change and answers where to go next, usually the page with `?saved=` for its banner. */
  act: (data: T) => Promise<string>;
  /** Shows the form again with the refusal's status and errors (and, from the caller, what was typed). */
  showAgain: (refused: FormRefused) => unknown;
}

/**
 * Every page form post has one shape: check the form, make the change, then either redirect (303, so a
 * reload does not post again) or show the same form with an error summary. A refusal that is not about
 * the form (not found, forbidden, a fault) goes on to the error pages.
 */
export async function postForm<T>(reply: FastifyReply, post: FormPost<T>): Promise<unknown> {
  const outcome = await submitForm(post.parsed, post.place ?? ((field) => field), post.act);
  if ('redirect' in outcome) return reply.redirect(outcome.redirect, 303);
  return post.showAgain(outcome);
}
