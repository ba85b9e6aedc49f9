import { addCalendarDays, formatLongDate, isWorkingDay, type IsoDate } from '../calendar/working-days.js';
import { postInspectionProcedures } from '../frameworks/procedures.js';
import { describeDeadline, dueDate, instrumentTitleOf } from '../frameworks/rules.js';
import type { DeadlineAnchor, PostInspectionProcedure, ResponseRoute } from '../frameworks/types.js';
import { conflict, unprocessable, type FieldError, type Refusal } from '../refusal.js';

/**
 * The inspection report after the inspection: the draft, the provider's answer to it, the final report
 * and its publication. Pure: dates come in as arguments, rules from the procedure data.
 */

export const REPORT_STATUSES = {
  draft: 'Draft',
  final: 'Final',
  published: 'Published',
  withdrawn: 'Withdrawn',
} as const;
export type ReportStatus = keyof typeof REPORT_STATUSES;

/** How a provider may answer the draft; which of them it may use is up to the procedure. */
export const RESPONSE_ROUTES: Record<ResponseRoute, string> = {
  'factual-accuracy': 'Point out factual inaccuracies',
  'factual-accuracy-and-process-comments':
    'Point out factual inaccuracies and comment on the inspection process or conduct',
  'minor-points': 'Raise minor points of clarity or factual accuracy',
  'formal-complaint': 'Make a formal complaint seeking a review of the findings and judgements',
};

export const POINT_DECISIONS = { accepted: 'Accepted', rejected: 'Rejected' } as const;
export type PointDecision = keyof typeof POINT_DECISIONS;

/** The routes whose answer is a list of passages, each with a comment. */
export function carriesPoints(route: ResponseRoute): boolean {
  return route !== 'formal-complaint';
}

/** Deadline kinds this capability schedules, each with the report's id as subject. */
export const RESPONSE_REMINDER = 'report.response-reminder';
export const PRESUME_ACCURATE = 'report.presume-accurate';
/** The reminder goes out this many working days before the last day to respond. */
export const REMINDER_WORKING_DAYS = 2;

export function procedureById(id: string): PostInspectionProcedure | null {
  return postInspectionProcedures.find((procedure) => procedure.id === id) ?? null;
}

// ---- What the report says ----

/** What the report is built from: the inspection's record as it stood when the version was written. */
export interface ReportContent {
  provider: { id: string; name: string; urn: string; type: string; localAuthority: string };
  inspection: { id: string; type: string; startDate: IsoDate; endDate: IsoDate };
  framework: { id: string; name: string };
  judgements: { areaId: string; areaName: string; grade: string; gradeLabel: string }[];
  overallGrade: { grade: string; label: string; limitedBy: string[] } | null;
  requirements: {
    regulationId: string;
    regulation: string;
    /**
     * The title of the regulation's instrument. Versions written before it was kept lack it:
     * `withInstruments` fills it in from the catalogue when they are read.
     */
    instrument?: string;
    action: string;
    impact: string;
    complyBy: IsoDate;
  }[];
  recommendations: { guideId: string; guide: string; page: number; paragraph: string; text: string }[];
  /** Changes made as the remedy for a complaint, oldest first; shown on the report for every reader. */
  amendments?: ReportAmendment[];
}

export interface ReportAmendment {
  /** The day in England it was made. */
  on: IsoDate;
  /** The complaint's reference, e.g. C-1A2B3C4D. */
  complaint: string;
  /** What changed and why, in the complaints team's words. */
  note: string;
}

export function inspectionDates(content: Pick<ReportContent, 'inspection'>): string {
  const { startDate, endDate } = content.inspection;
  return startDate === endDate
    ? formatLongDate(startDate)
    : `${formatLongDate(startDate)} to ${formatLongDate(endDate)}`;
}

/**
 * The content with each requirement's instrument named, as printed: versions written before the report
 * kept it take it from the catalogue by the regulation's id (a regulation never changes instrument).
 */
export function withInstruments(content: ReportContent): ReportContent {
  if (content.requirements.every((r) => r.instrument !== undefined)) return content;
  return {
    ...content,
    requirements: content.requirements.map((r) => {
      if (r.instrument !== undefined) return r;
      const instrument = instrumentTitleOf(r.regulationId);
      return instrument === null ? r : { ...r, instrument };
    }),
  };
}

/** How a requirement's regulation is cited in print: the instrument's name, the number and the title. */
export function regulationCitation(requirement: { regulation: string; instrument?: string }): string {
  return requirement.instrument
    ? `${requirement.instrument}, ${requirement.regulation}`
    : requirement.regulation;
}

