import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cursorOf, keysetHref, keysetPagination, shownRange } from '../db/keyset-http.js';
import { fieldErrorsOf, invalid, invalidInput, type FieldError } from '../refusal.js';
import {
  formList,
  formNumber,
  formText,
  idOf,
  placeOn,
  refusalOnForm,
  savedBanner,
  type FormBody,
} from '../web/forms.js';
import { accountFields, INVITATION_HOURS } from './accounts.js';
import {
  changeAs,
  inviteAs,
  managedPerson,
  peopleListQuery,
  peopleManager,
  resendAs,
} from './admin-access.js';
import {
  PEOPLE_ORDER,
  providerIdsByUrn,
  providersNamed,
  searchPeople,
  type ManagedPerson,
} from './people-admin-store.js';
import { peopleScope } from './policy.js';
import { ROLE_LABELS, ROLES, type Person } from './rules.js';

/** The pages for managing accounts under /admin/people; the API is in admin-routes.ts. */

const hidden = { schema: { hide: true } };
const access = { access: 'people.manage' as const };

const BANNERS = {
  changed: 'The account has been changed',
  disabled: 'The account has been disabled. Its sessions and API tokens have ended',
  enabled: 'The account has been re-enabled',
};

const FORM_FIELDS = ['name', 'email', 'roles', 'providers', 'providerAdmin'];
const placeField = placeOn(FORM_FIELDS);

/** An administrator chooses from every role; a provider's own administrator only invites providers. */
const isAdministrator = (person: Person) => peopleScope(person).kind === 'all';

/** Unique reference numbers typed in one box, separated by commas, spaces or new lines. */
const urnsIn = (text: string | undefined) => [
  ...new Set(
    (text ?? '')
      .split(/[\s,]+/)
      .map((urn) => urn.trim().toUpperCase())
      .filter(Boolean),
  ),
];

/**
 * The form's answers as the API's fields: an administrator types providers' reference numbers, a
 * provider's own administrator ticks its own providers (and invites only provider users).
 */
async function accountFromForm(request: FastifyRequest, manager: Person, form: FormBody) {
  const administrator = isAdministrator(manager);
  return {
    email: formText(form, 'email'),
    name: formText(form, 'name'),
    roles: administrator ? formList(form, 'roles') : ['provider'],
    providers: administrator
      ? await providerIdsByUrn(request.server.db, urnsIn(formText(form, 'providerUrns')))
      : formList(form, 'providers'),
    providerAdmin: formText(form, 'providerAdmin') === 'yes',
  };
}

const editFields = accountFields.omit({ email: true }).extend({
  version: z.number({ message: 'Open the account again and make your change' }),
});

/** What the form shows: the account's values, or what was typed. */
function valuesOf(person: ManagedPerson) {
  return {
    name: person.name,
    email: person.email,
    roles: person.roles,
    providers: person.providers.map((p) => p.id),
    providerUrns: person.providers.map((p) => p.urn).join(', '),
    providerAdmin: person.providerAdmin,
  };
}

function typedValues(form: FormBody) {
  return {
    name: formText(form, 'name'),
    email: formText(form, 'email'),
    roles: formList(form, 'roles'),
    providers: formList(form, 'providers'),
    providerUrns: formText(form, 'providerUrns'),
    providerAdmin: formText(form, 'providerAdmin') === 'yes',
  };
}

/** Tries a change from a form; a refusal comes back as the status and errors to show it again with. */
async function attempt<T>(
  work: () => Promise<T>,
  place: (field: string) => string,
): Promise<{ done: T } | { status: number; errors: FieldError[] }> {
  try {
    return { done: await work() };
  } catch (error) {
    return refusalOnForm(error, place);
  }
}

