import { isUuid } from '../fields.js';
import type { Selectable } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import type { Db, Trx } from '../db/database.js';
import type { ComplaintsTable } from '../db/schema.js';
import { cancelDeadline, type DeadlineAction } from '../deadlines/store.js';
import { emailsOfRole, tell } from '../messages/store.js';
import { conflict, notFound } from '../refusal.js';
import {
  COMPLAINT_DEADLINE_KINDS,
  COMPLAINT_TARGETS,
  internalReviewRequestDue,
  refusalFor,
  responseDue,
  type ComplaintStep,
  type LateDecision,
} from './rules.js';
import { followIt, procedureById, providerOf, stateOf } from './store.js';

/**
 * Handling a complaint, one step at a time: each step locks the complaint, checks it against the rules
 * and records the change with its audit entry (`takeStep`, `update`). Acknowledging, notes, and the
 * flags raised when a target is missed.
 */

/** Checks that `step` may be taken now, without locking: for refusing early, before any work. */
export async function checkStep(db: Db, id: string, step: ComplaintStep, now: Date): Promise<void> {
  const row = await db.selectFrom('complaints').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound();
  const refusal = refusalFor(step, stateOf(row), englishDate(now));
  if (refusal) throw refusal;
}

/**
 * One step in a complaint's handling, in one transaction: the complaint is locked, checked against the
 * rules (and the version the person saw, when given), then changed by `apply`.
 */
export async function takeStep<T>(
  db: Db,
  id: string,
  step: ComplaintStep,
  now: Date,
  version: number | undefined,
  apply: (trx: Trx, row: Selectable<ComplaintsTable>) => Promise<T>,
): Promise<T> {
  if (!isUuid(id)) throw notFound();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('complaints')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    if (version !== undefined && row.version !== version) {
      const message = 'The complaint changed meanwhile. Check it and try again.';
      throw conflict(message, [{ field: 'version', message }]);
    }
    const refusal = refusalFor(step, stateOf(row), englishDate(now));
    if (refusal) throw refusal;
    return apply(trx, row);
  });
}

type ComplaintChange = Partial<Omit<Selectable<ComplaintsTable>, 'id' | 'version' | 'created_at'>>;

export async function update(
  trx: Trx,
  actorId: string | null,
  action: string,
  row: Selectable<ComplaintsTable>,
  change: ComplaintChange,
  now: Date,
) {
  await trx
    .updateTable('complaints')
    .set({ ...change, updated_at: now, version: row.version + 1 })
    .where('id', '=', row.id)
    .execute();
  const before = Object.fromEntries(Object.keys(change).map((k) => [k, row[k as keyof typeof row]]));
  await recordAudit(trx, {
    actorId,
    action,
    entityType: 'complaint',
    entityId: row.id,
    before,
    after: change,
  });
}

