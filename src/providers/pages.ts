import type { FastifyInstance, FastifyReply } from 'fastify';
import { historyOf } from '../audit/store.js';
import { cursorOf, keysetHref, keysetPagination, shownRange } from '../db/keyset-http.js';
import { today } from '../clock.js';
import { isUuid } from '../fields.js';
import { searchInspections } from '../inspections/store.js';
import { can, providerScope } from '../people/policy.js';
import { authorise } from '../web/access.js';
import {
  dateParts,
  formDate,
  formDateParts,
  formNumber,
  formOptional,
  formText,
  idOf,
  pointAtDayBoxes,
  postForm,
  type FormBody,
} from '../web/forms.js';
import { fieldErrorsOf, invalid, notFound, type FieldError } from '../refusal.js';
import { readableProvider } from './access.js';
import {
  applicationInput,
  applicationStatusChange,
  nextApplicationStatuses,
  ownerGroupInput,
  providerInput,
  REGIONS,
} from './rules.js';
import { listQuery } from './schemas.js';
import {
  changeProvider,
  createApplication,
  createOwnerGroup,
  createProvider,
  findProvider,
  listApplications,
  listOwnerGroups,
  moveApplication,
  PROVIDER_ORDER,
  searchProviders,
  type Provider,
} from './store.js';

/** The register's pages; the API is in routes.ts. */

const hidden = { schema: { hide: true } };

/** Form posts are strings; the API shapes are numbers, nulls and ISO dates. */
function providerFromForm(form: FormBody) {
  return {
    urn: formText(form, 'urn'),
    name: formText(form, 'name'),
    type: formOptional(form, 'type'),
    sector: formOptional(form, 'sector'),
    addressLine1: formText(form, 'addressLine1'),
    addressLine2: formOptional(form, 'addressLine2') ?? null,
    town: formText(form, 'town'),
    postcode: formText(form, 'postcode'),
    localAuthority: formText(form, 'localAuthority'),
    region: formOptional(form, 'region'),
    places: formNumber(form, 'places'),
    status: formOptional(form, 'status'),
    ownerGroupId: formOptional(form, 'ownerGroupId') ?? null,
    registeredOn: formDate(form, 'registeredOn'),
    leftRegisterOn: leavingDayOf(form),
  };
}

/**
 * The day it closed or was cancelled: none when every box is empty (today, if the status says it has
 * gone); boxes filled in part are passed on as they are, so that the date is refused rather than ignored.
 */
function leavingDayOf(form: FormBody): string | undefined {
  const parts = ['day', 'month', 'year'].map((part) => formText(form, `leftRegisterOn-${part}`)?.trim());
  if (parts.every((part) => !part)) return undefined;
  return formDate(form, 'leftRegisterOn') ?? parts.join('-');
}

function formValuesOf(provider: Provider) {
  return {
    ...provider,
    ownerGroupId: provider.ownerGroup?.id ?? '',
    registeredOn: dateParts(provider.registeredOn),
    leftRegisterOn: dateParts(provider.leftRegisterOn),
  };
}

/** What was typed, with the date's boxes as they were. */
const typedValues = (form: FormBody) => ({
  ...form,
  registeredOn: formDateParts(form, 'registeredOn'),
  leftRegisterOn: formDateParts(form, 'leftRegisterOn'),
});

