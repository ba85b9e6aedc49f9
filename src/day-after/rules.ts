import { formatLongDate, type IsoDate } from '../calendar/working-days.js';
import { dueDate } from '../frameworks/rules.js';
import type { PostInspectionProcedure } from '../frameworks/types.js';
import type { FieldError } from '../refusal.js';

/**
 * The provider's call on the working day after an inspection (from January 2024, seeds 000 and 002):
 * when it may be made, and who takes it. Pure.
 */

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** 'Monday 17 June 2024'. */
export function longDateWithWeekday(date: IsoDate): string {
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
  return `${weekday} ${formatLongDate(date)}`;
}

/** The one day the provider may make contact, or null when the procedure has no such call. */
export function dayAfterContactDay(procedure: PostInspectionProcedure, lastDay: IsoDate): IsoDate | null {
  return procedure.dayAfterCall ? dueDate(procedure.dayAfterCall, { 'last-day': lastDay }) : null;
}

/** Why a contact made `today` about an inspection that ended on `lastDay` is refused, or null. */
export function dayAfterContactRefusal(
  procedure: PostInspectionProcedure,
  lastDay: IsoDate,
  today: IsoDate,
): FieldError | null {
  const day = dayAfterContactDay(procedure, lastDay);
  if (day === null) {
    return {
      field: 'inspectionId',
      message: `This inspection was held under the ${procedure.name.charAt(0).toLowerCase()}${procedure.name.slice(1)}, which have no call on the day after the inspection. Raise any concern with the inspector’s manager, or comment on the draft report`,
    };
  }
  if (today !== day) {
    return {
      field: 'date',
      message: `You can contact us about this inspection on ${longDateWithWeekday(day)} only, the working day after it ended on ${longDateWithWeekday(lastDay)}`,
    };
  }
  return null;
}

export interface Candidate {
  id: string;
  name: string;
  /** Contacts assigned to them still waiting for an outcome. */
  openContacts: number;
}

/**
 * The experienced inspector to take the call: independent of the inspection (not the lead, not on the
 * team) and with no declared conflict with the provider; the least busy first, then by name and id, so
 * the choice is the same every time.
 */
export function chooseInspector(
  candidates: readonly Candidate[],
  excluded: { inspectionTeamIds: readonly string[]; conflictedIds: readonly string[] },
): Candidate | null {
  const eligible = candidates.filter(
    (c) => !excluded.inspectionTeamIds.includes(c.id) && !excluded.conflictedIds.includes(c.id),
  );
  eligible.sort(
    (a, b) =>
      a.openContacts - b.openContacts ||
      a.name.localeCompare(b.name, 'en-GB') ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return eligible[0] ?? null;
}
