import type { FastifyRequest } from 'fastify';
import { can, type Action } from '../people/policy.js';
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
