import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { today } from '../clock.js';
import { requiredText } from '../fields.js';
import { procedureFor, RuleError } from '../frameworks/rules.js';
import { visibleInspection } from '../inspections/routes.js';
import type { Inspection } from '../inspections/store.js';
import { can } from '../people/policy.js';
import { hasRole, type Person } from '../people/rules.js';
import { authorise, requirePerson } from '../web/access.js';
import { formOptional, formText, type FormBody } from '../web/forms.js';
import { forbidden, Problem, problemResponses, problemOf } from '../web/problem.js';
import { notFound, type FieldError, invalidInput, Refusal } from '../refusal.js';
import { dayAfterContactRefusal, longDateWithWeekday } from './rules.js';
import {
  contactAboutInspection,
  contactDayFor,
  dayAfterDeadlineActions,
  findDayAfterContact,
  listDayAfterContacts,
  raiseDayAfterContact,
  recordDayAfterOutcome,
  type DayAfterContact,
} from './store.js';

const errors = problemResponses;
const idParams = z.object({ id: z.string() });
const tags = ['day-after contacts'];
const hidden = { schema: { hide: true } };
const view = (name: string) => `day-after/views/${name}.njk`;

const raiseBody = z.object({
  issues: requiredText('Describe the issues that are still unresolved', 10_000),
});

const outcomeBody = z.object({
  consultedLead: z.boolean({ message: 'Say whether you consulted the lead inspector' }),
  outcome: requiredText('Enter the outcome of the call', 10_000),
});

const personRef = z.object({ id: z.string(), name: z.string() });

const contactSchema = z.object({
  id: z.string(),
  inspection: z.object({
    id: z.string(),
    startDate: z.string(),
    endDate: z.string(),
    provider: personRef,
    leadInspector: personRef,
  }),
  issues: z.string(),
  raisedBy: personRef,
  raisedAt: z.string(),
  assignedTo: personRef,
  consultedLead: z.boolean(),
  outcome: z.string().nullable(),
  outcomeAt: z.string().nullable(),
});

/** What the provider sees of its own contact: who takes it and whether it has been answered. */
const providerContactSchema = z.object({
  id: z.string(),
  issues: z.string(),
  raisedAt: z.string(),
  takenBy: z.string(),
  answered: z.boolean(),
});

const inspectionContactSchema = z.object({
  /** The one day contact may be made; null where the inspection's procedure has no such call. */
  contactDay: z.string().nullable(),
  contact: z.union([contactSchema, providerContactSchema]).nullable(),
});

const ownsInspection = (person: Person, inspection: Inspection) =>
  can(person, 'day-after.raise', { providerId: inspection.provider.id });

function forProvider(contact: DayAfterContact) {
  return {
    id: contact.id,
    issues: contact.issues,
    raisedAt: contact.raisedAt,
    takenBy: contact.assignedTo.name,
    answered: contact.outcome !== null,
  };
}

/** A contact the person handles (assigned, or complaints staff and managers); 404 for anyone else. */
async function handledContact(request: FastifyRequest, id: string) {
  const person = requirePerson(request);
  const contact = await findDayAfterContact(request.server.db, id);
  if (!contact || !can(person, 'day-after.handle', { assignedTo: contact.assignedTo.id })) throw notFound();
  return { contact, person };
}

/** Only the inspector the contact is assigned to records its outcome. */
function mustBeAssigned(person: Person, contact: DayAfterContact) {
  if (contact.assignedTo.id !== person.id) {
    const message = `Only ${contact.assignedTo.name}, who was assigned the contact, can record its outcome`;
    throw new Problem(403, 'Forbidden', message, [{ field: 'authorization', message }]);
  }
}

/** Contacts this person sees in the list: all for complaints staff and managers, otherwise their own. */
function listFilter(person: Person) {
  return hasRole(person, 'complaints', 'manager') ? {} : { assignedTo: person.id };
}

