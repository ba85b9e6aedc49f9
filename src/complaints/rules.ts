import { addWorkingDays, formatLongDate, type IsoDate } from '../calendar/working-days.js';
import type { PostInspectionProcedure } from '../frameworks/types.js';
import { conflict, unprocessable, type FieldError, type Refusal } from '../refusal.js';

/**
 * How a complaint about an inspection is handled, from intake to the independent adjudicator, and how
 * closed complaints are sampled and anonymised for the external review. Pure: no clock, no database.
 */

// ---- Catalogues ----

export const COMPLAINT_STATUSES = {
  received: 'Received',
  acknowledged: 'Acknowledged',
  closed: 'Responded to and closed',
  'review-requested': 'Internal review requested',
  reviewed: 'Internal review done',
  escalated: 'Escalated to ICASO',
  ruled: 'ICASO has ruled',
} as const;
export type ComplaintStatus = keyof typeof COMPLAINT_STATUSES;

export const COMPLAINT_CHANNELS = {
  portal: 'Provider portal',
  phone: 'Phone',
  email: 'Email',
  'draft-response': 'Answer to the draft report',
} as const;

export const COMPLAINT_OUTCOMES = {
  upheld: 'Upheld',
  'partly-upheld': 'Partly upheld',
  'not-upheld': 'Not upheld',
} as const;
export type ComplaintOutcome = keyof typeof COMPLAINT_OUTCOMES;

export const REMEDIES = {
  'report-amended': 'The report is amended',
  'judgement-changed': 'A judgement is changed',
  're-inspection': 'The provider is inspected again',
  apology: 'An apology',
} as const;
export type Remedy = keyof typeof REMEDIES;

/** What the internal review and the adjudicator find: both judge the handling, never the inspection. */
export const HANDLING_FINDINGS = {
  'handled-properly': 'The complaint was handled properly',
  'not-handled-properly': 'The complaint was not handled properly',
} as const;
export type HandlingFinding = keyof typeof HANDLING_FINDINGS;

/**
 * The regulator's own targets, counted in working days. Replying within 30 working days and a request
 * for an internal review within 15 working days of the reply come from the 2017 complaints guidance
 * (DOMAIN.md); acknowledging within 2 working days is the service's own target.
 */
export const COMPLAINT_TARGETS = {
  acknowledgement: 2,
  response: 30,
  internalReviewRequest: 15,
} as const;

export const COMPLAINT_DEADLINE_KINDS = {
  acknowledgement: 'complaint.acknowledgement-overdue',
  response: 'complaint.response-overdue',
} as const;

export function acknowledgementDue(receivedOn: IsoDate): IsoDate {
  return addWorkingDays(receivedOn, COMPLAINT_TARGETS.acknowledgement);
}

export function responseDue(receivedOn: IsoDate): IsoDate {
  return addWorkingDays(receivedOn, COMPLAINT_TARGETS.response);
}

/** The last day to ask for an internal review of a complaint answered on `respondedOn`. */
export function internalReviewRequestDue(respondedOn: IsoDate): IsoDate {
  return addWorkingDays(respondedOn, COMPLAINT_TARGETS.internalReviewRequest);
}

// ---- The steps, and when each is refused ----

export type ComplaintStep =
  'acknowledge' | 'note' | 'respond' | 'request-review' | 'decide-review' | 'escalate' | 'rule';

/** Where a complaint has got to, as the rules need it. */
export interface ComplaintState {
  status: ComplaintStatus;
  procedure: PostInspectionProcedure;
  /** The day in England the complaint was responded to and closed. */
  closedOn: IsoDate | null;
  acknowledgedOn: IsoDate | null;
  reviewRequestedOn: IsoDate | null;
  escalatedOn: IsoDate | null;
}

/** Why a step is refused: a conflict for the wrong stage, unprocessable for what the procedure or calendar forbids. */
const stage = (message: string): Refusal => conflict(message, [{ field: 'status', message }]);
const forbiddenBy = (field: string, message: string): Refusal => unprocessable([{ field, message }]);

/** How an escalation is described in refusals: with its day when known. */
const escalatedWords = (state: ComplaintState) =>
  state.escalatedOn
    ? `The complaint was escalated to ICASO on ${formatLongDate(state.escalatedOn)}`
    : 'The complaint has been escalated to ICASO';

