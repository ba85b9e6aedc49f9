import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { englishDate, endOfEnglishDay, startOfEnglishDay, type Clock } from '../clock.js';
import type { Trx } from '../db/database.js';
import { cancelDeadline, resolveFlag, scheduleDeadline } from '../deadlines/store.js';
import { DRAFT_REPORT_OVERDUE, FINAL_REPORT_OVERDUE } from '../inspections/feedback.js';
import type { InspectionChange, InspectionFollowers } from '../inspections/followers.js';
import { inspectionRecord } from '../inspections/record.js';
import { notFound } from '../refusal.js';
import { contentOf } from './drafts.js';
import {
  PRESUME_ACCURATE,
  REMINDER_WORKING_DAYS,
  REPORT_STATUSES,
  RESPONSE_REMINDER,
  responseDueFor,
  sameGrades,
  workingDaysBefore,
  type ReportContent,
} from './rules.js';
import {
  about,
  currentVersion,
  lockReport,
  procedureOf,
  stateOf,
  tellProvider,
  writeVersion,
  type ReportRow,
} from './store.js';

/**
 * The report follows its inspection (docs/after-the-inspection.md): every change of a grade after the
 * draft is issued, by moderation or a complaint's remedy, is a new version with the standing grades; a
 * draft nobody has answered yet gets its whole window again; an inspection declared incomplete has its
 * report withdrawn. The provider's users are told each time.
 */

/** The inspection's report locked for a change, unless it has none or it was withdrawn. */
async function liveReport(trx: Trx, inspectionId: string): Promise<ReportRow | null> {
  const found = await trx
    .selectFrom('reports')
    .select('id')
    .where('inspection_id', '=', inspectionId)
    .where('status', '<>', 'withdrawn')
    .executeTakeFirst();
  return found ? lockReport(trx, found.id) : null;
}

/** The report's content with the grades the inspection stands on now. */
export async function withStandingGrades(
  trx: Trx,
  inspectionId: string,
  content: ReportContent,
): Promise<ReportContent> {
  const record = await inspectionRecord(trx, inspectionId);
  if (!record) throw notFound();
  const standing = contentOf(record, content.provider.localAuthority);
  return { ...content, judgements: standing.judgements, overallGrade: standing.overallGrade };
}

/**
 * A draft nobody has answered gets its window again from `at`, as if issued that day (so the timeline and
 * the time limit for a complaint count from that day too), with the reminder and the presumption of
 * accuracy set again: the provider answers the report as it now is. A draft already answered keeps its
 * answer (whose points are still decided), and a final report its dates; the change is open to a
 * complaint like any other. Returns the new last day to respond, or null.
 */
async function restartWindow(trx: Trx, row: ReportRow, at: Date): Promise<string | null> {
  if (row.status !== 'draft' || (await stateOf(trx, row)).response) return null;
  const inspection = await trx
    .selectFrom('inspections')
    .select('end_date')
    .where('id', '=', row.inspection_id)
    .executeTakeFirstOrThrow();
  const due = responseDueFor(procedureOf(row.procedure_id), inspection.end_date, englishDate(at));
  const reminderAt = startOfEnglishDay(workingDaysBefore(due, REMINDER_WORKING_DAYS));
  if (reminderAt > at) await scheduleDeadline(trx, RESPONSE_REMINDER, row.id, reminderAt, { afresh: true });
  else await cancelDeadline(trx, RESPONSE_REMINDER, row.id);
  await scheduleDeadline(trx, PRESUME_ACCURATE, row.id, endOfEnglishDay(due), { afresh: true });
  return due;
}

/** The sentence telling the provider their window started again, if it did. */
const newWindow = (responseDue: string | null) =>
  responseDue
    ? ` You now have until ${formatLongDate(responseDue)} to respond to the draft as it now stands.`
    : '';

/** What the provider is told about a report whose grades changed. */
function regradedMessage(
  reportId: string,
  status: keyof typeof REPORT_STATUSES,
  content: ReportContent,
  note: string,
  responseDue: string | null,
) {
  const overall = content.overallGrade
    ? ` The overall grade is now ${content.overallGrade.label.toLowerCase()}.`
    : '';
  return {
    template: 'report-regraded',
    subject: `Inspection report changed: ${content.provider.name}`,
    body:
      `The ${REPORT_STATUSES[status].toLowerCase()} report of ${about(content)} has changed. ${note}${overall}` +
      `${newWindow(responseDue)} Read it at /reports/${reportId}.`,
  };
}

/** A grade changed by moderation: the report, if issued, takes the standing grades. */
async function followGrades(trx: Trx, change: InspectionChange, at: Date): Promise<void> {
  const row = await liveReport(trx, change.inspectionId);
  if (!row) return;
  const current = await currentVersion(trx, row);
  const content = await withStandingGrades(trx, change.inspectionId, current.content);
  if (sameGrades(content, current.content)) return;
  const responseDue = await restartWindow(trx, row, at);
  const version = await writeVersion(trx, row, {
    narrative: current.narrative,
    content,
    note: change.note,
    actorId: change.actorId,
    at,
    set: responseDue ? { draft_issued_on: englishDate(at), response_due: responseDue } : {},
  });
  await tellProvider(trx, content, regradedMessage(row.id, row.status, content, change.note, responseDue));
  await recordAudit(trx, {
    actorId: change.actorId,
    action: 'report.regraded',
    entityType: 'report',
    entityId: row.id,
    before: { version: row.version, overallGrade: current.content.overallGrade?.grade ?? null },
    after: {
      version,
      overallGrade: content.overallGrade?.grade ?? null,
      responseDue: responseDue ?? undefined,
    },
  });
}

