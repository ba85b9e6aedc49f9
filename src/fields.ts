import { z } from 'zod';
import { OUT_OF_RANGE, serviceDateProblem } from './calendar/working-days.js';

/** Field schemas shared by every capability's input, with messages in the GOV.UK style. */

/**
 * A real calendar date written as YYYY-MM-DD, between 1900-01-01 and 2100-12-31 (the calendar's
 * serviceDateProblem): `message` for one that is malformed or not real, and one message for any outside
 * the range, since no date there can reach the database or the calendar.
 */
export const isoDate = (message: string) =>
  z
    .string({ message })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message, abort: true })
    .refine((value) => serviceDateProblem(value) !== 'not-real', { message, abort: true })
    .refine((value) => serviceDateProblem(value) === null, OUT_OF_RANGE);

/** Text that must be given (spaces alone do not count), up to `max` characters. */
export const requiredText = (
  required: string,
  max: number,
  tooLong = `Must be ${max.toLocaleString('en-GB')} characters or fewer`,
) => z.string({ message: required }).trim().min(1, required).max(max, tooLong);

/** `page` and `pageSize` of a list's query string: whole numbers, pages of at most 100. */
export const paginationFields = (defaultPageSize = 25) => ({
  page: z.coerce
    .number({ message: 'Page must be a whole number' })
    .int('Page must be a whole number')
    .min(1, 'Page must be 1 or more')
    .default(1),
  pageSize: z.coerce
    .number({ message: 'Page size must be a whole number' })
    .int('Page size must be a whole number')
    .min(1, 'Page size must be between 1 and 100')
    .max(100, 'Page size must be between 1 and 100')
    .default(defaultPageSize),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a path parameter can be a record's id at all; anything else is simply not found. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