/** Every piece of text the report shows, in the words a reader sees: what a passage may quote. */
export function reportTexts(narrative: string, content: ReportContent): string[] {
  return [
    narrative,
    content.provider.name,
    content.provider.urn,
    content.framework.name,
    inspectionDates(content),
    ...content.judgements.flatMap((j) => [j.areaName, j.gradeLabel]),
    ...(content.overallGrade ? [content.overallGrade.label] : []),
    ...content.requirements.flatMap((r) => [
      regulationCitation(r),
      r.action,
      r.impact,
      formatLongDate(r.complyBy),
    ]),
    ...content.recommendations.flatMap((r) => [r.text, r.guide]),
  ];
}

/** Text as compared when checking a quotation: case, runs of spaces and the style of quotes and dashes aside. */
function comparable(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201B\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201F\u2033]/g, '"')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Whether `passage` is text the report contains. */
export function quotesReport(passage: string, texts: readonly string[]): boolean {
  const wanted = comparable(passage);
  return wanted.length > 0 && texts.some((text) => comparable(text).includes(wanted));
}

// ---- Answering the draft ----

export interface AccuracyPointInput {
  passage: string;
  comment: string;
}

export interface DraftResponseInput {
  route: string;
  points?: AccuracyPointInput[] | undefined;
  summary?: string | undefined;
}

export const MAX_POINTS = 50;

/** The last day to answer a draft issued on `issuedOn`, counted as the procedure says. */
export function responseDueFor(
  procedure: PostInspectionProcedure,
  lastDay: IsoDate,
  issuedOn: IsoDate,
): IsoDate {
  return dueDate(procedure.response, { 'last-day': lastDay, 'draft-report': issuedOn });
}

/** The working day `count` working days before `date`: when the reminder to respond goes out. */
export function workingDaysBefore(date: IsoDate, count: number): IsoDate {
  let day = date;
  let remaining = count;
  while (remaining > 0) {
    day = addCalendarDays(day, -1);
    if (isWorkingDay(day)) remaining -= 1;
  }
  return day;
}

export function routeProblems(allowed: readonly ResponseRoute[], route: string): FieldError[] {
  if ((allowed as readonly string[]).includes(route)) return [];
  const choices = allowed.join(' or ');
  return [
    {
      field: 'route',
      message: route
        ? `'${route}' is not a way to answer this draft; under its procedure the routes are ${choices}`
        : `Choose how to respond: ${choices}`,
    },
  ];
}

/** The window closes at the end of the last day to respond. */
export function windowProblems(today: IsoDate, responseDue: IsoDate): FieldError[] {
  if (today <= responseDue) return [];
  return [{ field: 'responseDue', message: `The deadline to respond was ${formatLongDate(responseDue)}` }];
}

/** Each point quotes the report and says what is wrong with it; at least one, every one complete. */
export function pointProblems(
  points: readonly AccuracyPointInput[] | undefined,
  texts: readonly string[],
): FieldError[] {
  if (!points || points.length === 0) {
    return [
      { field: 'points', message: 'Add at least one point: a passage from the report and your comment' },
    ];
  }
  if (points.length > MAX_POINTS) {
    return [{ field: 'points', message: `Send at most ${MAX_POINTS} points` }];
  }
  const errors: FieldError[] = [];
  points.forEach((point, index) => {
    const passage = point.passage.trim();
    if (!passage) {
      errors.push({ field: `points.${index}.passage`, message: `Point ${index + 1}: quote the passage` });
    } else if (!quotesReport(passage, texts)) {
      errors.push({
        field: `points.${index}.passage`,
        message: `Point ${index + 1}: the passage must be text from the report, copied exactly; “${shorten(passage)}” is not in it`,
      });
    }
    if (!point.comment.trim()) {
      errors.push({
        field: `points.${index}.comment`,
        message: `Point ${index + 1}: say what is unclear or inaccurate`,
      });
    }
  });
  return errors;
}

/** Everything wrong with an answer to the draft, each against its field; none means it may be recorded. */
export function responseProblems(
  input: DraftResponseInput,
  draft: {
    allowed: readonly ResponseRoute[];
    today: IsoDate;
    responseDue: IsoDate;
    texts: readonly string[];
  },
): FieldError[] {
  const late = windowProblems(draft.today, draft.responseDue);
  const route = routeProblems(draft.allowed, input.route);
  if (late.length > 0 || route.length > 0) return [...late, ...route];
  if (carriesPoints(input.route as ResponseRoute)) return pointProblems(input.points, draft.texts);
  if (!input.summary?.trim()) {
    return [{ field: 'summary', message: 'Say what you are complaining about and why' }];
  }
  return [];
}

