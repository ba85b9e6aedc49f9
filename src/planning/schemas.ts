import { z } from 'zod';
import { isoDate, paginationFields } from '../fields.js';
import { frameworks } from '../frameworks/frameworks.js';
import { providerTypeIds } from '../frameworks/types.js';
import { NOTICE_TYPES } from '../inspections/rules.js';
import { REGIONS } from '../providers/rules.js';
import { RURAL_URBAN_CLASSES } from './local-authorities.js';
import { SIGNAL_KINDS } from './rules.js';
import { SAMPLE_SIZE } from './sample.js';
import { PROVIDER_CHANGE_KINDS } from './changes-store.js';

const keys = <T extends Record<string, unknown>>(table: T) => Object.keys(table) as [keyof T & string];

/** A period no longer than ten years, `to` on or after `from`. */
const period = {
  from: isoDate('From must be a real date, like 2026-12-01').optional(),
  to: isoDate('To must be a real date, like 2027-03-31').optional(),
};

const periodInOrder = (
  value: { from?: string | undefined; to?: string | undefined },
  ctx: z.RefinementCtx,
) => {
  // Only two real dates can be out of order; a date that is not real has its own message.
  const real = (d: string | undefined) => d !== undefined && isoDate('').safeParse(d).success;
  if (real(value.from) && real(value.to) && value.to! < value.from!) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'To must be the same as or after from' });
  }
};

export const planQuery = z
  .object({
    ...period,
    type: z.enum(providerTypeIds, { message: 'Choose a provider type from the list' }).optional(),
    region: z.string().max(100, 'Region must be 100 characters or fewer').optional(),
    ...paginationFields(25),
  })
  .superRefine(periodInOrder);

const signalSchema = z.object({
  kind: z.enum(keys(SIGNAL_KINDS)),
  label: z.string(),
  explanation: z.string().describe('What the signal means, in words a planner can act on'),
  weightDays: z
    .number()
    .int()
    .describe('Days it brings the inspection forward (0 when a date stands instead)'),
  bringForwardTo: z.string().nullable().describe('A planner’s explicit date, when the decision named one'),
  on: z.string(),
  reference: z.string().nullable(),
  category: z.string().nullable(),
  detail: z
    .object({
      from: z.string().optional(),
      to: z.string().optional(),
      note: z.string().nullable().optional(),
    })
    .nullable(),
});

export const planRowSchema = z.object({
  provider: z.object({
    id: z.string(),
    name: z.string(),
    urn: z.string(),
    type: z.string(),
    region: z.string(),
    localAuthority: z.string(),
    registeredOn: z.string(),
  }),
  kind: z.enum(['full', 'monitoring']),
  basis: z.enum(['last-inspection', 'registration']),
  lastInspection: z
    .object({
      id: z.string(),
      frameworkId: z.string(),
      endDate: z.string(),
      grade: z.string(),
      gradeLabel: z.string(),
      intervalMonths: z.number().int(),
    })
    .nullable(),
  due: z.string(),
  broughtForward: z.string(),
  daysBroughtForward: z.number().int(),
  overdue: z.boolean(),
  notice: z.enum(keys(NOTICE_TYPES)),
  signals: z.array(signalSchema),
});

export const planPageSchema = z.object({
  period: z.object({ from: z.string(), to: z.string(), today: z.string() }),
  items: z.array(planRowSchema),
  page: z.number().int(),
  pageSize: z.number().int(),
  total: z.number().int(),
  totalPages: z.number().int(),
});

export const providerPlanSchema = z.object({
  provider: z.object({
    id: z.string(),
    name: z.string(),
    urn: z.string(),
    type: z.string(),
    region: z.string(),
    localAuthority: z.string(),
    registeredOn: z.string(),
    status: z.string(),
  }),
  rows: z.array(planRowSchema),
  signals: z.array(signalSchema),
  openInspections: z.array(
    z.object({
      id: z.string(),
      type: z.string(),
      status: z.string(),
      startDate: z.string(),
      notice: z.string(),
    }),
  ),
  changes: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      occurredOn: z.string(),
      note: z.string().nullable(),
      recordedBy: z.string().nullable(),
      recordedAt: z.string(),
    }),
  ),
});

const frameworkIds = frameworks.map((f) => f.id) as [string, ...string[]];

