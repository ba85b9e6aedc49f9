import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { visibleInspection } from '../inspections/access.js';
import { can } from '../people/policy.js';
import { hasRole } from '../people/rules.js';
import { authorise, requirePerson } from '../web/access.js';
import { forbidden, problemResponses } from '../web/problem.js';
import { forProvider, handledContact, listFilter, mustBeAssigned, ownsInspection } from './access.js';
import {
  inspectionContactSchema,
  outcomeBody,
  providerContactSchema,
  raiseBody,
  contactSchema,
} from './schemas.js';
import {
  contactAboutInspection,
  contactDayFor,
  dayAfterDeadlineActions,
  findDayAfterContact,
  listDayAfterContacts,
  raiseDayAfterContact,
  recordDayAfterOutcome,
} from './store.js';

const errors = problemResponses;
const idParams = z.object({ id: z.string() });
const tags = ['day-after contacts'];

export async function dayAfterRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  for (const [kind, action] of dayAfterDeadlineActions) app.deadlineActions.set(kind, action);

  // ---- API ----

  app.get(
    '/api/inspections/:id/day-after-contact',
    {
      config: { access: ['day-after.raise', 'day-after.handle'] },
      schema: {
        tags,
        summary:
          'The day the provider may contact the regulator about unresolved issues, and its contact if made',
        params: idParams,
        response: { 200: inspectionContactSchema, ...errors },
      },
    },
    async (request) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = requirePerson(request);
      const contact = await contactAboutInspection(db, inspection.id);
      const contactDay = contactDayFor(inspection);
      if (contact && can(person, 'day-after.handle', { assignedTo: contact.assignedTo.id })) {
        return { contactDay, contact };
      }
      if (!ownsInspection(person, inspection) && !can(person, 'day-after.handle')) throw forbidden();
      return { contactDay, contact: contact ? forProvider(contact) : null };
    },
  );

  app.post(
    '/api/inspections/:id/day-after-contact',
    {
      config: { access: 'day-after.raise' },
      schema: {
        tags,
        summary:
          'The provider’s unresolved issues, on the working day after the inspection only (procedures from January 2024); assigned to an independent inspector',
        params: idParams,
        body: raiseBody,
        response: { 201: providerContactSchema, ...errors },
      },
    },
    async (request, reply) => {
      const inspection = await visibleInspection(request, request.params.id);
      const person = authorise(request, 'day-after.raise', { providerId: inspection.provider.id });
      const id = await raiseDayAfterContact(db, person, inspection, request.body.issues, app.clock.now());
      return reply
        .status(201)
        .header('location', `/api/inspections/${inspection.id}/day-after-contact`)
        .send(forProvider((await findDayAfterContact(db, id))!));
    },
  );

  app.get(
    '/api/day-after-contacts',
    {
      config: { access: 'day-after.handle' },
      schema: {
        tags,
        summary:
          'Day-after contacts: those assigned to the caller, or all of them for complaints staff and managers; open ones first',
        querystring: z.object({ open: z.enum(['true', 'false']).optional() }),
        response: { 200: z.object({ items: z.array(contactSchema) }), ...errors },
      },
    },
    async (request) => {
      const person = requirePerson(request);
      if (!hasRole(person, 'inspector', 'manager', 'complaints')) throw forbidden();
      const open = request.query.open === undefined ? undefined : request.query.open === 'true';
      return {
        items: await listDayAfterContacts(db, {
          ...listFilter(person),
          ...(open === undefined ? {} : { open }),
        }),
      };
    },
  );

  app.get(
    '/api/day-after-contacts/:id',
    {
      config: { access: { hidden: 'day-after.handle' } },
      schema: {
        tags,
        summary: 'A day-after contact (the assigned inspector, complaints staff and managers)',
        params: idParams,
        response: { 200: contactSchema, ...errors },
      },
    },
    async (request) => (await handledContact(request, request.params.id)).contact,
  );

  app.post(
    '/api/day-after-contacts/:id/outcome',
    {
      config: { access: 'day-after.handle' },
      schema: {
        tags,
        summary: 'The assigned inspector records whether they consulted the lead inspector, and the outcome',
        params: idParams,
        body: outcomeBody,
        response: { 200: contactSchema, ...errors },
      },
    },
    async (request) => {
      const { contact, person } = await handledContact(request, request.params.id);
      mustBeAssigned(person, contact);
      await recordDayAfterOutcome(db, person.id, contact.id, request.body, app.clock.now());
      return (await findDayAfterContact(db, contact.id))!;
    },
  );
}