function shorten(text: string, length = 60): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

// ---- The steps, and when each is refused ----

export type ReportStep = 'respond' | 'amend' | 'decide' | 'finalise' | 'publish';

/** Where a report has got to, as the rules need it. */
export interface ReportState {
  status: ReportStatus;
  responseDue: IsoDate;
  /** The provider's answer, if any, with how many of its points are still to be decided. */
  response: { route: ResponseRoute; undecided: number } | null;
  /**
   * Whether a complaint about the inspection is still open. Only publication waits for complaints, so
   * it is asked of the complaints capability when publishing, and left out otherwise.
   */
  complaintOpen?: boolean | undefined;
  /**
   * Only publication asks, too, whether the inspection is completed and the report shows its standing
   * grades (`sameGrades`): what is published never contradicts what was decided.
   */
  inspection?: { completed: boolean; gradesMatch: boolean } | undefined;
}

const WITHDRAWN = 'The report was withdrawn because the inspection was declared incomplete.';

/** Each step, with why it cannot be taken now (today is `today` in England), or null when it can. */
const STEPS: Record<ReportStep, (state: ReportState, today: IsoDate) => Refusal | null> = {
  /** One answer per draft, inside the window, while the report is still a draft. */
  respond: (state, today) => {
    if (state.status === 'withdrawn') return conflict(WITHDRAWN);
    if (state.response) {
      return conflict('This draft has already been answered; there is one answer per draft.');
    }
    const late = windowProblems(today, state.responseDue);
    if (late.length > 0) return unprocessable(late);
    if (state.status !== 'draft') {
      return conflict(`The report is ${state.status} and can no longer be answered as a draft.`);
    }
    return null;
  },
  /** The narrative changes only while the report is a draft. */
  amend: ({ status }) =>
    status === 'draft'
      ? null
      : status === 'withdrawn'
        ? conflict(WITHDRAWN)
        : conflict(`The report is ${status}: only a draft report can be changed.`),
  decide: ({ status }) =>
    status === 'draft'
      ? null
      : status === 'withdrawn'
        ? conflict(WITHDRAWN)
        : conflict(`The report is ${status}: points are decided before the report is finalised.`),
  /**
   * Every point decided, and either an answer or the end of the time to give one (after which the
   * report is presumed accurate).
   */
  finalise: (state, today) => {
    if (state.status === 'withdrawn') return conflict(WITHDRAWN);
    if (state.status !== 'draft') return conflict(`The report is already ${state.status}.`);
    if (state.response === null && today <= state.responseDue) {
      return unprocessable([
        {
          field: 'responseDue',
          message: `The provider has until ${formatLongDate(state.responseDue)} to respond; the report can be finalised after that, or once they respond`,
        },
      ]);
    }
    if (state.response && state.response.undecided > 0) {
      const n = state.response.undecided;
      return unprocessable([
        {
          field: 'points',
          message: `Decide every point before finalising: ${n} ${n === 1 ? 'point is' : 'points are'} undecided`,
        },
      ]);
    }
    return null;
  },
  /** A final report is published once no complaint about the inspection is open. */
  publish: (state) => {
    if (state.status === 'published') return conflict('The report is already published.');
    if (state.status === 'withdrawn') return conflict(WITHDRAWN);
    if (state.status !== 'final') {
      return conflict('Only a final report can be published; this report is a draft.');
    }
    if (state.complaintOpen === undefined || state.inspection === undefined) {
      throw new Error('Publishing a report needs to know about open complaints and the inspection');
    }
    if (state.complaintOpen) {
      return conflict(
        'A complaint about this inspection is still open: the complaint must close before the report is published.',
      );
    }
    if (!state.inspection.completed) {
      return conflict('The inspection must be completed before its report is published.');
    }
    if (!state.inspection.gradesMatch) {
      return conflict(
        'The report’s grades are not the inspection’s standing grades: the report must be brought up to date before it is published.',
      );
    }
    return null;
  },
};

/** Why `step` cannot be taken now (today is `today` in England), or null when it can. */
export function refusalFor(step: ReportStep, state: ReportState, today: IsoDate): Refusal | null {
  return STEPS[step](state, today);
}

/**
 * Whether a report shows the grades the inspection stands on: the same grade for every area and the same
 * overall grade. What the report's grades are compared against is always built by `contentOf`.
 */
export function sameGrades(
  report: Pick<ReportContent, 'judgements' | 'overallGrade'>,
  standing: Pick<ReportContent, 'judgements' | 'overallGrade'>,
): boolean {
  const grades = (c: Pick<ReportContent, 'judgements'>) =>
    c.judgements
      .map((j) => `${j.areaId}=${j.grade}`)
      .sort()
      .join(',');
  return (
    grades(report) === grades(standing) &&
    (report.overallGrade?.grade ?? null) === (standing.overallGrade?.grade ?? null)
  );
}