/**
 * The inspection was declared incomplete: its report, whatever its stage, is withdrawn: no longer
 * answerable, never presumed accurate, finalised or published (seed 001). The additional visit has a
 * report of its own.
 */
async function withdrawReport(trx: Trx, change: InspectionChange, at: Date): Promise<void> {
  await resolveFlag(trx, DRAFT_REPORT_OVERDUE, change.inspectionId);
  await resolveFlag(trx, FINAL_REPORT_OVERDUE, change.inspectionId);
  const row = await liveReport(trx, change.inspectionId);
  if (!row) return;
  const current = await currentVersion(trx, row);
  const on = englishDate(at);
  await writeVersion(trx, row, {
    narrative: current.narrative,
    content: current.content,
    note: `Withdrawn: ${change.note}`,
    actorId: change.actorId,
    at,
    set: { status: 'withdrawn', withdrawn_on: on },
  });
  await cancelDeadline(trx, RESPONSE_REMINDER, row.id);
  await cancelDeadline(trx, PRESUME_ACCURATE, row.id);
  await tellProvider(trx, current.content, {
    template: 'report-withdrawn',
    subject: `Inspection report withdrawn: ${current.content.provider.name}`,
    body:
      `The ${REPORT_STATUSES[row.status].toLowerCase()} report of ${about(current.content)} has been withdrawn: ${change.note} ` +
      'You do not need to respond to it, and it will not be published. An additional visit will be made, and its report sent to you.',
  });
  await recordAudit(trx, {
    actorId: change.actorId,
    action: 'report.withdrawn',
    entityType: 'report',
    entityId: row.id,
    before: { status: row.status },
    after: { status: 'withdrawn', withdrawnOn: on },
  });
}

/**
 * A complaint's remedy acting on the report, in the complaint's transaction: a new version at any
 * stage (a published report stays published, showing the amendment), with the narrative the complaints
 * team gave (if any), the standing grades (when a grade was changed, the window restarted as for
 * moderation), and a note of the amendment that the report shows. The provider is told. Null when the
 * inspection has no live report: one issued later is built from the changed judgements.
 */
export async function amendReportAfterComplaint(
  trx: Trx,
  actorId: string,
  inspectionId: string,
  input: { complaint: string; note: string; narrative?: string | undefined; judgementsChanged: boolean },
  now: Date,
): Promise<{ reportId: string; version: number } | null> {
  const row = await liveReport(trx, inspectionId);
  if (!row) return null;
  const current = await currentVersion(trx, row);
  let content: ReportContent = current.content;
  let responseDue: string | null = null;
  if (input.judgementsChanged) {
    content = await withStandingGrades(trx, inspectionId, content);
    if (!sameGrades(content, current.content)) responseDue = await restartWindow(trx, row, now);
  }
  const on = englishDate(now);
  content = {
    ...content,
    amendments: [...(content.amendments ?? []), { on, complaint: input.complaint, note: input.note }],
  };
  const version = await writeVersion(trx, row, {
    narrative: input.narrative ?? current.narrative,
    content,
    note: `Amended following complaint ${input.complaint}: ${input.note}`,
    actorId,
    at: now,
    set: responseDue ? { draft_issued_on: on, response_due: responseDue } : {},
  });
  await recordAudit(trx, {
    actorId,
    action: 'report.amended-after-complaint',
    entityType: 'report',
    entityId: row.id,
    before: { version: row.version, overallGrade: current.content.overallGrade?.grade ?? null },
    after: {
      version,
      complaint: input.complaint,
      note: input.note,
      narrativeChanged: input.narrative !== undefined && input.narrative !== current.narrative,
      overallGrade: content.overallGrade?.grade ?? null,
      responseDue: responseDue ?? undefined,
    },
  });
  const grade =
    input.judgementsChanged && content.overallGrade
      ? ` The overall grade is now ${content.overallGrade.label.toLowerCase()}.`
      : '';
  await tellProvider(trx, content, {
    template: 'report-amended-after-complaint',
    subject: `Inspection report amended: ${content.provider.name}`,
    body:
      `Following complaint ${input.complaint}, the ${REPORT_STATUSES[row.status].toLowerCase()} report of ${about(content)} ` +
      `has been amended: ${input.note}${grade}${newWindow(responseDue)} Read it at /reports/${row.id}.`,
  });
  return { reportId: row.id, version };
}

/** What the inspection routes are handed (`app.inspectionFollowers`), on the app's clock. */
export function reportsFollowInspections(clock: Clock): InspectionFollowers {
  return {
    gradesChanged: (trx, change) => followGrades(trx, change, clock.now()),
    declaredIncomplete: (trx, change) => withdrawReport(trx, change, clock.now()),
  };
}
