import { isUuid } from '../fields.js';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { today, type Clock } from '../clock.js';
import { raiseComplaint } from '../complaints/store.js';
import type { Db, Trx } from '../db/database.js';
import { cancelDeadline, type DeadlineAction } from '../deadlines/store.js';
import type { ResponseRoute } from '../frameworks/types.js';
import { findInspection } from '../inspections/store.js';
import { queueMessage } from '../messages/store.js';
import { findPerson } from '../people/store.js';
import type { Person } from '../people/rules.js';
import { notFound, unprocessable } from '../refusal.js';
import {
  carriesPoints,
  PRESUME_ACCURATE,
  refusalFor,
  RESPONSE_REMINDER,
  RESPONSE_ROUTES,
  reportTexts,
  responseProblems,
  type DraftResponseInput,
  type PointDecision,
} from './rules.js';
import {
  about,
  currentVersion,
  lockReport,
  procedureOf,
  responseOf,
  stateOf,
  tellProvider,
  unansweredDraft,
  writeVersion,
  type AccuracyPoint,
  type DraftResponse,
} from './store.js';

/**
 * The provider's answer to the draft and the inspector's decision on each of its points; the reminder
 * to answer. A formal complaint made as the answer is taken in by the complaints capability.
 */

/**
 * The provider's answer to the draft, by a route its procedure allows and inside the window. Minor
 * points (or factual accuracy comments) quote the report; a formal complaint is taken in by the
 * complaints procedure in the same transaction. Either way the reminder and the presumption are off.
 */
export async function respondToDraft(
  db: Db,
  clock: Clock,
  person: Person,
  reportId: string,
  input: DraftResponseInput,
): Promise<{ response: DraftResponse; complaint: { id: string; reference: string } | null }> {
  const now = clock.now();
  const on = today(clock);
  const outcome = await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = refusalFor('respond', await stateOf(trx, row), on);
    if (refusal) throw refusal;
    const procedure = procedureOf(row.procedure_id);
    const current = await currentVersion(trx, row);
    const errors = responseProblems(input, {
      allowed: procedure.responseRoutes,
      today: on,
      responseDue: row.response_due!,
      texts: reportTexts(current.narrative, current.content),
    });
    if (errors.length > 0) throw unprocessable(errors);
    const route = input.route as ResponseRoute;

    const { id: responseId } = await trx
      .insertInto('draft_responses')
      .values({ report_id: reportId, route, submitted_by: person.id, submitted_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const points = carriesPoints(route) ? (input.points ?? []) : [];
    if (points.length > 0) {
      await trx
        .insertInto('accuracy_points')
        .values(
          points.map((point, index) => ({
            response_id: responseId,
            position: index + 1,
            passage: point.passage.trim(),
            comment: point.comment.trim(),
            decision: null,
            reason: null,
            decided_by: null,
            decided_at: null,
          })),
        )
        .execute();
    }
    const complaint =
      route === 'formal-complaint'
        ? await raiseComplaint(trx, person.id, {
            inspectionId: row.inspection_id,
            channel: 'draft-response',
            complainantName: person.name,
            complainantEmail: person.email,
            summary: input.summary!.trim(),
            receivedOn: on,
          })
        : null;
    await cancelDeadline(trx, RESPONSE_REMINDER, reportId);
    await cancelDeadline(trx, PRESUME_ACCURATE, reportId);

    const lead = await leadInspectorOf(trx, row.inspection_id);
    if (lead) {
      await queueMessage(trx, {
        recipient: lead.email,
        template: 'draft-response-received',
        subject: `Response to the draft report: ${current.content.provider.name}`,
        body:
          `${person.name} responded to the draft report of ${about(current.content)}: ` +
          `${RESPONSE_ROUTES[route].toLowerCase()}` +
          (points.length ? ` (${points.length} ${points.length === 1 ? 'point' : 'points'} to decide)` : '') +
          (complaint ? ` (complaint ${complaint.reference})` : '') +
          `. See /inspections/${row.inspection_id}/report.`,
      });
    }
    await recordAudit(trx, {
      actorId: person.id,
      action: 'report.response-received',
      entityType: 'report',
      entityId: reportId,
      before: null,
      after: { responseId, route, points: points.length, complaint: complaint?.reference ?? null },
    });
    return { responseId, complaint };
  });
  const response = await responseOf(db, reportId);
  if (!response || response.id !== outcome.responseId) throw new Error('The response was not recorded');
  return { response, complaint: outcome.complaint };
}

async function leadInspectorOf(trx: Trx, inspectionId: string) {
  const inspection = await findInspection(trx, inspectionId);
  return inspection ? findPerson(trx, inspection.leadInspector.id) : null;
}

/**
 * The inspector's decision on one point, with its reason; an accepted point may bring an amended
 * narrative, which becomes a new version.
 */
export async function decidePoint(
  db: Db,
  clock: Clock,
  actorId: string,
  reportId: string,
  pointId: string,
  input: { decision: PointDecision; reason: string; narrative?: string | null | undefined },
): Promise<AccuracyPoint> {
  if (!isUuid(pointId)) throw notFound();
  const now = clock.now();
  await db.transaction().execute(async (trx) => {
    const row = await lockReport(trx, reportId);
    const refusal = refusalFor('decide', await stateOf(trx, row), today(clock));
    if (refusal) throw refusal;
    const point = await trx
      .selectFrom('accuracy_points as a')
      .innerJoin('draft_responses as d', 'd.id', 'a.response_id')
      .select(['a.id', 'a.position', 'a.decision', 'a.reason'])
      .where('a.id', '=', pointId)
      .where('d.report_id', '=', reportId)
      .executeTakeFirst();
    if (!point) throw notFound();
    if (input.narrative && input.decision !== 'accepted') {
      throw unprocessable([
        { field: 'narrative', message: 'Amend the narrative only when accepting a point' },
      ]);
    }
    await trx
      .updateTable('accuracy_points')
      .set({ decision: input.decision, reason: input.reason, decided_by: actorId, decided_at: now })
      .where('id', '=', pointId)
      .execute();
    if (input.narrative) {
      const current = await currentVersion(trx, row);
      await writeVersion(trx, row, {
        narrative: input.narrative,
        content: current.content,
        note: `Point ${point.position} accepted: ${input.reason}`,
        actorId,
        at: now,
      });
    } else {
      await trx.updateTable('reports').set({ updated_at: now }).where('id', '=', reportId).execute();
    }
    await recordAudit(trx, {
      actorId,
      action: 'report.point-decided',
      entityType: 'report',
      entityId: reportId,
      before: { pointId, decision: point.decision, reason: point.reason },
      after: {
        pointId,
        decision: input.decision,
        reason: input.reason,
        narrativeAmended: Boolean(input.narrative),
      },
    });
  });
  const response = await responseOf(db, reportId);
  return response!.points.find((p) => p.id === pointId)!;
}

/** Two working days before the window closes, a draft still unanswered brings a reminder. */
export const remindToRespond: DeadlineAction = async (trx, reportId) => {
  const row = await unansweredDraft(trx, reportId);
  if (!row) return;
  const current = await currentVersion(trx, row);
  await tellProvider(trx, current.content, {
    template: 'draft-report-reminder',
    subject: `Reminder: respond to the draft inspection report by ${formatLongDate(row.response_due!)}`,
    body:
      `You have until ${formatLongDate(row.response_due!)} to respond to the draft report of ${about(current.content)}, ` +
      `at /reports/${reportId}/respond. If you do not respond, the report is presumed accurate.`,
  });
};