export async function peopleAdminPages(app: FastifyInstance) {
  const db = app.db;

  /** The choices the form offers this manager. */
  const choices = async (manager: Person) => ({
    administrator: isAdministrator(manager),
    roleItems: ROLES.map((role) => ({ value: role, text: ROLE_LABELS[role] })),
    ownProviders: isAdministrator(manager) ? [] : await providersNamed(db, manager.providerIds),
  });

  app.get('/admin/people', { ...hidden, config: access }, async (request, reply) => {
    const manager = peopleManager(request);
    const raw = Object.fromEntries(
      Object.entries(request.query as Record<string, unknown>).filter(([, v]) => v !== ''),
    );
    const parsed = peopleListQuery.safeParse(raw);
    const search = parsed.success ? parsed.data : peopleListQuery.parse({});
    const errors = parsed.success ? [] : fieldErrorsOf(parsed.error);
    // A cursor that cannot be read (an old or cut-off link) starts the list again.
    const cursor = parsed.success ? cursorOf(PEOPLE_ORDER, raw.cursor) : undefined;
    const result = await searchPeople(db, peopleScope(manager), { ...search, cursor });
    const keep = {
      q: search.q,
      role: search.role,
      active: search.active === undefined ? undefined : String(search.active),
      pending: search.pending === undefined ? undefined : String(search.pending),
    };
    return reply.page('people/views/admin/list.njk', {
      title: isAdministrator(manager) ? 'People' : 'Your organisation’s people',
      administrator: isAdministrator(manager),
      search: keep,
      result,
      errors,
      pagination: keysetPagination(result, keysetHref('/admin/people', keep)),
      filtered: Object.values(keep).some((value) => value !== undefined),
      ...shownRange(result),
    });
  });

  const invitePage = async (
    reply: FastifyReply,
    manager: Person,
    values: unknown,
    errors: FieldError[] = [],
    status = 200,
  ) =>
    reply.page(
      'people/views/admin/invite.njk',
      {
        title: 'Invite someone',
        values,
        errors,
        invitationHours: INVITATION_HOURS,
        ...(await choices(manager)),
      },
      status,
    );

  app.get('/admin/people/new', { ...hidden, config: access }, async (request, reply) =>
    invitePage(reply, peopleManager(request), { roles: [], providers: [] }),
  );

  // The confirmation is the answer to the post itself: the link is shown once and never stored.
  app.post('/admin/people/new', { ...hidden, config: access }, async (request, reply) => {
    const manager = peopleManager(request);
    const form = request.body as FormBody;
    const outcome = await attempt(async () => {
      const parsed = accountFields.safeParse(await accountFromForm(request, manager, form));
      if (!parsed.success) throw invalidInput(parsed.error);
      const { providers, ...fields } = parsed.data;
      return inviteAs(request, manager, { ...fields, providerIds: providers });
    }, placeField);
    if ('done' in outcome)
      return reply.page('people/views/admin/invited.njk', {
        title: 'Invitation sent',
        account: outcome.done.person,
        invitationUrl: outcome.done.invitation.invitationUrl,
        invitationHours: INVITATION_HOURS,
      });
    return invitePage(reply, manager, typedValues(form), outcome.errors, outcome.status);
  });

  const showPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    person: ManagedPerson,
    errors: FieldError[] = [],
    status = 200,
  ) =>
    reply.page(
      'people/views/admin/show.njk',
      {
        title: person.name,
        account: person,
        errors,
        banner: savedBanner(request, BANNERS),
        itself: request.person?.id === person.id,
      },
      status,
    );

  app.get('/admin/people/:id', { ...hidden, config: access }, async (request, reply) =>
    showPage(request, reply, await managedPerson(request, idOf(request))),
  );

  const editPage = async (
    reply: FastifyReply,
    manager: Person,
    person: ManagedPerson,
    values: unknown,
    errors: FieldError[] = [],
    status = 200,
  ) =>
    reply.page(
      'people/views/admin/edit.njk',
      {
        title: `Change ${person.name}’s account`,
        account: person,
        values,
        errors,
        ...(await choices(manager)),
      },
      status,
    );

  app.get('/admin/people/:id/edit', { ...hidden, config: access }, async (request, reply) => {
    const person = await managedPerson(request, idOf(request));
    return editPage(reply, peopleManager(request), person, valuesOf(person));
  });

  app.post('/admin/people/:id/edit', { ...hidden, config: access }, async (request, reply) => {
    const person = await managedPerson(request, idOf(request));
    const manager = peopleManager(request);
    const form = request.body as FormBody;
    const outcome = await attempt(async () => {
      const answers = await accountFromForm(request, manager, form);
      const parsed = editFields.safeParse({ ...answers, version: formNumber(form, 'version') });
      if (!parsed.success) throw invalidInput(parsed.error);
      const { version, providers, ...change } = parsed.data;
      return changeAs(request, manager, person, version, { ...change, providerIds: providers });
    }, placeField);
    if ('done' in outcome) return reply.redirect(`/admin/people/${person.id}?saved=changed`, 303);
    return editPage(reply, manager, person, typedValues(form), outcome.errors, outcome.status);
  });

  const disablePage = async (
    reply: FastifyReply,
    person: ManagedPerson,
    errors: FieldError[] = [],
    status = 200,
  ) =>
    reply.page(
      'people/views/admin/disable.njk',
      { title: `Disable ${person.name}’s account`, account: person, errors },
      status,
    );

  app.get('/admin/people/:id/disable', { ...hidden, config: access }, async (request, reply) => {
    peopleManager(request);
    return disablePage(reply, await managedPerson(request, idOf(request)));
  });

  /** Disables or re-enables from a form carrying the version the page showed. */
  const setActive = async (request: FastifyRequest, person: ManagedPerson, active: boolean) => {
    const form = request.body as FormBody;
    const version = formNumber(form, 'version');
    return attempt(
      async () => {
        if (typeof version !== 'number')
          throw invalid([{ field: 'version', message: 'Open the account again and try again' }]);
        return changeAs(request, peopleManager(request), person, version, { active });
      },
      () => (active ? 'enable' : 'disable'),
    );
  };

  app.post('/admin/people/:id/disable', { ...hidden, config: access }, async (request, reply) => {
    const person = await managedPerson(request, idOf(request));
    const outcome = await setActive(request, person, false);
    if ('done' in outcome) return reply.redirect(`/admin/people/${person.id}?saved=disabled`, 303);
    return disablePage(reply, person, outcome.errors, outcome.status);
  });

  app.post('/admin/people/:id/enable', { ...hidden, config: access }, async (request, reply) => {
    const person = await managedPerson(request, idOf(request));
    const outcome = await setActive(request, person, true);
    if ('done' in outcome) return reply.redirect(`/admin/people/${person.id}?saved=enabled`, 303);
    return showPage(request, reply, person, outcome.errors, outcome.status);
  });

  app.post('/admin/people/:id/invitation', { ...hidden, config: access }, async (request, reply) => {
    const person = await managedPerson(request, idOf(request));
    const outcome = await attempt(
      () => resendAs(request, peopleManager(request), person),
      () => 'resend',
    );
    if ('done' in outcome)
      return reply.page('people/views/admin/invited.njk', {
        title: 'Invitation sent again',
        again: true,
        account: outcome.done.person,
        invitationUrl: outcome.done.invitation.invitationUrl,
        invitationHours: INVITATION_HOURS,
      });
    return showPage(request, reply, person, outcome.errors, outcome.status);
  });
}
