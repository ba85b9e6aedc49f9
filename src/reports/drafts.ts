import { formatLongDate } from '../calendar/working-days.js';
import { endOfEnglishDay, startOfEnglishDay, today, type Clock } from '../clock.js';
import type { Db } from '../db/database.js';
import { resolveFlag, scheduleDeadline } from '../deadlines/store.js';
import { procedureFor, RuleError } from '../frameworks/rules.js';
import type { PostInspectionProcedure, ResponseRoute } from '../frameworks/types.js';
import { DRAFT_REPORT_OVERDUE } from '../inspections/feedback.js';
import type { InspectionRecord } from '../inspections/record.js';
import { recordAudit } from '../audit/store.js';
import { findProvider } from '../providers/store.js';
import { conflict, notFound, unprocessable } from '../refusal.js';
import {
  issueRefusal,
  PRESUME_ACCURATE,
  refusalFor,
  REMINDER_WORKING_DAYS,
  RESPONSE_REMINDER,
  RESPONSE_ROUTES,
  responseDueFor,
  workingDaysBefore,
  type ReportContent,
} from './rules.js';
import {
  about,
  currentVersion,
  lockReport,
  reportOfInspection,
  searchFields,
  stateOf,
  tellProvider,
  writeVersion,
} from './store.js';

/** Writing the report: issuing the draft and amending its narrative. What follows the inspection is in follow.ts. */

/** The report's content, taken from the inspection's record as it stands. */
export function contentOf(record: InspectionRecord, localAuthority: string): ReportContent {
  const areaName = (areaId: string) => record.judgementAreas.find((a) => a.id === areaId)?.name ?? areaId;
  const areaOrder = (areaId: string) => {
    const index = record.judgementAreas.findIndex((a) => a.id === areaId);
    return index < 0 ? record.judgementAreas.length : index;
  };
  return {
    provider: { ...record.provider, localAuthority },
    inspection: {
      id: record.id,
      type: record.type,
      startDate: record.startDate,
      endDate: record.endDate,
    },
    framework: record.framework,
    // In the framework's order of its areas, the headline area first.
    judgements: [...record.judgements]
      .sort((a, b) => areaOrder(a.areaId) - areaOrder(b.areaId))
      .map((j) => ({
        areaId: j.areaId,
        areaName: j.areaName,
        grade: j.grade,
        gradeLabel: j.gradeLabel,
      })),
    overallGrade: record.overallGrade
      ? {
          grade: record.overallGrade.grade,
          label: record.overallGrade.label,
          limitedBy: record.overallGrade.limitedBy.map(areaName),
        }
      : null,
    requirements: record.requirements.map((r) => ({
      regulationId: r.regulationId,
      regulation: r.regulationTitle,
      ...(r.instrumentTitle === null ? {} : { instrument: r.instrumentTitle }),
      action: r.action,
      impact: r.impact,
      complyBy: r.complyBy,
    })),
    recommendations: record.recommendations.map((r) => ({
      guideId: r.guideId,
      guide: r.guideTitle,
      page: r.page,
      paragraph: r.paragraph,
      text: r.text,
    })),
  };
}

const routesInWords = (routes: readonly ResponseRoute[]) =>
  routes.map((route) => RESPONSE_ROUTES[route].toLowerCase()).join('; or ');

/**
 * Issues the draft report of an inspection that has had its feedback: version 1, the response window
 * counted from today under the inspection's procedure, the reminder and the presumption of accuracy
 * scheduled, and the provider told, all at once.
 */
export async function issueDraft(
  db: Db,
  clock: Clock,
  actorId: string,
  record: InspectionRecord,
  narrative: string,
): Promise<string> {
  const notYet = issueRefusal({ status: record.status, moderationSignedOff: record.moderation !== null });
  if (notYet) throw notYet;
  if (await reportOfInspection(db, record.id)) {
    throw conflict('The draft report of this inspection has already been issued.');
  }
  if (!record.overallGrade) {
    throw unprocessable([
      {
        field: 'judgements',
        message: 'Grade every area needed for the overall grade before issuing the report',
      },
    ]);
  }
  let procedure: PostInspectionProcedure;
  try {
    procedure = procedureFor(record.endDate);
  } catch (error) {
    if (error instanceof RuleError) throw unprocessable([{ field: 'endDate', message: error.message }]);
    throw error;
  }
  const provider = await findProvider(db, record.provider.id);
  if (!provider) throw notFound();
  const content = contentOf(record, provider.localAuthority);
  const now = clock.now();
  const issuedOn = today(clock);
  const responseDue = responseDueFor(procedure, record.endDate, issuedOn);

  return db.transaction().execute(async (trx) => {
    // Held against a manager declaring the inspection incomplete, or moderating, meanwhile.
    const held = await trx
      .selectFrom('inspections')
      .select(['status', 'moderation_signed_off_at'])
      .where('id', '=', record.id)
      .forShare()
      .executeTakeFirstOrThrow();
    const moved = issueRefusal({ status: held.status, moderationSignedOff: !!held.moderation_signed_off_at });
    if (moved) throw moved;
    const { id } = await trx
      .insertInto('reports')
      .values({
        inspection_id: record.id,
        procedure_id: procedure.id,
        draft_issued_on: issuedOn,
        response_due: responseDue,
        finalised_on: null,
        published_on: null,
        created_at: now,
        updated_at: now,
        ...searchFields(content),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('report_versions')
      .values({
        report_id: id,
        version: 1,
        narrative,
        content: JSON.stringify(content),
        change_note: 'Draft report issued',
        changed_by: actorId,
        changed_at: now,
      })
      .execute();

    const reminderAt = startOfEnglishDay(workingDaysBefore(responseDue, REMINDER_WORKING_DAYS));
    if (reminderAt > now) await scheduleDeadline(trx, RESPONSE_REMINDER, id, reminderAt);
    await scheduleDeadline(trx, PRESUME_ACCURATE, id, endOfEnglishDay(responseDue));
    await resolveFlag(trx, DRAFT_REPORT_OVERDUE, record.id);

    await tellProvider(trx, content, {
      template: 'draft-report-issued',
      subject: `Draft inspection report: ${content.provider.name}`,
      body:
        `The draft report of ${about(content)} is ready. You have until ${formatLongDate(responseDue)} to respond. ` +
        `You may ${routesInWords(procedure.responseRoutes)}. ` +
        `Read the draft and respond at /reports/${id}/respond. ` +
        'If you do not respond by then, the report is presumed accurate and will be finalised and published.',
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.draft-issued',
      entityType: 'report',
      entityId: id,
      before: null,
      after: { inspectionId: record.id, procedure: procedure.id, draftIssuedOn: issuedOn, responseDue },
    });
    return id;
  });
}

/** A new version of the draft with an amended narrative; `version` guards against a lost update. */
export async function amendNarrative(
  db: Db,
  clock: Clock,
  actorId: string,
  reportId: string,
  input: { narrative: string; note: string; version?: number | undefined },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = refusalFor('amend', await stateOf(trx, row), today(clock));
    if (refusal) throw refusal;
    if (input.version !== undefined && input.version !== row.version) {
      throw conflict('Someone else changed this report after you opened it. Reload it and try again.');
    }
    const current = await currentVersion(trx, row);
    const version = await writeVersion(trx, row, {
      narrative: input.narrative,
      content: current.content,
      note: input.note,
      actorId,
      at: clock.now(),
    });
    await recordAudit(trx, {
      actorId,
      action: 'report.amended',
      entityType: 'report',
      entityId: reportId,
      before: { version: row.version },
      after: { version, note: input.note },
    });
    return version;
  });
}
