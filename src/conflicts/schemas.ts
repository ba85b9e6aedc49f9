import { z } from 'zod';
import { requiredText } from '../fields.js';

/** The wire shapes of conflicts of interest, shared by the API and the declaration form. */

export const conflictBody = z.object({
  personId: z.uuid({ message: 'Select the inspector' }).optional(),
  providerId: z.uuid({ message: 'Select a provider from the register' }),
  description: requiredText('Describe the connection to the provider', 2000),
});

export const conflictQuery = z.object({ personId: z.uuid().optional(), providerId: z.uuid().optional() });

export const conflictSchema = z.object({
  id: z.uuid(),
  person: z.object({ id: z.string(), name: z.string() }),
  provider: z.object({ id: z.string(), name: z.string() }),
  description: z.string(),
  declaredAt: z.string(),
});
