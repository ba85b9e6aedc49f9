import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { today } from '../clock.js';
import { can } from '../people/policy.js';
import { formNumber, formOptional, formText, postForm, savedBanner, type FormBody } from '../web/forms.js';
import type { FieldError } from '../refusal.js';
import { planAccess, plannerOnly, readableSample, sampleDrawer } from './access.js';
import { groupByClass, inspectionYearOf, SAMPLE_SIZE, yearLabel, yearStarting } from './sample.js';
import { newSampleBody } from './schemas.js';
import {
  drawableYears,
  drawnYears,
  listAuthoritySamples,
  newSeed,
  recordAuthoritySample,
} from './sample-store.js';

/** The annual sample of local authorities in pages (the API is in sample-routes.ts). */

const hidden = { schema: { hide: true } };
const view = (name: string) => `planning/views/${name}.njk`;

const BANNERS = { drawn: 'The sample has been drawn and recorded' };

interface FormState {
  values: { year?: string | undefined; size?: string | undefined; seed?: string | undefined };
  errors?: FieldError[];
  status?: number;
}

export async function authoritySamplePages(app: FastifyInstance) {
  const db = app.db;

  app.get('/plan/samples', { ...hidden, config: { access: planAccess() } }, async (request, reply) => {
    const person = plannerOnly(request);
    return reply.page(view('samples'), {
      title: 'Annual samples of local authorities',
      samples: await listAuthoritySamples(db),
      canDraw: can(person, 'plan.draw-sample'),
    });
  });

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

  app.get(
    '/plan/samples/new',
    { ...hidden, config: { access: planAccess('plan.draw-sample') } },
    async (request, reply) => {
      sampleDrawer(request);
      // This inspection year if it has no sample yet, otherwise the next.
      const drawn = await drawnYears(db);
      const current = inspectionYearOf(today(app.clock));
      const year = drawn.has(current) ? current + 1 : current;
      return newSamplePage(request, reply, {
        values: { year: String(year), size: String(SAMPLE_SIZE.default), seed: newSeed() },
      });
    },
  );

  app.post(
    '/plan/samples/new',
    { ...hidden, config: { access: planAccess('plan.draw-sample') } },
    async (request, reply) => {
      const person = sampleDrawer(request);
      const form = request.body as FormBody;
      const values = {
        year: formText(form, 'year'),
        size: formText(form, 'size'),
        seed: formText(form, 'seed'),
      };
      return postForm(reply, {
        parsed: newSampleBody.safeParse({
          year: formNumber(form, 'year'),
          size: formNumber(form, 'size') ?? '',
          // A cleared seed box means "a new random seed", as the hint says.
          seed: formOptional(form, 'seed'),
        }),
        // A year already drawn is told against the year.
        place: (field) => field || 'year',
        act: async ({ year, size, seed }) => {
          await recordAuthoritySample(
            db,
            person.id,
            { year, size, seed: seed ?? newSeed() },
            app.clock.now(),
          );
          return `/plan/samples/${year}?saved=drawn`;
        },
        showAgain: ({ status, errors }) => newSamplePage(request, reply, { values, errors, status }),
      });
    },
  );

  app.get('/plan/samples/:year', { ...hidden, config: { access: planAccess() } }, async (request, reply) => {
    const { person, sample } = await readableSample(request);
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
