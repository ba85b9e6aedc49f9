import type { IsoDate } from '../calendar/working-days.js';

/**
 * The shapes of the regulator's rules. The rules themselves are data, in the files beside this one; a change
 * of rule is a new record with its own dates, so an old inspection keeps the rules it was held under.
 */

/** A rule in force from `effectiveFrom` to `effectiveTo`, both days included; `null` means still in force. */
export interface Versioned {
  effectiveFrom: IsoDate;
  effectiveTo: IsoDate | null;
}

/** The kinds of provider on the register. */
export const providerTypeIds = [
  'childrens-home',
  'supported-accommodation',
  'independent-fostering-agency',
  'voluntary-adoption-agency',
  'adoption-support-agency',
  'residential-family-centre',
  'residential-special-school',
  'local-authority',
] as const;

export type ProviderTypeId = (typeof providerTypeIds)[number];

/** One step of a grade scale. */
export interface Grade {
  id: string;
  label: string;
  /** How many months after an inspection with this overall grade the next one is due, at the latest. */
  reinspectionMonths: number;
}

export interface JudgementArea extends Versioned {
  id: string;
  name: string;
  /** The overall grade cannot be better than the grade given for a limiting area. */
  limiting: boolean;
  /** Rated on its own and never part of the overall grade (the single inspection framework's LSCB rating). */
  separatelyRated: boolean;
  /** For a sub-judgement, the key judgement it sits under. */
  subJudgementOf: string | null;
}

/**
 * How the overall grade is reached. Under either kind, the overall grade is the grade given for `areaId`,
 * but no better than the worst grade given for a limiting area at the same inspection.
 *
 * - `separate-judgement`: the overall is a judgement in its own right ('overall effectiveness').
 * - `headline-area`: one of the key judgements is also the headline (SCCIF's overall experiences and
 *   progress; supported accommodation's single outcome).
 */
export type OverallGradeRule =
  { kind: 'separate-judgement'; areaId: string } | { kind: 'headline-area'; areaId: string };

export interface Framework extends Versioned {
  id: string;
  name: string;
  shortName: string;
  providerTypes: readonly ProviderTypeId[];
  /** 'grades' is a graded scale; 'outcomes' is a set of outcomes, each fixing when to inspect next. */
  scaleKind: 'grades' | 'outcomes';
  /** Best first. */
  gradeScale: readonly Grade[];
  judgementAreas: readonly JudgementArea[];
  overallGrade: OverallGradeRule;
  /**
   * The instruments whose regulations requirements made under this framework cite (each only for the
   * kinds of provider it regulates); empty where requirements are not made against regulations.
   */
  regulatedBy: readonly string[];
  /** Where the rule comes from, briefly. */
  source: string;
}

/** A grade given for one judgement area. */
export interface Judgement {
  areaId: string;
  gradeId: string;
}

export interface Instrument extends Versioned {
  id: string;
  title: string;
  year: number;
  /** The kinds of provider the instrument regulates. */
  providerTypes: readonly ProviderTypeId[];
  /** Where the dates come from, briefly. */
  source: string;
}

export interface Regulation extends Versioned {
  id: string;
  instrumentId: string;
  number: number;
  title: string;
  /** One of the instrument's quality standards, against which the quality of care is judged. */
  qualityStandard: boolean;
}

/**
 * Statutory guidance that recommendations cite by page and paragraph. Each edition is its own record,
 * in force from its publication until the next edition replaces it.
 */
export interface Guide extends Versioned {
  id: string;
  title: string;
  publisher: string;
  year: number;
  /**
   * The regulations the guide explains: it is cited only where those regulations apply. Null for
   * guidance that stands apart from any one instrument (Working Together, care planning).
   */
  instrumentId: string | null;
  /** The kinds of provider whose inspections may cite it. */
  providerTypes: readonly ProviderTypeId[];
  /** How many pages the published document has; null where the length is not recorded. */
  pages: number | null;
  /** Where the dates and the length come from, briefly. */
  source: string;
}

/** A kind of serious event a provider must notify. */
export interface NotificationCategory extends Versioned {
  id: string;
  label: string;
}

/** What a deadline is counted from. */
export type DeadlineAnchor = 'last-day' | 'draft-report' | 'final-report';

/** A deadline as data: `count` days of `unit` strictly after the anchor day. */
export interface Deadline {
  count: number;
  unit: 'working-days' | 'calendar-days';
  after: DeadlineAnchor;
}

/** The deadlines a post-inspection procedure sets; a step of the procedure refers to one by name. */
export type DeadlineName = 'dayAfterCall' | 'draftReport' | 'response' | 'finalReport' | 'formalComplaint';

export interface ProcedureStep {
  title: string;
  description: string;
  /** The deadline this step must meet, if it has one. */
  deadline: DeadlineName | null;
}

/** How a provider may answer the draft report. */
export type ResponseRoute =
  'factual-accuracy' | 'factual-accuracy-and-process-comments' | 'minor-points' | 'formal-complaint';

export interface PostInspectionProcedure extends Versioned {
  id: string;
  name: string;
  source: string;
  enhancedProfessionalDialogue: boolean;
  /** The call a provider may make after the inspection; null where the procedure has none. */
  dayAfterCall: Deadline | null;
  draftReport: Deadline;
  /** The time to answer the draft report, by any of `responseRoutes`. */
  response: Deadline;
  responseRoutes: readonly ResponseRoute[];
  finalReport: Deadline;
  formalComplaint: Deadline;
  /** Whether the regulator reviews its own handling of a complaint before the adjudicator can. */
  internalReview: boolean;
  /** Closed complaints are reviewed from time to time by external representatives. */
  periodicReviewOfClosedComplaints: boolean;
  steps: readonly ProcedureStep[];
}
