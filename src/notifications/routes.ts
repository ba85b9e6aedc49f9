import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cursorField, keysetApiPage } from '../db/keyset-http.js';
import { can } from '../people/policy.js';
import { authorise, requirePerson } from '../web/access.js';
import { problemResponses } from '../web/problem.js';
import { notFound } from '../refusal.js';
import { notificationScope, presentNotification, visibleNotification } from './access.js';
import {
  newNotificationBody,
  notificationListSchema,
  notificationQuery,
  notificationSchema,
  reviewBody,
} from './schemas.js';
import { NOTIFICATION_ORDER, reviewNotification, searchNotifications, submitNotification } from './store.js';

const errors = problemResponses;
const idParams = z.object({ id: z.string() });
const tags = ['notifications'];

export async function notificationRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;

  app.get(
    '/api/notifications',
    {
      config: { access: 'notifications.list' },
      schema: {
        tags,
        summary:
          'Serious-event notifications, newest event first: all of them for inspectors, planners and managers; a provider’s own homes’ for a provider (without the review)',
        querystring: notificationQuery.extend({ cursor: cursorField(NOTIFICATION_ORDER) }),
        response: { 200: notificationListSchema, ...errors },
      },
    },
    async (request, reply) => {
      const person = authorise(request, 'notifications.list');
      const { cursor, ...search } = request.query;
      const { page } = await keysetApiPage(request.url, reply, NOTIFICATION_ORDER, cursor, (paging) =>
        searchNotifications(db, notificationScope(person), { ...search, ...paging }),
      );
      return { ...page, items: page.items.map((n) => presentNotification(person, n)) };
    },
  );

  app.post(
    '/api/notifications',
    {
      config: { access: { hidden: 'notification.submit' } },
      schema: {
        tags,
        summary:
          'Notify a serious event at one of your homes (provider users): category, date, what happened, actions taken and who else was told',
        body: newNotificationBody,
        response: { 201: notificationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const person = requirePerson(request);
      // A home the person does not act for is answered as if it did not exist.
      if (!can(person, 'notification.submit', { providerId: request.body.providerId })) throw notFound();
      const { id } = await submitNotification(db, person.id, request.body, app.clock.now());
      const { notification } = await visibleNotification(request, id);
      return reply
        .status(201)
        .header('location', `/api/notifications/${id}`)
        .send(presentNotification(person, notification));
    },
  );

  app.get(
    '/api/notifications/:id',
    {
      config: { access: { hidden: 'notification.read' } },
      schema: {
        tags,
        summary: 'A notification; the review (outcome, notes, date brought forward, concern) for staff only',
        params: idParams,
        response: { 200: notificationSchema, ...errors },
      },
    },
    async (request) => {
      const { notification, person } = await visibleNotification(request, request.params.id);
      return presentNotification(person, notification);
    },
  );

  app.post(
    '/api/notifications/:id/review',
    {
      config: { access: 'notification.review' },
      schema: {
        tags,
        summary:
          'Review a notification (planners, managers, inspectors): no further action, raise a concern about the provider, or bring the next inspection forward to a future date; with notes and the version reviewed',
        params: idParams,
        body: reviewBody,
        response: { 200: notificationSchema, ...errors },
      },
    },
    async (request) => {
      const { notification, person } = await visibleNotification(request, request.params.id);
      authorise(request, 'notification.review', { providerId: notification.provider.id });
      await reviewNotification(db, person.id, notification.id, request.body, app.clock.now());
      return presentNotification(person, (await visibleNotification(request, notification.id)).notification);
    },
  );
}
