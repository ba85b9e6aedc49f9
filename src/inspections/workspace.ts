import type { FastifyRequest } from 'fastify';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { notFound } from '../refusal.js';
import { requirePerson } from '../web/access.js';
import { savedBanner, type FormState } from '../web/forms.js';
import { presentRecord, resourceOf, visibleInspection, withRecords } from './access.js';
import { inspectionRecord, type InspectionRecord } from './record.js';
import { isRecording } from './rules.js';

/** What the team's pages on one inspection share: the working records, the banners, the page context. */

export const hidden = { schema: { hide: true } };
export const view = (name: string) => `inspections/views/${name}.njk`;

/** What the success banner says after each kind of change; the redirect names it with `?saved=`. */
const BANNERS: Record<string, string> = {
  started: 'The inspection has started',
  evidence: 'Evidence recorded',
  corrected: 'Evidence corrected: the earlier version is kept',
  'line-opened': 'Line of enquiry opened',
  'line-closed': 'Line of enquiry closed',
  dialogue: 'Dialogue recorded',
  resolved: 'Resolution of the concern recorded',
  judgement: 'Judgement recorded',
  requirement: 'Requirement added',
  recommendation: 'Recommendation added',
  'error-put-right': 'Error put right recorded',
  feedback: 'Feedback recorded',
  planned: 'The inspection has been planned',
  'additional-visit': 'The inspection has been declared incomplete and this additional visit planned',
};

export const bannerFor = (request: FastifyRequest) => savedBanner(request, BANNERS);

export type Evidence = InspectionRecord['evidence'][number] & { ref: string; lineTitle: string | null };

/** The working records of an inspection as a member of the inspectorate sees them. */
export interface Workspace {
  person: Person;
  record: InspectionRecord;
  /** Current evidence, numbered E1, E2… in the order it was first recorded. */
  evidence: Evidence[];
  onTeam: boolean;
  /** On the team, and the team is on site. */
  canRecord: boolean;
}

export const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function numbered(record: InspectionRecord): Evidence[] {
  const titles = new Map(record.linesOfEnquiry.map((l) => [l.id, l.title]));
  return record.evidence.map((e, index) => ({
    ...e,
    ref: `E${index + 1}`,
    lineTitle: e.lineOfEnquiryId ? (titles.get(e.lineOfEnquiryId) ?? null) : null,
  }));
}

/** The inspection with its working records, or 404 for anyone who may not see them. */
export async function workspace(request: FastifyRequest, id: string): Promise<Workspace> {
  const inspection = await visibleInspection(request, id);
  const person = requirePerson(request);
  const full = await inspectionRecord(request.server.db, inspection.id, inspection);
  if (!full) throw notFound();
  const record = presentRecord(person, full);
  // Evidence, lines of enquiry and dialogue are the inspectorate's: for anyone else these pages do not exist.
  if (!withRecords(record)) throw notFound();
  const onTeam = can(person, 'inspection.record', resourceOf(record));
  return {
    person,
    record,
    evidence: numbered(record),
    onTeam,
    canRecord: onTeam && isRecording(record.status),
  };
}

/** What every workspace page shows: the inspection, its evidence, the banner, and a form sent back. */
export function workspaceContext(request: FastifyRequest, w: Workspace, title: string, state: FormState) {
  return {
    title,
    inspection: w.record,
    evidence: w.evidence,
    evidenceById: Object.fromEntries(w.evidence.map((e) => [e.id, e])),
    canRecord: w.canRecord,
    notRecording: w.onTeam && !w.canRecord,
    banner: bannerFor(request),
    errors: state.errors ?? [],
    posted: state.posted ?? null,
  };
}
