import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/store.js';
import { inTransaction } from '../db/database.js';
import { findProvidersByIds } from '../providers/store.js';
import { requirePerson } from '../web/access.js';
import { Problem, problemSchema } from '../web/problem.js';
import { fieldErrorsOf } from '../refusal.js';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './authenticate.js';
import { verifyPassword } from './passwords.js';
import { normaliseEmail, ROLES, type Person } from './rules.js';
import { LOCKOUT_MINUTES, pausedUntil, startsPause } from './lockout.js';
import {
  clearSignInFailures,
  endSession,
  findCredentials,
  findSignInFailures,
  recordSignInFailure,
  startSession,
} from './store.js';

const credentials = z.object({
  email: z.string({ message: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(320),
  password: z.string({ message: 'Enter your password' }).min(1, 'Enter your password').max(1000),
});

const meSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(ROLES)),
  providers: z.array(z.object({ id: z.uuid(), urn: z.string(), name: z.string() })),
});

/** Only a path on this site may be returned to after signing in. */
function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

type SignInOutcome = { personId: string } | { failed: true } | { pausedUntil: Date };

/**
 * Checks an email and password, counting failures per address (lockout.ts). An address with no account
 * goes through the same steps, is counted and paused the same way, and gets the same answers, so
 * neither the words nor the pause tell anyone whether an account exists.
 */
async function checkCredentials(
  app: FastifyInstance,
  email: string,
  password: string,
): Promise<SignInOutcome> {
  const address = normaliseEmail(email);
  const now = app.clock.now();
  const paused = pausedUntil(await findSignInFailures(app.db, address), now);
  if (paused) return { pausedUntil: paused };
  const found = await findCredentials(app.db, address);
  const ok = await verifyPassword(found?.password_hash ?? null, password);
  // Each change to the count is written together with its audit entry, or not at all.
  if (ok && found) {
    await inTransaction(app.db, async (trx) => {
      const failures = await clearSignInFailures(trx, address);
      if (failures > 0)
        await recordAudit(trx, {
          actorId: found.id,
          action: 'sign-in.failures-cleared',
          entityType: 'person',
          entityId: found.id,
          before: { failures },
          after: null,
        });
    });
    return { personId: found.id };
  }
  await inTransaction(app.db, async (trx) => {
    const state = await recordSignInFailure(trx, address, now);
    if (found && startsPause(state))
      await recordAudit(trx, {
        actorId: null,
        action: 'sign-in.paused',
        entityType: 'person',
        entityId: found.id,
        before: null,
        after: { failures: state.failures, lockedUntil: state.lockedUntil?.toISOString() ?? null },
      });
  });
  return { failed: true };
}

const PAUSED_MESSAGE = `Too many attempts to sign in with this email address. Wait ${LOCKOUT_MINUTES} minutes, then try again`;

function secondsUntil(app: FastifyInstance, until: Date): string {
  return String(Math.max(1, Math.ceil((until.getTime() - app.clock.now().getTime()) / 1000)));
}

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
  const signInLimit = {
    max: app.config.signInRateLimit,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => {
      const body = request.body as { email?: unknown } | undefined;
      const email = typeof body?.email === 'string' ? normaliseEmail(body.email) : '';
      return `${request.ip}|${email}`;
    },
  };

  app.post(
    '/api/tokens',
    {
      config: { rateLimit: signInLimit },
      schema: {
        tags: ['people'],
        summary: 'Exchange an email and password for a bearer token',
        security: [],
        body: credentials,
        response: {
          201: z.object({ token: z.string(), expiresAt: z.string() }),
          400: problemSchema,
          401: problemSchema,
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
      const session = await startSession(app.db, outcome.personId, 'api', app.config.sessionHours);
      return reply.status(201).send({ token: session.token, expiresAt: session.expiresAt.toISOString() });
    },
  );

  app.delete(
    '/api/tokens/current',
    {
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
      schema: {
        tags: ['people'],
        summary: 'The signed-in person',
        response: { 200: meSchema, 401: problemSchema },
      },
    },
    async (request) => presentPerson(app, requirePerson(request)),
  );

  app.get('/sign-in', { schema: { hide: true } }, async (request, reply) => {
    if (request.person) return reply.redirect('/', 303);
    const returnTo = safeReturnTo((request.query as { returnTo?: unknown }).returnTo);
    return reply.page('people/views/sign-in.njk', { title: 'Sign in', returnTo, values: {} });
  });

  app.post(
    '/sign-in',
    { config: { rateLimit: signInLimit }, schema: { hide: true } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const returnTo = safeReturnTo(body.returnTo);
      const parsed = credentials.safeParse(body);
      const values = { email: typeof body.email === 'string' ? body.email : '' };
      if (!parsed.success) {
        return reply.page(
          'people/views/sign-in.njk',
          { title: 'Sign in', returnTo, values, errors: fieldErrorsOf(parsed.error) },
          400,
        );
      }
      const outcome = await checkCredentials(app, parsed.data.email, parsed.data.password);
      if ('pausedUntil' in outcome) {
        reply.header('retry-after', secondsUntil(app, outcome.pausedUntil));
        const errors = [{ field: 'email', message: PAUSED_MESSAGE }];
        return reply.page('people/views/sign-in.njk', { title: 'Sign in', returnTo, values, errors }, 429);
      }
      if ('failed' in outcome) {
        const errors = [{ field: 'email', message: 'Enter a correct email address and password' }];
        return reply.page('people/views/sign-in.njk', { title: 'Sign in', returnTo, values, errors }, 401);
      }
      const session = await startSession(app.db, outcome.personId, 'browser', app.config.sessionHours);
      setSessionCookie(reply, session.token, session.expiresAt, app.config.production);
      return reply.redirect(returnTo, 303);
    },
  );

  app.post('/sign-out', { schema: { hide: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(app.db, token);
    clearSessionCookie(reply);
    return reply.redirect('/sign-in?signedOut=1', 303);
  });
}
