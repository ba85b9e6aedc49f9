import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { today } from '../clock.js';
import { problemResponses } from '../web/problem.js';
import { notFound } from '../refusal.js';
import { planAccess, planPeriod, plannerOnly, whatIfPeriod } from './access.js';
import {
  planPageSchema,
  planQuery,
  providerChangeBody,
  providerChangeSchema,
  providerPlanSchema,
  whatIfQuery,
  whatIfSchema,
} from './schemas.js';
import { recordProviderChange } from './changes-store.js';
import { planFor, providerPlan, whatIf } from './store.js';

const errors = problemResponses;
const tags = ['plan'];
const idParams = z.object({ id: z.string() });

export async function planningRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  // Before the query is even checked, so that a refusal to validate cannot show the route is there.
  app.addHook('preValidation', async (request) => {
    plannerOnly(request);
  });

  app.get(
    '/api/plan',
    {
      config: { access: planAccess() },
      schema: {
        tags,
        summary:
          'The inspection plan for a period (planners and managers): providers whose brought-forward date falls in it, and overdue ones, earliest first, with the due date, the brought-forward date, the notice type and the risk signals behind each',
        querystring: planQuery,
        response: { 200: planPageSchema, ...errors },
      },
    },
    async (request) => {
      plannerOnly(request);
      const on = today(app.clock);
      const { from, to } = planPeriod(on, request.query);
      const page = await planFor(db, {
        from,
        to,
        today: on,
        page: request.query.page,
        pageSize: request.query.pageSize,
        type: request.query.type,
        region: request.query.region,
      });
      return { period: { from, to, today: on }, ...page };
    },
  );

  app.get(
    '/api/plan/what-if',
    {
      config: { access: planAccess() },
      schema: {
        tags,
        summary:
          'Full inspections per month under the current intervals and with one interval changed (e.g. 12 months after inadequate instead of 18), and the difference',
        querystring: whatIfQuery,
        response: { 200: whatIfSchema, ...errors },
      },
    },
    async (request) => {
      plannerOnly(request);
      const on = today(app.clock);
      const { from, to } = whatIfPeriod(on, request.query);
      return whatIf(db, { ...request.query, from, to, today: on });
    },
  );

  app.get(
    '/api/plan/providers/:id',
    {
      config: { access: planAccess() },
      schema: {
        tags,
        summary: 'One provider’s plan: due and brought-forward dates, and every risk signal explained',
        params: idParams,
        response: { 200: providerPlanSchema, ...errors },
      },
    },
    async (request) => {
      plannerOnly(request);
      const plan = await providerPlan(db, request.params.id, today(app.clock));
      if (!plan) throw notFound();
      return plan;
    },
  );

  app.post(
    '/api/providers/:id/changes',
    {
      config: { access: planAccess('provider-change.record') },
      schema: {
        tags,
        summary:
          'Record a change of registered manager or owner (planners and managers); it brings the next inspection forward for twelve months',
        params: idParams,
        body: providerChangeBody,
        response: { 201: providerChangeSchema, ...errors },
      },
    },
    async (request, reply) => {
      const person = plannerOnly(request, 'provider-change.record');
      const id = await recordProviderChange(db, person.id, request.params.id, request.body, today(app.clock));
      return reply.status(201).send({ id });
    },
  );
}
