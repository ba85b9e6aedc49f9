import { sql } from 'kysely';
import { englishDate, endOfEnglishDay } from '../clock.js';
import type { Db, Trx } from '../db/database.js';
import { scheduleDeadline, type DeadlineAction } from '../deadlines/store.js';
import { RuleError, timeline } from '../frameworks/rules.js';
import { queueMessage } from '../messages/store.js';
import { notFound, unprocessable, type FieldError } from '../refusal.js';
import { inspectionRecord } from './record.js';
import { FLAW_CONDITIONS, refusalFor } from './rules.js';
import { setStatus, takeStep } from './store.js';

/** The informal feedback that ends the visit, and the report deadlines it sets running. */

/**
 * The informal feedback at the end of the visit: the initial judgements and draft findings are kept as
 * they were said. The provider's comments on the conduct of the inspection come first; where the
 * substantiation check warns of a flaw, the inspector must say they have seen the warnings.
 */
export async function giveFeedback(
  db: Db,
  actorId: string,
  inspectionId: string,
  input: { summary: string; acknowledgeWarnings?: boolean | undefined },
) {
  const record = await inspectionRecord(db, inspectionId);
  if (!record) throw notFound();
  const refusal = refusalFor('give-feedback', record);
  if (refusal) throw refusal;
  const errors: FieldError[] = [];
  if (!record.dialogue.some((d) => d.kind === 'conduct-comment')) {
    errors.push({
      field: 'conductComments',
      message:
        'Record the provider’s comments on the conduct of the inspection (or that they had none) before the feedback',
    });
  }
  if (record.judgements.length === 0)
    errors.push({ field: 'judgements', message: 'Give the initial judgements before the feedback' });
  const warnings = record.substantiation.flawWarnings;
  if (warnings.length > 0 && !input.acknowledgeWarnings) {
    for (const warning of warnings) {
      errors.push({
        field: 'acknowledgeWarnings',
        message: `Warning: ${FLAW_CONDITIONS[warning]}. Confirm you have seen this to give feedback anyway`,
      });
    }
  }
  if (errors.length) throw unprocessable(errors);
  const changed = 'The inspection changed while feedback was being given. Check it and try again.';
  await takeStep(
    db,
    actorId,
    inspectionId,
    'give-feedback',
    async (trx, row, audit) => {
      const snapshot = {
        judgements: record.judgements.map((j) => ({ areaId: j.areaId, grade: j.grade })),
        overallGrade: record.overallGrade?.grade ?? null,
        requirements: record.requirements.map((r) => ({ regulationId: r.regulationId, action: r.action })),
        recommendations: record.recommendations.map((r) => ({ guideId: r.guideId, text: r.text })),
        warningsAcknowledged: warnings,
      };
      await trx
        .insertInto('dialogue_entries')
        .values({
          inspection_id: inspectionId,
          kind: 'informal-feedback',
          summary: input.summary,
          resolution: null,
          resolved_at: null,
          snapshot: JSON.stringify(snapshot),
          recorded_by: actorId,
        })
        .execute();
      await setStatus(trx, audit, row, 'feedback-given');
      await scheduleReportDeadlines(trx, row.framework_id, row.end_date, inspectionId);
    },
    { version: { seen: record.version, changed } },
  );
}

/** The regulator's own dates for the report, flagged to staff when missed. */
export const DRAFT_REPORT_OVERDUE = 'inspection.draft-report-overdue';
export const FINAL_REPORT_OVERDUE = 'inspection.final-report-overdue';

async function scheduleReportDeadlines(trx: Trx, frameworkId: string, endDate: string, inspectionId: string) {
  let dates;
  try {
    dates = timeline(frameworkId, endDate);
  } catch (error) {
    // Inspections before the first post-inspection procedure have no such dates.
    if (error instanceof RuleError) return;
    throw error;
  }
  await scheduleDeadline(trx, DRAFT_REPORT_OVERDUE, inspectionId, endOfEnglishDay(dates.draftReportDue));
  await scheduleDeadline(trx, FINAL_REPORT_OVERDUE, inspectionId, endOfEnglishDay(dates.finalReportDue));
}

/**
 * When the draft (or final) report is late, the lead inspector and the managers are told. The flag is
 * resolved when the report is issued (or finalised); if it already was, there is nothing to say.
 */
export function reportOverdueAction(which: 'draft' | 'final'): DeadlineAction {
  return async (trx, inspectionId, dueAt) => {
    const report = await trx
      .selectFrom('reports')
      .select('status')
      .where('inspection_id', '=', inspectionId)
      .executeTakeFirst();
    if (which === 'draft' ? report !== undefined : report !== undefined && report.status !== 'draft') return;
    const inspection = await trx
      .selectFrom('inspections as i')
      .innerJoin('providers as p', 'p.id', 'i.provider_id')
      .innerJoin('people as l', 'l.id', 'i.lead_inspector_id')
      .select(['p.name as provider', 'l.email as lead', 'i.end_date'])
      .where('i.id', '=', inspectionId)
      .executeTakeFirst();
    if (!inspection) return;
    const managers = await trx
      .selectFrom('people')
      .select('email')
      .where('active', '=', true)
      .where(sql<boolean>`'manager' = any(roles)`)
      .execute();
    const due = englishDate(new Date(dueAt.getTime() - 1));
    for (const recipient of new Set([inspection.lead, ...managers.map((m) => m.email)])) {
      await queueMessage(trx, {
        recipient,
        template: `${which}-report-overdue`,
        subject: `The ${which} report on ${inspection.provider} is overdue`,
        body: `The ${which} report of the inspection of ${inspection.provider} that ended on ${inspection.end_date} was due by ${due}. See /inspections/${inspectionId}`,
      });
    }
  };
}
