import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiRequest } from '../web/access.js';
import { personForSession } from './store.js';

export const SESSION_COOKIE = 'session';

export const CSRF_COOKIE = '_csrf';

/**
 * Works out who is asking: a bearer token on the API, the session cookie on pages. The API never
 * takes the cookie: a browser sends it by itself, so a form on another site could otherwise act as the
 * person signed in. Nobody is trusted by default; a stale or unknown credential leaves the request
 * signed out.
 */
export function registerAuthentication(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/assets/') || request.url === '/healthz') return;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      request.person = await personForSession(app.db, header.slice(7).trim(), 'api');
      return;
    }
    if (isApiRequest(request)) return;
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.person = await personForSession(app.db, token, 'browser');
  });
}

/**
 * What a page's CSRF token is bound to: the session cookie, so that a token is good only in the
 * session it was made for (and none made before signing in works after).
 */
export function csrfBinding(request: FastifyRequest): string {
  const session = request.cookies[SESSION_COOKIE];
  // Never empty: the token library refuses an empty binding.
  return session ? `session:${session}` : 'signed-out';
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    expires: expiresAt,
  });
  renewCsrfSecret(reply);
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
  renewCsrfSecret(reply);
}

/** The next page makes a new CSRF secret: done at sign-in and sign-out. */
export function renewCsrfSecret(reply: FastifyReply) {
  reply.clearCookie(CSRF_COOKIE, { path: '/' });
}
