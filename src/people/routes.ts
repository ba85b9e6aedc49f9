import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findProvidersByIds } from '../providers/store.js';
import { requirePerson } from '../web/access.js';
import { Problem, problemSchema } from '../web/problem.js';
import { ROLES, type Person } from './rules.js';
import {
  checkCredentials,
  credentials,
  PAUSED_MESSAGE,
  secondsUntil,
  signInAddressLimit,
  signInLimit,
} from './sign-in.js';
import { endSession, startSession } from './store.js';
import { ENTER_CODE, requireSecondFactorForToken } from './second-factor.js';

/** Tokens and the signed-in person through the API (signing in and out of the pages is in pages.ts). */

const meSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  providers: z.array(z.object({ id: z.uuid(), urn: z.string(), name: z.string() })),
});

export async function presentPerson(app: FastifyInstance, person: Person) {
  const providers = await findProvidersByIds(app.db, person.providerIds);
  return {
    id: person.id,
    email: person.email,
    name: person.name,
    roles: person.roles,
    providers: providers.map((p) => ({ id: p.id, urn: p.urn, name: p.name })),
  };
}

export async function peopleRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/api/tokens',
    {
      config: { access: 'public', rateLimit: signInLimit(app) },
      preHandler: signInAddressLimit(app),
      schema: {
        tags: ['people'],
        summary: 'Exchange an email and password (and a two-factor code, if set up) for a bearer token',
        security: [],
        body: credentials.extend({
          code: z
            .string()
            .trim()
            .min(1, ENTER_CODE)
            .max(100)
            .optional()
            .describe(
              'The code from the authenticator app, or a recovery code: needed once two-factor sign-in is on',
            ),
        }),
        response: {
          201: z.object({ token: z.string(), expiresAt: z.string() }),
          400: problemSchema,
          401: problemSchema,
          403: problemSchema.describe('Two-factor sign-in is required and not yet set up'),
          429: problemSchema,
        },
      },
    },
    async (request, reply) => {
      const outcome = await checkCredentials(app, request.body.email, request.body.password);
      if ('pausedUntil' in outcome) {
        reply.header('retry-after', secondsUntil(app, outcome.pausedUntil));
        throw new Problem(429, 'Too many requests', `${PAUSED_MESSAGE}.`);
      }
      if ('failed' in outcome)
        throw new Problem(401, 'Sign in failed', 'The email address or password is not correct.');
      await requireSecondFactorForToken(app, reply, outcome.personId, request.body.code);
      const session = await startSession(app.db, outcome.personId, 'api', app.config.sessionHours);
      return reply.status(201).send({ token: session.token, expiresAt: session.expiresAt.toISOString() });
    },
  );

  app.delete(
    '/api/tokens/current',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['people'],
        summary: 'Revoke the bearer token used for this request',
        response: { 204: z.null().describe('Revoked'), 401: problemSchema },
      },
    },
    async (request, reply) => {
      requirePerson(request);
      await endSession(app.db, request.headers.authorization!.slice(7).trim());
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['people'],
        summary: 'The signed-in person',
        response: { 200: meSchema, 401: problemSchema },
      },
    },
    async (request) => presentPerson(app, requirePerson(request)),
  );
}
