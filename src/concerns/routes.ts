import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../people/policy.js';
import { forbidden, problemResponses, problemSchema } from '../web/problem.js';
import { authoriseStaff, PUBLIC_CONCERN_LIMIT, takeInConcern, visibleConcern } from './access.js';
import {
  assessmentBody,
  concernDetailSchema,
  concernListSchema,
  concernQuery,
  newConcernBody,
  receiptSchema,
} from './schemas.js';
import { assessConcern, searchConcerns } from './store.js';

const errors = problemResponses;
const idParams = z.object({ id: z.string() });
const tags = ['concerns'];

export async function concernRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  const detail = async (request: FastifyRequest, id: string) => {
    const { concern, otherConcerns } = await visibleConcern(request, id);
    return { ...concern, otherConcerns };
  };

  app.post(
    '/api/concerns',
    {
      config: { access: 'public', rateLimit: PUBLIC_CONCERN_LIMIT },
      schema: {
        tags,
        summary:
          'Raise a concern about a provider. Anyone, without signing in: the provider in words (name, town or postcode, URN if known); only the reference comes back. Staff signed in record a phone call or email with `channel` and a provider from the register. Rate-limited for the public.',
        security: [{}, { bearer: [] }],
        body: newConcernBody,
        response: { 201: receiptSchema, ...errors, 429: problemSchema },
      },
    },
    async (request, reply) => {
      const { id, reference, staff } = await takeInConcern(request, request.body);
      // The public learns its reference and nothing else: not whether the provider is on the register.
      if (!staff) return reply.status(201).send({ reference });
      return reply.status(201).header('location', `/api/concerns/${id}`).send({ reference, id });
    },
  );

  app.get(
    '/api/concerns',
    {
      config: { access: { hidden: 'concerns.list' } },
      schema: {
        tags,
        summary:
          'Concerns about providers, newest first, filtered by status, risk level, decision, provider and the period received (planners, managers and inspectors)',
        querystring: concernQuery,
        response: { 200: concernListSchema, ...errors },
      },
    },
    async (request) => {
      authoriseStaff(request, 'concerns.list');
      return searchConcerns(db, request.query);
    },
  );

  app.get(
    '/api/concerns/:id',
    {
      config: { access: { hidden: 'concern.read' } },
      schema: {
        tags,
        summary: 'A concern, with the provider’s other concerns (planners, managers and inspectors)',
        params: idParams,
        response: { 200: concernDetailSchema, ...errors },
      },
    },
    async (request) => detail(request, request.params.id),
  );

  app.post(
    '/api/concerns/:id/assessment',
    {
      config: { access: { hidden: 'concern.read', action: 'concern.assess' } },
      schema: {
        tags,
        summary:
          'Risk-assess a concern and record the decision with reasons (planners and managers): inspect now, bring forward (to a day after today), monitor or no action. It never creates an inspection.',
        params: idParams,
        body: assessmentBody,
        response: { 200: concernDetailSchema, ...errors },
      },
    },
    async (request) => {
      const person = authoriseStaff(request, 'concern.read');
      if (!can(person, 'concern.assess')) throw forbidden();
      await assessConcern(db, person.id, request.params.id, request.body, app.clock.now());
      return detail(request, request.params.id);
    },
  );
}
