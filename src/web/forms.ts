import type { FastifyRequest } from 'fastify';
import { Problem, type FieldError } from './problem.js';

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
  if (!(error instanceof Problem) || error.errors.length === 0) throw error;
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
