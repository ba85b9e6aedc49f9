import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cursorField, keysetApiPage, keysetPageFields } from '../db/keyset-http.js';
import { problemSchema } from '../web/problem.js';
import { accountFields } from './accounts.js';
import {
  changeAs,
  inviteAs,
  managedPerson,
  peopleListQuery,
  peopleManager,
  resendAs,
} from './admin-access.js';
import { PEOPLE_ORDER, searchPeople } from './people-admin-store.js';
import { peopleScope } from './policy.js';
import { ROLES } from './rules.js';

/** Managing accounts through the API (administrators, and providers' own administrators); pages in admin-pages.ts. */

const idParams = z.object({ id: z.string() });

export const managedPersonSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  providers: z.array(z.object({ id: z.uuid(), urn: z.string(), name: z.string() })),
  providerAdmin: z.boolean(),
  active: z.boolean(),
  invitationPending: z
    .boolean()
    .describe('Invited, and has not yet chosen a password nor signed in through their organisation'),
  lastSignedInAt: z.string().nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});

const invitedSchema = managedPersonSchema.extend({
  invitationUrl: z
    .string()
    .describe('The one-time link also sent by email, to pass on another way if the email goes astray'),
});

const accountChange = z.object({
  version: z.number({ message: 'Send the version you read' }).int('Send the version you read'),
  name: accountFields.shape.name.optional(),
  roles: accountFields.shape.roles.optional(),
  providers: z.array(z.uuid({ message: 'Each provider must be a provider’s id' })).optional(),
  providerAdmin: z.boolean({ message: 'providerAdmin must be true or false' }).optional(),
  active: z.boolean({ message: 'active must be true or false' }).optional(),
});

const refusals = { 400: problemSchema, 401: problemSchema, 403: problemSchema };

export async function peopleAdminRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  app.get(
    '/api/people',
    {
      config: { access: 'people.manage' },
      schema: {
        tags: ['people'],
        summary:
          'Search accounts (administrators: all; a provider’s own administrator: its providers’ accounts)',
        querystring: peopleListQuery.extend({ cursor: cursorField(PEOPLE_ORDER) }),
        response: {
          200: z.object({ items: z.array(managedPersonSchema), ...keysetPageFields }),
          ...refusals,
        },
      },
    },
    async (request, reply) => {
      const person = peopleManager(request);
      const { cursor, ...search } = request.query;
      const { page } = await keysetApiPage(request.url, reply, PEOPLE_ORDER, cursor, (paging) =>
        searchPeople(db, peopleScope(person), { ...search, ...paging }),
      );
      return page;
    },
  );

  app.post(
    '/api/people',
    {
      config: { access: 'people.manage' },
      schema: {
        tags: ['people'],
        summary: 'Invite someone: makes the account and emails them a one-time link to choose a password',
        body: accountFields,
        response: { 201: invitedSchema, ...refusals, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const manager = peopleManager(request);
      const { providers, ...fields } = request.body;
      const { person, invitation } = await inviteAs(request, manager, { ...fields, providerIds: providers });
      return reply
        .status(201)
        .header('location', `/api/people/${person.id}`)
        .send({ ...person, invitationUrl: invitation.invitationUrl });
    },
  );

  app.get(
    '/api/people/:id',
    {
      config: { access: 'people.manage' },
      schema: {
        tags: ['people'],
        summary: 'One account',
        params: idParams,
        response: { 200: managedPersonSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema },
      },
    },
    async (request) => managedPerson(request, request.params.id),
  );

  app.patch(
    '/api/people/:id',
    {
      config: { access: 'people.manage' },
      schema: {
        tags: ['people'],
        summary:
          'Change an account’s name, roles, providers or provider-administrator flag, or disable or ' +
          're-enable it; send `version` to refuse a lost update. Disabling ends its sessions and tokens',
        params: idParams,
        body: accountChange,
        response: {
          200: managedPersonSchema,
          ...refusals,
          404: problemSchema,
          409: problemSchema,
          422: problemSchema,
        },
      },
    },
    async (request) => {
      const account = await managedPerson(request, request.params.id);
      const manager = peopleManager(request);
      const { version, providers, ...change } = request.body;
      return changeAs(request, manager, account, version, { ...change, providerIds: providers });
    },
  );

  app.post(
    '/api/people/:id/invitation',
    {
      config: { access: 'people.manage' },
      schema: {
        tags: ['people'],
        summary: 'Send the invitation again with a new link (the old one stops working)',
        params: idParams,
        response: {
          200: invitedSchema,
          401: problemSchema,
          403: problemSchema,
          404: problemSchema,
          409: problemSchema,
        },
      },
    },
    async (request) => {
      const account = await managedPerson(request, request.params.id);
      const { person, invitation } = await resendAs(request, peopleManager(request), account);
      return { ...person, invitationUrl: invitation.invitationUrl };
    },
  );
}
