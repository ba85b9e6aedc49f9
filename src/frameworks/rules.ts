import {
  addCalendarDays,
  addWorkingDays,
  formatLongDate,
  InvalidDateError,
  parseIsoDate,
  parseServiceDate,
  type IsoDate,
} from '../calendar/working-days.js';
import { frameworks } from './frameworks.js';
import { notificationCategories } from './notification-categories.js';
import { postInspectionProcedures } from './procedures.js';
import { guides, instruments, regulations } from './regulations.js';
import {
  providerTypeIds,
  type Deadline,
  type DeadlineAnchor,
  type Framework,
  type Grade,
  type Guide,
  type Instrument,
  type Judgement,
  type JudgementArea,
  type NotificationCategory,
  type PostInspectionProcedure,
  type ProcedureStep,
  type ProviderTypeId,
  type Regulation,
  type Versioned,
} from './types.js';

/**
 * Decisions made with the regulator's rules. Pure: the rules come from the data files, dates from the
 * working-day calendar.
 */

/** A request the rules refuse. `field` names the input at fault, so it can be reported against that field. */
export class RuleError extends Error {
  override readonly name = 'RuleError';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Whether a versioned rule is in force on `date` (both ends of its dates included). */
export function isInForce(record: Versioned, date: IsoDate): boolean {
  // ISO dates sort as text.
  return record.effectiveFrom <= date && (record.effectiveTo === null || date <= record.effectiveTo);
}

// Frameworks

export function frameworkById(id: string): Framework {
  const framework = frameworks.find((candidate) => candidate.id === id);
  if (!framework) {
    const known = frameworks.map((candidate) => candidate.id).join(', ');
    throw new RuleError(
      'frameworkId',
      `There is no inspection framework '${id}'; known frameworks: ${known}`,
    );
  }
  return framework;
}

/** The framework under which a provider of this type is inspected on `date`, or null if none applies. */
export function frameworkInForce(providerType: ProviderTypeId, date: IsoDate): Framework | null {
  if (!providerTypeIds.includes(providerType)) {
    throw new RuleError('providerType', `There is no provider type '${providerType}'`);
  }
  const on = checkDate(date, 'date');
  return (
    frameworks.find(
      (framework) => framework.providerTypes.includes(providerType) && isInForce(framework, on),
    ) ?? null
  );
}

/** The judgement areas graded at an inspection held under `framework` on `date`. */
export function judgementAreasInForce(framework: Framework, date: IsoDate): JudgementArea[] {
  const on = checkDate(date, 'date');
  return framework.judgementAreas.filter((area) => isInForce(area, on));
}

export function gradeById(framework: Framework, gradeId: string): Grade {
  const grade = framework.gradeScale.find((candidate) => candidate.id === gradeId);
  if (!grade) {
    const known = framework.gradeScale.map((candidate) => candidate.id).join(', ');
    throw new RuleError(
      'gradeId',
      `'${gradeId}' is not a grade under ${framework.shortName}; grades are ${known}`,
    );
  }
  return grade;
}

export interface OverallGrade {
  /** The overall grade, after limiting judgements. */
  grade: Grade;
  /** The grade given for the overall (or headline) area, before limiting judgements. */
  given: Grade;
  /** The limiting areas graded worse than `given`, which brought the overall grade down. */
  limitedBy: JudgementArea[];
}

/**
 * The overall grade under the framework's rule: the grade given for the overall area, but no better than
 * any limiting area's grade. Separately rated areas (the SIF's LSCB) play no part.
 */
export function overallGrade(framework: Framework, judgements: readonly Judgement[]): OverallGrade {
  const graded = new Map<string, { area: JudgementArea; rank: number }>();
  for (const judgement of judgements) {
    const area = framework.judgementAreas.find((candidate) => candidate.id === judgement.areaId);
    if (!area) {
      throw new RuleError('judgements', `${framework.shortName} has no judgement area '${judgement.areaId}'`);
    }
    if (graded.has(area.id)) {
      throw new RuleError('judgements', `'${area.name}' is graded more than once`);
    }
    const rank = framework.gradeScale.findIndex((grade) => grade.id === judgement.gradeId);
    if (rank < 0) {
      const known = framework.gradeScale.map((grade) => grade.id).join(', ');
      throw new RuleError(
        'judgements',
        `'${judgement.gradeId}' is not a grade under ${framework.shortName}; grades are ${known}`,
      );
    }
    graded.set(area.id, { area, rank });
  }

  const { areaId } = framework.overallGrade;
  const overall = graded.get(areaId);
  if (!overall) {
    const name = framework.judgementAreas.find((area) => area.id === areaId)?.name ?? areaId;
    throw new RuleError('judgements', `A grade for '${name}' is needed to reach the overall grade`);
  }

  // The scale runs best first, so a worse grade has a higher rank.
  const limitedBy = [...graded.values()].filter(
    ({ area, rank }) => area.limiting && !area.separatelyRated && rank > overall.rank,
  );
  const rank = Math.max(overall.rank, ...limitedBy.map((limit) => limit.rank));
  return {
    grade: framework.gradeScale[rank] as Grade,
    given: framework.gradeScale[overall.rank] as Grade,
    limitedBy: limitedBy.map((limit) => limit.area),
  };
}

// Regulations, guides and notification categories

export function regulationById(id: string): Regulation {
  const regulation = regulations.find((candidate) => candidate.id === id);
  if (!regulation) throw new RuleError('regulationId', `There is no regulation '${id}'`);
  return regulation;
}

export function guideById(id: string): Guide {
  const guide = guides.find((candidate) => candidate.id === id);
  if (!guide) throw new RuleError('guideId', `There is no guide '${id}'`);
  return guide;
}

/** What decides which regulations and guides an inspection may cite. */
export interface CitationContext {
  providerType: string;
  frameworkId: string;
  /** The first and last days of the inspection. */
  startDate: IsoDate;
  endDate: IsoDate;
}

/** Whether a versioned rule is in force on at least one day from `start` to `end`. */
export function inForceDuring(record: Versioned, start: IsoDate, end: IsoDate): boolean {
  return record.effectiveFrom <= end && (record.effectiveTo === null || start <= record.effectiveTo);
}

/**
 * The instrument that regulates a provider of this type under `framework` on `date`, or null: a
 * requirement cites one of its regulations.
 */
export function instrumentFor(providerType: string, framework: Framework, date: IsoDate): Instrument | null {
  return (
    instruments.find(
      (instrument) =>
        framework.regulatedBy.includes(instrument.id) &&
        (instrument.providerTypes as readonly string[]).includes(providerType) &&
        isInForce(instrument, date),
    ) ?? null
  );
}

/** The instruments that apply on some day of the inspection (two only where one replaced another). */
function instrumentsDuring(context: CitationContext): Instrument[] {
  const framework = frameworks.find((candidate) => candidate.id === context.frameworkId);
  if (!framework) return [];
  return instruments.filter(
    (instrument) =>
      framework.regulatedBy.includes(instrument.id) &&
      (instrument.providerTypes as readonly string[]).includes(context.providerType) &&
      inForceDuring(instrument, context.startDate, context.endDate),
  );
}

/** The regulations a requirement made at this inspection may cite, instrument by instrument. */
export function citableRegulations(
  context: CitationContext,
): { instrument: Instrument; regulations: Regulation[] }[] {
  return instrumentsDuring(context).map((instrument) => ({
    instrument,
    regulations: regulations
      .filter(
        (regulation) =>
          regulation.instrumentId === instrument.id &&
          inForceDuring(regulation, context.startDate, context.endDate),
      )
      .sort((a, b) => a.number - b.number),
  }));
}

/**
 * The guides a recommendation made at this inspection may cite: a guide to regulations only where those
 * regulations apply; other statutory guidance where it covers the provider's type; either only in an
 * edition in force on some day of the inspection.
 */
export function citableGuides(context: CitationContext): Guide[] {
  const applying = new Set(instrumentsDuring(context).map((instrument) => instrument.id));
  return guides.filter(
    (guide) =>
      (guide.providerTypes as readonly string[]).includes(context.providerType) &&
      (guide.instrumentId === null || applying.has(guide.instrumentId)) &&
      inForceDuring(guide, context.startDate, context.endDate),
  );
}

/** The title of a regulation's instrument, e.g. 'The Children’s Homes (England) Regulations 2015'. */
export function instrumentTitleOf(regulationId: string): string | null {
  const regulation = regulations.find((candidate) => candidate.id === regulationId);
  return instruments.find((instrument) => instrument.id === regulation?.instrumentId)?.title ?? null;
}

/**
 * What is wrong with a citation made at an inspection: a regulation that is not one of the instrument
 * that applies to the provider's type under the inspection's framework, in force during the inspection;
 * a guide that does not apply likewise, or a page beyond the guide's length. Only the parts given are
 * checked; each problem names the field at fault.
 */
export function citationProblems(
  context: CitationContext,
  citation: { regulationId?: string | undefined; guideId?: string | undefined; page?: number | undefined },
): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const dates = inspectionDatesInWords(context);
  const framework = frameworks.find((candidate) => candidate.id === context.frameworkId);
  const under = framework ? ` inspected under ${framework.shortName}` : '';
  const provider = `${providerWords(context.providerType)}${under}`;