/** Each step, with why it cannot be taken now (today is `today` in England), or null when it can. */
const STEPS: Record<ComplaintStep, (state: ComplaintState, today: IsoDate) => Refusal | null> = {
  acknowledge: (state) => {
    if (state.status === 'received') return null;
    return stage(
      state.acknowledgedOn
        ? `The complaint was already acknowledged on ${formatLongDate(state.acknowledgedOn)}`
        : 'The complaint has already been acknowledged',
    );
  },
  note: (state) => {
    if (state.status === 'escalated' || state.status === 'ruled') {
      return stage(`${escalatedWords(state)}: its record is closed to new notes`);
    }
    return null;
  },
  respond: (state) => {
    if (state.status === 'acknowledged') return null;
    if (state.status === 'received') return stage('Acknowledge the complaint before responding to it');
    return stage(
      state.closedOn
        ? `The complaint was already responded to and closed on ${formatLongDate(state.closedOn)}`
        : 'The complaint has already been responded to',
    );
  },
  'request-review': (state, today) => {
    const { status, procedure } = state;
    if (!procedure.internalReview) {
      return forbiddenBy(
        'procedure',
        `Under the ${lowerFirst(procedure.name)} there is no internal review: a complainant unhappy with how the complaint was handled can escalate it straight to the independent adjudicator (ICASO)`,
      );
    }
    if (status === 'received' || status === 'acknowledged' || state.closedOn === null) {
      return stage('An internal review can be asked for once the complaint has been responded to and closed');
    }
    if (status !== 'closed') {
      return stage(
        state.reviewRequestedOn
          ? `An internal review was already asked for on ${formatLongDate(state.reviewRequestedOn)}`
          : escalatedWords(state),
      );
    }
    const due = internalReviewRequestDue(state.closedOn);
    if (today > due) {
      return forbiddenBy(
        'date',
        `An internal review had to be asked for by ${formatLongDate(due)}, ${COMPLAINT_TARGETS.internalReviewRequest} working days after the response on ${formatLongDate(state.closedOn)}`,
      );
    }
    return null;
  },
  'decide-review': ({ status }) => {
    if (status === 'review-requested') return null;
    if (status === 'reviewed' || status === 'escalated' || status === 'ruled') {
      return stage('The internal review has already been decided');
    }
    return stage('No internal review has been asked for');
  },
  escalate: (state) => {
    const { status, procedure } = state;
    if (status === 'escalated' || status === 'ruled') return stage(escalatedWords(state));
    if (status === 'received' || status === 'acknowledged') {
      return stage('A complaint can be escalated to ICASO only after it has been responded to and closed');
    }
    if (procedure.internalReview) {
      if (status === 'closed') {
        return stage(
          `Under the ${lowerFirst(procedure.name)} an internal review comes first: ask for one before escalating to ICASO`,
        );
      }
      if (status === 'review-requested') {
        return stage('Wait for the outcome of the internal review before escalating to ICASO');
      }
      return null; // reviewed
    }
    return status === 'closed' ? null : stage('The complaint cannot be escalated at this stage');
  },
  rule: ({ status }) => {
    if (status === 'escalated') return null;
    return stage('ICASO has already ruled on this complaint');
  },
};

/** Why `step` cannot be taken now (today is `today` in England), or null when it can. */
export function refusalFor(step: ComplaintStep, state: ComplaintState, today: IsoDate): Refusal | null {
  return STEPS[step](state, today);
}

