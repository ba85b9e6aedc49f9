import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { can, mayEver, type Action } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { forbidden, unauthorised } from './problem.js';
import { notFound } from '../refusal.js';

/** The signed-in person; otherwise the request ends with 401 (API) or a trip to the sign-in page. */
export function requirePerson(request: FastifyRequest): Person {
  if (!request.person) throw unauthorised();
  return request.person;
}

/**
 * Asks the policy. A refusal to read a particular record answers 404 (`hide`), so that nobody learns
 * whether a record they may not see exists; other refusals answer 403.
 */
export function authorise(
  request: FastifyRequest,
  action: Action,
  resource: { providerId?: string } = {},
  refusal: 'hide' | 'forbid' = 'forbid',
): Person {
  const person = requirePerson(request);
  if (!can(person, action, resource)) throw refusal === 'hide' ? notFound() : forbidden();
  return person;
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/api';
}

/**
 * What a route needs before it reads anything sent to it: nothing (`public`), a signed-in person, or one
 * of the actions (any) for which the person's roles could ever be allowed. The record itself is checked
 * by the handler with `authorise`, once the route knows which record it is.
 */
export type Access = 'public' | 'signed-in' | Action | readonly Action[] | AccessRule;

export interface AccessRule {
  /** Those whose roles never have this are answered 404, as if the route were not there. */
  hidden?: Action;
  /** Then those whose roles never have this are refused (403)… */
  action?: Action;
  /** …in these words, when the route says who may. */
  refusal?: string;
  /** Someone signed out is answered 404 too, rather than asked to sign in (the plan). */
  signedOut?: 'not-found';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

function isRule(access: Access): access is AccessRule {
  return typeof access === 'object' && !Array.isArray(access);
}

/**
 * What a route's declared access answers this person before the route reads anything: null to let them
 * on, or the refusal (sign in, 404, 403). The matrix test asks the same question of every declaration.
 */
export function accessRefusal(access: Access, person: Person | null): Error | null {
  if (access === 'public') return null;
  if (!person) return isRule(access) && access.signedOut === 'not-found' ? notFound() : unauthorised();
  if (access === 'signed-in') return null;
  if (isRule(access)) {
    if (access.hidden && !mayEver(person, access.hidden)) return notFound();
    if (access.action && !mayEver(person, access.action)) {
      return access.refusal
        ? forbidden(access.refusal, [{ field: 'authorization', message: access.refusal }])
        : forbidden();
    }
    return null;
  }
  const actions: readonly Action[] = typeof access === 'string' ? [access] : access;
  return actions.some((action) => mayEver(person, action)) ? null : forbidden();
}

function accessCheck(access: Access): onRequestHookHandler {
  return async (request) => {
    const refusal = accessRefusal(access, request.person);
    if (refusal) throw refusal;
  };
}

/**
 * Every route must declare its access (`config: { access }`); one that does not stops the service from
 * starting. The check runs on each request after authentication and before the body is parsed or
 * validated. Static assets are public by nature and are not declared one by one.
 */
export function registerRouteAccess(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/assets/')) return;
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`${String(route.method)} ${route.url} does not declare who may use it (config.access)`);
    }
    const own = route.onRequest ?? [];
    route.onRequest = [...(Array.isArray(own) ? own : [own]), accessCheck(access)];
  });
}