  if (citation.regulationId !== undefined) {
    const regulation = regulations.find((candidate) => candidate.id === citation.regulationId);
    if (!regulation) {
      problems.push({
        field: 'regulationId',
        message: `There is no regulation '${citation.regulationId}' in the catalogue`,
      });
    } else if (!citableRegulations(context).some((group) => group.regulations.includes(regulation))) {
      const cited = instruments.find((instrument) => instrument.id === regulation.instrumentId);
      const applying = instrumentsDuring(context).map((instrument) => instrument.title);
      problems.push({
        field: 'regulationId',
        message:
          `Regulation ${regulation.number} of ${cited?.title ?? regulation.instrumentId} does not apply to ${provider} ${dates}: ` +
          (applying.length > 0
            ? `cite a regulation of ${applying.join(' or ')}`
            : 'no regulations in the catalogue apply, so make a recommendation instead'),
      });
    }
  }

  if (citation.guideId !== undefined) {
    const guide = guides.find((candidate) => candidate.id === citation.guideId);
    if (!guide) {
      problems.push({
        field: 'guideId',
        message: `There is no guide '${citation.guideId}' in the catalogue`,
      });
    } else if (!citableGuides(context).includes(guide)) {
      problems.push({
        field: 'guideId',
        message: `${guide.title} does not apply to ${provider} ${dates}`,
      });
    } else if (citation.page !== undefined && guide.pages !== null && citation.page > guide.pages) {
      problems.push({
        field: 'page',
        message: `${guide.title} has ${guide.pages} pages: page ${citation.page} is not one of them`,
      });
    }
  }
  return problems;
}