/** The steps open now, in the order they come. */
export function openSteps(state: ComplaintState, today: IsoDate): ComplaintStep[] {
  // The table lists the steps in the order they come.
  return (Object.keys(STEPS) as ComplaintStep[]).filter((step) => refusalFor(step, state, today) === null);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

// ---- The response ----

export interface ResponseInput {
  outcome: ComplaintOutcome;
  remedies: readonly Remedy[];
  reinspection?: { startDate: IsoDate; endDate: IsoDate; leadInspectorId: string } | null | undefined;
  /** For 'report-amended': what changed and why, and the amended narrative if the words change. */
  amendment?: { note: string; narrative?: string | undefined } | null | undefined;
  /** For 'judgement-changed': the area and its new grade. */
  judgement?: { areaId: string; grade: string } | null | undefined;
}

/** What a response is checked against: the inspection as it stands. */
export interface ResponseContext {
  today: IsoDate;
  inspectionTeamIds: readonly string[];
  /** The framework's grades, best first, as `id` and words. */
  gradeScale: readonly { id: string; label: string }[];
  /** Each judgement area graded at the inspection, with its grade now. */
  judgements: readonly { areaId: string; areaName: string; grade: string }[];
  /** Whether the inspection's report has been issued: a report not yet issued cannot be amended. */
  hasReport: boolean;
}

/**
 * What is wrong with a response, against each field: remedies only follow a complaint upheld at least in
 * part; each remedy that acts brings what it needs (a re-inspection its dates and a lead who was not on
 * the inspection; an amended report its note; a changed judgement its area and a new grade on the
 * framework's scale), and nothing is given for a remedy not chosen.
 */
export function responseProblems(input: ResponseInput, context: ResponseContext): FieldError[] {
  const errors: FieldError[] = [];
  if (input.outcome === 'not-upheld' && input.remedies.length > 0) {
    errors.push({ field: 'remedies', message: 'A complaint that is not upheld has no remedies' });
  }
  const wantsReinspection = input.remedies.includes('re-inspection');
  if (wantsReinspection && !input.reinspection) {
    errors.push({
      field: 'reinspection.startDate',
      message: 'Give the dates and the lead inspector of the re-inspection',
    });
  }
  if (!wantsReinspection && input.reinspection) {
    errors.push({ field: 'remedies', message: 'Choose re-inspection as a remedy to plan a re-inspection' });
  }
  if (wantsReinspection && input.reinspection) {
    if (input.reinspection.startDate < context.today) {
      errors.push({
        field: 'reinspection.startDate',
        message: `The re-inspection must start on or after today, ${formatLongDate(context.today)}`,
      });
    }
    if (input.reinspection.endDate < input.reinspection.startDate) {
      errors.push({
        field: 'reinspection.endDate',
        message: 'The last day must be the same as or after the first day',
      });
    }
    if (context.inspectionTeamIds.includes(input.reinspection.leadInspectorId)) {
      errors.push({
        field: 'reinspection.leadInspectorId',
        message: 'The re-inspection is led by an inspector who was not on the inspection complained about',
      });
    }
  }
  errors.push(...amendmentProblems(input, context), ...judgementProblems(input, context));
  return errors;
}

function amendmentProblems(input: ResponseInput, context: ResponseContext): FieldError[] {
  const wanted = input.remedies.includes('report-amended');
  if (!wanted) {
    return input.amendment
      ? [{ field: 'remedies', message: 'Choose ‘the report is amended’ as a remedy to amend the report' }]
      : [];
  }
  const errors: FieldError[] = [];
  if (!context.hasReport) {
    errors.push({
      field: 'remedies',
      message: 'The report of this inspection has not been issued yet, so there is no report to amend',
    });
  }
  if (!input.amendment?.note.trim()) {
    errors.push({
      field: 'amendment.note',
      message: 'Say what is amended in the report and why: the report shows this note',
    });
  }
  if (input.amendment?.narrative !== undefined && !input.amendment.narrative.trim()) {
    errors.push({ field: 'amendment.narrative', message: 'The amended narrative cannot be empty' });
  }
  return errors;
}

function judgementProblems(input: ResponseInput, context: ResponseContext): FieldError[] {
  const wanted = input.remedies.includes('judgement-changed');
  if (!wanted) {
    return input.judgement
      ? [{ field: 'remedies', message: 'Choose ‘a judgement is changed’ as a remedy to change a grade' }]
      : [];
  }
  const errors: FieldError[] = [];
  const areas = context.judgements.map((j) => j.areaName).join(', ');
  const judged = context.judgements.find((j) => j.areaId === input.judgement?.areaId);
  if (!input.judgement?.areaId) {
    errors.push({ field: 'judgement.areaId', message: `Select the judgement that changes: ${areas}` });
  } else if (!judged) {
    errors.push({
      field: 'judgement.areaId',
      message: `'${input.judgement.areaId}' is not a judgement of this inspection; its judgements are ${areas}`,
    });
  }
  const grade = input.judgement?.grade;
  const scale = context.gradeScale.map((g) => g.id).join(', ');
  if (!grade) {
    errors.push({ field: 'judgement.grade', message: `Select the new grade: ${scale}` });
  } else if (!context.gradeScale.some((g) => g.id === grade)) {
    errors.push({
      field: 'judgement.grade',
      message: `'${grade}' is not a grade on the framework’s scale: ${scale}`,
    });
  } else if (judged && judged.grade === grade) {
    const label = context.gradeScale.find((g) => g.id === grade)!.label;
    errors.push({
      field: 'judgement.grade',
      message: `${judged.areaName} is already graded ${label}: choose the grade it changes to`,
    });
  }
  return errors;
}

// ---- The periodic review of closed complaints ----

/** A 32-bit hash of the seed text (FNV-1a), so that any text can seed the sample. */
export function hashSeed(seed: string): number {
  let hash = 0x811c9dc5;
  for (const char of seed) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast PRNG; the same seed gives the same numbers in [0, 1) on any machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random sample of `size` from the population (all of it when smaller), reproducible from the seed:
 * the first `size` places of a Fisher–Yates shuffle. The population must come in a stable order.
 */
export function drawSample<T>(population: readonly T[], size: number, seed: string): T[] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`The sample size must be a whole number of 1 or more, not ${size}`);
  }
  const items = [...population];
  const random = mulberry32(hashSeed(seed));
  const take = Math.min(size, items.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items.slice(0, take);
}

