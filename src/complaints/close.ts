import type { Selectable } from 'kysely';
import { formatLongDate } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import type { Db, Trx } from '../db/database.js';
import type { ComplaintsTable } from '../db/schema.js';
import { cancelDeadline } from '../deadlines/store.js';
import { frameworkInForce, RuleError } from '../frameworks/rules.js';
import type { ProviderTypeId } from '../frameworks/types.js';
import { reviseJudgementIn } from '../inspections/judgements.js';
import { inspectionRecord, type InspectionRecord } from '../inspections/record.js';
import { createInspectionIn } from '../inspections/store.js';
import { emailOf, tell } from '../messages/store.js';
import { invalid, notFound, unprocessable, type FieldError, Refusal } from '../refusal.js';
import { amendReportAfterComplaint } from '../reports/follow.js';
import { reportOfInspection } from '../reports/store.js';
import {
  COMPLAINT_DEADLINE_KINDS,
  COMPLAINT_OUTCOMES,
  internalReviewRequestDue,
  REMEDIES,
  responseProblems,
  type ComplaintOutcome,
  type Remedy,
} from './rules.js';
import { checkStep, takeStep, update } from './handling.js';
import { findComplaint, followIt, procedureById, type Complaint } from './store.js';

/**
 * The response that closes a complaint, with its remedies: a use case across capabilities (the complaint,
 * the inspection's judgements, a re-inspection, the report), done in one transaction through each
 * capability's own functions.
 */

export interface ComplaintResponse {
  outcome: ComplaintOutcome;
  reasons: string;
  remedies: Remedy[];
  reinspection?:
    | { startDate: string; endDate: string; leadInspectorId: string; notice?: 'none' | 'short' | 'announced' }
    | null
    | undefined;
  amendment?: { note: string; narrative?: string | undefined } | null | undefined;
  judgement?: { areaId: string; grade: string } | null | undefined;
  version?: number | undefined;
}

/**
 * The reply to the complainant, which closes the complaint. Remedies act, in the same transaction as
 * the closing, so that either all of it happens or none of it: a changed judgement is a new version of
 * the grade and the overall grade follows the framework's rules; the report gets a new version (shown
 * on the published report as amended); a re-inspection is planned; an apology goes to the complainant.
 */
export async function respondToComplaint(
  db: Db,
  actorId: string,
  id: string,
  input: ComplaintResponse,
  now: Date,
): Promise<{ reinspectionId: string | null }> {
  await checkStep(db, id, 'respond', now);
  const complaint = (await findComplaint(db, id))!;
  const inspection = await inspectionRecord(db, complaint.inspection.id);
  if (!inspection) throw notFound();
  const today = englishDate(now);
  const errors = responseProblems(input, {
    today,
    inspectionTeamIds: [inspection.leadInspector.id, ...inspection.team.map((m) => m.id)],
    gradeScale: inspection.gradeScale,
    judgements: inspection.judgements,
    hasReport: (await reportOfInspection(db, inspection.id)) !== null,
  });
  if (errors.length > 0) throw unprocessable(errors);

  return takeStep(db, id, 'respond', now, input.version, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.responded',
      row,
      {
        status: 'closed',
        outcome: input.outcome,
        outcome_reasons: input.reasons,
        remedies: input.remedies,
        closed_at: now,
        handler_id: actorId,
      },
      now,
    );
    await cancelDeadline(trx, COMPLAINT_DEADLINE_KINDS.response, row.id);
    await cancelDeadline(trx, COMPLAINT_DEADLINE_KINDS.acknowledgement, row.id);
    const acted = await applyRemedies(trx, actorId, row, inspection, input, now);
    await sendResponse(trx, row, complaint, input, acted, today);
    return { reinspectionId: acted.reinspectionId };
  });
}

interface RemediesApplied {
  reinspectionId: string | null;
  /** The judgement changed, in words: 'Leaders and managers: from good to outstanding'. */
  judgement: string | null;
  /** The report's new version, when the report was changed. */
  report: { reportId: string; version: number } | null;
}