export const whatIfQuery = z
  .object({
    frameworkId: z.enum(frameworkIds, { message: 'Select a framework from the list' }),
    gradeId: z
      .string({ message: 'Select the grade whose interval changes' })
      .min(1, 'Select the grade whose interval changes'),
    months: z.coerce
      .number({ message: 'Enter the new interval as a whole number of months' })
      .int('Enter the new interval as a whole number of months')
      .min(1, 'The new interval must be between 1 and 120 months')
      .max(120, 'The new interval must be between 1 and 120 months'),
    ...period,
    type: z.enum(providerTypeIds, { message: 'Choose a provider type from the list' }).optional(),
    region: z.string().max(100, 'Region must be 100 characters or fewer').optional(),
  })
  .superRefine((value, ctx) => {
    const framework = frameworks.find((f) => f.id === value.frameworkId);
    if (framework && !framework.gradeScale.some((g) => g.id === value.gradeId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['gradeId'],
        message: `Select a grade on the ${framework.shortName} scale: ${framework.gradeScale.map((g) => g.id).join(', ')}`,
      });
    }
    periodInOrder(value, ctx);
  });

export const whatIfSchema = z.object({
  period: z.object({ from: z.string(), to: z.string(), today: z.string() }),
  change: z.object({
    frameworkId: z.string(),
    gradeId: z.string(),
    fromMonths: z.number().int(),
    toMonths: z.number().int(),
  }),
  months: z.array(
    z.object({
      month: z.string(),
      baseline: z.number().int(),
      changed: z.number().int(),
      difference: z.number().int(),
    }),
  ),
  totals: z.object({ baseline: z.number().int(), changed: z.number().int(), difference: z.number().int() }),
});

export const providerChangeBody = z.object({
  kind: z.enum(keys(PROVIDER_CHANGE_KINDS), { message: 'Select what changed: the manager or the owner' }),
  occurredOn: isoDate('Enter the date of the change as a real date, like 2026-10-01'),
  note: z.string().trim().max(500, 'The note must be 500 characters or fewer').optional(),
});

export const providerChangeSchema = z.object({ id: z.string() });

// ---- The annual sample of local authorities ----

const sizeField = z
  .number({
    message: `Enter the sample size as a whole number from ${SAMPLE_SIZE.min} to ${SAMPLE_SIZE.max}`,
  })
  .int(`Enter the sample size as a whole number from ${SAMPLE_SIZE.min} to ${SAMPLE_SIZE.max}`)
  .min(SAMPLE_SIZE.min, `The sample size must be from ${SAMPLE_SIZE.min} to ${SAMPLE_SIZE.max}`)
  .max(SAMPLE_SIZE.max, `The sample size must be from ${SAMPLE_SIZE.min} to ${SAMPLE_SIZE.max}`);

export const newSampleBody = z.object({
  year: z
    .number({ message: 'Enter the year the inspection year starts in, for example 2025' })
    .int('Enter the year the inspection year starts in, for example 2025')
    .describe('The inspection year, by the year of its 1 April: 2025 is 1 April 2025 to 31 March 2026'),
  size: sizeField.default(SAMPLE_SIZE.default).describe('How many authorities to draw (20 to 25)'),
  seed: z
    .string()
    .trim()
    .min(1, 'Enter a seed, or leave it out for a random one')
    .max(100, 'The seed must be 100 characters or fewer')
    .optional()
    .describe('Any text; the same seed always draws the same authorities. A random one if left out.'),
});

export const sampleSummarySchema = z.object({
  year: z.number().int(),
  yearStarting: z.string(),
  yearEnding: z.string(),
  label: z.string(),
  size: z.number().int(),
  seed: z.string(),
  drawnBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  drawnAt: z.string(),
});

export const sampleSchema = sampleSummarySchema.extend({
  authorities: z.array(
    z.object({
      name: z.string(),
      region: z.enum(REGIONS),
      ruralUrban: z.enum(Object.keys(RURAL_URBAN_CLASSES) as [keyof typeof RURAL_URBAN_CLASSES]),
      ruralUrbanLabel: z.string(),
      provider: z
        .object({ id: z.string(), name: z.string() })
        .nullable()
        .describe('The authority’s own entry on the register (type local authority), if any'),
    }),
  ),
});
