import type { FastifyInstance } from 'fastify';
import { fieldErrorsOf } from '../refusal.js';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './authenticate.js';
import {
  checkCredentials,
  credentials,
  PAUSED_MESSAGE,
  secondsUntil,
  signInAddressLimit,
  signInLimit,
} from './sign-in.js';
import { safeReturnTo } from './return-to.js';
import { endSession, startSession } from './store.js';

/**
 * Signing in and out of the pages (the API's tokens are in routes.ts). Not a postForm: a refused sign-in
 * is not a domain refusal but a 401 or 429 with its own words, and a pause also sets Retry-After.
 */

export async function peoplePages(app: FastifyInstance) {
  // The organisation's account is offered too when single sign-on is configured (oidc-pages.ts).
  const view = { title: 'Sign in', singleSignOn: app.config.oidc !== null };
  app.get('/sign-in', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (request.person) return reply.redirect('/', 303);
    const returnTo = safeReturnTo((request.query as { returnTo?: unknown }).returnTo);
    return reply.page('people/views/sign-in.njk', { ...view, returnTo, values: {} });
  });

  app.post(
    '/sign-in',
    {
      config: { access: 'public', rateLimit: signInLimit(app) },
      preHandler: signInAddressLimit(app),
      schema: { hide: true },
    },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const returnTo = safeReturnTo(body.returnTo);
      const parsed = credentials.safeParse(body);
      const values = { email: typeof body.email === 'string' ? body.email : '' };
      if (!parsed.success) {
        return reply.page(
          'people/views/sign-in.njk',
          { ...view, returnTo, values, errors: fieldErrorsOf(parsed.error) },
          400,
        );
      }
      const outcome = await checkCredentials(app, parsed.data.email, parsed.data.password);
      if ('pausedUntil' in outcome) {
        reply.header('retry-after', secondsUntil(app, outcome.pausedUntil));
        const errors = [{ field: 'email', message: PAUSED_MESSAGE }];
        return reply.page('people/views/sign-in.njk', { ...view, returnTo, values, errors }, 429);
      }
      if ('failed' in outcome) {
        const errors = [{ field: 'email', message: 'Enter a correct email address and password' }];
        return reply.page('people/views/sign-in.njk', { ...view, returnTo, values, errors }, 401);
      }
      const session = await startSession(app.db, outcome.personId, 'browser', app.config.sessionHours);
      setSessionCookie(reply, session.token, session.expiresAt, app.config.production);
      return reply.redirect(returnTo, 303);
    },
  );

  app.post(
    '/sign-out',
    { config: { access: 'signed-in' }, schema: { hide: true } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await endSession(app.db, token);
      clearSessionCookie(reply);
      return reply.redirect('/sign-in?signedOut=1', 303);
    },
  );
}
