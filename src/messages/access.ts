import type { FastifyRequest } from 'fastify';
import { isUuid } from '../fields.js';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { requirePerson } from '../web/access.js';
import { notFound } from '../refusal.js';
import { findMessage, type OutboxEntry } from './store.js';

/** Who may read which messages, shared by the API and the pages. */

/** Only one person's messages, unless the person reads every message and did not ask for their own. */
export function recipientFor(person: Person, mine: boolean): string | null {
  return can(person, 'outbox.read-all') && !mine ? null : person.email;
}

/** A message the person may read; otherwise 404, whether it is missing or someone else's. */
export async function visibleMessage(request: FastifyRequest, id: string): Promise<OutboxEntry> {
  const person = requirePerson(request);
  if (!isUuid(id)) throw notFound();
  const message = await findMessage(request.server.db, recipientFor(person, false), id);
  if (!message) throw notFound();
  return message;
}
