import { bankHolidays, type BankHoliday, type IsoDate } from '../calendar/working-days.js';
import { frameworks } from './frameworks.js';
import { notificationCategories } from './notification-categories.js';
import { postInspectionProcedures } from './procedures.js';
import { guides, instruments, regulations } from './regulations.js';
import { describeSteps, frameworkById, RuleError, timeline, type DescribedStep } from './rules.js';
import type {
  Framework,
  Guide,
  Instrument,
  NotificationCategory,
  PostInspectionProcedure,
  Regulation,
} from './types.js';

/**
 * The regulator's rules as published reference data: the same answers for the API, the pages and the
 * command line. Nothing here reads the database.
 */

/** The deadlines after an inspection, as the API and the command line give them. */
export interface TimelineAnswer {
  framework: string;
  /** The last day of the inspection. */
  end: IsoDate;
  /** The id of the post-inspection procedure in force on `end`. */
  procedure: string;
  /** Null where the procedure has no call on the day after the inspection. */
  dayAfterContact: IsoDate | null;
  draftReportDue: IsoDate;
  responseDue: IsoDate;
  finalReportDue: IsoDate;
  complaintDue: IsoDate;
  internalReview: boolean;
}

/** The rules name their inputs `frameworkId` and `lastDay`; callers send them as `framework` and `end`. */
const inputNames: Record<string, string> = { frameworkId: 'framework', lastDay: 'end' };

/**
 * The timeline for an inspection under `framework` that ended on `end`. A refusal is a RuleError naming
 * `framework` or `end`.
 */
export function timelineAnswer(framework: string, end: string): TimelineAnswer {
  try {
    const deadlines = timeline(framework, end);
    return {
      framework,
      end: deadlines.lastDay,
      procedure: deadlines.procedure.id,
      dayAfterContact: deadlines.dayAfterContact,
      draftReportDue: deadlines.draftReportDue,
      responseDue: deadlines.responseDue,
      finalReportDue: deadlines.finalReportDue,
      complaintDue: deadlines.complaintDue,
      internalReview: deadlines.internalReview,
    };
  } catch (error) {
    if (error instanceof RuleError)
      throw new RuleError(inputNames[error.field] ?? error.field, error.message);
    throw error;
  }
}

export type FrameworkSummary = Pick<
  Framework,
  'id' | 'name' | 'shortName' | 'effectiveFrom' | 'effectiveTo' | 'providerTypes' | 'scaleKind'
>;

export function frameworkSummaries(): FrameworkSummary[] {
  return frameworks.map(({ id, name, shortName, effectiveFrom, effectiveTo, providerTypes, scaleKind }) => ({
    id,
    name,
    shortName,
    effectiveFrom,
    effectiveTo,
    providerTypes: [...providerTypes],
    scaleKind,
  }));
}

/** One framework in full, or null when there is no such framework. */
export function frameworkDetail(id: string): Framework | null {
  try {
    return frameworkById(id);
  } catch (error) {
    if (error instanceof RuleError) return null;
    throw error;
  }
}

export interface InstrumentWithRegulations extends Instrument {
  regulations: Regulation[];
}

export interface RegulationsReference {
  instruments: InstrumentWithRegulations[];
  guides: Guide[];
}

export function regulationsReference(): RegulationsReference {
  return {
    instruments: instruments.map((instrument) => ({
      ...instrument,
      regulations: regulations
        .filter((regulation) => regulation.instrumentId === instrument.id)
        .sort((a, b) => a.number - b.number),
    })),
    guides: [...guides],
  };
}

export interface ProcedureReference extends Omit<PostInspectionProcedure, 'steps'> {
  steps: DescribedStep[];
}

/** Every post-inspection procedure, oldest first, each step with its deadline in words and as data. */
export function procedureReferences(): ProcedureReference[] {
  return postInspectionProcedures.map((procedure) => ({ ...procedure, steps: describeSteps(procedure) }));
}

export function notificationCategoryReferences(): NotificationCategory[] {
  return [...notificationCategories];
}

export interface BankHolidaysOfYear {
  year: number;
  division: 'england-and-wales';
  holidays: BankHoliday[];
}

export function bankHolidaysOf(year: number): BankHolidaysOfYear {
  return { year, division: 'england-and-wales', holidays: [...bankHolidays(year)] };
}

const londonYear = new Intl.DateTimeFormat('en-GB', { year: 'numeric', timeZone: 'Europe/London' });

/** The year it is now in London: the year shown when none is asked for. */
export function thisYear(): number {
  return Number(londonYear.format(new Date()));
}
