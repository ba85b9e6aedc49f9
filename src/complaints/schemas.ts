import { z } from 'zod';
import { isoDate, requiredText, paginationFields } from '../fields.js';
import {
  COMPLAINT_OUTCOMES,
  COMPLAINT_STATUSES,
  HANDLING_FINDINGS,
  LATE_DECISIONS,
  REMEDIES,
} from './rules.js';

/** The wire shapes of complaints and their reviews, for validation, responses and the OpenAPI document. */

const keys = <T extends Record<string, string>>(table: T) =>
  Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];

const version = z.number().int().min(1).optional();

export const newComplaintBody = z.object({
  inspectionId: z.uuid({ message: 'Select the inspection the complaint is about' }),
  summary: requiredText('Describe the complaint', 10_000),
  channel: z
    .enum(['portal', 'phone', 'email'], { message: 'Select how the complaint was made: phone or email' })
    .optional(),
  complainantName: z
    .string()
    .trim()
    .max(200, 'The complainant’s name must be 200 characters or fewer')
    .optional(),
  complainantEmail: z
    .email({ message: 'Enter an email address in the correct format, like name@example.com' })
    .max(320)
    .optional(),
  receivedOn: isoDate('Enter the day the complaint was received as a real date, like 2024-06-17').optional(),
});
export type NewComplaintBody = z.output<typeof newComplaintBody>;

export const complaintQuery = z.object({
  status: z.enum(keys(COMPLAINT_STATUSES), { message: 'Choose a status from the list' }).optional(),
  escalated: z.enum(['true', 'false'], { message: 'escalated must be true or false' }).optional(),
  overdue: z.enum(['true', 'false'], { message: 'overdue must be true or false' }).optional(),
  late: z
    .enum(['true', 'false'], { message: 'late must be true or false' })
    .optional()
    .describe('true: only complaints made after their time limit; false: only those made in time'),
  inspectionId: z.uuid({ message: 'inspectionId must be an id' }).optional(),
  ...paginationFields(),
});

export const acknowledgeBody = z.object({ version }).default({});

export const noteBody = z.object({ note: requiredText('Enter the note', 10_000) });

export const responseBody = z.object({
  outcome: z.enum(keys(COMPLAINT_OUTCOMES), {
    message: 'Select the outcome: upheld, partly upheld or not upheld',
  }),
  reasons: requiredText('Give the reasons for the outcome', 20_000),
  remedies: z
    .array(z.enum(keys(REMEDIES), { message: 'Each remedy must be one from the list' }))
    .max(4)
    .default([])
    .refine((list) => new Set(list).size === list.length, 'Choose each remedy once'),
  reinspection: z
    .object({
      startDate: isoDate('Enter the first day of the re-inspection as a real date, like 2024-07-15'),
      endDate: isoDate('Enter the last day of the re-inspection as a real date, like 2024-07-16'),
      leadInspectorId: z.uuid({ message: 'Select an inspector to lead the re-inspection' }),
      notice: z
        .enum(['none', 'short', 'announced'], { message: 'Select the notice: none, short or announced' })
        .optional(),
    })
    .nullish(),
  amendment: z
    .object({
      note: requiredText('Say what is amended in the report and why: the report shows this note', 2_000),
      narrative: z
        .string()
        .max(100_000, 'The amended narrative must be 100,000 characters or fewer')
        .optional()
        .describe('The whole narrative as amended; left out when only the note is added'),
    })
    .nullish()
    .describe('With the remedy report-amended: the new version of the report'),
  judgement: z
    .object({
      areaId: z.string().trim().min(1, 'Select the judgement that changes'),
      grade: z.string().trim().min(1, 'Select the new grade'),
    })
    .nullish()
    .describe('With the remedy judgement-changed: the judgement area and its new grade'),
  version,
});

export const lateDecisionBody = z.object({
  decision: z.enum(keys(LATE_DECISIONS), {
    message: 'Select whether the complaint is accepted out of time: accepted or not-accepted',
  }),
  reasons: requiredText('Give the reasons for the decision', 10_000),
});

export const groundsBody = z.object({
  grounds: requiredText('Say why', 10_000),
});

export const findingBody = z.object({
  finding: z.enum(keys(HANDLING_FINDINGS), {
    message: 'Select whether the complaint was handled properly',
  }),
  reasons: requiredText('Give the reasons for the finding', 20_000),
});

export const rulingBody = z.object({
  ruling: z.enum(keys(HANDLING_FINDINGS), {
    message: 'Select the ruling: handled-properly or not-handled-properly',
  }),
  reasons: requiredText('Give the reasons for the ruling', 20_000),
});

const person = z.object({ id: z.string(), name: z.string() });
const handlingFinding = z.enum(keys(HANDLING_FINDINGS));

