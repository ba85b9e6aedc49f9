import type { FastifyRequest } from 'fastify';
import { can } from '../people/policy.js';
import { authorise } from '../web/access.js';
import { Problem } from '../web/problem.js';
import { notFound } from '../refusal.js';
import type { NewConcernBody } from './schemas.js';
import {
  findConcern,
  otherConcernsAbout,
  raisePublicConcern,
  recordConcernForOthers,
  type Concern,
} from './store.js';

/** Who may see and do what with a concern, shared by the API and the pages. */

/**
 * The public may raise a concern at most this many times an hour from one address; staff signed in are
 * not counted. Enough for a family or an office, too few to flood the planners.
 */
export const PUBLIC_CONCERN_LIMIT = {
  max: 20,
  timeWindow: '1 hour',
  allowList: (request: FastifyRequest) => request.person !== null,
  errorResponseBuilder: () =>
    new Problem(
      429,
      'Too many requests',
      'Too many concerns have been sent from your connection in the last hour. Try again later. If a child is in immediate danger, call 999.',
    ),
};

/**
 * Staff lists and records are answered with 404 for anyone else, so that the routes themselves reveal
 * nothing to a provider or the public.
 */
export function authoriseStaff(request: FastifyRequest, action: 'concerns.list' | 'concern.read') {
  return authorise(request, action, {}, 'hide');
}

/** The concern, with the provider's other concerns, for staff who may read it; otherwise 404. */
export async function visibleConcern(request: FastifyRequest, id: string) {
  const person = authoriseStaff(request, 'concern.read');
  const concern = await findConcern(request.server.db, id);
  if (!concern) throw notFound();
  const otherConcerns = concern.provider
    ? await otherConcernsAbout(request.server.db, concern.provider.id, concern.id)
    : [];
  return { person, concern, otherConcerns };
}

/**
 * Takes in a concern: from staff (a channel given) as a call or email about a provider on the register,
 * otherwise as the public's own, whoever is signed in.
 */
export async function takeInConcern(
  request: FastifyRequest,
  body: NewConcernBody,
): Promise<{ id: string; reference: string; staff: boolean }> {
  const app = request.server;
  if (body.channel) {
    const person = authorise(request, 'concern.raise-for-others');
    const recorded = await recordConcernForOthers(
      app.db,
      person.id,
      { ...body, channel: body.channel, providerId: body.providerId! },
      app.clock.now(),
    );
    return { ...recorded, staff: true };
  }
  return { ...(await raisePublicConcern(app.db, body, app.clock.now())), staff: false };
}

export const mayAssess = (request: FastifyRequest) => can(request.person, 'concern.assess');

export type { Concern };
