import { z } from 'zod';

/** Field schemas shared by every capability's input, with messages in the GOV.UK style. */

/** A real calendar date written as YYYY-MM-DD; one message for any way it is wrong. */
export const isoDate = (message: string) =>
  z
    .string({ message })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message, abort: true })
    .refine((value) => {
      const date = new Date(`${value}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
    }, message);

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
