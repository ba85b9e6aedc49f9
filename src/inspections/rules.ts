import { conflict, invalid, type FieldError, type Refusal } from '../refusal.js';

/** What kind of visit an inspection is. */
export const INSPECTION_TYPES = {
  full: 'Full inspection',
  monitoring: 'Monitoring visit',
  'additional-visit': 'Additional visit',
  'focused-visit': 'Focused visit',
} as const;
export type InspectionType = keyof typeof INSPECTION_TYPES;

export const NOTICE_TYPES = {
  none: 'No notice',
  short: 'Short notice',
  announced: 'Announced',
} as const;
export type Notice = keyof typeof NOTICE_TYPES;

export const INSPECTION_STATUSES = {
  planned: 'Planned',
  'on-site': 'On site',
  'feedback-given': 'Feedback given',
  completed: 'Completed',
  incomplete: 'Incomplete (declared flawed)',
} as const;
export type InspectionStatus = keyof typeof INSPECTION_STATUSES;

/** Where a piece of evidence came from (seed 003: observation, talking to children, families, staff…). */
export const EVIDENCE_SOURCES = {
  observation: 'Observation of practice',
  child: 'Child or young person',
  family: 'Parent or family',
  staff: 'Staff',
  document: 'Document or record',
  'case-tracking': 'Case tracking (a child’s journey)',
  stakeholder: 'Professional stakeholder',
} as const;
export type EvidenceSource = keyof typeof EVIDENCE_SOURCES;

export const DIALOGUE_KINDS = {
  'end-of-day': 'End-of-day meeting',
  'check-in': 'Check-in with the provider',
  'provider-concern': 'Concern raised by the provider',
  'conduct-comment': 'Provider’s comments on the conduct of the inspection',
  'informal-feedback': 'Informal feedback',
} as const;
export type DialogueKind = keyof typeof DIALOGUE_KINDS;

/** The three conditions under which an inspection is flawed (seed 001). */
export const FLAW_CONDITIONS = {
  'unsubstantiated-judgement':
    'A key judgement given at feedback or in the report is not substantiated by recorded evidence',
  'unreliable-evidence': 'The conduct of the inspection makes the evidence unreliable',
  'insufficient-evidence': 'Too little evidence, or evidence of too poor quality, was gathered',
} as const;
export type FlawCondition = keyof typeof FLAW_CONDITIONS;

// ---- Lifecycle ----

/**
 * What may be done to an inspection, step by step. An inspection only moves forward: planned → on site →
 * feedback given → completed. A manager may declare it incomplete (flawed) once inspectors have been on
 * site, until it is completed.
 */
export type InspectionStep =
  | 'start'
  | 'record'
  | 'resolve-concern'
  | 'give-feedback'
  | 'moderate'
  | 'sign-off-moderation'
  | 'complete'
  | 'declare-incomplete'
  | 'revise-judgement';

const EVERY_STATUS = Object.keys(INSPECTION_STATUSES) as InspectionStatus[];

/** Each step: the statuses it may be taken from, and the status it leaves the inspection in, if it moves it. */
const STEPS: Record<InspectionStep, { from: readonly InspectionStatus[]; to?: InspectionStatus }> = {
  start: { from: ['planned'], to: 'on-site' },
  // Evidence, lines of enquiry, dialogue, judgements and findings are recorded while inspectors are on site.
  record: { from: ['on-site'] },
  // A concern the provider raised can be resolved whenever its answer comes.
  'resolve-concern': { from: EVERY_STATUS },
  'give-feedback': { from: ['on-site'], to: 'feedback-given' },
  moderate: { from: ['feedback-given'] },
  // Once, after feedback: the draft report waits for it (docs/after-the-inspection.md).
  'sign-off-moderation': { from: ['feedback-given'] },
  complete: { from: ['feedback-given'], to: 'completed' },
  'declare-incomplete': { from: ['on-site', 'feedback-given'], to: 'incomplete' },
  // A grade changed as a complaint's remedy, at whatever stage the complaint is upheld.
  'revise-judgement': { from: EVERY_STATUS },
};

