import type { FastifyRequest } from 'fastify';
import { can } from '../people/policy.js';
import { hasRole, type Person } from '../people/rules.js';
import { requirePerson } from '../web/access.js';
import { notFound } from '../refusal.js';
import { findNotification, type EventNotification, type NotificationScope } from './store.js';

/** Who may see what of a notification, shared by the API and the pages. */

/** Staff who read notifications see them all; a provider user only its own homes'. */
export function notificationScope(person: Person): NotificationScope {
  if (hasRole(person, 'planner', 'manager', 'inspector')) return { kind: 'all' };
  return { kind: 'own', providerIds: person.providerIds };
}

/** The notification if the person may see it at all; otherwise 404, as if it did not exist. */
export async function visibleNotification(request: FastifyRequest, id: string) {
  const person = requirePerson(request);
  const notification = await findNotification(request.server.db, id);
  if (!notification || !can(person, 'notification.read', { providerId: notification.provider.id })) {
    throw notFound();
  }
  return { notification, person };
}

/**
 * The notification as this person may see it. Staff see the review in full. A provider sees only that
 * it was reviewed and when: the outcome could tell it that an inspection is coming sooner (a no-notice
 * date is never the provider's to know), and a concern's assessment is the inspectorate's own; hiding
 * every outcome alike means none can be guessed from what is missing.
 */
export function presentNotification(person: Person, notification: EventNotification) {
  if (can(person, 'notification.review')) return notification;
  const { review: _review, ...rest } = notification;
  return rest;
}
