import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { serviceDateProblem } from '../calendar/working-days.js';
import { today } from '../clock.js';
import { cursorOf, keysetHref, keysetPagination, shownRange } from '../db/keyset-http.js';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { findProvidersByIds } from '../providers/store.js';
import { authorise, requirePerson } from '../web/access.js';
import {
  dateParts,
  formDate,
  formDateParts,
  formList,
  formNumber,
  formOptional,
  formText,
  idOf,
  postForm,
  savedBanner,
  type FormBody,
  placeBy,
} from '../web/forms.js';
import { forbidden } from '../web/problem.js';
import { fieldErrorsOf, type FieldError, invalid } from '../refusal.js';
import { templates } from '../web/render.js';
import { notificationScope, presentNotification, visibleNotification } from './access.js';
import {
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_STATUSES,
  REVIEW_OUTCOMES,
  REVIEW_RESULTS,
  submissionProblems,
  TOLD_PARTIES,
} from './rules.js';
import { newNotificationBody, notificationQuery, reviewBody } from './schemas.js';
import {
  NOTIFICATION_ORDER,
  notifyingProviders,
  reviewNotification,
  searchNotifications,
  submitNotification,
} from './store.js';

const hidden = { schema: { hide: true } };
const view = (name: string) => `notifications/views/${name}.njk`;

for (const [name, table] of Object.entries({
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_STATUSES,
  REVIEW_OUTCOMES,
  REVIEW_RESULTS,
  TOLD_PARTIES,
})) {
  templates.addGlobal(name, table);
}

const BANNERS: Record<string, string> = {
  reviewed: 'Your review has been recorded',
  'concern-raised': 'Your review has been recorded and a concern about the provider raised',
};

interface FormState {
  status?: number;
  errors?: FieldError[];
  values?: FormBody;
}

/**
 * A form refused for its shape also shows the rules' problems with the parts that could be read (a
 * future date, "other" without saying who), so that the person corrects everything in one go.
 */
function withRuleProblems<T>(
  parsed: z.ZodSafeParseResult<T>,
  parts: { eventDate: string | undefined; told: string[]; toldOther: string | undefined },
  day: string,
): z.ZodSafeParseResult<T> {
  if (parsed.success) return parsed;
  const shown = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
  // Only a date the schema took is checked further: the calendar has nothing to say about any other.
  const eventDate = serviceDateProblem(parts.eventDate) === null ? parts.eventDate! : day;
  const more = submissionProblems({ categoryId: 'other', ...parts, eventDate }, day)
    .filter((p) => p.field !== 'categoryId' && !shown.has(p.field))
    .map((p) => ({ code: 'custom' as const, path: [p.field], message: p.message, input: undefined }));
  parsed.error.issues.push(...more);
  return parsed;
}

/** The homes a person may notify for: those they act for. */
function homesOf(person: Person): string[] {
  return person.providerIds.filter((providerId) => can(person, 'notification.submit', { providerId }));
}

/**
 * A period filter's day: the three date boxes when any was filled in (an incomplete date is passed on
 * for the schema to reject), otherwise an ISO date from a pagination link.
 */
function periodDay(query: FormBody, name: string): string | undefined {
  const parts = formDateParts(query, name);
  if ([parts.day, parts.month, parts.year].some((p) => p?.trim())) {
    return formDate(query, name) ?? `${parts.year ?? ''}-${parts.month ?? ''}-${parts.day ?? ''}`;
  }
  return formOptional(query, name);
}

