import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { paginationFields, isUuid } from '../fields.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { historyOf } from '../audit/store.js';
import {
  cursorField,
  cursorOf,
  keysetApiPage,
  keysetHref,
  keysetPageFields,
  keysetPagination,
  shownRange,
} from '../db/keyset-http.js';
import { searchInspections } from '../inspections/store.js';
import { can, providerScope } from '../people/policy.js';
import { authorise } from '../web/access.js';
import {
  dateParts,
  formDate,
  formDateParts,
  formErrors,
  formNumber,
  formOptional,
  formText,
  pointAtDayBoxes,
  type FormBody,
} from '../web/forms.js';
import { problemSchema, forbidden } from '../web/problem.js';
import { fieldErrorsOf, invalid, notFound, type FieldError, Refusal } from '../refusal.js';
import {
  applicationInput,
  applicationStatusChange,
  nextApplicationStatuses,
  ownerGroupInput,
  PROVIDER_STATUSES,
  PROVIDER_TYPES,
  providerChange,
  providerInput,
  REGIONS,
  type ProviderType,
} from './rules.js';
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

const providerSchema = z.object({
  id: z.uuid(),
  urn: z.string(),
  name: z.string(),
  type: z.string(),
  sector: z.string(),
  addressLine1: z.string(),
  addressLine2: z.string().nullable(),
  town: z.string(),
  postcode: z.string(),
  localAuthority: z.string(),
  region: z.string(),
  places: z.number().int(),
  status: z.string(),
  ownerGroup: z.object({ id: z.uuid(), name: z.string() }).nullable(),
  registeredOn: z.string(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const listQuery = z.object({
  q: z.string().trim().max(200, 'Search text must be 200 characters or fewer').optional(),
  type: z
    .enum(Object.keys(PROVIDER_TYPES) as [ProviderType], { message: 'Choose a provider type from the list' })
    .optional(),
  region: z.enum(REGIONS, { message: 'Choose a region from the list' }).optional(),
  status: z
    .enum(Object.keys(PROVIDER_STATUSES) as [keyof typeof PROVIDER_STATUSES], {
      message: 'Choose a status from the list',
    })
    .optional(),
  ownerGroupId: z.uuid({ message: 'Owner group must be an id from the list' }).optional(),
  ...paginationFields(),
});

const idParams = z.object({ id: z.string() });
const applicationParams = z.object({ id: z.string(), applicationId: z.string() });

const applicationSchema = z.object({
  id: z.uuid(),
  providerId: z.uuid(),
  buildings: z.number().int(),
  description: z.string(),
  status: z.string(),
  submittedOn: z.string(),
  version: z.number().int(),
  history: z.array(
    z.object({
      status: z.string(),
      note: z.string().nullable(),
      at: z.string(),
      actor: z.string().nullable(),
    }),
  ),
});

const historySchema = z.array(
  z.object({
    id: z.number().int(),
    at: z.string(),
    action: z.string(),
    actor: z.object({ id: z.string(), name: z.string() }).nullable(),
    changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  }),
);

/** The provider a person may read, or 404 whether it is missing or hidden from them. */
async function readableProvider(request: FastifyRequest, id: string): Promise<Provider> {
  authorise(request, 'provider.read', { providerId: id }, 'hide');
  const provider = isUuid(id) ? await findProvider(request.server.db, id) : null;
  if (!provider) throw notFound();
  return provider;
}

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
  };
}

function formValuesOf(provider: Provider) {
  return {
    ...provider,
    ownerGroupId: provider.ownerGroup?.id ?? '',
    registeredOn: dateParts(provider.registeredOn),
  };
}

const forForm = (errors: FieldError[]) => pointAtDayBoxes(errors, ['registeredOn']);

export async function providerRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  // ---- API ----

  app.get(
    '/api/providers',
    {
      schema: {
        tags: ['providers'],
        summary: 'Search the register of providers; follow nextCursor (or the Link header) for long lists',
        querystring: listQuery.extend({ cursor: cursorField(PROVIDER_ORDER) }),
        response: {
          200: z.object({ items: z.array(providerSchema), ...keysetPageFields }),
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'providers.list');
      const { cursor, ...search } = request.query;
      const { page } = await keysetApiPage(request.url, reply, PROVIDER_ORDER, cursor, (paging) =>
        searchProviders(db, providerScope(person), { ...search, ...paging }),
      );
      return page;
    },
  );

  app.post(
    '/api/providers',
    {
      schema: {
        tags: ['providers'],
        summary: 'Register a provider (planners and managers)',
        body: providerInput,
        response: { 201: providerSchema, 400: problemSchema, 401: problemSchema, 403: problemSchema },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'provider.create');
      const provider = await createProvider(db, person.id, request.body);
      return reply.status(201).header('location', `/api/providers/${provider.id}`).send(provider);
    },
  );

  app.get(
    '/api/providers/:id',
    {
      schema: {
        tags: ['providers'],
        summary: 'One provider',
        params: idParams,
        response: { 200: providerSchema, 401: problemSchema, 404: problemSchema },
      },
    },
    async (request) => readableProvider(request, request.params.id),
  );

  app.patch(
    '/api/providers/:id',
    {
      schema: {
        tags: ['providers'],
        summary: 'Change a provider (planners and managers); send `version` to refuse a lost update',
        params: idParams,
        body: providerChange,
        response: {
          200: providerSchema,
          400: problemSchema,
          401: problemSchema,
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request) => {
      await readableProvider(request, request.params.id);
      const person = authorise(request, 'provider.change');
      return changeProvider(db, person.id, request.params.id, request.body);
    },
  );

  app.get(
    '/api/providers/:id/history',
    {
      schema: {
        tags: ['providers'],
        summary: 'Audit trail of a provider (managers)',
        params: idParams,
        response: { 200: historySchema, 401: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      await readableProvider(request, request.params.id);
      authorise(request, 'audit.read', {}, 'hide');
      return historyOf(db, 'provider', [request.params.id]);
    },
  );

  app.get(
    '/api/providers/:id/applications',
    {
      schema: {
        tags: ['providers'],
        summary: 'Multi-building registration applications of a provider, with status history',
        params: idParams,
        response: { 200: z.array(applicationSchema), 401: problemSchema, 404: problemSchema },
      },
    },
    async (request) => {
      const provider = await readableProvider(request, request.params.id);
      return listApplications(db, provider.id);
    },
  );

  app.post(
    '/api/providers/:id/applications',
    {
      schema: {
        tags: ['providers'],
        summary: 'Record a multi-building registration application (planners and managers)',
        params: idParams,
        body: applicationInput,
        response: {
          201: applicationSchema,
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const provider = await readableProvider(request, request.params.id);
      const person = authorise(request, 'provider.change');
      return reply.status(201).send(await createApplication(db, person.id, provider.id, request.body));
    },
  );

  app.post(
    '/api/providers/:id/applications/:applicationId/status',
    {
      schema: {
        tags: ['providers'],
        summary: 'Move an application to its next status (planners and managers)',
        params: applicationParams,
        body: applicationStatusChange,
        response: {
          200: applicationSchema,
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          404: problemSchema,
        },
      },
    },
    async (request) => {
      const provider = await readableProvider(request, request.params.id);
      const person = authorise(request, 'provider.change');
      if (!isUuid(request.params.applicationId)) throw notFound();
      const { status, note } = request.body;
      return moveApplication(db, person.id, provider.id, request.params.applicationId, status, note);
    },
  );

  app.get(
    '/api/owner-groups',
    {
      schema: {
        tags: ['providers'],
        summary: 'Owner groups with their number of providers and places',
        response: {
          200: z.array(
            z.object({
              id: z.uuid(),
              name: z.string(),
              providers: z.number().int(),
              places: z.number().int(),
            }),
          ),
          401: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request) => {
      const person = authorise(request, 'providers.list');
      if (providerScope(person).kind !== 'all') throw forbidden();
      return listOwnerGroups(db);
    },
  );

  app.post(
    '/api/owner-groups',
    {
      schema: {
        tags: ['providers'],
        summary: 'Add an owner group (planners and managers)',
        body: ownerGroupInput,
        response: {
          201: z.object({
            id: z.uuid(),
            name: z.string(),
            providers: z.number().int(),
            places: z.number().int(),
          }),
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'provider.change');
      return reply.status(201).send(await createOwnerGroup(db, person.id, request.body.name));
    },
  );

  // ---- Pages ----

  app.get('/providers', { schema: { hide: true } }, async (request, reply) => {
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
        errors: forForm(context.errors ?? []),
      },
      status,
    );

  app.get('/providers/new', { schema: { hide: true } }, async (request, reply) => {
    authorise(request, 'provider.create');
    return formPage(reply, {
      title: 'Register a provider',
      action: '/providers/new',
      values: { status: 'registered' },
      cancel: '/providers',
    });
  });

  app.post('/providers/new', { schema: { hide: true } }, async (request, reply) => {
    const person = authorise(request, 'provider.create');
    const form = request.body as FormBody;
    const values = { ...form, registeredOn: formDateParts(form, 'registeredOn') };
    const context = { title: 'Register a provider', action: '/providers/new', values, cancel: '/providers' };
    const parsed = providerInput.safeParse(providerFromForm(form));
    if (!parsed.success) return formPage(reply, { ...context, errors: fieldErrorsOf(parsed.error) }, 400);
    try {
      const provider = await createProvider(db, person.id, parsed.data);
      return reply.redirect(`/providers/${provider.id}?saved=created`, 303);
    } catch (error) {
      return formPage(reply, { ...context, errors: formErrors(error) }, 400);
    }
  });

  app.get('/providers/:id', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const provider = await readableProvider(request, id);
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
  });

  app.get('/providers/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const provider = await readableProvider(request, id);
    authorise(request, 'provider.change');
    return formPage(reply, {
      title: `Change ${provider.name}`,
      action: `/providers/${provider.id}/edit`,
      values: formValuesOf(provider),
      version: provider.version,
      cancel: `/providers/${provider.id}`,
    });
  });

  app.post('/providers/:id/edit', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const provider = await readableProvider(request, id);
    const person = authorise(request, 'provider.change');
    const form = request.body as FormBody;
    const version = Number(form.version);
    const values = { ...form, registeredOn: formDateParts(form, 'registeredOn') };
    const context = {
      title: `Change ${provider.name}`,
      action: `/providers/${provider.id}/edit`,
      values,
      version,
      cancel: `/providers/${provider.id}`,
    };
    const parsed = providerInput.safeParse(providerFromForm(form));
    if (!parsed.success) return formPage(reply, { ...context, errors: fieldErrorsOf(parsed.error) }, 400);
    try {
      await changeProvider(db, person.id, provider.id, {
        ...parsed.data,
        version: Number.isInteger(version) ? version : undefined,
      });
      return reply.redirect(`/providers/${provider.id}?saved=changed`, 303);
    } catch (error) {
      if (error instanceof Refusal && error.kind === 'conflict') {
        const current = (await findProvider(db, provider.id))!;
        return formPage(
          reply,
          {
            ...context,
            values: formValuesOf(current),
            version: current.version,
            errors: [{ field: 'name', message: error.detail }],
          },
          409,
        );
      }
      return formPage(reply, { ...context, errors: formErrors(error) }, 400);
    }
  });

  app.get('/providers/:id/history', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const provider = await readableProvider(request, id);
    authorise(request, 'audit.read', {}, 'hide');
    return reply.page('providers/views/history.njk', {
      title: `History of ${provider.name}`,
      provider,
      history: await historyOf(db, 'provider', [provider.id]),
    });
  });

  app.get('/providers/:id/applications/new', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const provider = await readableProvider(request, id);
    authorise(request, 'provider.change');
    return reply.page('providers/views/application-form.njk', {
      title: 'Record a multi-building application',
      provider,
      values: {},
    });
  });

  app.post('/providers/:id/applications/new', { schema: { hide: true } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const provider = await readableProvider(request, id);
    const person = authorise(request, 'provider.change');
    const form = request.body as FormBody;
    const parsed = applicationInput.safeParse({
      buildings: formNumber(form, 'buildings'),
      description: formText(form, 'description'),
      submittedOn: formDate(form, 'submittedOn'),
    });
    if (!parsed.success) {
      return reply.page(
        'providers/views/application-form.njk',
        {
          title: 'Record a multi-building application',
          provider,
          values: { ...form, submittedOn: formDateParts(form, 'submittedOn') },
          errors: pointAtDayBoxes(fieldErrorsOf(parsed.error), ['submittedOn']),
        },
        400,
      );
    }
    await createApplication(db, person.id, provider.id, parsed.data);
    return reply.redirect(`/providers/${provider.id}?saved=application#applications`, 303);
  });

  app.post(
    '/providers/:id/applications/:applicationId/status',
    { schema: { hide: true } },
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

  app.get('/owner-groups', { schema: { hide: true } }, async (request, reply) => {
    authorise(request, 'provider.change');
    const added = (request.query as { added?: string }).added;
    return reply.page('providers/views/owner-groups.njk', {
      title: 'Owner groups',
      groups: await listOwnerGroups(db),
      values: {},
      added,
    });
  });

  app.post('/owner-groups', { schema: { hide: true } }, async (request, reply) => {
    const person = authorise(request, 'provider.change');
    const form = request.body as Record<string, string>;
    const parsed = ownerGroupInput.safeParse(form);
    let errors: FieldError[] = parsed.success ? [] : fieldErrorsOf(parsed.error);
    if (parsed.success) {
      try {
        await createOwnerGroup(db, person.id, parsed.data.name);
        return reply.redirect(`/owner-groups?added=${encodeURIComponent(parsed.data.name)}`, 303);
      } catch (error) {
        if (!(error instanceof Refusal) || error.errors.length === 0) throw error;
        errors = error.errors;
      }
    }
    return reply.page(
      'providers/views/owner-groups.njk',
      { title: 'Owner groups', groups: await listOwnerGroups(db), values: form, errors },
      400,
    );
  });
}
