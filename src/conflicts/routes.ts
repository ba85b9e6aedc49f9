import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../people/policy.js';
import { authorise, requirePerson } from '../web/access.js';
import { forbidden, problemResponses } from '../web/problem.js';
import { conflictBody, conflictQuery, conflictSchema } from './schemas.js';
import { declareConflict, listConflicts } from './store.js';

// Documented with the inspections whose teams they bar people from.
const tags = ['inspections'];

export async function conflictRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  app.get(
    '/api/conflicts',
    {
      config: { access: ['conflict.declare', 'conflicts.read'] },
      schema: {
        tags,
        summary: 'Declared conflicts of interest (managers and planners see all; inspectors their own)',
        querystring: conflictQuery,
        response: { 200: z.array(conflictSchema), ...problemResponses },
      },
    },
    async (request) => {
      const person = requirePerson(request);
      if (can(person, 'conflicts.read')) return listConflicts(db, request.query);
      if (can(person, 'conflict.declare'))
        return listConflicts(db, { ...request.query, personId: person.id });
      throw forbidden();
    },
  );

  app.post(
    '/api/conflicts',
    {
      config: { access: 'conflict.declare' },
      schema: {
        tags,
        summary: 'Declare a connection to a provider; managers may declare one for another inspector',
        body: conflictBody,
        response: { 201: z.object({ id: z.uuid() }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'conflict.declare');
      const personId = request.body.personId ?? person.id;
      if (personId !== person.id) authorise(request, 'conflict.declare-for-others');
      const id = await declareConflict(db, person.id, { ...request.body, personId });
      return reply.status(201).send({ id });
    },
  );
}
