import { z } from 'zod';
import { providerTypeIds } from './types.js';

/** The shapes of the reference API, as the OpenAPI document describes them. */

const isoDate = z.iso.date().describe('A calendar date, YYYY-MM-DD');

const versioned = {
  effectiveFrom: isoDate.describe('In force from this day'),
  effectiveTo: isoDate.nullable().describe('In force until this day; null while still in force'),
};

const providerType = z.enum(providerTypeIds);

export const frameworkSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  shortName: z.string(),
  ...versioned,
  providerTypes: z.array(providerType).readonly(),
  scaleKind: z.enum(['grades', 'outcomes']),
});

const gradeSchema = z.object({
  id: z.string(),
  label: z.string(),
  reinspectionMonths: z
    .number()
    .int()
    .describe('The next inspection is due within this many months of one with this overall grade'),
});

const judgementAreaSchema = z.object({
  id: z.string(),
  name: z.string(),
  limiting: z.boolean().describe('The overall grade can be no better than the grade given for this area'),
  separatelyRated: z.boolean().describe('Rated on its own and never part of the overall grade'),
  subJudgementOf: z.string().nullable(),
  ...versioned,
});

export const frameworkSchema = frameworkSummarySchema.extend({
  gradeScale: z.array(gradeSchema).readonly().describe('Best first'),
  judgementAreas: z.array(judgementAreaSchema).readonly(),
  overallGrade: z
    .object({ kind: z.enum(['separate-judgement', 'headline-area']), areaId: z.string() })
    .describe('The overall grade is the grade for this area, but no better than any limiting area'),
  regulatedBy: z
    .array(z.string())
    .readonly()
    .describe('The instruments whose regulations its requirements cite, each for the providers it regulates'),
  source: z.string(),
});

const regulationSchema = z.object({
  id: z.string(),
  instrumentId: z.string(),
  number: z.number().int(),
  title: z.string(),
  qualityStandard: z.boolean(),
  ...versioned,
});

export const regulationsSchema = z.object({
  instruments: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      year: z.number().int(),
      providerTypes: z.array(providerType).readonly().describe('The kinds of provider it regulates'),
      ...versioned,
      source: z.string(),
      regulations: z.array(regulationSchema),
    }),
  ),
  guides: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      publisher: z.string(),
      year: z.number().int(),
      instrumentId: z
        .string()
        .nullable()
        .describe('The regulations it explains; null for guidance that stands apart from any instrument'),
      providerTypes: z
        .array(providerType)
        .readonly()
        .describe('The kinds of provider whose inspections cite it'),
      pages: z
        .number()
        .int()
        .nullable()
        .describe('Its length; a page cited must be within it. Null: not recorded'),
      ...versioned,
      source: z.string(),
    }),
  ),
});

const deadlineSchema = z
  .object({
    count: z.number().int(),
    unit: z.enum(['working-days', 'calendar-days']),
    after: z.enum(['last-day', 'draft-report', 'final-report']),
  })
  .describe('`count` days of `unit` strictly after the anchor day');

const deadlineName = z.enum(['dayAfterCall', 'draftReport', 'response', 'finalReport', 'formalComplaint']);

export const proceduresSchema = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    source: z.string(),
    ...versioned,
    enhancedProfessionalDialogue: z.boolean(),
    dayAfterCall: deadlineSchema.nullable(),
    draftReport: deadlineSchema,
    response: deadlineSchema,
    responseRoutes: z
      .array(
        z.enum([
          'factual-accuracy',
          'factual-accuracy-and-process-comments',
          'minor-points',
          'formal-complaint',
        ]),
      )
      .readonly(),
    finalReport: deadlineSchema,
    formalComplaint: deadlineSchema,
    internalReview: z.boolean(),
    periodicReviewOfClosedComplaints: z.boolean(),
    steps: z.array(
      z.object({
        title: z.string(),
        description: z.string(),
        deadline: deadlineName.nullable().describe('The deadline this step must meet, if any'),
        due: z.string().nullable().describe('The deadline in words'),
        dueAfter: deadlineSchema.nullable(),
      }),
    ),
  }),
);

export const notificationCategoriesSchema = z.array(
  z.object({ id: z.string(), label: z.string(), ...versioned }),
);

/** Four digits, as a person types a year; the number of the year once checked. */
export const yearText = z
  .string({ message: 'Enter a year, for example 2024' })
  .trim()
  .regex(/^\d{4}$/, 'Year must be 4 digits, for example 2024')
  .transform(Number)
  .refine((year) => year >= 1000, 'Year must be 1000 or later');

export const bankHolidaysQuery = z.object({
  year: yearText.optional().describe('Four digits; this year when not given'),
});

export const bankHolidaysSchema = z.object({
  year: z.number().int(),
  division: z.literal('england-and-wales'),
  holidays: z.array(z.object({ date: isoDate, name: z.string() })),
});

export const timelineQuery = z.object({
  framework: z
    .string({ message: 'Enter a framework, for example childrens-homes' })
    .trim()
    .min(1, 'Enter a framework, for example childrens-homes')
    .describe('A framework id from GET /api/frameworks'),
  end: z
    .string({ message: 'Enter the last day of the inspection, for example 2024-06-14' })
    .trim()
    .min(1, 'Enter the last day of the inspection, for example 2024-06-14')
    .describe('The last day of the inspection, YYYY-MM-DD'),
});

export const timelineSchema = z.object({
  framework: z.string(),
  end: isoDate.describe('The last day of the inspection'),
  procedure: z.string().describe('The id of the post-inspection procedure in force on the last day'),
  dayAfterContact: isoDate
    .nullable()
    .describe('The day the provider may call about unresolved issues; null where there is no such call'),
  draftReportDue: isoDate,
  responseDue: isoDate.describe('The last day to answer the draft report'),
  finalReportDue: isoDate,
  complaintDue: isoDate.describe('The last day to make a formal complaint'),
  internalReview: z.boolean().describe('Whether an internal review comes before the independent adjudicator'),
});
