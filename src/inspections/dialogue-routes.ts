import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../web/problem.js';
import { dialogueToRead, inspectionFor, leadToEscalate } from './access.js';
import { dialogueLog, escalateConcern, settleConcern } from './dialogue.js';
import { concernOutcomeBody, dialogueLogEntrySchema, dialogueLogSchema, escalationBody } from './schemas.js';

/** The API of the dialogue log, and of concerns escalated from the inspection to a manager (seed 003). */

const errors = problemResponses;
const tags = ['inspections'];
const entryParams = z.object({ id: z.string(), entryId: z.string() });

export async function dialogueRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  const entry = async (inspectionId: string, entryId: string) =>
    (await dialogueLog(db, inspectionId)).find((e) => e.id === entryId)!;

  app.get(
    '/api/inspections/:id/dialogue',
    {
      config: { access: { hidden: 'inspection.read-dialogue' } },
      schema: {
        tags,
        summary:
          'The professional dialogue log, with each concern the provider raised and its outcome: for the inspectorate, and for the provider once feedback is given',
        params: z.object({ id: z.string() }),
        response: { 200: dialogueLogSchema, ...errors },
      },
    },
    async (request) => {
      const { inspection } = await dialogueToRead(request, request.params.id);
      return { items: await dialogueLog(db, inspection.id) };
    },
  );

  app.post(
    '/api/inspections/:id/dialogue/:entryId/escalation',
    {
      config: { access: 'inspection.record' },
      schema: {
        tags,
        summary:
          'Escalate a concern the provider raised that the lead inspector cannot resolve on site to the inspector’s manager (the lead inspector), saying why',
        params: entryParams,
        body: escalationBody,
        response: { 200: dialogueLogEntrySchema, ...errors },
      },
    },
    async (request) => {
      const { inspection, person } = await leadToEscalate(request, request.params.id);
      const { entryId } = request.params;
      await escalateConcern(db, person.id, inspection.id, entryId, request.body.reason, app.clock.now());
      return entry(inspection.id, entryId);
    },
  );

  app.post(
    '/api/inspections/:id/dialogue/:entryId/outcome',
    {
      config: { access: 'inspection.settle-concern' },
      schema: {
        tags,
        summary: 'Record the outcome of an escalated concern (managers); the provider and the lead are told',
        params: entryParams,
        body: concernOutcomeBody,
        response: { 200: dialogueLogEntrySchema, ...errors },
      },
    },
    async (request) => {
      const { inspection, person } = await inspectionFor(
        request,
        request.params.id,
        'inspection.settle-concern',
      );
      const { entryId } = request.params;
      await settleConcern(db, person.id, inspection.id, entryId, request.body.outcome, app.clock.now());
      return entry(inspection.id, entryId);
    },
  );
}