/** Where an inspection has got to, as the steps need it. */
export interface InspectionState {
  status: InspectionStatus;
}

const words = (status: InspectionStatus) => status.replace('-', ' ');

/** Why `step` cannot be taken from where the inspection is, or null when it can. */
export function refusalFor(step: InspectionStep, state: InspectionState): Refusal | null {
  const { status } = state;
  if (STEPS[step].from.includes(status)) return null;
  switch (step) {
    case 'start':
    case 'complete':
      return invalid([
        {
          field: 'status',
          message: `An inspection that is ${words(status)} cannot become ${words(STEPS[step].to!)} this way`,
        },
      ]);
    case 'record':
    case 'give-feedback':
      return conflict(
        `Records can be added only while inspectors are on site; this inspection is ${words(status)}.`,
      );
    case 'moderate':
    case 'sign-off-moderation':
      return conflict('Judgements are moderated after feedback and before the inspection is completed.');
    case 'declare-incomplete':
      return conflict(`An inspection that is ${words(status)} cannot be declared incomplete.`);
    case 'resolve-concern':
    case 'revise-judgement':
      return null;
  }
}

/** The statuses an inspection can move to from `status`, by any step. */
export function nextStatuses(status: InspectionStatus): InspectionStatus[] {
  return Object.values(STEPS)
    .filter((step) => step.to !== undefined && step.from.includes(status))
    .map((step) => step.to!);
}

export function canMoveInspection(from: InspectionStatus, to: InspectionStatus): boolean {
  return nextStatuses(from).includes(to);
}

/** Whether the team may record on the inspection now. */
export function isRecording(status: InspectionStatus): boolean {
  return refusalFor('record', { status }) === null;
}

/** Moderation happens after feedback and before the inspection is completed. */
export function isModeratable(status: InspectionStatus): boolean {
  return refusalFor('moderate', { status }) === null;
}

/** How a manager signs moderation off: every grade checked, or moderation waived with a reason. */
export const MODERATION_OUTCOMES = {
  done: 'Moderation is done',
  waived: 'Moderation is waived',
} as const;
export type ModerationOutcome = keyof typeof MODERATION_OUTCOMES;

/** What is wrong with a sign-off: a waiver must say why. */
export function signOffProblems(input: {
  outcome: ModerationOutcome;
  reason?: string | undefined;
}): FieldError[] {
  if (input.outcome === 'waived' && !input.reason?.trim()) {
    return [{ field: 'reason', message: 'Give the reason moderation is waived' }];
  }
  return [];
}

// ---- Substantiation ----

export interface EvidenceFacts {
  id: string;
  source: EvidenceSource;
}

export interface JudgementFacts {
  areaId: string;
  areaName: string;
  evidenceIds: readonly string[];
}

export interface RequirementFacts {
  id: string;
  evidenceIds: readonly string[];
}

export interface Substantiation {
  /** Judgements with no recorded evidence behind them (flaw condition 1 if feedback is given). */
  unsubstantiatedJudgements: { areaId: string; areaName: string }[];
  /** Requirements not resting on evidence from at least two different sources. */
  unsupportedRequirements: { id: string; sources: number }[];
  /** Lines of enquiry still open. */
  openLinesOfEnquiry: { id: string; title: string }[];
  /** Judgement areas in force that have no judgement yet. */
  ungradedAreas: { areaId: string; areaName: string }[];
  evidence: { items: number; sources: EvidenceSource[] };
  /** Too little evidence, or from too few sources (flaw condition 3 if feedback is given). */
  evidenceTooThin: boolean;
  /** The flaw conditions likely if feedback were given now. */
  flawWarnings: FlawCondition[];
  readyForFeedback: boolean;
}

