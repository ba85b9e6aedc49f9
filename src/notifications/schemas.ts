import { z } from 'zod';
import { keysetPageFields } from '../db/keyset-http.js';
import { isoDate, paginationFields, requiredText } from '../fields.js';
import { notificationCategories } from '../frameworks/notification-categories.js';
import { NOTIFICATION_STATUSES, REVIEW_OUTCOMES, TOLD_PARTIES } from './rules.js';

/** The wire shapes of serious-event notifications, for validation, responses and the OpenAPI document. */

const keys = <T extends Record<string, string>>(table: T) =>
  Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];

const categoryIds = notificationCategories.map((c) => c.id) as [string, ...string[]];

export const newNotificationBody = z.object({
  providerId: z.uuid({ message: 'Select the home the event happened at' }),
  categoryId: z.enum(categoryIds, { message: 'Select the category of the event' }),
  eventDate: isoDate('Enter the date of the event as a real date, like 2024-06-17'),
  whatHappened: requiredText('Describe what happened', 20_000),
  actionsTaken: requiredText('Describe the actions you have taken', 20_000),
  told: z
    .array(z.enum(keys(TOLD_PARTIES), { message: 'Each person or body told must be one from the list' }))
    .max(Object.keys(TOLD_PARTIES).length)
    .default([])
    .refine((list) => new Set(list).size === list.length, 'Choose each person or body once'),
  toldOther: z.string().trim().max(500, 'Who else you told must be 500 characters or fewer').nullish(),
});
export type NewNotificationBody = z.output<typeof newNotificationBody>;

export const notificationQuery = z.object({
  category: z.enum(categoryIds, { message: 'Choose a category from the list' }).optional(),
  providerId: z.uuid({ message: 'providerId must be an id' }).optional(),
  status: z.enum(keys(NOTIFICATION_STATUSES), { message: 'Choose a status from the list' }).optional(),
  from: isoDate('Enter the start of the period as a real date, like 2024-04-01').optional(),
  to: isoDate('Enter the end of the period as a real date, like 2024-06-30').optional(),
  ...paginationFields(),
});
export type NotificationQuery = z.output<typeof notificationQuery>;

export const reviewBody = z.object({
  outcome: z.enum(keys(REVIEW_OUTCOMES), {
    message: 'Select the outcome: no further action, raise a concern or bring the inspection forward',
  }),
  notes: requiredText('Enter your notes on the review', 20_000),
  bringForwardTo: isoDate(
    'Enter the date to bring the inspection forward to as a real date, like 2025-01-15',
  ).nullish(),
  version: z
    .number({ message: 'Send the version of the notification you reviewed' })
    .int('Send the version of the notification you reviewed')
    .min(1, 'Send the version of the notification you reviewed'),
});
export type ReviewBody = z.output<typeof reviewBody>;

const person = z.object({ id: z.string(), name: z.string() });

export const notificationSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(keys(NOTIFICATION_STATUSES)),
  provider: z.object({ id: z.string(), name: z.string(), urn: z.string() }),
  category: z.object({ id: z.string(), label: z.string() }),
  eventDate: z.string(),
  whatHappened: z.string(),
  actionsTaken: z.string(),
  told: z.array(z.enum(keys(TOLD_PARTIES))),
  toldOther: z.string().nullable(),
  submittedBy: person,
  submittedAt: z.string(),
  reviewedAt: z.string().nullable(),
  /**
   * The inspectorate's review: for staff only. A provider sees that its notification was reviewed and
   * when, never the outcome or notes, which could reveal that an inspection is coming.
   */
  review: z
    .object({
      outcome: z.enum(keys(REVIEW_OUTCOMES)),
      notes: z.string(),
      bringForwardTo: z.string().nullable(),
      concernId: z.string().nullable(),
      reviewedBy: person,
    })
    .nullable()
    .optional(),
  version: z.number().int(),
});

export const notificationListSchema = z.object({ items: z.array(notificationSchema), ...keysetPageFields });
