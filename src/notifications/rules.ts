import { formatLongDate, type IsoDate } from '../calendar/working-days.js';
import { notificationCategories } from '../frameworks/notification-categories.js';
import type { NotificationCategory } from '../frameworks/types.js';
import type { FieldError } from '../refusal.js';

/**
 * Serious-event notifications from providers (Children's Homes Regulations 2015, reg 40) and the
 * inspectorate's review of each. Pure: no clock, no database.
 */

// ---- Catalogues ----

/** Who else the provider told about the event, in the order the form asks. */
export const TOLD_PARTIES = {
  'placing-authority': 'Placing authority',
  police: 'Police',
  lado: 'Local authority designated officer (LADO)',
  'parents-or-carers': 'Parents or carers',
  'host-authority': 'Host local authority',
  other: 'Other',
} as const;
export type ToldParty = keyof typeof TOLD_PARTIES;

export const NOTIFICATION_STATUSES = {
  submitted: 'Submitted',
  reviewed: 'Reviewed',
} as const;
export type NotificationStatus = keyof typeof NOTIFICATION_STATUSES;

export const REVIEW_OUTCOMES = {
  'no-further-action': 'No further action',
  'concern-raised': 'Raise a concern about the provider',
  'inspection-brought-forward': 'Bring the next inspection forward',
} as const;
export type ReviewOutcome = keyof typeof REVIEW_OUTCOMES;

/** The same outcomes once recorded, as lists and the record show them. */
export const REVIEW_RESULTS: Record<ReviewOutcome, string> = {
  'no-further-action': 'No further action',
  'concern-raised': 'Concern raised',
  'inspection-brought-forward': 'Inspection brought forward',
};

/** The categories as a code → label table, in the order of the regulator's annual figures. */
export const NOTIFICATION_CATEGORIES: Record<string, string> = Object.fromEntries(
  notificationCategories.map((c) => [c.id, c.label]),
);

export function categoryById(id: string): NotificationCategory | undefined {
  return notificationCategories.find((c) => c.id === id);
}

function inForceOn(category: NotificationCategory, date: IsoDate): boolean {
  return category.effectiveFrom <= date && (category.effectiveTo === null || date <= category.effectiveTo);
}

// ---- Submitting ----

export interface NotificationSubmission {
  categoryId: string;
  eventDate: IsoDate;
  told: readonly string[];
  toldOther?: string | null | undefined;
}

/**
 * What is wrong with a notification that is well formed: an event cannot be notified before it happens,
 * its category must have been in force on the day, and "other" needs saying who.
 */
export function submissionProblems(input: NotificationSubmission, today: IsoDate): FieldError[] {
  const problems: FieldError[] = [];
  if (input.eventDate > today) {
    problems.push({ field: 'eventDate', message: 'The date of the event must be today or in the past' });
  }
  const category = categoryById(input.categoryId);
  if (!category) {
    problems.push({ field: 'categoryId', message: 'Select the category of the event' });
  } else if (input.eventDate <= today && !inForceOn(category, input.eventDate)) {
    problems.push({
      field: 'categoryId',
      message: `This category was not in use on ${formatLongDate(input.eventDate)}`,
    });
  }
  if (input.told.includes('other') && !input.toldOther?.trim()) {
    problems.push({ field: 'toldOther', message: 'Say who else you told' });
  }
  return problems;
}

/** "Other" text is kept only when "other" is ticked, so a stale answer is never stored. */
export function toldOtherToKeep(
  told: readonly string[],
  toldOther: string | null | undefined,
): string | null {
  return told.includes('other') ? toldOther?.trim() || null : null;
}

// ---- Reviewing ----

export interface NotificationReview {
  outcome: ReviewOutcome;
  notes: string;
  bringForwardTo?: IsoDate | null | undefined;
}

/**
 * What is wrong with a review: notes are always needed, and bringing the inspection forward needs the
 * date it is brought forward to, which must be after today.
 */
export function reviewProblems(input: NotificationReview, today: IsoDate): FieldError[] {
  const problems: FieldError[] = [];
  if (!input.notes.trim()) problems.push({ field: 'notes', message: 'Enter your notes on the review' });
  if (input.outcome === 'inspection-brought-forward') {
    if (!input.bringForwardTo) {
      problems.push({
        field: 'bringForwardTo',
        message: 'Enter the date to bring the inspection forward to',
      });
    } else if (input.bringForwardTo <= today) {
      problems.push({
        field: 'bringForwardTo',
        message: 'The date to bring the inspection forward to must be in the future',
      });
    }
  }
  return problems;
}

/** Only a review that brings the inspection forward keeps a date. */
export function bringForwardToKeep(input: NotificationReview): IsoDate | null {
  return input.outcome === 'inspection-brought-forward' ? (input.bringForwardTo ?? null) : null;
}

/** Why a review cannot be recorded now, as a conflict. */
export function reviewRefusal(status: NotificationStatus, reviewedOn: IsoDate | null): string | null {
  return status === 'reviewed'
    ? `The notification was already reviewed${reviewedOn ? ` on ${formatLongDate(reviewedOn)}` : ''}`
    : null;
}
