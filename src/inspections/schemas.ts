import { z } from 'zod';
import { isoDate, requiredText, paginationFields } from '../fields.js';
import {
  MODERATION_OUTCOMES,
  EVIDENCE_SOURCES,
  FLAW_CONDITIONS,
  INSPECTION_STATUSES,
  INSPECTION_TYPES,
  NOTICE_TYPES,
} from './rules.js';

/** The wire shapes of inspections, shared by the API's validation, its responses and the OpenAPI document. */

const keys = <T extends Record<string, string>>(table: T) =>
  Object.keys(table) as [keyof T & string, ...(keyof T & string)[]];

const text = (required: string, max = 5000) => requiredText(required, max);

const uuidList = (message: string) => z.array(z.uuid({ message }), { message }).max(200, 'At most 200 items');

export const newInspectionBody = z.object({
  providerId: z.uuid({ message: 'Select a provider from the register' }),
  frameworkId: z.string({ message: 'Select the framework' }).min(1, 'Select the framework'),
  type: z.enum(keys(INSPECTION_TYPES), { message: 'Select the type of inspection' }).default('full'),
  notice: z.enum(keys(NOTICE_TYPES), { message: 'Select the notice given: none, short or announced' }),
  startDate: isoDate('Enter the first day as a real date, like 2025-03-27'),
  endDate: isoDate('Enter the last day as a real date, like 2025-03-28'),
  leadInspectorId: z.uuid({ message: 'Select an inspector to lead the inspection' }),
  team: uuidList('Each team member must be an inspector').default([]),
});

export const inspectionQuery = z.object({
  providerId: z.uuid({ message: 'Provider must be an id from the register' }).optional(),
  status: z.enum(keys(INSPECTION_STATUSES), { message: 'Choose a status from the list' }).optional(),
  frameworkId: z.string().max(100).optional(),
  type: z.enum(keys(INSPECTION_TYPES), { message: 'Choose a type from the list' }).optional(),
  leadInspectorId: z.uuid({ message: 'Lead inspector must be an id' }).optional(),
  mine: z.enum(['true', 'false'], { message: 'mine must be true or false' }).optional(),
  from: isoDate('From must be a date like 2025-04-01').optional(),
  to: isoDate('To must be a date like 2026-03-31').optional(),
  ...paginationFields(),
});

export const statusBody = z.object({
  status: z.enum(['on-site', 'completed'], { message: 'Status must be on-site or completed' }),
  version: z.number().int().min(1).optional(),
});

export const evidenceBody = z.object({
  source: z.enum(keys(EVIDENCE_SOURCES), { message: 'Select where the evidence came from' }),
  summary: text('Enter a summary of the evidence', 10_000),
  childReference: z
    .string()
    .trim()
    .max(100, 'Child reference must be 100 characters or fewer')
    .nullish()
    .transform((v) => v || null),
  lineOfEnquiryId: z
    .uuid({ message: 'Select a line of enquiry of this inspection' })
    .nullish()
    .transform((v) => v || null),
});

export const evidenceCorrectionBody = evidenceBody.extend({
  reason: text('Say why the evidence is being corrected', 2000),
});

export const lineOfEnquiryBody = z.object({
  title: text('Enter the line of enquiry', 300),
  areaId: z
    .string()
    .max(100)
    .nullish()
    .transform((v) => v || null),
});

export const closeLineBody = z.object({
  conclusion: text('Enter what the evidence showed', 5000),
  evidenceIds: uuidList('Select evidence recorded on this inspection'),
});

export const dialogueBody = z.object({
  kind: z.enum(['end-of-day', 'check-in', 'provider-concern', 'conduct-comment'], {
    message: 'Select the kind of dialogue: end-of-day, check-in, provider-concern or conduct-comment',
  }),
  summary: text('Enter what was discussed', 10_000),
  resolution: z
    .string()
    .trim()
    .max(5000)
    .nullish()
    .transform((v) => v || null),
});

export const resolutionBody = z.object({ resolution: text('Enter how the concern was resolved', 5000) });

export const judgementBody = z.object({
  areaId: z.string({ message: 'Select the judgement area' }).min(1, 'Select the judgement area'),
  grade: z.string({ message: 'Select a grade' }).min(1, 'Select a grade'),
  evidenceIds: uuidList('Select evidence recorded on this inspection'),
  rationale: text('Enter the reasons for the judgement', 10_000),
});

export const moderationBody = z.object({
  grade: z.string({ message: 'Select the moderated grade' }).min(1, 'Select the moderated grade'),
  reason: text('Give the reason for changing the grade', 5000),
  version: z.number().int().min(1).optional(),
});

/** A waiver's reason is checked by the rule (`signOffProblems`), so that the page and the API say the same. */
export const moderationSignOffBody = z.object({
  outcome: z.enum(keys(MODERATION_OUTCOMES), {
    message: 'Choose whether moderation is done or waived',
  }),
  reason: z.string().max(5000).optional(),
  version: z.number().int().min(1).optional(),
});

/** Parts are optional in the shape so that the rules can name every missing part at once (422). */
export const requirementBody = z.object({
  regulationId: z.string().max(100).optional(),
  action: z.string().max(5000).optional(),
  impact: z.string().max(5000).optional(),
  evidenceIds: uuidList('Select evidence recorded on this inspection').optional(),
  complyBy: isoDate('Enter the compliance date as a real date, like 2025-06-30').optional(),
});