/** The remedies that change the record, in the complaint's transaction; any refusal undoes the lot. */
async function applyRemedies(
  trx: Trx,
  actorId: string,
  row: Selectable<ComplaintsTable>,
  inspection: InspectionRecord,
  input: ComplaintResponse,
  now: Date,
): Promise<RemediesApplied> {
  let judgement: string | null = null;
  if (input.remedies.includes('judgement-changed') && input.judgement) {
    const { areaId, grade } = input.judgement;
    const { previousGrade } = await reviseJudgementIn(trx, actorId, inspection.id, areaId, {
      grade,
      reason: `Changed following complaint ${row.reference}: ${input.reasons}`,
    });
    const label = (id: string) => inspection.gradeScale.find((g) => g.id === id)?.label ?? id;
    const area = inspection.judgements.find((j) => j.areaId === areaId)?.areaName ?? areaId;
    judgement = `${area}: from ${label(previousGrade).toLowerCase()} to ${label(grade).toLowerCase()}`;
  }
  const amend = input.remedies.includes('report-amended') ? input.amendment : null;
  const report =
    amend || judgement
      ? await amendReportAfterComplaint(
          trx,
          actorId,
          inspection.id,
          {
            complaint: row.reference,
            note: [amend?.note, judgement ? `judgement changed (${judgement})` : null]
              .filter(Boolean)
              .join('; '),
            narrative: amend?.narrative,
            judgementsChanged: judgement !== null,
          },
          now,
        )
      : null;

  let reinspectionId: string | null = null;
  if (input.remedies.includes('re-inspection') && input.reinspection) {
    const { startDate, endDate, leadInspectorId, notice = 'announced' } = input.reinspection;
    let frameworkId = inspection.framework.id;
    try {
      frameworkId =
        frameworkInForce(inspection.provider.type as ProviderTypeId, startDate)?.id ??
        inspection.framework.id;
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
    }
    try {
      reinspectionId = await createInspectionIn(trx, actorId, {
        providerId: inspection.provider.id,
        frameworkId,
        type: 'full',
        notice,
        startDate,
        endDate,
        leadInspectorId,
        team: [],
      });
    } catch (error) {
      if (error instanceof Refusal && error.errors.length > 0) {
        throw invalid(reinspectionErrors(error.errors));
      }
      throw error;
    }
    await trx
      .updateTable('complaints')
      .set({ reinspection_id: reinspectionId })
      .where('id', '=', row.id)
      .execute();
  }
  return { reinspectionId, judgement, report };
}

function reinspectionErrors(errors: FieldError[]): FieldError[] {
  const known = ['startDate', 'endDate', 'leadInspectorId'];
  return errors.map((e) => ({
    field: known.includes(e.field) ? `reinspection.${e.field}` : 'reinspection.leadInspectorId',
    message: e.message,
  }));
}

async function sendResponse(
  trx: Trx,
  row: Selectable<ComplaintsTable>,
  complaint: Complaint,
  input: ComplaintResponse,
  acted: RemediesApplied,
  today: string,
) {
  const reinspectionId = acted.reinspectionId;
  const about = complaint.inspection.provider.name;
  const procedure = procedureById(row.procedure_id);
  const remedies = input.remedies.map((r) => REMEDIES[r]);
  const reinspection = input.reinspection;
  const nextStep = procedure.internalReview
    ? `If you are unhappy with how your complaint was handled, you can ask for an internal review by ${formatLongDate(internalReviewRequestDue(today))}.`
    : 'If you think your complaint was not handled properly, you can escalate it to the Independent Complaints Adjudication Service for Ofsted (ICASO), which looks at how complaints are handled.';
  await tell(trx, [row.complainant_email], {
    template: 'complaint-response',
    subject: `Our response to your complaint ${row.reference}: ${COMPLAINT_OUTCOMES[input.outcome].toLowerCase()}`,
    body: [
      `Dear ${row.complainant_name},`,
      `We have considered your complaint about the inspection of ${about}. Outcome: ${COMPLAINT_OUTCOMES[input.outcome]}.`,
      input.reasons,
      remedies.length > 0 ? `What we will do: ${remedies.join('; ')}.` : '',
      reinspection && reinspectionId
        ? `The re-inspection is planned from ${formatLongDate(reinspection.startDate)} to ${formatLongDate(reinspection.endDate)}.`
        : '',
      nextStep,
      followIt(row),
    ]
      .filter(Boolean)
      .join('\n\n'),
  });
  if (input.remedies.includes('apology')) {
    await tell(trx, [row.complainant_email], {
      template: 'complaint-apology',
      subject: `An apology about the inspection of ${about} (${row.reference})`,
      body: [
        `Dear ${row.complainant_name},`,
        `We apologise. Having looked into your complaint, we found that we fell short of the standards we set ourselves during the inspection of ${about}.`,
        input.reasons,
      ].join('\n\n'),
    });
  }
  if (acted.judgement || acted.report) {
    const lead = await emailOf(trx, complaint.inspection.leadInspector.id);
    await tell(trx, [lead], {
      template: 'complaint-remedy-applied',
      subject: `Complaint ${row.reference}: the report on ${about} has changed`,
      body: [
        `The complaint ${row.reference} about your inspection of ${about} (${formatLongDate(complaint.inspection.startDate)} to ${formatLongDate(complaint.inspection.endDate)}) was ${COMPLAINT_OUTCOMES[input.outcome].toLowerCase()}.`,
        acted.judgement ? `A judgement was changed: ${acted.judgement}.` : '',
        acted.report
          ? `The report is now at version ${acted.report.version}: /reports/${acted.report.reportId}`
          : '',
        `Reasons: ${input.reasons}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
  }
  if (reinspection && reinspectionId) {
    await tell(trx, [await emailOf(trx, reinspection.leadInspectorId)], {
      template: 'complaint-reinspection',
      subject: `You lead a re-inspection of ${about}`,
      body: `A re-inspection of ${about} from ${formatLongDate(reinspection.startDate)} to ${formatLongDate(reinspection.endDate)} has been planned as a remedy for complaint ${row.reference}. You were not on the inspection complained about.`,
    });
  }
}