function inspectionDatesInWords({ startDate, endDate }: CitationContext): string {
  return startDate === endDate
    ? `on ${formatLongDate(startDate)}`
    : `from ${formatLongDate(startDate)} to ${formatLongDate(endDate)}`;
}

const providerNouns: Record<ProviderTypeId, string> = {
  'childrens-home': 'a children’s home',
  'supported-accommodation': 'a supported accommodation service',
  'independent-fostering-agency': 'an independent fostering agency',
  'voluntary-adoption-agency': 'a voluntary adoption agency',
  'adoption-support-agency': 'an adoption support agency',
  'residential-family-centre': 'a residential family centre',
  'residential-special-school': 'a residential special school',
  'local-authority': 'a local authority',
};

function providerWords(type: string): string {
  return providerNouns[type as ProviderTypeId] ?? `a provider of type '${type}'`;
}

export function notificationCategoriesInForce(date: IsoDate): NotificationCategory[] {
  const on = checkDate(date, 'date');
  return notificationCategories.filter((category) => isInForce(category, on));
}

// Post-inspection procedures

/** The post-inspection procedure for an inspection whose last day is `lastDay`. */
export function procedureFor(lastDay: IsoDate): PostInspectionProcedure {
  const on = checkDate(lastDay, 'lastDay');
  const procedure = postInspectionProcedures.find((candidate) => isInForce(candidate, on));
  if (procedure) return procedure;

  const earliest = postInspectionProcedures
    .map((candidate) => candidate.effectiveFrom)
    .reduce((a, b) => (a < b ? a : b));
  if (on < earliest) {
    throw new RuleError('lastDay', `No post-inspection procedure applies before ${formatLongDate(earliest)}`);
  }
  throw new RuleError('lastDay', `No post-inspection procedure applies on ${formatLongDate(on)}`);
}

