import { randomBytes } from 'node:crypto';
import { isUuid } from '../fields.js';
import { sql, type Selectable } from 'kysely';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { endOfEnglishDay, englishDate } from '../clock.js';
import { fetchPage } from '../db/paging.js';
import { inTransaction, type Db, type Trx } from '../db/database.js';
import type { ComplaintsTable } from '../db/schema.js';
import { cancelDeadline, scheduleDeadline, type DeadlineAction } from '../deadlines/store.js';
import { postInspectionProcedures } from '../frameworks/procedures.js';
import { frameworkInForce, procedureFor, RuleError } from '../frameworks/rules.js';
import type { PostInspectionProcedure, ProviderTypeId } from '../frameworks/types.js';
import {
  createInspectionIn,
  inspectionRecord,
  reviseJudgementIn,
  type InspectionRecord,
} from '../inspections/store.js';
import { amendReportAfterComplaint, reportOfInspection } from '../reports/store.js';
import { emailOf, emailsOfRole, tell } from '../messages/store.js';
import { conflict, invalid, notFound, unprocessable, type FieldError, Refusal } from '../refusal.js';
import {
  acknowledgementDue,
  COMPLAINT_CHANNELS,
  COMPLAINT_DEADLINE_KINDS,
  COMPLAINT_OUTCOMES,
  HANDLING_FINDINGS,
  internalReviewRequestDue,
  refusalFor,
  REMEDIES,
  responseDue,
  responseProblems,
  type ComplaintOutcome,
  type ComplaintState,
  type ComplaintStatus,
  type ComplaintStep,
  type HandlingFinding,
  type Remedy,
} from './rules.js';

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
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId,
      action: 'complaint.received',
      entityType: 'complaint',
      entityId: id,
      before: null,
      after: { ...input, reference, procedure: procedure.id },
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
        `Complaint: ${input.summary}`,
        `See /complaints/${id}`,
      ].join('\n\n'),
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
  >,
): ComplaintState {
  return {
    status: row.status as ComplaintStatus,
    procedure: procedureById(row.procedure_id),
    closedOn: dayOf(row.closed_at),
    acknowledgedOn: dayOf(row.acknowledged_at),
    reviewRequestedOn: dayOf(row.internal_review_requested_at),
    escalatedOn: dayOf(row.escalated_at),
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

// ---- Changing ----

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
async function takeStep<T>(
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

async function update(
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

export async function requestInternalReview(
  db: Db,
  actorId: string,
  id: string,
  grounds: string,
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'request-review', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.internal-review-requested',
      row,
      { status: 'review-requested', internal_review_requested_at: now, internal_review_grounds: grounds },
      now,
    );
    await tell(trx, await emailsOfRole(trx, 'complaints'), {
      template: 'complaint-internal-review-requested',
      subject: `Internal review asked for: complaint ${row.reference}`,
      body: `The complainant has asked for an internal review of how complaint ${row.reference} was handled.\n\nGrounds: ${grounds}`,
    });
  });
}

export async function decideInternalReview(
  db: Db,
  actorId: string,
  id: string,
  input: { finding: HandlingFinding; reasons: string },
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'decide-review', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.internal-review-decided',
      row,
      {
        status: 'reviewed',
        internal_review_outcome: input.finding,
        internal_review_reasons: input.reasons,
        internal_review_at: now,
      },
      now,
    );
    await tell(trx, [row.complainant_email], {
      template: 'complaint-internal-review-outcome',
      subject: `The internal review of your complaint ${row.reference}`,
      body: [
        `Dear ${row.complainant_name},`,
        `We have reviewed how your complaint was handled. Finding: ${HANDLING_FINDINGS[input.finding]}.`,
        input.reasons,
        'If you remain unhappy with how your complaint was handled, you can escalate it to the Independent Complaints Adjudication Service for Ofsted (ICASO).',
      ].join('\n\n'),
    });
  });
}

export async function escalateComplaint(
  db: Db,
  actorId: string,
  id: string,
  grounds: string,
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'escalate', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.escalated',
      row,
      { status: 'escalated', escalated_at: now, escalation_grounds: grounds },
      now,
    );
    const recipients = [
      ...(await emailsOfRole(trx, 'adjudicator')),
      ...(await emailsOfRole(trx, 'complaints')),
    ];
    await tell(trx, recipients, {
      template: 'complaint-escalated',
      subject: `Complaint ${row.reference} escalated to ICASO`,
      body: `The complainant has escalated complaint ${row.reference} to the Independent Complaints Adjudication Service for Ofsted.\n\nGrounds: ${grounds}`,
    });
  });
}

export async function ruleOnComplaint(
  db: Db,
  actorId: string,
  id: string,
  input: { ruling: HandlingFinding; reasons: string },
  now: Date,
): Promise<void> {
  await takeStep(db, id, 'rule', now, undefined, async (trx, row) => {
    await update(
      trx,
      actorId,
      'complaint.ruled',
      row,
      {
        status: 'ruled',
        adjudicator_ruling: input.ruling,
        adjudicator_reasons: input.reasons,
        adjudicator_ruled_at: now,
      },
      now,
    );
    const body = [
      `The Independent Complaints Adjudication Service for Ofsted has considered how complaint ${row.reference} was handled. Ruling: ${HANDLING_FINDINGS[input.ruling]}.`,
      input.reasons,
      'ICASO’s remit is the handling of the complaint: the inspection and its judgements are not changed by this ruling.',
    ].join('\n\n');
    const subject = `ICASO’s ruling on complaint ${row.reference}`;
    await tell(trx, [row.complainant_email], { template: 'complaint-ruling', subject, body });
    await tell(trx, await emailsOfRole(trx, 'complaints'), { template: 'complaint-ruling', subject, body });
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
function followIt(row: Pick<Selectable<ComplaintsTable>, 'id' | 'channel'>): string {
  return row.channel === 'portal' || row.channel === 'draft-response'
    ? `Follow your complaint at /complaints/${row.id}`
    : '';
}

function channelWords(channel: ComplaintChannel): string {
  return channel === 'draft-response'
    ? 'as the answer to the draft report'
    : `by ${COMPLAINT_CHANNELS[channel].toLowerCase()}`;
}

async function providerOf(trx: Trx | Db, inspectionId: string): Promise<string> {
  const row = await trx
    .selectFrom('inspections as i')
    .innerJoin('providers as p', 'p.id', 'i.provider_id')
    .select('p.name')
    .where('i.id', '=', inspectionId)
    .executeTakeFirst();
  return row?.name ?? 'the provider';
}
