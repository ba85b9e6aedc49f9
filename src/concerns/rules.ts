import type { FieldError } from '../refusal.js';

/**
 * Concerns about providers: what anyone may tell the regulator about a home or service, and how a planner
 * weighs each one. A concern is a signal, never an inspection: the planner's decision is what counts.
 * Pure: no clock, no database.
 */

// ---- Catalogues ----

export const CONCERN_STATUSES = {
  new: 'Awaiting assessment',
  decided: 'Decided',
} as const;
export type ConcernStatus = keyof typeof CONCERN_STATUSES;

export const CONCERN_CHANNELS = {
  'public-form': 'Online form',
  phone: 'Phone',
  email: 'Email',
  notification: 'Serious-event notification',
} as const;
export type ConcernChannel = keyof typeof CONCERN_CHANNELS;

export const RISK_LEVELS = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  immediate: 'Immediate',
} as const;
export type RiskLevel = keyof typeof RISK_LEVELS;

export const CONCERN_DECISIONS = {
  'inspect-now': 'Inspect now',
  'bring-forward': 'Bring the next inspection forward',
  monitor: 'Monitor',
  'no-action': 'No action',
} as const;
export type ConcernDecision = keyof typeof CONCERN_DECISIONS;

/** Who the person raising a concern is to the child or the home, in their own words of the form. */
export const RAISER_RELATIONSHIPS = {
  'parent-or-carer': 'Parent or carer',
  'child-or-young-person': 'Child or young person',
  staff: 'Member of staff',
  professional: 'Professional, such as a social worker or teacher',
  other: 'Other',
} as const;
export type RaiserRelationship = keyof typeof RAISER_RELATIONSHIPS;

/** The most a person may write about what happened: enough for a full account, not for a document dump. */
export const SUMMARY_MAX = 5_000;

/** A concern reference: CON- and eight capital letters or digits. */
export const CONCERN_REFERENCE = /^CON-[0-9A-F]{8}$/;

// ---- Describing the provider in the raiser's words ----

/** How the person raising the concern described the provider, kept as one line of text. */
export function describeProvider(name: string, place: string | undefined, urn: string | undefined): string {
  const parts = [name.trim(), place?.trim()].filter(Boolean).join(', ');
  return urn ? `${parts} (URN ${urn.trim().toUpperCase()})` : parts;
}

// ---- Risk assessment ----

export interface Assessment {
  riskLevel?: RiskLevel | undefined;
  decision?: ConcernDecision | undefined;
  reasons?: string | undefined;
  /** The day the next inspection is brought forward to (bring forward only). */
  bringForwardTo?: string | undefined;
}

/** Decisions that act on a particular provider's inspection, so the concern must be matched to one. */
const NEEDS_PROVIDER: ConcernDecision[] = ['inspect-now', 'bring-forward', 'monitor'];

/**
 * Everything wrong with a risk assessment, each against its field: a risk level and a decision, reasons
 * in words, a date after `today` when bringing forward (and no date otherwise), and a provider on the
 * register for any decision that acts on one. An empty list means it may be recorded.
 */
export function assessmentProblems(
  assessment: Assessment,
  today: string,
  matchedToProvider: boolean,
): FieldError[] {
  const problems: FieldError[] = [];
  if (!assessment.riskLevel) {
    problems.push({ field: 'riskLevel', message: 'Select the level of risk' });
  }
  if (!assessment.decision) {
    problems.push({ field: 'decision', message: 'Select a decision' });
  }
  if (!assessment.reasons?.trim()) {
    problems.push({ field: 'reasons', message: 'Give the reasons for the decision' });
  }
  if (assessment.decision === 'bring-forward') {
    if (!assessment.bringForwardTo) {
      problems.push({
        field: 'bringForwardTo',
        message: 'Enter the date to bring the inspection forward to',
      });
    } else if (assessment.bringForwardTo <= today) {
      problems.push({
        field: 'bringForwardTo',
        message: 'The date to bring the inspection forward to must be in the future',
      });
    }
  } else if (assessment.bringForwardTo) {
    problems.push({
      field: 'bringForwardTo',
      message: 'Only give a date when bringing the inspection forward',
    });
  }
  if (assessment.decision && NEEDS_PROVIDER.includes(assessment.decision) && !matchedToProvider) {
    problems.push({
      field: 'providerId',
      message: 'Match the concern to a provider on the register before deciding to inspect or monitor it',
    });
  }
  return problems;
}