export const complaintSchema = z.object({
  id: z.string(),
  reference: z.string(),
  status: z.enum(keys(COMPLAINT_STATUSES)),
  procedure: z.object({ id: z.string(), name: z.string(), internalReview: z.boolean() }),
  inspection: z.object({
    id: z.string(),
    startDate: z.string(),
    endDate: z.string(),
    provider: z.object({
      id: z.string(),
      name: z.string(),
      urn: z.string(),
      type: z.string(),
      region: z.string(),
    }),
    leadInspector: person,
  }),
  channel: z.enum(['portal', 'phone', 'email', 'draft-response']),
  complainant: z.object({ name: z.string(), email: z.string().nullable() }),
  summary: z.string(),
  receivedOn: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgementDue: z.string(),
  responseDue: z.string(),
  timeLimit: z
    .object({
      due: z.string().nullable().describe('The last day to complain in time; null when none had started'),
      late: z.boolean(),
      decision: z
        .object({
          decision: z.enum(keys(LATE_DECISIONS)),
          reasons: z.string(),
          decidedAt: z.string(),
          decidedBy: person.nullable(),
        })
        .nullable(),
    })
    .describe('The time limit for making the complaint (seed 003), as it stood when it was received'),
  overdue: z.object({ acknowledgement: z.boolean(), response: z.boolean() }),
  handler: person.nullable(),
  response: z
    .object({
      outcome: z.enum(keys(COMPLAINT_OUTCOMES)),
      reasons: z.string(),
      remedies: z.array(z.enum(keys(REMEDIES))),
      closedAt: z.string(),
      reinspectionId: z.string().nullable(),
    })
    .nullable(),
  closedAt: z.string().nullable(),
  internalReview: z
    .object({
      requestDue: z.string().nullable(),
      requestedAt: z.string().nullable(),
      grounds: z.string().nullable(),
      finding: handlingFinding.nullable(),
      reasons: z.string().nullable(),
      decidedAt: z.string().nullable(),
    })
    .nullable(),
  escalation: z.object({ escalatedAt: z.string(), grounds: z.string().nullable() }).nullable(),
  ruling: z.object({ ruling: handlingFinding, reasons: z.string(), ruledAt: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  /** Investigation notes: for the inspectorate and the adjudicator, never the provider. */
  notes: z
    .array(z.object({ id: z.string(), note: z.string(), writtenBy: person, writtenAt: z.string() }))
    .optional(),
  /** What the caller may do next. */
  actions: z.array(z.string()),
});

export const complaintListSchema = z.object({
  items: z.array(complaintSchema.omit({ notes: true, actions: true })),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

export const newReviewBody = z.object({
  from: isoDate('Enter the start of the period as a real date, like 2024-04-01'),
  to: isoDate('Enter the end of the period as a real date, like 2024-06-30'),
  size: z
    .number({ message: 'Enter the sample size as a whole number' })
    .int('Enter the sample size as a whole number')
    .min(1, 'The sample size must be between 1 and 100')
    .max(100, 'The sample size must be between 1 and 100'),
  seed: z.string().trim().max(100, 'The seed must be 100 characters or fewer').optional(),
});

export const reviewFindingBody = z.object({
  case: z.number({ message: 'Give the case number' }).int('Give the case number').min(1),
  procedureFollowed: z.boolean({ message: 'Say whether the complaints procedure was followed' }),
  finding: requiredText('Enter your finding', 10_000),
});

const reviewSummary = z.object({
  id: z.string(),
  from: z.string(),
  to: z.string(),
  seed: z.string(),
  size: z.number().int(),
  cases: z.number().int(),
  findings: z.number().int(),
  drawnOn: z.string(),
});

export const reviewListSchema = z.object({ items: z.array(reviewSummary) });

export const reviewSchema = reviewSummary.extend({
  sample: z.array(
    z.object({
      case: z.number().int(),
      provider: z.object({ type: z.string(), typeLabel: z.string(), region: z.string() }),
      procedure: z.object({ id: z.string(), name: z.string() }),
      channel: z.string(),
      summary: z.string(),
      receivedOn: z.string(),
      acknowledgedOn: z.string().nullable(),
      acknowledgementDue: z.string(),
      respondedOn: z.string().nullable(),
      responseDue: z.string(),
      outcome: z.enum(keys(COMPLAINT_OUTCOMES)).nullable(),
      outcomeReasons: z.string().nullable(),
      remedies: z.array(z.enum(keys(REMEDIES))),
      notes: z.array(z.object({ writtenOn: z.string(), note: z.string() })),
      internalReview: z
        .object({
          requestedOn: z.string(),
          grounds: z.string().nullable(),
          finding: handlingFinding.nullable(),
          reasons: z.string().nullable(),
          decidedOn: z.string().nullable(),
        })
        .nullable(),
      escalation: z.object({ escalatedOn: z.string(), grounds: z.string().nullable() }).nullable(),
      ruling: z.object({ ruling: handlingFinding, reasons: z.string(), ruledOn: z.string() }).nullable(),
      finding: z
        .object({ procedureFollowed: z.boolean(), finding: z.string(), recordedOn: z.string() })
        .nullable(),
    }),
  ),
});
