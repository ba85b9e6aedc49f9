import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { englishDate, today, type Clock } from '../clock.js';
import { hasOpenComplaint } from '../complaints/store.js';
import type { Db } from '../db/database.js';
import { cancelDeadline, resolveFlag, type DeadlineAction } from '../deadlines/store.js';
import { FINAL_REPORT_OVERDUE } from '../inspections/feedback.js';
import {
  carriesPoints,
  PRESUME_ACCURATE,
  presumedAccurateOn,
  refusalFor,
  RESPONSE_REMINDER,
  sameGrades,
} from './rules.js';
import { withStandingGrades } from './follow.js';
import { notFound } from '../refusal.js';
import { isUuid } from '../fields.js';
import {
  about,
  currentVersion,
  lockReport,
  responseOf,
  stateOf,
  tellProvider,
  unansweredDraft,
  writeVersion,
} from './store.js';

/**
 * The report made final (once its points are decided, or presumed accurate when nobody answered in
 * time) and published (once no complaint about the inspection is open).
 */

/**
 * Finalises the draft once its points are decided, or once the time to answer it has passed without
 * an answer (the report is then presumed accurate).
 */
export async function finaliseReport(db: Db, clock: Clock, actorId: string, reportId: string) {
  const now = clock.now();
  const on = today(clock);
  await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const state = await stateOf(trx, row);
    const refusal = refusalFor('finalise', state, on);
    if (refusal) throw refusal;
    const presumed = presumedAccurateOn(state, on);
    const current = await currentVersion(trx, row);
    const points = state.response ? ((await responseOf(trx, reportId))?.points ?? []) : [];
    const accepted = points.filter((p) => p.decision === 'accepted').length;
    const note = presumed
      ? `Finalised: no response by ${formatLongDate(row.response_due!)}, so the report is presumed accurate`
      : state.response && carriesPoints(state.response.route)
        ? `Finalised: ${accepted} of ${points.length} ${points.length === 1 ? 'point' : 'points'} accepted`
        : 'Finalised';
    await writeVersion(trx, row, {
      narrative: current.narrative,
      content: current.content,
      note,
      actorId,
      at: now,
      set: { status: 'final', finalised_on: on, presumed_accurate: presumed },
    });
    await cancelDeadline(trx, RESPONSE_REMINDER, reportId);
    await cancelDeadline(trx, PRESUME_ACCURATE, reportId);
    await resolveFlag(trx, FINAL_REPORT_OVERDUE, row.inspection_id);
    await tellProvider(trx, current.content, {
      template: 'report-finalised',
      subject: `Final inspection report: ${current.content.provider.name}`,
      body:
        `The report of ${about(current.content)} is final` +
        (points.length
          ? `: ${accepted} of your ${points.length} ${points.length === 1 ? 'point was' : 'points were'} accepted. `
          : '. ') +
        `Read it at /reports/${reportId}.`,
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.finalised',
      entityType: 'report',
      entityId: reportId,
      before: { status: row.status },
      after: { status: 'final', finalisedOn: on, presumedAccurate: presumed },
    });
  });
}

/** Publishes a final report, unless a complaint about the inspection is still open. */
export async function publishReport(db: Db, clock: Clock, actorId: string, reportId: string) {
  const now = clock.now();
  const on = today(clock);
  if (!isUuid(reportId)) throw notFound();
  await db.transaction().execute(async (trx) => {
    // The inspection is held first (as every change to it holds it before its report), so that it cannot
    // be declared incomplete or regraded while its report is published.
    const inspection = await trx
      .selectFrom('inspections')
      .select(['id', 'status'])
      .where('id', '=', (eb) => eb.selectFrom('reports').select('inspection_id').where('id', '=', reportId))
      .forShare()
      .executeTakeFirst();
    if (!inspection) throw notFound();
    const row = await lockReport(trx, reportId);
    const current = await currentVersion(trx, row);
    const standing = await withStandingGrades(trx, inspection.id, current.content);
    const state = {
      ...(await stateOf(trx, row)),
      complaintOpen: await hasOpenComplaint(trx, row.inspection_id),
      inspection: {
        completed: inspection.status === 'completed',
        gradesMatch: sameGrades(current.content, standing),
      },
    };
    const refusal = refusalFor('publish', state, on);
    if (refusal) throw refusal;
    await writeVersion(trx, row, {
      narrative: current.narrative,
      content: current.content,
      note: 'Published',
      actorId,
      at: now,
      set: { status: 'published', published_on: on },
    });
    await tellProvider(trx, current.content, {
      template: 'report-published',
      subject: `Inspection report published: ${current.content.provider.name}`,
      body: `The report of ${about(current.content)} is published at /reports/${reportId}.`,
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.published',
      entityType: 'report',
      entityId: reportId,
      before: { status: row.status },
      after: { status: 'published', publishedOn: on },
    });
  });
}

/**
 * When the window closes without an answer, the report is presumed accurate and becomes final, dated
 * the day after the last day to respond. Runs once (the deadline machinery sees to that) and does
 * nothing if the report has moved on meanwhile.
 */
export const presumeAccurate: DeadlineAction = async (trx, reportId, dueAt) => {
  const row = await unansweredDraft(trx, reportId);
  if (!row) return;
  const finalisedOn = englishDate(dueAt);
  const current = await currentVersion(trx, row);
  await writeVersion(trx, row, {
    narrative: current.narrative,
    content: current.content,
    note: `No response by ${formatLongDate(row.response_due!)}: the report is presumed accurate and final`,
    actorId: null,
    at: dueAt,
    set: { status: 'final', finalised_on: finalisedOn, presumed_accurate: true },
  });
  await cancelDeadline(trx, RESPONSE_REMINDER, reportId);
  await resolveFlag(trx, FINAL_REPORT_OVERDUE, row.inspection_id);
  await tellProvider(trx, current.content, {
    template: 'report-presumed-accurate',
    subject: `Inspection report presumed accurate: ${current.content.provider.name}`,
    body:
      `No response to the draft report of ${about(current.content)} was received by ${formatLongDate(row.response_due!)}. ` +
      `The report is presumed accurate and is now final. It will be published. Read it at /reports/${reportId}.`,
  });
  await recordAudit(trx, {
    actorId: null,
    action: 'report.presumed-accurate',
    entityType: 'report',
    entityId: reportId,
    before: { status: 'draft' },
    after: { status: 'final', finalisedOn, presumedAccurate: true },
  });
};
