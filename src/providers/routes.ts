import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { historyOf } from '../audit/store.js';
import { cursorField, keysetApiPage, keysetPageFields } from '../db/keyset-http.js';
import { today } from '../clock.js';
import { isUuid } from '../fields.js';
import { providerScope } from '../people/policy.js';
import { authorise } from '../web/access.js';
import { problemSchema, forbidden } from '../web/problem.js';
import { notFound } from '../refusal.js';
import { readableProvider } from './access.js';
import {
  applicationInput,
  applicationStatusChange,
  ownerGroupInput,
  providerChange,
  providerInput,
} from './rules.js';
import { applicationSchema, historySchema, listQuery, ownerGroupSchema, providerSchema } from './schemas.js';
import {
  changeProvider,
  createApplication,
  createOwnerGroup,
  createProvider,
  listApplications,
  listOwnerGroups,
  moveApplication,
  PROVIDER_ORDER,
  searchProviders,
} from './store.js';

const idParams = z.object({ id: z.string() });
const applicationParams = z.object({ id: z.string(), applicationId: z.string() });

/** The register through the API; the pages are in pages.ts. */
export async function providerRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  app.get(
    '/api/providers',
    {
      config: { access: 'providers.list' },
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
      config: { access: 'provider.create' },
      schema: {
        tags: ['providers'],
        summary: 'Register a provider (planners and managers)',
        body: providerInput,
        response: {
          201: providerSchema,
          400: problemSchema,
          401: problemSchema,
          403: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'provider.create');
      const provider = await createProvider(db, person.id, request.body, today(app.clock));
      return reply.status(201).header('location', `/api/providers/${provider.id}`).send(provider);
    },
  );

  app.get(
    '/api/providers/:id',
    {
      config: { access: { hidden: 'provider.read' } },
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
      config: { access: 'provider.change' },
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
          422: problemSchema,
        },
      },
    },
    async (request) => {
      await readableProvider(request, request.params.id);
      const person = authorise(request, 'provider.change');
      return changeProvider(db, person.id, request.params.id, request.body, today(app.clock));
    },
  );

  app.get(
    '/api/providers/:id/history',
    {
      config: { access: { hidden: 'audit.read' } },
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
      config: { access: { hidden: 'provider.read' } },
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
      config: { access: 'provider.change' },
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
          422: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const provider = await readableProvider(request, request.params.id);
      const person = authorise(request, 'provider.change');
      return reply
        .status(201)
        .send(await createApplication(db, person.id, provider, request.body, today(app.clock)));
    },
  );

  app.post(
    '/api/providers/:id/applications/:applicationId/status',
    {
      config: { access: 'provider.change' },
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
      config: { access: 'providers.list' },
      schema: {
        tags: ['providers'],
        summary: 'Owner groups with their number of providers and places',
        response: {
          200: z.array(ownerGroupSchema),
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
      config: { access: 'provider.change' },
      schema: {
        tags: ['providers'],
        summary: 'Add an owner group (planners and managers)',
        body: ownerGroupInput,
        response: {
          201: ownerGroupSchema,
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
}
