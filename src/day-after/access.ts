import type { FastifyRequest } from 'fastify';
import type { Inspection } from '../inspections/store.js';
import { can } from '../people/policy.js';
import { hasRole, type Person } from '../people/rules.js';
import { requirePerson } from '../web/access.js';
import { Problem } from '../web/problem.js';
import { notFound } from '../refusal.js';
import { findDayAfterContact, type DayAfterContact } from './store.js';

/** Who may see and handle a day-after contact, and what the provider sees of it. */

export const ownsInspection = (person: Person, inspection: Inspection) =>
  can(person, 'day-after.raise', { providerId: inspection.provider.id });

export function forProvider(contact: DayAfterContact) {
  return {
    id: contact.id,
    issues: contact.issues,
    raisedAt: contact.raisedAt,
    takenBy: contact.assignedTo.name,
    answered: contact.outcome !== null,
  };
}

/** A contact the person handles (assigned, or complaints staff and managers); 404 for anyone else. */
export async function handledContact(request: FastifyRequest, id: string) {
  const person = requirePerson(request);
  const contact = await findDayAfterContact(request.server.db, id);
  if (!contact || !can(person, 'day-after.handle', { assignedTo: contact.assignedTo.id })) throw notFound();
  return { contact, person };
}

/** Only the inspector the contact is assigned to records its outcome. */
export function mustBeAssigned(person: Person, contact: DayAfterContact) {
  if (contact.assignedTo.id !== person.id) {
    const message = `Only ${contact.assignedTo.name}, who was assigned the contact, can record its outcome`;
    throw new Problem(403, 'Forbidden', message, [{ field: 'authorization', message }]);
  }
}

/** Contacts this person sees in the list: all for complaints staff and managers, otherwise their own. */
export function listFilter(person: Person) {
  return hasRole(person, 'complaints', 'manager') ? {} : { assignedTo: person.id };
}
