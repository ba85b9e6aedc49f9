import { z } from 'zod';
import { requiredText, paginationFields } from '../fields.js';
import { frameworks } from '../frameworks/frameworks.js';
import { PROVIDER_TYPES } from '../providers/rules.js';
import { MAX_POINTS, REPORT_STATUSES } from './rules.js';

/** The wire shapes of reports, shared by the API's validation, its responses and the OpenAPI document. */

const nullableDate = z.string().nullable();

/** Every grade any framework gives, by id, for the public search's grade filter. */
export const GRADES: Record<string, string> = Object.fromEntries(
  frameworks.flatMap((framework) => framework.gradeScale.map((grade) => [grade.id, grade.label])),
);

export const contentSchema = z.object({
  provider: z.object({
    id: z.string(),
    name: z.string(),
    urn: z.string(),
    type: z.string(),
    localAuthority: z.string(),
  }),
  inspection: z.object({ id: z.string(), type: z.string(), startDate: z.string(), endDate: z.string() }),
  framework: z.object({ id: z.string(), name: z.string() }),
  judgements: z.array(
    z.object({ areaId: z.string(), areaName: z.string(), grade: z.string(), gradeLabel: z.string() }),
  ),
  overallGrade: z.object({ grade: z.string(), label: z.string(), limitedBy: z.array(z.string()) }).nullable(),
  requirements: z.array(
    z.object({
      regulationId: z.string(),
      regulation: z.string(),
      instrument: z.string().optional().describe('The regulations the regulation belongs to'),
      action: z.string(),
      impact: z.string(),
      complyBy: z.string(),
    }),
  ),
  recommendations: z.array(
    z.object({
      guideId: z.string(),
      guide: z.string(),
      page: z.number().int(),
      paragraph: z.string(),
      text: z.string(),
    }),
  ),
  amendments: z
    .array(z.object({ on: z.string(), complaint: z.string(), note: z.string() }))
    .optional()
    .describe('Amendments made as the remedy for a complaint, oldest first'),
});

export const pointSchema = z.object({
  id: z.uuid(),
  position: z.number().int(),
  passage: z.string(),
  comment: z.string(),
  decision: z.enum(['accepted', 'rejected']).nullable(),
  reason: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
});

export const responseSchema = z.object({
  id: z.uuid(),
  route: z.string(),
  submittedBy: z.object({ id: z.string(), name: z.string() }),
  submittedAt: z.string(),
  submittedOn: z.string(),
  points: z.array(pointSchema),
});

export const versionSchema = z.object({
  version: z.number().int(),
  narrative: z.string(),
  changeNote: z.string().nullable(),
  changedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  changedAt: z.string(),
});

export const reportSchema = z.object({
  id: z.uuid(),
  inspectionId: z.uuid(),
  status: z.enum(Object.keys(REPORT_STATUSES) as [keyof typeof REPORT_STATUSES]),
  procedure: z.object({ id: z.string(), name: z.string(), responseRoutes: z.array(z.string()) }),
  draftIssuedOn: z.string(),
  responseDue: z.string().describe('The last day to answer the draft'),
  finalisedOn: nullableDate,
  publishedOn: nullableDate,
  withdrawnOn: nullableDate.describe('The day the report was withdrawn: its inspection was declared incomplete'),
  presumedAccurate: z.boolean(),
  version: z.number().int(),
  narrative: z.string(),
  content: contentSchema,
  response: responseSchema
    .nullable()
    .optional()
    .describe('The provider’s answer to the draft; for the inspectorate and the provider only'),
  versions: z
    .array(versionSchema)
    .optional()
    .describe('Every version, oldest first; for the inspectorate and the provider only'),
});

export const reportSummarySchema = z.object({
  id: z.uuid(),
  inspectionId: z.uuid(),
  status: z.string(),
  provider: contentSchema.shape.provider,
  inspection: contentSchema.shape.inspection,
  overallGrade: z.object({ grade: z.string(), label: z.string() }).nullable(),
  draftIssuedOn: z.string(),
  responseDue: z.string(),
  finalisedOn: nullableDate,
  publishedOn: nullableDate,
  responded: z.boolean(),
});

export const searchQuery = z.object({
  q: z.string().trim().max(200, 'Search text must be 200 characters or fewer').optional(),
  type: z
    .enum(Object.keys(PROVIDER_TYPES) as [keyof typeof PROVIDER_TYPES], {
      message: 'Choose a provider type from the list',
    })
    .optional(),
  localAuthority: z.string().trim().max(200, 'Local authority must be 200 characters or fewer').optional(),
  grade: z
    .enum(Object.keys(GRADES) as [string, ...string[]], { message: 'Choose a grade from the list' })
    .optional(),
  ...paginationFields(20),
});

export const issueBody = z.object({
  narrative: requiredText('Write the narrative of the report', 100_000),
});

export const amendBody = z.object({
  narrative: requiredText('Write the narrative of the report', 100_000),
  note: requiredText('Say what changed and why', 2000),
  version: z.number().int().min(1).optional().describe('The version amended; a newer one refuses the change'),
});

/** The answer's parts are checked by the rules, so that each is refused against its own field (422). */
export const responseBody = z.object({
  route: z.string({ message: 'Choose how to respond' }).trim().max(100),
  points: z
    .array(
      z.object({
        passage: z.string({ message: 'Quote the passage' }).max(5000, 'Must be 5,000 characters or fewer'),
        comment: z.string({ message: 'Give your comment' }).max(5000, 'Must be 5,000 characters or fewer'),
      }),
    )
    .max(MAX_POINTS, `Send at most ${MAX_POINTS} points`)
    .optional(),
  summary: z.string().max(20_000, 'Must be 20,000 characters or fewer').optional(),
});

export const decisionBody = z.object({
  decision: z.enum(['accepted', 'rejected'], { message: 'Choose whether the point is accepted or rejected' }),
  reason: requiredText('Give the reason for the decision', 5000),
  narrative: z
    .string()
    .trim()
    .max(100_000)
    .nullish()
    .transform((v) => v || null)
    .describe('With an accepted point: the amended narrative, which becomes a new version'),
});

export const timelineStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  due: nullableDate,
  rule: z.string().nullable().describe('The deadline in words, as the procedure sets it'),
  on: nullableDate.describe('The day it happened'),
  outcome: z.string().nullable(),
});

export const inspectionTimelineSchema = z.object({
  inspectionId: z.uuid(),
  procedure: z.object({ id: z.string(), name: z.string() }),
  lastDay: z.string(),
  reportId: z.uuid().nullable(),
  steps: z.array(timelineStepSchema),
  events: z.array(z.object({ on: z.string(), step: z.string(), what: z.string() })),
});
