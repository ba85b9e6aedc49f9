import { randomBytes } from 'node:crypto';
import { isUuid } from '../fields.js';
import { sql, type Selectable } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { endOfEnglishDay, englishDate } from '../clock.js';
import { fetchPage } from '../db/paging.js';
import { inTransaction, type Db, type Trx } from '../db/database.js';
import type { ComplaintsTable } from '../db/schema.js';
import { scheduleDeadline } from '../deadlines/store.js';
import { postInspectionProcedures } from '../frameworks/procedures.js';
import { procedureFor } from '../frameworks/rules.js';
import type { PostInspectionProcedure } from '../frameworks/types.js';
import { emailsOfRole, tell } from '../messages/store.js';
import { notFound } from '../refusal.js';
import {
  acknowledgementDue,
  COMPLAINT_CHANNELS,
  COMPLAINT_DEADLINE_KINDS,
  internalReviewRequestDue,
  responseDue,
  timeLimitOn,
  type ComplaintOutcome,
  type ComplaintState,
  type ComplaintStatus,
  type HandlingFinding,
  type LateDecision,
  type Remedy,
} from './rules.js';

/**
 * Complaints as recorded: taking one in, and reading them (one, a list, the overdue ones). The handling
 * steps are in handling.ts, the response that closes a complaint (with its remedies) in close.ts, and the
 * internal review and the adjudicator in escalation.ts.
 */

export type ComplaintChannel = 'portal' | 'phone' | 'email' | 'draft-response';

export interface NewComplaint {
  inspectionId: string;
  channel: ComplaintChannel;
  complainantName: string;
  complainantEmail: string | null;
  summary: string;
  /** The day it reached the regulator (today for the portal; the day of the call or email otherwise). */
  receivedOn: string;
}

/** A reference a complainant can quote: C- and eight letters or digits. */
function newReference(): string {
  return `C-${randomBytes(5).toString('hex').toUpperCase().slice(0, 8)}`;
}

/**
 * Takes in a complaint about an inspection, under the complaints procedure in force on the inspection's
 * last day. Runs in the caller's transaction when given one (a formal complaint made as the answer to a
 * draft report is recorded with that answer). The targets to acknowledge and to answer it are scheduled
 * with it, and the complaints team is told.
 */
