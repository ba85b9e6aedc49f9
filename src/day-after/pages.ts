import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { today } from '../clock.js';
import { procedureFor, RuleError } from '../frameworks/rules.js';
import { visibleInspection } from '../inspections/access.js';
import { hasRole } from '../people/rules.js';
import { authorise, requirePerson } from '../web/access.js';
import { formOptional, formText, postForm, type FormBody } from '../web/forms.js';
import { forbidden } from '../web/problem.js';
import type { FieldError } from '../refusal.js';
import { forProvider, handledContact, listFilter, mustBeAssigned } from './access.js';
import { dayAfterContactRefusal, longDateWithWeekday } from './rules.js';
import { outcomeBody, raiseBody } from './schemas.js';
import {
  contactAboutInspection,
  contactDayFor,
  listDayAfterContacts,
  raiseDayAfterContact,
  recordDayAfterOutcome,
} from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `day-after/views/${name}.njk`;

/** The day-after contact's pages: the provider's form on the working day after, and the inspector's. */
export async function dayAfterPages(app: FastifyInstance) {
  const db = app.db;

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

  app.get(
    '/inspections/:id/day-after-contact',
    { ...hidden, config: { access: { hidden: 'day-after.raise' } } },
    async (request, reply) => providerPage(request, reply, (request.params as { id: string }).id),
  );

  app.post(
    '/inspections/:id/day-after-contact',
    { ...hidden, config: { access: 'day-after.raise' } },
    async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const inspection = await visibleInspection(request, id);
      const person = authorise(request, 'day-after.raise', { providerId: inspection.provider.id }, 'hide');
      const form = request.body as FormBody;
      const issues = formText(form, 'issues');
      return postForm(reply, {
        parsed: raiseBody.safeParse({ issues }),
        // The form has one field: every error is shown against it.
        place: () => 'issues',
        act: async (data) => {
          await raiseDayAfterContact(db, person, inspection, data.issues, app.clock.now());
          return `/inspections/${id}/day-after-contact?saved=raised`;
        },
        showAgain: (refused) => providerPage(request, reply, id, { ...refused, issues }),
      });
    },
  );

  app.get(
    '/day-after-contacts',
    { ...hidden, config: { access: 'day-after.handle' } },
    async (request, reply) => {
      const person = requirePerson(request);
      if (!hasRole(person, 'inspector', 'manager', 'complaints')) throw forbidden();
      const all = hasRole(person, 'complaints', 'manager');
      return reply.page(view('list'), {
        title: all ? 'Day-after contacts' : 'Day-after contacts assigned to you',
        all,
        contacts: await listDayAfterContacts(db, listFilter(person)),
      });
    },
  );

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

  app.get(
    '/day-after-contacts/:id',
    { ...hidden, config: { access: { hidden: 'day-after.handle' } } },
    async (request, reply) => contactPage(request, reply, (request.params as { id: string }).id),
  );

  app.post(
    '/day-after-contacts/:id/outcome',
    { ...hidden, config: { access: 'day-after.handle' } },
    async (request, reply) => {
      const { contact, person } = await handledContact(request, (request.params as { id: string }).id);
      mustBeAssigned(person, contact);
      const form = request.body as FormBody;
      const consulted = formOptional(form, 'consultedLead');
      const values = { consultedLead: consulted, outcome: formText(form, 'outcome') };
      return postForm(reply, {
        parsed: outcomeBody.safeParse({
          consultedLead: consulted === 'yes' ? true : consulted === 'no' ? false : undefined,
          outcome: values.outcome,
        }),
        // A refusal that names no field is shown against the outcome.
        place: (field) => field || 'outcome',
        act: async (data) => {
          await recordDayAfterOutcome(db, person.id, contact.id, data, app.clock.now());
          return `/day-after-contacts/${contact.id}?saved=outcome`;
        },
        showAgain: (refused) => contactPage(request, reply, contact.id, { ...refused, values }),
      });
    },
  );
}
