import { z } from 'zod';
import { requiredText } from '../fields.js';

/** The day-after contact's bodies and wire shapes, shared by the API and the pages. */

export const raiseBody = z.object({
  issues: requiredText('Describe the issues that are still unresolved', 10_000),
});

export const outcomeBody = z.object({
  consultedLead: z.boolean({ message: 'Say whether you consulted the lead inspector' }),
  outcome: requiredText('Enter the outcome of the call', 10_000),
});

export const personRef = z.object({ id: z.string(), name: z.string() });

export const contactSchema = z.object({
  id: z.string(),
  inspection: z.object({
    id: z.string(),
    startDate: z.string(),
    endDate: z.string(),
    provider: personRef,
    leadInspector: personRef,
  }),
  issues: z.string(),
  raisedBy: personRef,
  raisedAt: z.string(),
  assignedTo: personRef,
  consultedLead: z.boolean(),
  outcome: z.string().nullable(),
  outcomeAt: z.string().nullable(),
});

/** What the provider sees of its own contact: who takes it and whether it has been answered. */
export const providerContactSchema = z.object({
  id: z.string(),
  issues: z.string(),
  raisedAt: z.string(),
  takenBy: z.string(),
  answered: z.boolean(),
});

export const inspectionContactSchema = z.object({
  /** The one day contact may be made; null where the inspection's procedure has no such call. */
  contactDay: z.string().nullable(),
  contact: z.union([contactSchema, providerContactSchema]).nullable(),
});