export async function providerPages(app: FastifyInstance) {
  const db = app.db;

  app.get('/providers', { ...hidden, config: { access: 'providers.list' } }, async (request, reply) => {
    const person = authorise(request, 'providers.list');
    const raw = Object.fromEntries(
      Object.entries(request.query as Record<string, unknown>).filter(([, v]) => v !== ''),
    );
    const parsed = listQuery.safeParse(raw);
    const search = parsed.success ? parsed.data : listQuery.parse({});
    const errors = parsed.success ? [] : fieldErrorsOf(parsed.error);
    // A cursor that cannot be read (an old or cut-off link) starts the list again.
    const cursor = parsed.success ? cursorOf(PROVIDER_ORDER, raw.cursor) : undefined;
    const result = await searchProviders(db, providerScope(person), { ...search, cursor });
    const keep = {
      q: search.q,
      type: search.type,
      region: search.region,
      status: search.status,
      ownerGroupId: search.ownerGroupId,
    };
    return reply.page('providers/views/list.njk', {
      title: providerScope(person).kind === 'own' ? 'Your providers' : 'Providers',
      search: keep,
      result,
      errors,
      regions: REGIONS,
      pagination: keysetPagination(result, keysetHref('/providers', keep)),
      canCreate: can(person, 'provider.create'),
      filtered: Boolean(search.q || search.type || search.region || search.status || search.ownerGroupId),
      ...shownRange(result),
    });
  });

  const formPage = async (
    reply: FastifyReply,
    context: {
      title: string;
      action: string;
      values: unknown;
      errors?: FieldError[];
      version?: number;
      cancel: string;
    },
    status = 200,
  ) =>
    reply.page(
      'providers/views/form.njk',
      {
        ...context,
        ownerGroups: await listOwnerGroups(db),
        regions: REGIONS,
        errors: pointAtDayBoxes(context.errors ?? [], ['registeredOn', 'leftRegisterOn']),
      },
      status,
    );

  app.get('/providers/new', { ...hidden, config: { access: 'provider.create' } }, async (request, reply) => {
    authorise(request, 'provider.create');
    return formPage(reply, {
      title: 'Register a provider',
      action: '/providers/new',
      values: { status: 'registered' },
      cancel: '/providers',
    });
  });

  app.post('/providers/new', { ...hidden, config: { access: 'provider.create' } }, async (request, reply) => {
    const person = authorise(request, 'provider.create');
    const form = request.body as FormBody;
    return postForm(reply, {
      parsed: providerInput.safeParse(providerFromForm(form)),
      act: async (data) => {
        const provider = await createProvider(db, person.id, data, today(app.clock));
        return `/providers/${provider.id}?saved=created`;
      },
      showAgain: ({ status, errors }) =>
        formPage(
          reply,
          {
            title: 'Register a provider',
            action: '/providers/new',
            values: typedValues(form),
            cancel: '/providers',
            errors,
          },
          status,
        ),
    });
  });

  app.get(
    '/providers/:id',
    { ...hidden, config: { access: { hidden: 'provider.read' } } },
    async (request, reply) => {
      const provider = await readableProvider(request, idOf(request));
      const person = request.person;
      const [applications, inspections] = await Promise.all([
        listApplications(db, provider.id),
        // Within what the person may see: a provider never learns of a planned no-notice visit.
        searchInspections(db, providerScope(person), { providerId: provider.id, page: 1, pageSize: 10 }),
      ]);
      const saved = (request.query as { saved?: string }).saved;
      return reply.page('providers/views/show.njk', {
        title: provider.name,
        provider,
        applications: applications.map((a) => ({ ...a, next: nextApplicationStatuses(a.status) })),
        inspections,
        canChange: can(person, 'provider.change'),
        canSeeHistory: can(person, 'audit.read'),
        canPlanInspection: can(person, 'inspection.create'),
        canModerate: can(person, 'inspection.moderate'),
        canDeclareConflict: can(person, 'conflict.declare'),
        saved,
      });
    },
  );

  app.get(
    '/providers/:id/edit',
    { ...hidden, config: { access: 'provider.change' } },
    async (request, reply) => {
      const provider = await readableProvider(request, idOf(request));
      authorise(request, 'provider.change');
      return formPage(reply, {
        title: `Change ${provider.name}`,
        action: `/providers/${provider.id}/edit`,
        values: formValuesOf(provider),
        version: provider.version,
        cancel: `/providers/${provider.id}`,
      });
    },
  );

  app.post(
    '/providers/:id/edit',
    { ...hidden, config: { access: 'provider.change' } },
    async (request, reply) => {
      const provider = await readableProvider(request, idOf(request));
      const person = authorise(request, 'provider.change');
      const form = request.body as FormBody;
      const version = Number(form.version);
      const context = {
        title: `Change ${provider.name}`,
        action: `/providers/${provider.id}/edit`,
        cancel: `/providers/${provider.id}`,
      };
      return postForm(reply, {
        parsed: providerInput.safeParse(providerFromForm(form)),
        // A change made meanwhile has no field of its own: it is told against the name.
        place: (field) => field || 'name',
        act: async (data) => {
          await changeProvider(
            db,
            person.id,
            provider.id,
            { ...data, version: Number.isInteger(version) ? version : undefined },
            today(app.clock),
          );
          return `/providers/${provider.id}?saved=changed`;
        },
        showAgain: async ({ status, errors }) => {
          if (status !== 409) {
            return formPage(reply, { ...context, values: typedValues(form), version, errors }, status);
          }
          // Someone else changed it: show it as it is now, to check their change before trying again.
          const current = (await findProvider(db, provider.id))!;
          return formPage(
            reply,
            { ...context, values: formValuesOf(current), version: current.version, errors },
            409,
          );
        },
      });
    },
  );

  app.get(
    '/providers/:id/history',
    { ...hidden, config: { access: { hidden: 'audit.read' } } },
    async (request, reply) => {
      const provider = await readableProvider(request, idOf(request));
      authorise(request, 'audit.read', {}, 'hide');
      return reply.page('providers/views/history.njk', {
        title: `History of ${provider.name}`,
        provider,
        history: await historyOf(db, 'provider', [provider.id]),
      });
    },
  );

  const applicationPage = (
    reply: FastifyReply,
    provider: Provider,
    values: object,
    errors?: FieldError[],
    status = 200,
  ) =>
    reply.page(
      'providers/views/application-form.njk',
      {
        title: 'Record a multi-building application',
        provider,
        values,
        ...(errors ? { errors: pointAtDayBoxes(errors, ['submittedOn']) } : {}),
      },
      status,
    );

  app.get(
    '/providers/:id/applications/new',
    { ...hidden, config: { access: 'provider.change' } },
    async (request, reply) => {
      const provider = await readableProvider(request, idOf(request));
      authorise(request, 'provider.change');
      return applicationPage(reply, provider, {});
    },
  );

  app.post(
    '/providers/:id/applications/new',
    { ...hidden, config: { access: 'provider.change' } },
    async (request, reply) => {
      const provider = await readableProvider(request, idOf(request));
      const person = authorise(request, 'provider.change');
      const form = request.body as FormBody;
      return postForm(reply, {
        parsed: applicationInput.safeParse({
          buildings: formNumber(form, 'buildings'),
          description: formText(form, 'description'),
          submittedOn: formDate(form, 'submittedOn'),
        }),
        act: async (data) => {
          await createApplication(db, person.id, provider, data, today(app.clock));
          return `/providers/${provider.id}?saved=application#applications`;
        },
        showAgain: ({ status, errors }) =>
          applicationPage(
            reply,
            provider,
            { ...form, submittedOn: formDateParts(form, 'submittedOn') },
            errors,
            status,
          ),
      });
    },
  );

  // A button on the provider's page, not a form of its own: a refusal goes to the error page.
  app.post(
    '/providers/:id/applications/:applicationId/status',
    { ...hidden, config: { access: 'provider.change' } },
    async (request, reply) => {
      const { id, applicationId } = request.params as { id: string; applicationId: string };
      const provider = await readableProvider(request, id);
      const person = authorise(request, 'provider.change');
      if (!isUuid(applicationId)) throw notFound();
      const parsed = applicationStatusChange.safeParse({
        ...(request.body as object),
        note: (request.body as { note?: string }).note || null,
      });
      if (!parsed.success) throw invalid(fieldErrorsOf(parsed.error));
      await moveApplication(db, person.id, provider.id, applicationId, parsed.data.status, parsed.data.note);
      return reply.redirect(`/providers/${provider.id}?saved=application-status#applications`, 303);
    },
  );

  const ownerGroupsPage = async (reply: FastifyReply, state: object, status = 200) =>
    reply.page(
      'providers/views/owner-groups.njk',
      { title: 'Owner groups', groups: await listOwnerGroups(db), ...state },
      status,
    );

  app.get('/owner-groups', { ...hidden, config: { access: 'provider.change' } }, async (request, reply) => {
    authorise(request, 'provider.change');
    const added = (request.query as { added?: string }).added;
    return ownerGroupsPage(reply, { values: {}, added });
  });

  app.post('/owner-groups', { ...hidden, config: { access: 'provider.change' } }, async (request, reply) => {
    const person = authorise(request, 'provider.change');
    const form = request.body as Record<string, string>;
    return postForm(reply, {
      parsed: ownerGroupInput.safeParse(form),
      act: async ({ name }) => {
        await createOwnerGroup(db, person.id, name);
        return `/owner-groups?added=${encodeURIComponent(name)}`;
      },
      showAgain: ({ status, errors }) => ownerGroupsPage(reply, { values: form, errors }, status),
    });
  });
}
