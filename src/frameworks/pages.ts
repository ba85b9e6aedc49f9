import type { FastifyInstance } from 'fastify';
import { OUT_OF_RANGE, serviceDateProblem } from '../calendar/working-days.js';
import { fieldErrorsOf, notFound, type FieldError } from '../refusal.js';
import { frameworks } from './frameworks.js';
import {
  bankHolidaysOf,
  frameworkDetail,
  notificationCategoryReferences,
  procedureReferences,
  regulationsReference,
  thisYear,
  timelineAnswer,
  type TimelineAnswer,
} from './reference.js';
import { describeDeadline, RuleError } from './rules.js';
import { yearText } from './schemas.js';
import type { DeadlineName } from './types.js';

/** The regulator's rules as pages, public like the API (routes.ts): reading them needs no sign-in. */

const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });

function weekdayOf(date: string): string {
  return weekday.format(new Date(`${date}T00:00:00Z`));
}

function checkedYear(text: string | undefined): { year: number } | { error: FieldError } {
  if (text === undefined || text.trim() === '') return { year: thisYear() };
  const parsed = yearText.safeParse(text);
  if (!parsed.success) return { error: { field: 'year', message: fieldErrorsOf(parsed.error)[0]!.message } };
  return { year: parsed.data };
}

const lastDayWords = 'The last day of the inspection';

type DateBox = 'day' | 'month' | 'year';

/** What is wrong with the last day, and which of its boxes to highlight. */
interface LastDayError {
  message: string;
  boxes: DateBox[];
}

const allBoxes: DateBox[] = ['day', 'month', 'year'];

/** The day, month and year boxes of the timeline form, as an ISO date, or what is wrong with them. */
function lastDayFromBoxes(form: TimelineForm): { date: string } | { error: LastDayError } {
  const missing = allBoxes.filter((box) => form[box] === '');
  if (missing.length === 3) {
    return { error: { message: 'Enter the last day of the inspection', boxes: allBoxes } };
  }
  if (missing.length > 0) {
    return { error: { message: `${lastDayWords} must include a ${missing.join(' and ')}`, boxes: missing } };
  }
  const realDate = { error: { message: `${lastDayWords} must be a real date`, boxes: allBoxes } };
  if (!/^\d{1,2}$/.test(form.day) || !/^\d{1,2}$/.test(form.month) || !/^\d{4}$/.test(form.year)) {
    return realDate;
  }
  const date = `${form.year}-${form.month.padStart(2, '0')}-${form.day.padStart(2, '0')}`;
  const problem = serviceDateProblem(date);
  if (problem === 'out-of-range') return { error: { message: OUT_OF_RANGE, boxes: ['year'] } };
  return problem === null ? { date } : realDate;
}

interface TimelineForm {
  framework: string;
  day: string;
  month: string;
  year: string;
}

interface TimelineOutcome {
  answer: TimelineAnswer | null;
  frameworkError: string | null;
  lastDayError: LastDayError | null;
}

function timelineFromForm(form: TimelineForm): TimelineOutcome {
  const frameworkError = form.framework === '' ? 'Select a framework' : null;
  const lastDay = lastDayFromBoxes(form);
  const lastDayError = 'error' in lastDay ? lastDay.error : null;
  if (frameworkError || !('date' in lastDay)) return { answer: null, frameworkError, lastDayError };
  try {
    return { answer: timelineAnswer(form.framework, lastDay.date), frameworkError, lastDayError };
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    if (error.field === 'framework') return { answer: null, frameworkError: error.message, lastDayError };
    return { answer: null, frameworkError, lastDayError: { message: error.message, boxes: allBoxes } };
  }
}

function text(query: Record<string, unknown>, key: string): string {
  const value = query[key];
  return typeof value === 'string' ? value.trim() : '';
}

const deadlineNames: readonly DeadlineName[] = [
  'dayAfterCall',
  'draftReport',
  'response',
  'finalReport',
  'formalComplaint',
];

const deadlineLabels: Record<DeadlineName, string> = {
  dayAfterCall: 'Call about unresolved issues',
  draftReport: 'Draft report sent',
  response: 'Answer to the draft report',
  finalReport: 'Final report sent',
  formalComplaint: 'Formal complaint made',
};

