import type { FastifyReply, FastifyRequest } from 'fastify';
import { procedureFor, RuleError } from '../frameworks/rules.js';
import type { PostInspectionProcedure } from '../frameworks/types.js';
import { resourceOf } from '../inspections/access.js';
import { findInspection, type Inspection } from '../inspections/store.js';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { notFound, unprocessable } from '../refusal.js';
import { sendPdf } from './pdf-delivery.js';
import { noHistory, procedureById, reportTimeline, type TimelineStep } from './rules.js';
import { findReport, type Report } from './store.js';

/** Who may read a report, and what they see of it: shared by the API and the pages. */

/**
 * The report if the person may read it: a published report is public; until then only the
 * inspectorate and the provider's own users see it, and to everyone else it does not exist.
 */
export async function readableReport(request: FastifyRequest, id: string): Promise<Report> {
  const report = await findReport(request.server.db, id);
  if (!report) throw notFound();
  if (report.status === 'published' || mayFollowReport(request.person, report)) return report;
  throw notFound();
}

/** Whether the person sees the report's working: its versions and the provider's answer. */
export function mayFollowReport(person: Person | null, report: Report): boolean {
  return can(person, 'report.read', { providerId: report.providerId });
}

/** The report as the person may see it: the public sees the current version only. */
export function presentReport(person: Person | null, report: Report) {
  const { providerId: _p, response, versions, ...rest } = report;
  return mayFollowReport(person, report) ? { ...rest, response, versions } : rest;
}

/** The report with its inspection, for a change that depends on who is on the inspection's team. */
export async function reportWithInspection(
  request: FastifyRequest,
  id: string,
): Promise<{ report: Report; inspection: Inspection; resource: ReturnType<typeof resourceOf> }> {
  const report = await readableReport(request, id);
  const inspection = await findInspection(request.server.db, report.inspectionId);
  if (!inspection) throw notFound();
  return { report, inspection, resource: resourceOf(inspection) };
}

/** The procedure an inspection's report runs under: the report's own, or the one in force on its last day. */
function procedureOfInspection(inspection: Inspection, report: Report | null): PostInspectionProcedure {
  const recorded = report ? procedureById(report.procedure.id) : null;
  if (recorded) return recorded;
  try {
    return procedureFor(inspection.endDate);
  } catch (error) {
    if (error instanceof RuleError) throw unprocessable([{ field: 'endDate', message: error.message }]);
    throw error;
  }
}

/** Each step after the inspection with its deadline, and what has happened so far, oldest first. */
export function inspectionTimeline(inspection: Inspection, report: Report | null) {
  const procedure = procedureOfInspection(inspection, report);
  const steps: TimelineStep[] = reportTimeline(
    procedure,
    inspection.endDate,
    report
      ? {
          draftIssuedOn: report.draftIssuedOn,
          response: report.response
            ? { on: report.response.submittedOn, route: report.response.route }
            : null,
          finalisedOn: report.finalisedOn,
          presumedAccurate: report.presumedAccurate,
          publishedOn: report.publishedOn,
        }
      : noHistory,
  );
  const events = steps
    .filter((step) => step.on !== null && step.outcome !== null)
    .map((step) => ({ on: step.on!, step: step.id, what: step.outcome! }))
    .sort((a, b) => a.on.localeCompare(b.on));
  return {
    inspectionId: inspection.id,
    procedure: { id: procedure.id, name: procedure.name },
    lastDay: inspection.endDate,
    reportId: report?.id ?? null,
    steps,
    events,
  };
}

/** Sends the report as a PDF to whoever may read it (see `pdf-delivery.ts`). */
export async function sendReportPdf(request: FastifyRequest, reply: FastifyReply, id: string) {
  return sendPdf(request, reply, await readableReport(request, id));
}