export async function notificationPages(app: FastifyInstance) {
  const db = app.db;

  // ---- The list ----

  app.get(
    '/notifications',
    { ...hidden, config: { access: 'notifications.list' } },
    async (request, reply) => {
      const person = authorise(request, 'notifications.list');
      const scope = notificationScope(person);
      const raw = request.query as FormBody;
      const input = {
        category: formOptional(raw, 'category'),
        providerId: scope.kind === 'all' ? formOptional(raw, 'providerId') : undefined,
        status: formOptional(raw, 'status'),
        from: periodDay(raw, 'from'),
        to: periodDay(raw, 'to'),
        page: formOptional(raw, 'page'),
      };
      const parsed = notificationQuery.safeParse(input);
      const errors = parsed.success ? [] : fieldErrorsOf(parsed.error);
      // A filter that cannot be read is shown with its error and left out; the others still apply.
      const wrong = new Set(errors.map((e) => e.field));
      const query = notificationQuery.parse(
        Object.fromEntries(Object.entries(input).filter(([name]) => !wrong.has(name))),
      );
      // A cursor that cannot be read (an old or cut-off link) starts the list again.
      const result = await searchNotifications(db, scope, {
        ...query,
        cursor: errors.length === 0 ? cursorOf(NOTIFICATION_ORDER, raw.cursor) : undefined,
      });
      const keep = {
        category: query.category,
        providerId: query.providerId,
        status: query.status,
        from: query.from,
        to: query.to,
      };
      return reply.page(view('list'), {
        title: scope.kind === 'own' ? 'Your notifications' : 'Serious-event notifications',
        staff: scope.kind === 'all',
        result: { ...result, items: result.items.map((n) => presentNotification(person, n)) },
        search: keep,
        period: {
          from: wrong.has('from') ? formDateParts(raw, 'from') : dateParts(query.from),
          to: wrong.has('to') ? formDateParts(raw, 'to') : dateParts(query.to),
        },
        providers: scope.kind === 'all' ? await notifyingProviders(db) : [],
        errors: errors.map((e) =>
          e.field === 'from' || e.field === 'to' ? { ...e, field: `${e.field}-day` } : e,
        ),
        filtered: Object.values(keep).some(Boolean) || errors.length > 0,
        canSubmit: homesOf(person).length > 0,
        pagination: keysetPagination(result, keysetHref('/notifications', keep)),
        ...shownRange(result),
      });
    },
  );

  // ---- Notifying an event ----

  async function newPage(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    const person = requirePerson(request);
    const homes = homesOf(person);
    if (homes.length === 0) throw forbidden();
    const values = state.values ?? {};
    return reply.page(
      view('new'),
      {
        title: 'Notify a serious event',
        homes: (await findProvidersByIds(db, homes)).map((p) => ({ id: p.id, name: p.name, town: p.town })),
        values: {
          providerId: formText(values, 'providerId') ?? formOptional(request.query as FormBody, 'providerId'),
          categoryId: formText(values, 'categoryId'),
          eventDate: formDateParts(values, 'eventDate'),
          whatHappened: formText(values, 'whatHappened'),
          actionsTaken: formText(values, 'actionsTaken'),
          told: formList(values, 'told'),
          toldOther: formText(values, 'toldOther'),
        },
        today: today(app.clock),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/notifications/new',
    { ...hidden, config: { access: 'notification.submit' } },
    async (request, reply) => newPage(request, reply),
  );

  app.post(
    '/notifications/new',
    { ...hidden, config: { access: 'notification.submit' } },
    async (request, reply) => {
      const person = requirePerson(request);
      const homes = homesOf(person);
      if (homes.length === 0) throw forbidden();
      const form = (request.body ?? {}) as FormBody;
      const told = formList(form, 'told');
      const parsed = newNotificationBody.safeParse({
        // With one home there is nothing to choose.
        providerId: homes.length === 1 ? homes[0] : formOptional(form, 'providerId'),
        categoryId: formOptional(form, 'categoryId'),
        eventDate: formDate(form, 'eventDate'),
        whatHappened: formText(form, 'whatHappened'),
        actionsTaken: formText(form, 'actionsTaken'),
        told,
        toldOther: told.includes('other') ? formOptional(form, 'toldOther') : undefined,
      });
      return postForm(reply, {
        parsed: withRuleProblems(
          parsed,
          { eventDate: formDate(form, 'eventDate'), told, toldOther: formOptional(form, 'toldOther') },
          today(app.clock),
        ),
        place: placeBy(
          {
            providerId: 'providerId',
            categoryId: 'categoryId',
            eventDate: 'eventDate-day',
            whatHappened: 'whatHappened',
            actionsTaken: 'actionsTaken',
            told: 'told',
            toldOther: 'toldOther',
          },
          'whatHappened',
        ),
        act: async (data) => {
          if (!homes.includes(data.providerId)) {
            throw invalid([{ field: 'providerId', message: 'Select the home the event happened at' }]);
          }
          const { id } = await submitNotification(db, person.id, data, app.clock.now());
          return `/notifications/${id}/sent`;
        },
        showAgain: (refused) => newPage(request, reply, { ...refused, values: form }),
      });
    },
  );

  app.get(
    '/notifications/:id/sent',
    { ...hidden, config: { access: { hidden: 'notification.read' } } },
    async (request, reply) => {
      const { notification } = await visibleNotification(request, idOf(request));
      return reply.page(view('sent'), { title: 'Notification sent', notification });
    },
  );

  // ---- A notification ----

  async function notificationPage(request: FastifyRequest, reply: FastifyReply, state: FormState = {}) {
    const { notification, person } = await visibleNotification(request, idOf(request));
    const values = state.values ?? {};
    return reply.page(
      view('show'),
      {
        title: `Notification ${notification.reference}`,
        notification: presentNotification(person, notification),
        staff: can(person, 'notification.review', { providerId: notification.provider.id }),
        canReview:
          notification.status === 'submitted' &&
          can(person, 'notification.review', { providerId: notification.provider.id }),
        readsConcerns: can(person, 'concern.read'),
        values: {
          outcome: formText(values, 'outcome'),
          notes: formText(values, 'notes'),
          bringForwardTo: formDateParts(values, 'bringForwardTo'),
        },
        banner: savedBanner(request, BANNERS),
        errors: state.errors ?? [],
      },
      state.status ?? 200,
    );
  }

  app.get(
    '/notifications/:id',
    { ...hidden, config: { access: { hidden: 'notification.read' } } },
    async (request, reply) => notificationPage(request, reply),
  );

  app.post(
    '/notifications/:id/review',
    { ...hidden, config: { access: 'notification.review' } },
    async (request, reply) => {
      const { notification, person } = await visibleNotification(request, idOf(request));
      authorise(request, 'notification.review', { providerId: notification.provider.id });
      const form = (request.body ?? {}) as FormBody;
      const outcomeChosen = formOptional(form, 'outcome');
      const version = formNumber(form, 'version');
      return postForm(reply, {
        parsed: reviewBody.safeParse({
          outcome: outcomeChosen,
          notes: formText(form, 'notes'),
          bringForwardTo:
            outcomeChosen === 'inspection-brought-forward' ? formDate(form, 'bringForwardTo') : undefined,
          version: typeof version === 'number' ? version : undefined,
        }),
        place: placeBy(
          { outcome: 'outcome', notes: 'notes', bringForwardTo: 'bringForwardTo-day' },
          'outcome',
        ),
        act: async (data) => {
          await reviewNotification(db, person.id, notification.id, data, app.clock.now());
          return `/notifications/${notification.id}?saved=${data.outcome === 'concern-raised' ? 'concern-raised' : 'reviewed'}`;
        },
        showAgain: (refused) => {
          if (refused.status === 409) {
            // Someone else reviewed it meanwhile: show it as it is now, with why this review was not saved.
            const errors = refused.errors.map((e) => ({ ...e, field: 'review' }));
            return notificationPage(request, reply, { status: 409, errors });
          }
          return notificationPage(request, reply, { ...refused, values: form });
        },
      });
    },
  );
}
