import type { FastifyInstance, FastifyReply } from 'fastify';
import { personForSession } from './store.js';

export const SESSION_COOKIE = 'session';

/**
 * Works out who is asking: a bearer token on the API, the session cookie on pages. Nobody is
 * trusted by default; a stale or unknown credential simply leaves the request signed out.
 */
export function registerAuthentication(app: FastifyInstance) {
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/assets/') || request.url === '/healthz') return;
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      request.person = await personForSession(app.db, header.slice(7).trim(), 'api');
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.person = await personForSession(app.db, token, 'browser');
  });
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    expires: expiresAt,
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
