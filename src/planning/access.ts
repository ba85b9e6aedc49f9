import type { FastifyRequest } from 'fastify';
import { addCalendarDays } from '../calendar/working-days.js';
import { can, type Action } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { notFound } from '../refusal.js';
import { addMonths } from './rules.js';

/**
 * The plan reveals when no-notice inspections will come, so everyone who may not read it — provider
 * users, other staff and the public alike — is answered 404, as if there were nothing here.
 */
export function plannerOnly(request: FastifyRequest, action: Action = 'plan.read'): Person {
  const person = request.person ?? null;
  if (!person || !can(person, action)) throw notFound();
  return person;
}

/** The period asked for, or from today for three months. */
export function planPeriod(on: string, query: { from?: string | undefined; to?: string | undefined }) {
  const from = query.from ?? on;
  const to = query.to ?? addCalendarDays(addMonths(from, 3), -1);
  return { from, to };
}

/** The what-if's period, or two years from the start of this month. */
export function whatIfPeriod(on: string, query: { from?: string | undefined; to?: string | undefined }) {
  const from = query.from ?? `${on.slice(0, 7)}-01`;
  const to = query.to ?? addCalendarDays(addMonths(from, 24), -1);
  return { from, to };
}