/** The least evidence an inspection needs before feedback: items, and different sources among them. */
export const MINIMUM_EVIDENCE = { items: 5, sources: 3 } as const;

/** Whether the findings stand on recorded evidence. Computed from the records, never kept by hand. */
export function substantiation(input: {
  areasInForce: readonly { id: string; name: string }[];
  judgements: readonly JudgementFacts[];
  requirements: readonly RequirementFacts[];
  evidence: readonly EvidenceFacts[];
  linesOfEnquiry: readonly { id: string; title: string; open: boolean }[];
}): Substantiation {
  const sourceOf = new Map(input.evidence.map((e) => [e.id, e.source]));
  const unsubstantiatedJudgements = input.judgements
    .filter((j) => !j.evidenceIds.some((id) => sourceOf.has(id)))
    .map(({ areaId, areaName }) => ({ areaId, areaName }));
  const unsupportedRequirements = input.requirements
    .map((r) => ({ id: r.id, sources: distinctSources(r.evidenceIds, sourceOf).length }))
    .filter((r) => r.sources < 2);
  const graded = new Set(input.judgements.map((j) => j.areaId));
  const ungradedAreas = input.areasInForce
    .filter((area) => !graded.has(area.id))
    .map((area) => ({ areaId: area.id, areaName: area.name }));
  const sources = [...new Set(input.evidence.map((e) => e.source))].sort();
  const evidenceTooThin =
    input.evidence.length < MINIMUM_EVIDENCE.items || sources.length < MINIMUM_EVIDENCE.sources;
  const openLinesOfEnquiry = input.linesOfEnquiry
    .filter((l) => l.open)
    .map(({ id, title }) => ({ id, title }));
  const flawWarnings: FlawCondition[] = [];
  if (unsubstantiatedJudgements.length > 0) flawWarnings.push('unsubstantiated-judgement');
  if (evidenceTooThin) flawWarnings.push('insufficient-evidence');
  return {
    unsubstantiatedJudgements,
    unsupportedRequirements,
    openLinesOfEnquiry,
    ungradedAreas,
    evidence: { items: input.evidence.length, sources },
    evidenceTooThin,
    flawWarnings,
    readyForFeedback:
      flawWarnings.length === 0 &&
      unsupportedRequirements.length === 0 &&
      ungradedAreas.length === 0 &&
      openLinesOfEnquiry.length === 0,
  };
}

function distinctSources(ids: readonly string[], sourceOf: Map<string, EvidenceSource>): EvidenceSource[] {
  return [...new Set(ids.map((id) => sourceOf.get(id)).filter((s): s is EvidenceSource => s !== undefined))];
}

// ---- Findings ----

export interface RequirementDraft {
  regulationId?: string | null | undefined;
  action?: string | null | undefined;
  impact?: string | null | undefined;
  evidenceIds?: readonly string[] | null | undefined;
  complyBy?: string | null | undefined;
}

/** What is wrong with a citation at this inspection, each against its field (frameworks' `citationProblems`). */
export type CitationCheck = (citation: {
  regulationId?: string;
  guideId?: string;
  page?: number;
}) => FieldError[];

/**
 * A requirement names a regulation that applies at this inspection, says what its breach means for
 * children's experiences and progress, rests on evidence from more than one source, and gives a date
 * after the inspection to comply by. Returns every missing part, each against its field.
 */