export async function acknowledgeComplaint(
  db: Db,
  actorId: string,
  id: string,
  now: Date,
  version?: number,
): Promise<void> {
  await takeStep(db, id, 'acknowledge', now, version, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.acknowledged',
      row,
      { status: 'acknowledged', acknowledged_at: now, handler_id: actorId },
      now,
    );
    await cancelDeadline(trx, COMPLAINT_DEADLINE_KINDS.acknowledgement, row.id);
    await tell(trx, [row.complainant_email], {
      template: 'complaint-acknowledged',
      subject: `We have received your complaint ${row.reference}`,
      body: [
        `Dear ${row.complainant_name},`,
        `Thank you for your complaint about the inspection of ${await providerOf(trx, row.inspection_id)}, received on ${formatLongDate(row.received_on)}. Its reference is ${row.reference}.`,
        `We aim to reply by ${formatLongDate(responseDue(row.received_on))}.`,
        followIt(row),
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
  });
}

/**
 * The handler's decision on a complaint made after its time limit, with the reasons. Accepted out of time,
 * it is handled like any other; not accepted, it is closed without an outcome, the targets stop, and the
 * complainant is told why and what they can do next (the internal review or ICASO judge that decision as
 * they judge any handling).
 */
export async function decideLateComplaint(
  db: Db,
  actorId: string,
  id: string,
  input: { decision: LateDecision; reasons: string },
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'decide-late', now, undefined, async (trx, row) => {
    const accepted = input.decision === 'accepted';
    await update(
      trx,
      actorId,
      accepted ? 'complaint.accepted-out-of-time' : 'complaint.not-accepted-out-of-time',
      row,
      {
        late_decision: input.decision,
        late_reasons: input.reasons,
        late_decided_at: now,
        late_decided_by: actorId,
        handler_id: row.handler_id ?? actorId,
        ...(accepted ? {} : { status: 'closed', closed_at: now }),
      },
      now,
    );
    const limit = row.time_limit ? ` The time limit was the end of ${formatLongDate(row.time_limit)}.` : '';
    const about = await providerOf(trx, row.inspection_id);
    let nextStep = '';
    if (!accepted) {
      await cancelDeadline(trx, COMPLAINT_DEADLINE_KINDS.acknowledgement, row.id);
      await cancelDeadline(trx, COMPLAINT_DEADLINE_KINDS.response, row.id);
      nextStep = procedureById(row.procedure_id).internalReview
        ? `If you are unhappy with this decision, you can ask for an internal review by ${formatLongDate(internalReviewRequestDue(englishDate(now)))} (${COMPLAINT_TARGETS.internalReviewRequest} working days).`
        : 'If you think your complaint was not handled properly, you can escalate it to the Independent Complaints Adjudication Service for Ofsted (ICASO).';
    }
    await tell(trx, [row.complainant_email], {
      template: accepted ? 'complaint-accepted-out-of-time' : 'complaint-not-accepted-out-of-time',
      subject: accepted
        ? `Your complaint ${row.reference} is accepted although made out of time`
        : `Your complaint ${row.reference} is not accepted: it was made out of time`,
      body: [
        `Dear ${row.complainant_name},`,
        `Your complaint about the inspection of ${about} was received on ${formatLongDate(row.received_on)}, after the time limit for making a complaint.${limit}`,
        accepted
          ? 'We have decided to accept it out of time, and will consider it.'
          : 'We have decided not to accept it, and have closed it.',
        input.reasons,
        nextStep,
        followIt(row),
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
  });
}

export async function addComplaintNote(
  db: Db,
  actorId: string,
  id: string,
  note: string,
  now: Date,
): Promise<string> {
  return takeStep(db, id, 'note', now, undefined, async (trx, row) => {
    const { id: noteId } = await trx
      .insertInto('complaint_notes')
      .values({ complaint_id: row.id, note, written_by: actorId, written_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'complaint.note-added',
      entityType: 'complaint',
      entityId: row.id,
      before: null,
      after: { noteId, note },
    });
    return noteId;
  });
}

// ---- Overdue flags ----

async function overdueAction(
  trx: Trx,
  subjectId: string,
  dueAt: Date,
  target: 'acknowledgement' | 'response',
) {
  const row = await trx.selectFrom('complaints').selectAll().where('id', '=', subjectId).executeTakeFirst();
  if (!row) return;
  const met = target === 'acknowledgement' ? row.acknowledged_at !== null : row.closed_at !== null;
  if (met) return;
  const due = englishDate(new Date(dueAt.getTime() - 1));
  const what = target === 'acknowledgement' ? 'acknowledged' : 'responded to';
  await recordAudit(trx, {
    actorId: null,
    action: `complaint.${target}-overdue`,
    entityType: 'complaint',
    entityId: row.id,
    before: null,
    after: { overdue: target, due },
  });
  await tell(trx, await emailsOfRole(trx, 'complaints'), {
    template: 'complaint-overdue',
    subject: `Overdue: complaint ${row.reference} not ${what}`,
    body: `Complaint ${row.reference} about the inspection of ${await providerOf(trx, row.inspection_id)}, received on ${formatLongDate(row.received_on)}, was due to be ${what} by ${formatLongDate(due)} and has not been. It is now marked overdue.`,
  });
}

export const complaintDeadlineActions: ReadonlyMap<string, DeadlineAction> = new Map<string, DeadlineAction>([
  [
    COMPLAINT_DEADLINE_KINDS.acknowledgement,
    (trx, subjectId, dueAt) => overdueAction(trx, subjectId, dueAt, 'acknowledgement'),
  ],
  [
    COMPLAINT_DEADLINE_KINDS.response,
    (trx, subjectId, dueAt) => overdueAction(trx, subjectId, dueAt, 'response'),
  ],
]);