export async function raiseComplaint(
  trx: Trx | Db,
  actorId: string | null,
  input: NewComplaint,
): Promise<{ id: string; reference: string }> {
  return inTransaction(trx, async (trx) => {
    const inspection = await trx
      .selectFrom('inspections')
      .select(['id', 'end_date'])
      .where('id', '=', input.inspectionId)
      .executeTakeFirst();
    if (!inspection) throw notFound();
    const procedure = procedureFor(inspection.end_date);
    const reference = newReference();
    // The days the reports reached the provider: read here, in the caller's transaction, because a
    // complaint made with the answer to a draft is taken in while the report is locked.
    const report = await trx
      .selectFrom('reports')
      .select(['draft_issued_on', 'finalised_on'])
      .where('inspection_id', '=', input.inspectionId)
      .executeTakeFirst();
    const { timeLimit, late } = timeLimitOn(
      procedure,
      {
        lastDay: inspection.end_date,
        draftIssuedOn: report?.draft_issued_on ?? null,
        finalisedOn: report?.finalised_on ?? null,
      },
      input.receivedOn,
    );
    const { id } = await trx
      .insertInto('complaints')
      .values({
        reference,
        inspection_id: input.inspectionId,
        procedure_id: procedure.id,
        channel: input.channel,
        complainant_name: input.complainantName,
        complainant_email: input.complainantEmail,
        summary: input.summary,
        received_on: input.receivedOn,
        raised_by: actorId,
        acknowledged_at: null,
        outcome: null,
        outcome_reasons: null,
        closed_at: null,
        internal_review_requested_at: null,
        internal_review_outcome: null,
        internal_review_at: null,
        escalated_at: null,
        adjudicator_ruling: null,
        adjudicator_reasons: null,
        adjudicator_ruled_at: null,
        handler_id: null,
        time_limit: timeLimit,
        late,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'complaint.received',
      entityType: 'complaint',
      entityId: id,
      before: null,
      after: { ...input, reference, procedure: procedure.id, timeLimit, late },
    });
    const acknowledgeBy = acknowledgementDue(input.receivedOn);
    const respondBy = responseDue(input.receivedOn);
    await scheduleDeadline(trx, COMPLAINT_DEADLINE_KINDS.acknowledgement, id, endOfEnglishDay(acknowledgeBy));
    await scheduleDeadline(trx, COMPLAINT_DEADLINE_KINDS.response, id, endOfEnglishDay(respondBy));
    const about = await providerOf(trx, input.inspectionId);
    await tell(trx, await emailsOfRole(trx, 'complaints'), {
      template: 'complaint-received',
      subject: `New complaint ${reference} about the inspection of ${about}`,
      body: [
        `A complaint about the inspection of ${about} was received ${channelWords(input.channel)} on ${formatLongDate(input.receivedOn)}.`,
        `Acknowledge it by ${formatLongDate(acknowledgeBy)} and respond by ${formatLongDate(respondBy)}.`,
        late && timeLimit
          ? `It came after its time limit, the end of ${formatLongDate(timeLimit)}: decide whether to accept it out of time.`
          : '',
        `Complaint: ${input.summary}`,
        `See /complaints/${id}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    });
    return { id, reference };
  });
}

/** Whether a complaint about the inspection is still open: its report is not published meanwhile. */
export async function hasOpenComplaint(trx: Trx | Db, inspectionId: string): Promise<boolean> {
  const open = await trx
    .selectFrom('complaints')
    .select('id')
    .where('inspection_id', '=', inspectionId)
    .where('closed_at', 'is', null)
    .executeTakeFirst();
  return open !== undefined;
}

// ---- Reading ----

export interface Complaint {
  id: string;
  reference: string;
  status: ComplaintStatus;
  procedure: { id: string; name: string; internalReview: boolean };
  inspection: {
    id: string;
    startDate: string;
    endDate: string;
    provider: { id: string; name: string; urn: string; type: string; region: string };
    leadInspector: { id: string; name: string };
  };
  channel: ComplaintChannel;
  complainant: { name: string; email: string | null };
  summary: string;
  receivedOn: string;
  acknowledgedAt: string | null;
  acknowledgementDue: string;
  responseDue: string;
  /**
   * The time limit for making the complaint, as it stood when it was received (`due` null: none had
   * started), whether it came later, and what the handler decided about that.
   */
  timeLimit: {
    due: string | null;
    late: boolean;
    decision: {
      decision: LateDecision;
      reasons: string;
      decidedAt: string;
      decidedBy: { id: string; name: string } | null;
    } | null;
  };
  /** Targets missed: set when the overdue flag's deadline fired. */
  overdue: { acknowledgement: boolean; response: boolean };
  handler: { id: string; name: string } | null;
  response: {
    outcome: ComplaintOutcome;
    reasons: string;
    remedies: Remedy[];
    closedAt: string;
    reinspectionId: string | null;
  } | null;
  /** When it was closed: by the response, or by not accepting it out of time. */
  closedAt: string | null;
  internalReview: {
    /** The last day to ask for one, once the complaint is closed; null where the procedure has none. */
    requestDue: string | null;
    requestedAt: string | null;
    grounds: string | null;
    finding: HandlingFinding | null;
    reasons: string | null;
    decidedAt: string | null;
  } | null;
  escalation: { escalatedAt: string; grounds: string | null } | null;
  ruling: { ruling: HandlingFinding; reasons: string; ruledAt: string } | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export interface ComplaintNote {
  id: string;
  note: string;
  writtenBy: { id: string; name: string };
  writtenAt: string;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const dayOf = (value: Date | string | null) => (value === null ? null : englishDate(new Date(value)));

export function procedureById(id: string): PostInspectionProcedure {
  const procedure = postInspectionProcedures.find((p) => p.id === id);
  if (!procedure) throw new Error(`Unknown post-inspection procedure '${id}'`);
  return procedure;
}

function complaintQuery(db: Db | Trx) {
  return db
    .selectFrom('complaints as c')
    .innerJoin('inspections as i', 'i.id', 'c.inspection_id')
    .innerJoin('providers as p', 'p.id', 'i.provider_id')
    .innerJoin('people as l', 'l.id', 'i.lead_inspector_id')
    .leftJoin('people as h', 'h.id', 'c.handler_id')
    .leftJoin('people as ld', 'ld.id', 'c.late_decided_by')
    .selectAll('c')
    .select([
      'i.provider_id',
      'i.start_date',
      'i.end_date',
      'i.lead_inspector_id',
      'l.name as lead_name',
      'p.name as provider_name',
      'p.urn as provider_urn',
      'p.type as provider_type',
      'p.region as provider_region',
      'h.name as handler_name',
      'ld.name as late_decider_name',
      sql<boolean>`exists (select 1 from deadlines d where d.subject_id = c.id
        and d.kind = ${COMPLAINT_DEADLINE_KINDS.acknowledgement} and d.status = 'done')`.as('ack_overdue'),
      sql<boolean>`exists (select 1 from deadlines d where d.subject_id = c.id
        and d.kind = ${COMPLAINT_DEADLINE_KINDS.response} and d.status = 'done')`.as('response_overdue'),
    ]);
}

type ComplaintRow = Awaited<ReturnType<ReturnType<typeof complaintQuery>['executeTakeFirstOrThrow']>>;

function toComplaint(row: ComplaintRow): Complaint {
  const procedure = procedureById(row.procedure_id);
  const closedOn = dayOf(row.closed_at);
  return {
    id: row.id,
    reference: row.reference,
    status: row.status as ComplaintStatus,
    procedure: { id: procedure.id, name: procedure.name, internalReview: procedure.internalReview },
    inspection: {
      id: row.inspection_id,
      startDate: row.start_date,
      endDate: row.end_date,
      provider: {
        id: row.provider_id,
        name: row.provider_name,
        urn: row.provider_urn,
        type: row.provider_type,
        region: row.provider_region,
      },
      leadInspector: { id: row.lead_inspector_id, name: row.lead_name },
    },
    channel: row.channel,
    complainant: { name: row.complainant_name, email: row.complainant_email },
    summary: row.summary,
    receivedOn: row.received_on,
    acknowledgedAt: iso(row.acknowledged_at),
    acknowledgementDue: acknowledgementDue(row.received_on),
    responseDue: responseDue(row.received_on),
    timeLimit: {
      due: row.time_limit,
      late: row.late,
      decision:
        row.late_decision && row.late_decided_at
          ? {
              decision: row.late_decision,
              reasons: row.late_reasons ?? '',
              decidedAt: iso(row.late_decided_at)!,
              decidedBy: row.late_decided_by
                ? { id: row.late_decided_by, name: row.late_decider_name ?? '' }
                : null,
            }
          : null,
    },
    overdue: { acknowledgement: Boolean(row.ack_overdue), response: Boolean(row.response_overdue) },
    handler: row.handler_id ? { id: row.handler_id, name: row.handler_name ?? '' } : null,
    response:
      row.outcome && row.closed_at
        ? {
            outcome: row.outcome as ComplaintOutcome,
            reasons: row.outcome_reasons ?? '',
            remedies: row.remedies as Remedy[],
            closedAt: iso(row.closed_at)!,
            reinspectionId: row.reinspection_id,
          }
        : null,
    closedAt: iso(row.closed_at),
    internalReview: procedure.internalReview
      ? {
          requestDue: closedOn ? internalReviewRequestDue(closedOn) : null,
          requestedAt: iso(row.internal_review_requested_at),
          grounds: row.internal_review_grounds,
          finding: row.internal_review_outcome as HandlingFinding | null,
          reasons: row.internal_review_reasons,
          decidedAt: iso(row.internal_review_at),
        }
      : null,
    escalation: row.escalated_at
      ? { escalatedAt: iso(row.escalated_at)!, grounds: row.escalation_grounds }
      : null,
    ruling:
      row.adjudicator_ruling && row.adjudicator_ruled_at
        ? {
            ruling: row.adjudicator_ruling as HandlingFinding,
            reasons: row.adjudicator_reasons ?? '',
            ruledAt: iso(row.adjudicator_ruled_at)!,
          }
        : null,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    version: row.version,
  };
}

/** Where a complaint has got to, as the rules see it. */
export function stateOf(
  row: Pick<
    Selectable<ComplaintsTable>,
    | 'status'
    | 'procedure_id'
    | 'closed_at'
    | 'acknowledged_at'
    | 'internal_review_requested_at'
    | 'escalated_at'
    | 'late'
    | 'late_decision'
  >,
): ComplaintState {
  return {
    status: row.status as ComplaintStatus,
    procedure: procedureById(row.procedure_id),
    closedOn: dayOf(row.closed_at),
    acknowledgedOn: dayOf(row.acknowledged_at),
    reviewRequestedOn: dayOf(row.internal_review_requested_at),
    escalatedOn: dayOf(row.escalated_at),
    late: row.late,
    lateDecision: row.late_decision,
  };
}

export async function findComplaint(db: Db, id: string): Promise<Complaint | null> {
  if (!isUuid(id)) return null;
  const row = await complaintQuery(db).where('c.id', '=', id).executeTakeFirst();
  return row ? toComplaint(row) : null;
}

export async function listComplaintNotes(db: Db, complaintId: string): Promise<ComplaintNote[]> {
  const rows = await db
    .selectFrom('complaint_notes as n')
    .innerJoin('people as p', 'p.id', 'n.written_by')
    .select(['n.id', 'n.note', 'n.written_by', 'p.name', 'n.written_at'])
    .where('n.complaint_id', '=', complaintId)
    .orderBy('n.written_at')
    .orderBy('n.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    note: r.note,
    writtenBy: { id: r.written_by, name: r.name },
    writtenAt: iso(r.written_at)!,
  }));
}

/** Which complaints a person's lists may show. */
export type ComplaintScope =
  { kind: 'all' } | { kind: 'escalated' } | { kind: 'providers'; providerIds: string[] } | { kind: 'none' };

export interface ComplaintSearch {
  status?: ComplaintStatus | undefined;
  escalated?: boolean | undefined;
  overdue?: boolean | undefined;
  /** Made after the time limit (whatever was decided about it), or in time. */
  late?: boolean | undefined;
  inspectionId?: string | undefined;
  page: number;
  pageSize: number;
}

/** Complaints newest first, within the person's scope. */
export async function searchComplaints(db: Db, scope: ComplaintScope, search: ComplaintSearch) {
  const empty = { items: [], page: search.page, pageSize: search.pageSize, total: 0, totalPages: 0 };
  if (scope.kind === 'none' || (scope.kind === 'providers' && scope.providerIds.length === 0)) return empty;
  let query = complaintQuery(db);
  if (scope.kind === 'escalated') query = query.where('c.escalated_at', 'is not', null);
  if (scope.kind === 'providers') query = query.where('i.provider_id', 'in', scope.providerIds);
  if (search.status) query = query.where('c.status', '=', search.status);
  if (search.escalated !== undefined) {
    query = query.where('c.escalated_at', search.escalated ? 'is not' : 'is', null);
  }
  if (search.inspectionId) query = query.where('c.inspection_id', '=', search.inspectionId);
  if (search.late !== undefined) query = query.where('c.late', '=', search.late);
  if (search.overdue !== undefined) {
    const missed = sql<boolean>`exists (select 1 from deadlines d where d.subject_id = c.id
      and d.kind in (${COMPLAINT_DEADLINE_KINDS.acknowledgement}, ${COMPLAINT_DEADLINE_KINDS.response})
      and d.status = 'done')`;
    query = query.where(search.overdue ? missed : sql<boolean>`not ${missed}`);
  }
  return fetchPage(
    query,
    (q) => q.orderBy('c.received_on', 'desc').orderBy('c.created_at', 'desc').orderBy('c.id'),
    search,
    toComplaint,
  );
}

/** Complaints whose overdue flag fired and whose target is still not met, for the dashboard. */
export async function flaggedComplaints(db: Db) {
  const rows = await db
    .selectFrom('deadlines as d')
    .innerJoin('complaints as c', 'c.id', 'd.subject_id')
    .select(['d.id', 'd.kind', 'd.due_at', 'c.id as complaint_id', 'c.reference'])
    .where('d.status', '=', 'done')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('d.kind', '=', COMPLAINT_DEADLINE_KINDS.acknowledgement),
          eb('c.acknowledged_at', 'is', null),
        ]),
        eb.and([eb('d.kind', '=', COMPLAINT_DEADLINE_KINDS.response), eb('c.closed_at', 'is', null)]),
      ]),
    )
    .orderBy('d.due_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    dueAt: iso(r.due_at)!,
    complaintId: r.complaint_id,
    reference: r.reference,
  }));
}

/** What each complaint a deadline is about is called, by id. */
export async function complaintLabels(db: Db, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const rows = await db
    .selectFrom('complaints as c')
    .innerJoin('inspections as i', 'i.id', 'c.inspection_id')
    .innerJoin('providers as p', 'p.id', 'i.provider_id')
    .select(['c.id', 'c.reference', 'p.name'])
    .where('c.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, `Complaint ${r.reference} (${r.name})`]));
}

// ---- Helpers ----

/** Where a complainant with an account (one who complained through the portal) follows the complaint. */
export function followIt(row: Pick<Selectable<ComplaintsTable>, 'id' | 'channel'>): string {
  return row.channel === 'portal' || row.channel === 'draft-response'
    ? `Follow your complaint at /complaints/${row.id}`
    : '';
}

function channelWords(channel: ComplaintChannel): string {
  return channel === 'draft-response'
    ? 'as the answer to the draft report'
    : `by ${COMPLAINT_CHANNELS[channel].toLowerCase()}`;
}

export async function providerOf(trx: Trx | Db, inspectionId: string): Promise<string> {
  const row = await trx
    .selectFrom('inspections as i')
    .innerJoin('providers as p', 'p.id', 'i.provider_id')
    .select('p.name')
    .where('i.id', '=', inspectionId)
    .executeTakeFirst();
  return row?.name ?? 'the provider';
}