// ---- Intake ----

export interface IntakeRequest {
  inspectionId: string;
  summary: string;
  channel?: 'portal' | 'phone' | 'email' | undefined;
  complainantName?: string | undefined;
  complainantEmail?: string | undefined;
  receivedOn?: IsoDate | undefined;
}

/** Who is making the record: the provider itself, through the portal, or complaints staff on its behalf. */
export type IntakeCaller = { kind: 'provider'; name: string; email: string } | { kind: 'staff' };

export interface IntakeRecord {
  inspectionId: string;
  channel: 'portal' | 'phone' | 'email';
  complainantName: string;
  complainantEmail: string | null;
  summary: string;
  receivedOn: IsoDate;
}

/**
 * The complaint to record, or what is wrong with the request: a provider complains through the portal
 * as itself, today; complaints staff record a call or an email with who made it and when it came in.
 */
export function intake(
  caller: IntakeCaller,
  request: IntakeRequest,
  inspection: { status: string; startDate: IsoDate },
  today: IsoDate,
): { record: IntakeRecord } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  if (inspection.status === 'planned') {
    errors.push({
      field: 'inspectionId',
      message:
        'This inspection has not started: a complaint about it can be made once inspectors have been on site',
    });
  }
  if (caller.kind === 'provider') {
    if (request.channel !== undefined && request.channel !== 'portal') {
      errors.push({ field: 'channel', message: 'A provider makes a complaint through the portal' });
    }
    if (errors.length > 0) return { errors };
    return {
      record: {
        inspectionId: request.inspectionId,
        channel: 'portal',
        complainantName: caller.name,
        complainantEmail: caller.email,
        summary: request.summary,
        receivedOn: today,
      },
    };
  }
  const channel = request.channel;
  if (channel === undefined) {
    errors.push({ field: 'channel', message: 'Select how the complaint was made: phone or email' });
  } else if (channel === 'portal') {
    errors.push({
      field: 'channel',
      message: 'Complaints staff record complaints made by phone or email; a provider uses the portal itself',
    });
  }
  const name = request.complainantName?.trim();
  if (!name) errors.push({ field: 'complainantName', message: 'Enter the complainant’s name' });
  const email = request.complainantEmail?.trim() || null;
  if (channel === 'email' && !email) {
    errors.push({ field: 'complainantEmail', message: 'Enter the email address the complaint came from' });
  }
  const receivedOn = request.receivedOn;
  if (receivedOn === undefined) {
    errors.push({ field: 'receivedOn', message: 'Enter the day the complaint was received' });
  } else if (receivedOn > today) {
    errors.push({
      field: 'receivedOn',
      message: 'The day the complaint was received must be today or in the past',
    });
  } else if (receivedOn < inspection.startDate) {
    errors.push({
      field: 'receivedOn',
      message: `The complaint cannot have been received before the inspection started on ${formatLongDate(inspection.startDate)}`,
    });
  }
  if (errors.length > 0) return { errors };
  return {
    record: {
      inspectionId: request.inspectionId,
      channel: channel as 'phone' | 'email',
      complainantName: name!,
      complainantEmail: email,
      summary: request.summary,
      receivedOn: receivedOn!,
    },
  };
}
