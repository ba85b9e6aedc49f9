import type { FastifyRequest } from 'fastify';
import { addCalendarDays } from '../calendar/working-days.js';
import { can, type Action } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import type { AccessRule } from '../web/access.js';
import { forbidden } from '../web/problem.js';
import { notFound } from '../refusal.js';
import { addMonths } from './rules.js';
import { findAuthoritySample, type SampleRecord } from './sample-store.js';

/** A plan route's declared access: 404 to everyone without `action`, signed in or not (see below). */
export const planAccess = (action: Action = 'plan.read'): AccessRule => ({
  hidden: action,
  signedOut: 'not-found',
});

/**
 * The plan reveals when no-notice inspections will come, so everyone who may not read it — provider
 * users, other staff and the public alike — is answered 404, as if there were nothing here.
 */
export function plannerOnly(request: FastifyRequest, action: Action = 'plan.read'): Person {
  const person = request.person ?? null;
  if (!person || !can(person, action)) throw notFound();
  return person;
}

/**
 * Drawing the annual sample of local authorities: those who may not read the plan learn nothing (404),
 * readers without the right to draw are refused (403).
 */
export function sampleDrawer(request: FastifyRequest): Person {
  const person = plannerOnly(request);
  if (!can(person, 'plan.draw-sample')) throw forbidden();
  return person;
}

/**
 * The annual sample for the year in the address (`:year`, four digits), for those who may read the plan;
 * otherwise, or when that year has none, 404.
 */
export async function readableSample(
  request: FastifyRequest,
  year = yearIn(request),
): Promise<{ person: Person; sample: SampleRecord }> {
  const person = plannerOnly(request);
  const sample = await findAuthoritySample(request.server.db, year);
  if (!sample) throw notFound();
  return { person, sample };
}

function yearIn(request: FastifyRequest): number {
  const raw = (request.params as { year: string }).year;
  return /^\d{4}$/.test(raw) ? Number(raw) : NaN;
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