export interface PostInspectionTimeline {
  procedure: PostInspectionProcedure;
  lastDay: IsoDate;
  /** The day the provider may call about unresolved issues; null where the procedure has no such call. */
  dayAfterContact: IsoDate | null;
  draftReportDue: IsoDate;
  /** The last day to answer the draft report. */
  responseDue: IsoDate;
  finalReportDue: IsoDate;
  /** The last day to make a formal complaint. */
  complaintDue: IsoDate;
  /** Whether an internal review comes before the independent adjudicator. */
  internalReview: boolean;
}

/**
 * The deadlines after an inspection held under `frameworkId` that ended on `lastDay`, under the
 * post-inspection procedure in force on that day.
 */
export function timeline(frameworkId: string, lastDay: IsoDate): PostInspectionTimeline {
  const framework = frameworkById(frameworkId);
  // Asked for, not read from a record: within the range every date given to the service must be in.
  const on = checkDate(lastDay, 'lastDay', parseServiceDate);
  if (!isInForce(framework, on)) {
    const until = framework.effectiveTo === null ? '' : ` to ${formatLongDate(framework.effectiveTo)}`;
    throw new RuleError(
      'lastDay',
      `${framework.shortName} was not in force on ${formatLongDate(on)}: it applied from ${formatLongDate(framework.effectiveFrom)}${until}`,
    );
  }
  return timelineUnder(procedureFor(on), on);
}

/** The deadlines `procedure` sets for an inspection that ended on `lastDay`; every count comes from it. */
export function timelineUnder(procedure: PostInspectionProcedure, lastDay: IsoDate): PostInspectionTimeline {
  const on = checkDate(lastDay, 'lastDay');
  const draftReportDue = dueDate(procedure.draftReport, { 'last-day': on });
  const finalReportDue = dueDate(procedure.finalReport, { 'last-day': on, 'draft-report': draftReportDue });
  const anchors = { 'last-day': on, 'draft-report': draftReportDue, 'final-report': finalReportDue };
  return {
    procedure,
    lastDay: on,
    dayAfterContact: procedure.dayAfterCall ? dueDate(procedure.dayAfterCall, anchors) : null,
    draftReportDue,
    responseDue: dueDate(procedure.response, anchors),
    finalReportDue,
    complaintDue: dueDate(procedure.formalComplaint, anchors),
    internalReview: procedure.internalReview,
  };
}

/** A deadline in words, e.g. '18 working days after the last day of the inspection'. */
export function describeDeadline(deadline: Deadline): string {
  const anchor = anchorWords[deadline.after];
  const unit = deadline.unit === 'working-days' ? 'working day' : 'day';
  if (deadline.count === 1) return `the ${unit} after ${anchor}`;
  return `${deadline.count} ${unit}s after ${anchor}`;
}

export interface DescribedStep extends ProcedureStep {
  /** The step's deadline in words, or null if it has none. */
  due: string | null;
  /** The deadline's data, for a page that shows the day count. */
  dueAfter: Deadline | null;
}

/** The procedure's steps in order, each with its deadline, for a page that explains the procedure. */
export function describeSteps(procedure: PostInspectionProcedure): DescribedStep[] {
  return procedure.steps.map((step) => {
    const deadline = step.deadline === null ? null : procedure[step.deadline];
    return { ...step, due: deadline ? describeDeadline(deadline) : null, dueAfter: deadline };
  });
}

const anchorWords: Record<DeadlineAnchor, string> = {
  'last-day': 'the last day of the inspection',
  'draft-report': 'the draft report',
  'final-report': 'the final report',
};

/** The day a deadline falls on, counted from the anchor days it needs (e.g. the day the draft was sent). */
export function dueDate(deadline: Deadline, anchors: Partial<Record<DeadlineAnchor, IsoDate>>): IsoDate {
  const from = anchors[deadline.after];
  if (from === undefined) {
    // Only badly formed data gets here, e.g. a draft report counted from the final report.
    throw new Error(`A deadline counted from '${deadline.after}' cannot be worked out at this point`);
  }
  return deadline.unit === 'working-days'
    ? addWorkingDays(from, deadline.count)
    : addCalendarDays(from, deadline.count);
}

function checkDate(value: string, field: string, parse = parseIsoDate): IsoDate {
  try {
    return parse(value, field);
  } catch (error) {
    if (error instanceof InvalidDateError) throw new RuleError(field, error.message);
    throw error;
  }
}