export async function referencePages(app: FastifyInstance) {
  app.get('/reference', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.page('frameworks/views/index.njk', { title: 'Reference' }),
  );

  app.get(
    '/reference/frameworks',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply.page('frameworks/views/frameworks.njk', { title: 'Inspection frameworks', frameworks }),
  );

  app.get(
    '/reference/frameworks/:id',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const framework = frameworkDetail(id);
      if (!framework) throw notFound();
      const areaNames = new Map(framework.judgementAreas.map((area) => [area.id, area.name]));
      return reply.page('frameworks/views/framework.njk', {
        title: framework.name,
        framework,
        overallArea: areaNames.get(framework.overallGrade.areaId) ?? framework.overallGrade.areaId,
        areas: framework.judgementAreas.map((area) => ({
          ...area,
          parentName: area.subJudgementOf
            ? (areaNames.get(area.subJudgementOf) ?? area.subJudgementOf)
            : null,
        })),
      });
    },
  );

  app.get(
    '/reference/procedures',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply.page('frameworks/views/procedures.njk', {
        title: 'Post-inspection procedures',
        procedures: procedureReferences().map((procedure) => ({
          ...procedure,
          deadlines: deadlineNames.flatMap((name) => {
            const deadline = procedure[name];
            return deadline ? [{ label: deadlineLabels[name], due: describeDeadline(deadline) }] : [];
          }),
        })),
      }),
  );

  app.get(
    '/reference/regulations',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) => {
      const reference = regulationsReference();
      const instrumentTitles = new Map(
        reference.instruments.map((instrument) => [instrument.id, instrument.title]),
      );
      return reply.page('frameworks/views/regulations.njk', {
        title: 'Regulations and guides',
        instruments: reference.instruments,
        guides: reference.guides.map((guide) => ({
          ...guide,
          explains: guide.instrumentId === null ? null : instrumentTitles.get(guide.instrumentId),
        })),
      });
    },
  );

  app.get(
    '/reference/notification-categories',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply.page('frameworks/views/notification-categories.njk', {
        title: 'Notification categories',
        categories: notificationCategoryReferences(),
      }),
  );

  app.get(
    '/reference/calendar',
    { config: { access: 'public' }, schema: { hide: true } },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const errors: FieldError[] = [];

      const yearAsked = text(query, 'year');
      const checked = checkedYear(yearAsked);
      let holidays: { year: number; rows: { date: string; weekday: string; name: string }[] } | null = null;
      if ('error' in checked) {
        errors.push(checked.error);
      } else {
        const { year, holidays: list } = bankHolidaysOf(checked.year);
        holidays = { year, rows: list.map((holiday) => ({ ...holiday, weekday: weekdayOf(holiday.date) })) };
      }

      const form: TimelineForm = {
        framework: text(query, 'framework'),
        day: text(query, 'end-day'),
        month: text(query, 'end-month'),
        year: text(query, 'end-year'),
      };
      const asked = Object.values(form).some((value) => value !== '');
      const outcome: TimelineOutcome = asked
        ? timelineFromForm(form)
        : { answer: null, frameworkError: null, lastDayError: null };
      if (outcome.frameworkError) errors.push({ field: 'framework', message: outcome.frameworkError });
      if (outcome.lastDayError) {
        errors.push({ field: `end-${outcome.lastDayError.boxes[0]}`, message: outcome.lastDayError.message });
      }
      const answer = outcome.answer;
      const procedure = answer
        ? procedureReferences().find((candidate) => candidate.id === answer.procedure)
        : null;

      return reply.page(
        'frameworks/views/calendar.njk',
        {
          title: 'Working-day calendar',
          errors,
          yearValue: yearAsked || (holidays ? String(holidays.year) : ''),
          holidays,
          form,
          lastDayError: outcome.lastDayError,
          frameworkItems: [
            { value: '', text: 'Choose a framework', selected: form.framework === '' },
            ...frameworks.map((framework) => ({
              value: framework.id,
              text: framework.name,
              selected: framework.id === form.framework,
            })),
          ],
          timeline: answer
            ? {
                ...answer,
                frameworkName: frameworks.find((framework) => framework.id === answer.framework)?.name,
                procedureName: procedure?.name ?? answer.procedure,
              }
            : null,
        },
        errors.length > 0 ? 400 : 200,
      );
    },
  );
}
