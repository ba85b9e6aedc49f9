import type { FastifyRequest } from 'fastify';
import { can, type Action } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { notFound } from '../refusal.js';
import { authorise, requirePerson } from '../web/access.js';
import { forbidden } from '../web/problem.js';
import { feedbackGiven } from './dialogue.js';
import type { InspectionRecord } from './record.js';
import { findInspection, type Inspection } from './store.js';

/** Who may see and change an inspection, shared by the API, the pages and the capabilities built on it. */

/** The inspection as the policy sees it: whose provider, what notice, what stage, who is on the team. */
export const resourceOf = (inspection: Inspection) => ({
  providerId: inspection.provider.id,
  notice: inspection.notice,
  status: inspection.status,
  teamIds: [inspection.leadInspector.id, ...inspection.team.map((m) => m.id)],
});

/** The inspection if the person may see it at all; otherwise 404, as if it did not exist. */
export async function visibleInspection(request: FastifyRequest, id: string): Promise<Inspection> {
  requirePerson(request);
  const inspection = await findInspection(request.server.db, id);
  if (!inspection || !can(request.person, 'inspection.read', resourceOf(inspection))) throw notFound();
  return inspection;
}

/** An inspection the person is on the team of, for recording on it. */
export async function inspectionToRecordOn(
  request: FastifyRequest,
  id: string,
): Promise<{ inspection: Inspection; person: Person }> {
  const inspection = await visibleInspection(request, id);
  const person = authorise(request, 'inspection.record', resourceOf(inspection));
  return { inspection, person };
}

/** The inspection, or 404 if hidden from the person; then 403 if their role may not do `action` to it. */
export async function inspectionFor(
  request: FastifyRequest,
  id: string,
  action: Action,
): Promise<{ inspection: Inspection; person: Person }> {
  const inspection = await visibleInspection(request, id);
  const person = authorise(request, action);
  return { inspection, person };
}

/** The team starts its own visit; a manager completes it after moderation. Otherwise 403. */
export function authoriseMove(request: FastifyRequest, inspection: Inspection, to: 'on-site' | 'completed') {
  const person = requirePerson(request);
  const allowed =
    to === 'on-site'
      ? can(person, 'inspection.record', resourceOf(inspection))
      : can(person, 'inspection.moderate');
  if (!allowed) throw forbidden();
  return person;
}

/** What a person sees of an inspection: providers get the findings after feedback, never the working records. */
export function presentRecord(person: Person | null, record: InspectionRecord) {
  const resource = resourceOf(record);
  if (can(person, 'inspection.read-records', resource)) return record;
  const { evidence: _e, linesOfEnquiry: _l, dialogue: _d, substantiation: _s, ...rest } = record;
  if (can(person, 'inspection.read-findings', resource)) return rest;
  return {
    ...rest,
    judgements: [],
    overallGrade: null,
    requirements: [],
    recommendations: [],
    errorsPutRight: [],
  };
}

/** Whether what a person may see of an inspection includes the working records (the inspectorate only). */
export function withRecords(seen: ReturnType<typeof presentRecord>): seen is InspectionRecord {
  return 'evidence' in seen && 'substantiation' in seen;
}

/**
 * The inspection whose dialogue log the person may read: the inspectorate's always, a provider's own once
 * feedback is given (seed 003); otherwise 404, as if it did not exist.
 */
export async function dialogueToRead(request: FastifyRequest, id: string) {
  const inspection = await visibleInspection(request, id);
  const person = requirePerson(request);
  const given = await feedbackGiven(request.server.db, inspection.id);
  if (!can(person, 'inspection.read-dialogue', { ...resourceOf(inspection), feedbackGiven: given })) {
    throw notFound();
  }
  return { inspection, person, feedbackGiven: given };
}

export const ONLY_THE_LEAD = 'Only the lead inspector can escalate a concern to a manager';

/** The inspection's lead inspector, who alone escalates a concern; 403 for the rest of the team. */
export async function leadToEscalate(request: FastifyRequest, id: string) {
  const { inspection, person } = await inspectionToRecordOn(request, id);
  if (inspection.leadInspector.id !== person.id) {
    throw forbidden(ONLY_THE_LEAD, [{ field: 'authorization', message: ONLY_THE_LEAD }]);
  }
  return { inspection, person };
}