export function requirementProblems(
  draft: RequirementDraft,
  context: {
    citationProblems: CitationCheck;
    evidence: readonly EvidenceFacts[];
    inspectionEndDate: string;
  },
): FieldError[] {
  const errors: FieldError[] = [];
  if (!draft.regulationId)
    errors.push({ field: 'regulationId', message: 'Select the regulation that is not met' });
  else errors.push(...context.citationProblems({ regulationId: draft.regulationId }));
  if (!draft.action?.trim()) errors.push({ field: 'action', message: 'Say what the provider must do' });
  if (!draft.impact?.trim()) {
    errors.push({
      field: 'impact',
      message: 'Say what impact this has, or is likely to have, on children’s experiences and progress',
    });
  }
  const sourceOf = new Map(context.evidence.map((e) => [e.id, e.source]));
  const ids = draft.evidenceIds ?? [];
  const unknown = ids.filter((id) => !sourceOf.has(id));
  if (unknown.length > 0) {
    errors.push({
      field: 'evidenceIds',
      message: `Evidence ${unknown.join(', ')} is not recorded on this inspection`,
    });
  } else if (distinctSources(ids, sourceOf).length < 2) {
    errors.push({
      field: 'evidenceIds',
      message: 'A requirement must rest on evidence from at least two different sources',
    });
  }
  if (!draft.complyBy)
    errors.push({ field: 'complyBy', message: 'Enter the date by which the provider must comply' });
  else if (draft.complyBy <= context.inspectionEndDate) {
    errors.push({
      field: 'complyBy',
      message: 'The compliance date must be after the last day of the inspection',
    });
  }
  return errors;
}

export interface RecommendationDraft {
  guideId?: string | null | undefined;
  page?: number | null | undefined;
  paragraph?: string | null | undefined;
  text?: string | null | undefined;
}

/** A recommendation cites a guide that applies at this inspection by page (within its length) and paragraph. */
export function recommendationProblems(
  draft: RecommendationDraft,
  context: { citationProblems: CitationCheck },
): FieldError[] {
  const errors: FieldError[] = [];
  if (!draft.text?.trim()) errors.push({ field: 'text', message: 'Enter the recommendation' });
  const cited = draft.guideId
    ? context.citationProblems({
        guideId: draft.guideId,
        ...(typeof draft.page === 'number' ? { page: draft.page } : {}),
      })
    : [];
  if (!draft.guideId) errors.push({ field: 'guideId', message: 'Select the guide the recommendation cites' });
  errors.push(...cited.filter((e) => e.field === 'guideId'));
  if (draft.page === null || draft.page === undefined)
    errors.push({ field: 'page', message: 'Enter the page of the guide' });
  errors.push(...cited.filter((e) => e.field === 'page'));
  if (!draft.paragraph?.trim())
    errors.push({ field: 'paragraph', message: 'Enter the paragraph of the guide' });
  return errors;
}

// ---- Who sees what ----

/**
 * A provider never learns of a no-notice inspection before inspectors arrive, and sees nothing of the
 * inspection's working records; after feedback it sees the inspection and its judgements.
 */
export function providerMaySeeInspection(notice: Notice, status: InspectionStatus): boolean {
  return notice !== 'none' || status !== 'planned';
}

export function providerMaySeeFindings(status: InspectionStatus): boolean {
  return status === 'feedback-given' || status === 'completed' || status === 'incomplete';
}

// ---- When a new inspection may be planned ----

/** How far ahead an inspection may be planned, in years from today. */
export const PLANNING_HORIZON_YEARS = 2;

/** The last first day a plan made on `today` may have: the same day two years on (28 February for 29th). */
export function latestPlannedStart(today: string): string {
  const [year, month, day] = today.split('-') as [string, string, string];
  const later = String(Number(year) + PLANNING_HORIZON_YEARS).padStart(4, '0');
  return `${later}-${month}-${month === '02' && day === '29' ? '28' : day}`;
}

/**
 * What is wrong with the first day of a new plan made on `today`: no more than two years ahead
 * (PLANNING_HORIZON_YEARS). A first day in the past is not refused (yet): inspections already under way
 * are planned that way, in the demo data and throughout the tests that build an inspection's history.
 */
export function plannedStartProblems(startDate: string, today: string): FieldError[] {
  const latest = latestPlannedStart(today);
  if (startDate <= latest) return [];
  return [
    {
      field: 'startDate',
      message: `The first day must be no more than ${PLANNING_HORIZON_YEARS} years ahead: ${latest} at the latest`,
    },
  ];
}