/**
 * Why the draft report cannot be issued yet, or null: after the feedback, once moderation is signed off
 * (done, or waived with a reason) or the inspection completed, so that the draft shows moderated grades.
 */
export function issueRefusal(inspection: { status: string; moderationSignedOff: boolean }): Refusal | null {
  const { status } = inspection;
  if (status === 'completed') return null;
  if (status !== 'feedback-given') {
    return conflict(
      `A draft report is issued after the feedback; this inspection is ${status.replace('-', ' ')}.`,
    );
  }
  if (!inspection.moderationSignedOff) {
    return conflict(
      'A manager must sign moderation off (done, or waived with a reason) before the draft report is issued.',
    );
  }
  return null;
}

/** Whether a report finalised now would be presumed accurate: nobody answered it in time. */
export function presumedAccurateOn(state: ReportState, today: IsoDate): boolean {
  return state.status === 'draft' && state.response === null && today > state.responseDue;
}

// ---- The timeline after the inspection ----

export type TimelineStepId =
  'day-after-contact' | 'draft-report' | 'response' | 'final-report' | 'formal-complaint' | 'publication';

export interface TimelineStep {
  id: TimelineStepId;
  title: string;
  /** The last day for the step, or null where it has no deadline. */
  due: IsoDate | null;
  /** The deadline in words, as the procedure sets it. */
  rule: string | null;
  /** The day it happened, if it has. */
  on: IsoDate | null;
  /** What happened, in words, if it has. */
  outcome: string | null;
}

export interface ReportHistory {
  draftIssuedOn: IsoDate | null;
  response: { on: IsoDate; route: ResponseRoute } | null;
  finalisedOn: IsoDate | null;
  presumedAccurate: boolean;
  publishedOn: IsoDate | null;
}

export const noHistory: ReportHistory = {
  draftIssuedOn: null,
  response: null,
  finalisedOn: null,
  presumedAccurate: false,
  publishedOn: null,
};

/**
 * Each step after an inspection that ended on `lastDay`, with its deadline under the procedure: counted
 * from what has actually happened (the day the draft was issued, the day the report was finalised) where
 * it has, and from when it is due where it has not yet.
 */
export function reportTimeline(
  procedure: PostInspectionProcedure,
  lastDay: IsoDate,
  history: ReportHistory,
): TimelineStep[] {
  const draftDue = dueDate(procedure.draftReport, { 'last-day': lastDay });
  const anchors: Partial<Record<DeadlineAnchor, IsoDate>> = {
    'last-day': lastDay,
    'draft-report': history.draftIssuedOn ?? draftDue,
  };
  const finalDue = dueDate(procedure.finalReport, anchors);
  anchors['final-report'] = history.finalisedOn ?? finalDue;
  const step = (
    id: TimelineStepId,
    title: string,
    deadline: PostInspectionProcedure['response'] | null,
    on: IsoDate | null,
    outcome: string | null,
  ): TimelineStep => ({
    id,
    title,
    due: deadline ? dueDate(deadline, anchors) : null,
    rule: deadline ? describeDeadline(deadline) : null,
    on,
    outcome: on ? outcome : null,
  });
  const response = history.response;
  const steps: TimelineStep[] = [];
  if (procedure.dayAfterCall) {
    steps.push(
      step(
        'day-after-contact',
        'Call about unresolved issues on the working day after the inspection',
        procedure.dayAfterCall,
        null,
        null,
      ),
    );
  }
  steps.push(
    step(
      'draft-report',
      'Draft report sent to the provider',
      procedure.draftReport,
      history.draftIssuedOn,
      'Draft report issued',
    ),
    step(
      'response',
      'Provider’s response to the draft report',
      procedure.response,
      response?.on ?? (history.presumedAccurate ? history.finalisedOn : null),
      response
        ? `Responded: ${RESPONSE_ROUTES[response.route].toLowerCase()}`
        : 'No response in time: the report is presumed accurate',
    ),
    step(
      'final-report',
      'Final report sent to the provider',
      procedure.finalReport,
      history.finalisedOn,
      'Report finalised',
    ),
    step(
      'formal-complaint',
      'Last day for a formal complaint',
      procedure.formalComplaint,
      response?.route === 'formal-complaint' ? response.on : null,
      'Formal complaint made with the response to the draft',
    ),
    step('publication', 'Report published', null, history.publishedOn, 'Report published'),
  );
  return steps;
}
