import type { FastifyInstance, FastifyRequest } from 'fastify';
import { englishDate, today } from '../clock.js';
import { RuleError } from '../frameworks/rules.js';
import { visibleInspection } from '../inspections/access.js';
import { can, type Action } from '../people/policy.js';
import { hasRole, type Person } from '../people/rules.js';
import { requirePerson } from '../web/access.js';
import { forbidden, Problem } from '../web/problem.js';
import { invalid, notFound, unprocessable } from '../refusal.js';
import { intake, openSteps, type ComplaintStep } from './rules.js';
import type { NewComplaintBody } from './schemas.js';
import {
  findComplaint,
  listComplaintNotes,
  raiseComplaint,
  stateOf,
  type Complaint,
  type ComplaintScope,
} from './store.js';

/** Who may see and do what with a complaint, shared by the API and the pages. */

/** Which complaints a person's lists show: all for the inspectorate, escalated ones for ICASO, own for providers. */
export function complaintScope(person: Person): ComplaintScope {
  if (hasRole(person, 'complaints', 'manager')) return { kind: 'all' };
  if (hasRole(person, 'adjudicator')) return { kind: 'escalated' };
  if (hasRole(person, 'provider')) return { kind: 'providers', providerIds: person.providerIds };
  return { kind: 'none' };
}

/** The complaint as the policy sees it. */
export const complaintResource = (complaint: Complaint) => ({
  providerId: complaint.inspection.provider.id,
  escalated: complaint.escalation !== null,
});

/** The complaint if the person may see it at all; otherwise 404, as if it did not exist. */
export async function visibleComplaint(request: FastifyRequest, id: string) {
  const person = requirePerson(request);
  const complaint = await findComplaint(request.server.db, id);
  if (!complaint || !can(person, 'complaint.read', complaintResource(complaint))) throw notFound();
  return { complaint, person };
}

/**
 * The permission each step needs. The complainant asks for a review or escalation; complaints staff may
 * record a request made by phone or email.
 */
export const STEP_ACTIONS = {
  acknowledge: 'complaint.handle',
  'decide-late': 'complaint.handle',
  note: 'complaint.handle',
  respond: 'complaint.handle',
  'decide-review': 'complaint.handle',
  'request-review': 'complaint.raise',
  escalate: 'complaint.raise',
  rule: 'complaint.rule',
} as const satisfies Record<ComplaintStep, Action>;

/** A step's route access: its permission, and the words for anyone whose role never has it. */
export const stepAccess = (step: ComplaintStep) => ({ action: STEP_ACTIONS[step], refusal: WHO_MAY[step] });

/** Whether the person may take `step` on the complaint, by role (not by stage). */
export function mayTake(person: Person, complaint: Complaint, step: ComplaintStep): boolean {
  return can(person, STEP_ACTIONS[step], complaintResource(complaint));
}

/** The steps this person may take now. */
export function actionsFor(person: Person, complaint: Complaint, now: Date): ComplaintStep[] {
  return openSteps(stateOfComplaint(complaint), englishDate(now)).filter((step) =>
    mayTake(person, complaint, step),
  );
}

function stateOfComplaint(complaint: Complaint) {
  return stateOf({
    status: complaint.status,
    procedure_id: complaint.procedure.id,
    closed_at: complaint.closedAt ? new Date(complaint.closedAt) : null,
    acknowledged_at: complaint.acknowledgedAt ? new Date(complaint.acknowledgedAt) : null,
    internal_review_requested_at: complaint.internalReview?.requestedAt
      ? new Date(complaint.internalReview.requestedAt)
      : null,
    escalated_at: complaint.escalation ? new Date(complaint.escalation.escalatedAt) : null,
    late: complaint.timeLimit.late,
    late_decision: complaint.timeLimit.decision?.decision ?? null,
  });
}

/** A complaint a person may act on by role; 404 if they may not see it, 403 if they may not do this. */
export async function complaintToAct(request: FastifyRequest, id: string, step: ComplaintStep) {
  const { complaint, person } = await visibleComplaint(request, id);
  if (!mayTake(person, complaint, step)) {
    const message = WHO_MAY[step];
    throw new Problem(403, 'Forbidden', message, [{ field: 'authorization', message }]);
  }
  return { complaint, person };
}

/** Who may take each step, for the refusal of anyone else. */
const WHO_MAY: Record<ComplaintStep, string> = {
  acknowledge: 'Only complaints staff can acknowledge a complaint',
  'decide-late': 'Only complaints staff can decide whether to accept a complaint made out of time',
  note: 'Only complaints staff can add investigation notes',
  respond: 'Only complaints staff can respond to a complaint',
  'decide-review': 'Only complaints staff can decide an internal review',
  'request-review':
    'Only the complainant, or complaints staff on the complainant’s behalf, can ask for an internal review',
  escalate:
    'Only the complainant, or complaints staff on the complainant’s behalf, can escalate a complaint to ICASO',
  rule: 'Only the independent adjudicator (ICASO) can rule on a complaint',
};

/** What a person sees of a complaint: investigation notes are the inspectorate's, and ICASO's to judge. */
export async function presentComplaint(app: FastifyInstance, person: Person, complaint: Complaint) {
  const readsNotes = hasRole(person, 'complaints', 'manager', 'adjudicator');
  return {
    ...complaint,
    ...(readsNotes ? { notes: await listComplaintNotes(app.db, complaint.id) } : {}),
    actions: actionsFor(person, complaint, app.clock.now()),
  };
}

/**
 * Records a complaint made through the portal by a provider, or by phone or email through complaints
 * staff. Shared by the API and the pages.
 */
export async function takeInComplaint(request: FastifyRequest, body: NewComplaintBody) {
  const person = requirePerson(request);
  const inspection = await visibleInspection(request, body.inspectionId);
  if (!can(person, 'complaint.raise', { providerId: inspection.provider.id })) throw forbidden();
  const app = request.server;
  const caller = hasRole(person, 'complaints')
    ? ({ kind: 'staff' } as const)
    : ({ kind: 'provider', name: person.name, email: person.email } as const);
  const result = intake(caller, body, inspection, today(app.clock));
  if ('errors' in result) throw invalid(result.errors);
  try {
    return await raiseComplaint(app.db, person.id, result.record);
  } catch (error) {
    if (error instanceof RuleError) throw unprocessable([{ field: 'inspectionId', message: error.message }]);
    throw error;
  }
}
