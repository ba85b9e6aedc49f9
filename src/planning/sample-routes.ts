import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../web/problem.js';
import { planAccess, plannerOnly, readableSample, sampleDrawer } from './access.js';
import { newSampleBody, sampleSchema, sampleSummarySchema } from './schemas.js';
import { listAuthoritySamples, newSeed, recordAuthoritySample } from './sample-store.js';

/**
 * The annual sample of local authorities through the API (the pages are in sample-pages.ts): drawn and
 * read by planners and managers. Like the plan, it is never shown to provider users or the public: to
 * them every route here answers 404, as if it did not exist.
 */

const tags = ['plan'];
const yearParams = z.object({ year: z.string() });

export async function authoritySampleRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  app.get(
    '/api/plan/samples',
    {
      config: { access: planAccess() },
      schema: {
        tags,
        summary:
          'The annual samples of local authorities drawn so far, latest year first (planners and managers)',
        response: { 200: z.object({ items: z.array(sampleSummarySchema) }), ...problemResponses },
      },
    },
    async (request) => {
      plannerOnly(request);
      return { items: await listAuthoritySamples(db) };
    },
  );

  app.post(
    '/api/plan/samples',
    {
      config: { access: planAccess('plan.draw-sample') },
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
        .send((await readableSample(request, year)).sample);
    },
  );

  app.get(
    '/api/plan/samples/:year',
    {
      config: { access: planAccess() },
      schema: {
        tags,
        summary:
          'The sample for an inspection year: its authorities by class, the seed, who drew it and when',
        params: yearParams,
        response: { 200: sampleSchema, ...problemResponses },
      },
    },
    async (request) => (await readableSample(request)).sample,
  );
}
