import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { today } from '../clock.js';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { formNumber, formOptional, formText, savedBanner, type FormBody } from '../web/forms.js';
import { forbidden, problemResponses, problemOf } from '../web/problem.js';
import { notFound, type FieldError, invalidInput, Refusal } from '../refusal.js';
import { REGIONS } from '../providers/rules.js';
import { RURAL_URBAN_CLASSES } from './local-authorities.js';
import { groupByClass, inspectionYearOf, SAMPLE_SIZE, yearLabel, yearStarting } from './sample.js';
import {
  drawableYears,
  drawnYears,
  findAuthoritySample,
  listAuthoritySamples,
  recordAuthoritySample,
} from './sample-store.js';

/**
 * The annual sample of local authorities: drawn and read by planners and managers, through the API and
 * the pages. Like the plan, it is never shown to provider users or the public: to them every route here
 * answers 404, as if it did not exist.
 */

const tags = ['plan'];
const hidden = { schema: { hide: true } };
const view = (name: string) => `planning/views/${name}.njk`;

const BANNERS = { drawn: 'The sample has been drawn and recorded' };

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

const summarySchema = z.object({
  year: z.number().int(),
  yearStarting: z.string(),
  yearEnding: z.string(),
  label: z.string(),
  size: z.number().int(),
  seed: z.string(),
  drawnBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  drawnAt: z.string(),
});

const sampleSchema = summarySchema.extend({
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

const yearParams = z.object({ year: z.string() });

/** Only those who may read the plan learn that samples exist at all. */
function planReader(request: FastifyRequest): Person {
  if (!can(request.person, 'plan.read')) throw notFound();
  return request.person!;
}

function sampleDrawer(request: FastifyRequest): Person {
  const person = planReader(request);
  if (!can(person, 'plan.draw-sample')) throw forbidden();
  return person;
}

const yearIn = (request: FastifyRequest) => {
  const raw = (request.params as { year: string }).year;
  return /^\d{4}$/.test(raw) ? Number(raw) : NaN;
};

const newSeed = () => randomBytes(6).toString('hex');

export async function authoritySampleRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  async function sampleOr404(year: number) {
    const sample = await findAuthoritySample(db, year);
    if (!sample) throw notFound();
    return sample;
  }

  // ---- API ----

  app.get(
    '/api/plan/samples',
    {
      schema: {
        tags,
        summary:
          'The annual samples of local authorities drawn so far, latest year first (planners and managers)',
        response: { 200: z.object({ items: z.array(summarySchema) }), ...problemResponses },
      },
    },
    async (request) => {
      planReader(request);
      return { items: await listAuthoritySamples(db) };
    },
  );

  app.post(
    '/api/plan/samples',
    {
      schema: {
        tags,
        summary:
          'Draw and record the sample of 20 to 25 local authorities for an inspection year, stratified across rural and urban areas; 409 if that year already has one',
        body: newSampleBody,
        response: { 201: sampleSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const person = sampleDrawer(request);
      const { year, size, seed } = request.body;
      await recordAuthoritySample(db, person.id, { year, size, seed: seed ?? newSeed() }, app.clock.now());
      return reply
        .status(201)
        .header('location', `/api/plan/samples/${year}`)
        .send(await sampleOr404(year));
    },
  );

  app.get(
    '/api/plan/samples/:year',
    {
      schema: {
        tags,
        summary:
          'The sample for an inspection year: its authorities by class, the seed, who drew it and when',
        params: yearParams,
        response: { 200: sampleSchema, ...problemResponses },
      },
    },
    async (request) => {
      planReader(request);
      return sampleOr404(yearIn(request));
    },
  );

  // ---- Pages ----

  app.get('/plan/samples', hidden, async (request, reply) => {
    const person = planReader(request);
    return reply.page(view('samples'), {
      title: 'Annual samples of local authorities',
      samples: await listAuthoritySamples(db),
      canDraw: can(person, 'plan.draw-sample'),
    });
  });

  interface FormState {
    values: { year?: string | undefined; size?: string | undefined; seed?: string | undefined };
    errors?: FieldError[];
    status?: number;
  }

  async function newSamplePage(request: FastifyRequest, reply: FastifyReply, state: FormState) {
    const { first, last } = drawableYears(today(app.clock));
    return reply.page(
      view('sample-new'),
      {
        title: 'Draw the annual sample of local authorities',
        values: state.values,
        errors: state.errors ?? [],
        first,
        last,
        sizes: SAMPLE_SIZE,
      },
      state.status ?? 200,
    );
  }

  app.get('/plan/samples/new', hidden, async (request, reply) => {
    sampleDrawer(request);
    // This inspection year if it has no sample yet, otherwise the next.
    const drawn = await drawnYears(db);
    const current = inspectionYearOf(today(app.clock));
    const year = drawn.has(current) ? current + 1 : current;
    return newSamplePage(request, reply, {
      values: { year: String(year), size: String(SAMPLE_SIZE.default), seed: newSeed() },
    });
  });

  app.post('/plan/samples/new', hidden, async (request, reply) => {
    const person = sampleDrawer(request);
    const form = request.body as FormBody;
    const values = {
      year: formText(form, 'year'),
      size: formText(form, 'size'),
      seed: formText(form, 'seed'),
    };
    const parsed = newSampleBody.safeParse({
      year: formNumber(form, 'year'),
      size: formNumber(form, 'size') ?? '',
      // A cleared seed box means "a new random seed", as the hint says.
      seed: formOptional(form, 'seed'),
    });
    try {
      if (!parsed.success) throw invalidInput(parsed.error);
      const { year, size, seed } = parsed.data;
      await recordAuthoritySample(db, person.id, { year, size, seed: seed ?? newSeed() }, app.clock.now());
      return reply.redirect(`/plan/samples/${year}?saved=drawn`, 303);
    } catch (error) {
      if (!(error instanceof Refusal) || error.kind === 'not-found') throw error;
      const errors = error.errors.length > 0 ? error.errors : [{ field: 'year', message: error.detail }];
      return newSamplePage(request, reply, { values, errors, status: problemOf(error).status });
    }
  });

  app.get('/plan/samples/:year', hidden, async (request, reply) => {
    const person = planReader(request);
    const sample = await sampleOr404(yearIn(request));
    return reply.page(view('sample'), {
      title: `Sample of local authorities for ${yearLabel(sample.year)}`,
      sample,
      yearStarting: yearStarting(sample.year),
      groups: groupByClass(sample.authorities),
      canPlan: can(person, 'inspection.create'),
      banner: savedBanner(request, BANNERS),
    });
  });
}