export async function dayAfterRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  for (const [kind, action] of dayAfterDeadlineActions) app.deadlineActions.set(kind, action);

  // ---- API ----

  app.get(
    '/api/inspections/:id/day-after-contact',
    {
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

  // ---- Pages ----

  async function providerPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: { status?: number; errors?: FieldError[]; issues?: string } = {},
  ) {
    const inspection = await visibleInspection(request, id);
    const person = authorise(request, 'day-after.raise', { providerId: inspection.provider.id }, 'hide');
    const contact = await contactAboutInspection(db, inspection.id);
    const contactDay = contactDayFor(inspection);
    let refusal: FieldError | null = null;
    try {
      refusal = dayAfterContactRefusal(
        procedureFor(inspection.endDate),
        inspection.endDate,
        today(app.clock),
      );
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      refusal = { field: 'inspectionId', message: error.message };
    }
    return reply.page(
      view('provider'),
      {
        title: 'Contact us about the inspection',
        inspection,
        contact: contact ? forProvider(contact) : null,
        contactDayText: contactDay ? longDateWithWeekday(contactDay) : null,
        open: !contact && refusal === null && inspection.status !== 'planned',
        refusal: contact ? null : refusal,
        person,
        issues: state.issues,
        saved: (request.query as { saved?: unknown }).saved === 'raised',
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get('/inspections/:id/day-after-contact', hidden, async (request, reply) =>
    providerPage(request, reply, (request.params as { id: string }).id),
  );

  app.post('/inspections/:id/day-after-contact', hidden, async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const inspection = await visibleInspection(request, id);
    const person = authorise(request, 'day-after.raise', { providerId: inspection.provider.id }, 'hide');
    const form = request.body as FormBody;
    const issues = formText(form, 'issues');
    const parsed = raiseBody.safeParse({ issues });
    try {
      if (!parsed.success) throw invalidInput(parsed.error);
      await raiseDayAfterContact(db, person, inspection, parsed.data.issues, app.clock.now());
    } catch (error) {
      if (!(error instanceof Refusal) || error.kind === 'not-found') throw error;
      const found = error.errors.length > 0 ? error.errors : [{ field: 'issues', message: error.detail }];
      return providerPage(request, reply, id, {
        status: problemOf(error).status,
        errors: found.map((e) => ({ field: 'issues', message: e.message })),
        issues,
      });
    }
    return reply.redirect(`/inspections/${id}/day-after-contact?saved=raised`, 303);
  });

  app.get('/day-after-contacts', hidden, async (request, reply) => {
    const person = requirePerson(request);
    if (!hasRole(person, 'inspector', 'manager', 'complaints')) throw forbidden();
    const all = hasRole(person, 'complaints', 'manager');
    return reply.page(view('list'), {
      title: all ? 'Day-after contacts' : 'Day-after contacts assigned to you',
      all,
      contacts: await listDayAfterContacts(db, listFilter(person)),
    });
  });

  async function contactPage(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    state: { status?: number; errors?: FieldError[]; values?: Record<string, string | undefined> } = {},
  ) {
    const { contact, person } = await handledContact(request, id);
    return reply.page(
      view('show'),
      {
        title: `Day-after contact from ${contact.inspection.provider.name}`,
        contact,
        canRecord: contact.outcome === null && contact.assignedTo.id === person.id,
        values: state.values ?? {},
        saved: (request.query as { saved?: unknown }).saved === 'outcome',
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get('/day-after-contacts/:id', hidden, async (request, reply) =>
    contactPage(request, reply, (request.params as { id: string }).id),
  );

  app.post('/day-after-contacts/:id/outcome', hidden, async (request, reply) => {
    const { contact, person } = await handledContact(request, (request.params as { id: string }).id);
    mustBeAssigned(person, contact);
    const form = request.body as FormBody;
    const consulted = formOptional(form, 'consultedLead');
    const values = { consultedLead: consulted, outcome: formText(form, 'outcome') };
    const parsed = outcomeBody.safeParse({
      consultedLead: consulted === 'yes' ? true : consulted === 'no' ? false : undefined,
      outcome: values.outcome,
    });
    try {
      if (!parsed.success) throw invalidInput(parsed.error);
      await recordDayAfterOutcome(db, person.id, contact.id, parsed.data, app.clock.now());
    } catch (error) {
      if (!(error instanceof Refusal) || error.kind === 'not-found') throw error;
      const found = error.errors.length > 0 ? error.errors : [{ field: 'outcome', message: error.detail }];
      return contactPage(request, reply, contact.id, {
        status: problemOf(error).status,
        errors: found,
        values,
      });
    }
    return reply.redirect(`/day-after-contacts/${contact.id}?saved=outcome`, 303);
  });
}
