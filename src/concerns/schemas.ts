import { z } from 'zod';
import { isoDate, paginationFields, requiredText } from '../fields.js';
import { URN_PATTERN } from '../providers/rules.js';
import {
  CONCERN_CHANNELS,
  CONCERN_DECISIONS,
  CONCERN_STATUSES,
  RAISER_RELATIONSHIPS,
  RISK_LEVELS,
  SUMMARY_MAX,
} from './rules.js';

/** The wire shapes of concerns, for validation, responses and the OpenAPI document. */

const keys = <T extends Record<string, string>>(table: T) =>
  Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];

const optionalText = (max: number, tooLong: string) => z.string().trim().max(max, tooLong).optional();

/**
 * A concern as it arrives. Without `channel` it is the public's own (no sign-in): the provider in words.
 * With `channel` (phone or email) it is staff recording one, with the provider chosen from the register.
 */
export const newConcernBody = z
  .object({
    channel: z
      .enum(['phone', 'email'], { message: 'Select how the concern was raised: phone or email' })
      .optional()
      .describe('Staff only: how the concern reached the regulator'),
    providerId: z
      .uuid({ message: 'Select the provider from the register' })
      .optional()
      .describe('Staff only: the provider on the register'),
    providerName: optionalText(200, 'The name must be 200 characters or fewer').describe(
      'The public: the name of the home or service',
    ),
    providerPlace: optionalText(200, 'The town or postcode must be 200 characters or fewer').describe(
      'The public: the town or postcode of the home or service',
    ),
    providerUrn: z
      .string()
      .trim()
      .toUpperCase()
      .regex(URN_PATTERN, 'Enter the unique reference number in the correct format, like SC123456')
      .optional()
      .describe('The public, if known: the unique reference number on the provider’s reports'),
    summary: requiredText('Describe what happened', SUMMARY_MAX),
    relationship: z
      .enum(keys(RAISER_RELATIONSHIPS), { message: 'Select who you are' })
      .optional()
      .describe('Who the person raising the concern is; required from the public'),
    raiserName: optionalText(200, 'The name must be 200 characters or fewer'),
    raiserEmail: z
      .email({ message: 'Enter an email address in the correct format, like name@example.com' })
      .max(320, 'The email address must be 320 characters or fewer')
      .optional(),
    receivedOn: isoDate('Enter the day the concern was received as a real date, like 2024-06-17')
      .optional()
      .describe('Staff only: the day of the call or email (today if left out)'),
  })
  .superRefine((body, ctx) => {
    const need = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (body.channel) {
      if (!body.providerId) need('providerId', 'Select the provider from the register');
      return;
    }
    if (!body.providerName) need('providerName', 'Enter the name of the home or service');
    if (!body.providerPlace) need('providerPlace', 'Enter the town or postcode of the home or service');
    if (!body.relationship) need('relationship', 'Select who you are');
    if (body.providerId) need('providerId', 'Only staff recording a phone call or email choose a provider');
    if (body.receivedOn) need('receivedOn', 'Only staff recording a phone call or email give a day');
  });
export type NewConcernBody = z.output<typeof newConcernBody>;

export const receiptSchema = z.object({
  reference: z.string().describe('Quote this when contacting the regulator about the concern'),
  id: z.string().optional().describe('Staff only: the concern’s id'),
});

export const concernQuery = z.object({
  status: z.enum(keys(CONCERN_STATUSES), { message: 'Choose a status from the list' }).optional(),
  riskLevel: z.enum(keys(RISK_LEVELS), { message: 'Choose a risk level from the list' }).optional(),
  decision: z.enum(keys(CONCERN_DECISIONS), { message: 'Choose a decision from the list' }).optional(),
  providerId: z.uuid({ message: 'providerId must be an id' }).optional(),
  receivedFrom: isoDate('Enter the first day as a real date, like 2024-06-01').optional(),
  receivedTo: isoDate('Enter the last day as a real date, like 2024-06-30').optional(),
  ...paginationFields(),
});
export type ConcernQuery = z.output<typeof concernQuery>;

export const assessmentBody = z.object({
  providerId: z
    .uuid({ message: 'Select the provider from the register' })
    .optional()
    .describe('The provider on the register the concern is about, if it is not matched yet or wrongly'),
  riskLevel: z.enum(keys(RISK_LEVELS), { message: 'Select the level of risk' }),
  decision: z.enum(keys(CONCERN_DECISIONS), { message: 'Select a decision' }),
  reasons: requiredText('Give the reasons for the decision', 20_000),
  bringForwardTo: isoDate('Enter the date to bring the inspection forward to as a real date, like 2025-06-17')
    .optional()
    .describe('Bring forward only: the day the next inspection is brought forward to (after today)'),
  version: z.number().int().min(1).describe('The version read; a stale one is refused with 409'),
});
export type AssessmentBody = z.output<typeof assessmentBody>;

const personRef = z.object({ id: z.string(), name: z.string() });
const providerRef = z.object({ id: z.string(), name: z.string(), urn: z.string(), town: z.string() });

export const concernSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(keys(CONCERN_STATUSES)),
  channel: z.enum(keys(CONCERN_CHANNELS)),
  provider: providerRef.nullable().describe('The provider on the register, once matched'),
  providerDescription: z.string().describe('The provider as the person raising the concern described it'),
  summary: z.string(),
  raiser: z.object({
    name: z.string().nullable(),
    email: z.string().nullable(),
    relationship: z.enum(keys(RAISER_RELATIONSHIPS)).nullable(),
  }),
  receivedAt: z.string(),
  recordedBy: personRef.nullable(),
  notificationId: z.string().nullable(),
  assessment: z
    .object({
      riskLevel: z.enum(keys(RISK_LEVELS)),
      decision: z.enum(keys(CONCERN_DECISIONS)),
      reasons: z.string(),
      bringForwardTo: z.string().nullable(),
      decidedBy: personRef.nullable(),
      decidedAt: z.string(),
    })
    .nullable(),
  version: z.number().int(),
});

export const concernListSchema = z.object({
  items: z.array(concernSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

export const concernDetailSchema = concernSchema.extend({
  otherConcerns: z
    .array(
      z.object({
        id: z.string(),
        reference: z.string(),
        receivedAt: z.string(),
        status: z.enum(keys(CONCERN_STATUSES)),
        riskLevel: z.enum(keys(RISK_LEVELS)).nullable(),
        decision: z.enum(keys(CONCERN_DECISIONS)).nullable(),
      }),
    )
    .describe('Other concerns about the same provider, newest first (staff only)'),
});
