import { z } from 'zod';
import { paginationFields } from '../fields.js';

/** The wire shapes of the outbox, for validation, responses and the OpenAPI document. */

export const messageQuery = z.object({
  mine: z.enum(['true', 'false'], { message: 'mine must be true or false' }).optional(),
  ...paginationFields(),
});

export const messageSchema = z.object({
  id: z.string(),
  recipient: z.string(),
  template: z.string(),
  subject: z.string(),
  body: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  delivery: z.enum(['outbox', 'notify']),
  lastError: z.string().nullable(),
});