export const recommendationBody = z.object({
  guideId: z.string().max(100).optional(),
  page: z
    .number({ message: 'Page must be a whole number' })
    .int('Page must be a whole number')
    .min(1, 'Page must be 1 or more')
    .max(10_000)
    .optional(),
  paragraph: z.string().max(50).optional(),
  text: z.string().max(5000).optional(),
});

export const errorPutRightBody = z.object({
  description: text('Describe the error and how it was put right', 5000),
});

export const feedbackBody = z.object({
  summary: text('Enter a summary of the feedback given', 10_000),
  acknowledgeWarnings: z.boolean({ message: 'acknowledgeWarnings must be true or false' }).optional(),
});

export const incompleteBody = z.object({
  condition: z.enum(keys(FLAW_CONDITIONS), { message: 'Select which condition makes the inspection flawed' }),
  reasons: text('Give the reasons the inspection is flawed', 10_000),
  additionalVisit: z.object({
    startDate: isoDate('Enter the first day of the additional visit, like 2025-04-02'),
    endDate: isoDate('Enter the last day of the additional visit, like 2025-04-04'),
    leadInspectorId: z.uuid({ message: 'Select an inspector to lead the additional visit' }),
    team: uuidList('Each team member must be an inspector').default([]),
  }),
});

const person = z.object({ id: z.string(), name: z.string() });

export const inspectionSchema = z.object({
  id: z.uuid(),
  provider: z.object({ id: z.uuid(), name: z.string(), urn: z.string(), type: z.string() }),
  framework: z.object({ id: z.string(), name: z.string() }),
  type: z.string(),
  notice: z.string(),
  startDate: z.string(),
  endDate: z.string(),
  status: z.string(),
  leadInspector: person,
  team: z.array(person),
  additionalVisitOf: z.uuid().nullable(),
  flaw: z.object({ condition: z.string(), reasons: z.string() }).nullable(),
  moderation: z
    .object({ signedOffAt: z.string(), signedOffBy: z.uuid(), waiver: z.string().nullable() })
    .nullable(),
  version: z.number().int(),
});

export const inspectionRecordSchema = inspectionSchema.extend({
  additionalVisit: z.object({ id: z.uuid() }).nullable(),
  judgementAreas: z.array(z.object({ id: z.string(), name: z.string(), limiting: z.boolean() })),
  gradeScale: z.array(z.object({ id: z.string(), label: z.string() })),
  judgements: z.array(
    z.object({
      areaId: z.string(),
      areaName: z.string(),
      grade: z.string(),
      gradeLabel: z.string(),
      rationale: z.string(),
      evidenceIds: z.array(z.string()),
      version: z.number().int(),
      moderated: z.boolean(),
      history: z.array(
        z.object({
          version: z.number().int(),
          grade: z.string(),
          kind: z.string(),
          reason: z.string().nullable(),
          givenBy: z.string(),
          givenAt: z.string(),
        }),
      ),
    }),
  ),
  overallGrade: z.object({ grade: z.string(), label: z.string(), limitedBy: z.array(z.string()) }).nullable(),
  requirements: z.array(
    z.object({
      id: z.uuid(),
      regulationId: z.string(),
      regulationTitle: z.string(),
      instrumentTitle: z.string().nullable().describe('The regulations the regulation belongs to'),
      action: z.string(),
      impact: z.string(),
      evidenceIds: z.array(z.string()),
      complyBy: z.string(),
    }),
  ),
  recommendations: z.array(
    z.object({
      id: z.uuid(),
      guideId: z.string(),
      guideTitle: z.string(),
      page: z.number().int(),
      paragraph: z.string(),
      text: z.string(),
    }),
  ),
  errorsPutRight: z.array(z.object({ id: z.uuid(), description: z.string(), recordedAt: z.string() })),
  // The working records and the substantiation are for the inspectorate only; absent for providers.
  evidence: z
    .array(
      z.object({
        id: z.uuid(),
        version: z.number().int(),
        source: z.string(),
        summary: z.string(),
        childReference: z.string().nullable(),
        lineOfEnquiryId: z.string().nullable(),
        correctionReason: z.string().nullable(),
        recordedBy: z.string(),
        recordedAt: z.string(),
        versions: z.array(
          z.object({
            version: z.number().int(),
            summary: z.string(),
            source: z.string(),
            correctionReason: z.string().nullable(),
            recordedAt: z.string(),
          }),
        ),
      }),
    )
    .optional(),
  linesOfEnquiry: z
    .array(
      z.object({
        id: z.uuid(),
        title: z.string(),
        areaId: z.string().nullable(),
        open: z.boolean(),
        openedAt: z.string(),
        closedAt: z.string().nullable(),
        conclusion: z.string().nullable(),
        evidenceIds: z.array(z.string()),
      }),
    )
    .optional(),
  dialogue: z
    .array(
      z.object({
        id: z.uuid(),
        kind: z.string(),
        summary: z.string(),
        resolution: z.string().nullable(),
        recordedBy: z.string(),
        recordedAt: z.string(),
        snapshot: z.unknown(),
      }),
    )
    .optional(),
  substantiation: z
    .object({
      unsubstantiatedJudgements: z.array(z.object({ areaId: z.string(), areaName: z.string() })),
      unsupportedRequirements: z.array(z.object({ id: z.string(), sources: z.number().int() })),
      openLinesOfEnquiry: z.array(z.object({ id: z.string(), title: z.string() })),
      ungradedAreas: z.array(z.object({ areaId: z.string(), areaName: z.string() })),
      evidence: z.object({ items: z.number().int(), sources: z.array(z.string()) }),
      evidenceTooThin: z.boolean(),
      flawWarnings: z.array(z.string()),
      readyForFeedback: z.boolean(),
    })
    .optional(),
});
