import type { FastifyInstance } from 'fastify';
import { can } from '../people/policy.js';
import { requirePerson } from '../web/access.js';
import { idOf } from '../web/forms.js';
import { paginationFor, queryString } from '../web/pagination.js';
import { fieldErrorsOf } from '../refusal.js';
import { recipientFor, visibleMessage } from './access.js';
import { messageQuery } from './schemas.js';
import { pageOfMessages } from './store.js';

/** The outbox in pages (the API is in routes.ts). */

export async function messagePages(app: FastifyInstance) {
  const db = app.db;

  app.get(
    '/messages',
    { config: { access: 'signed-in' }, schema: { hide: true } },
    async (request, reply) => {
      const person = requirePerson(request);
      const raw: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
        if (typeof value === 'string' && value !== '') raw[name] = value;
      }
      const parsed = messageQuery.safeParse(raw);
      const query = parsed.success ? parsed.data : messageQuery.parse({});
      const readsAll = can(person, 'outbox.read-all');
      const mine = query.mine === 'true';
      const result = await pageOfMessages(db, recipientFor(person, mine), query.page, query.pageSize);
      const keep = { mine: readsAll ? (query.mine ?? 'false') : undefined };
      return reply.page('messages/views/list.njk', {
        title: readsAll && !mine ? 'Messages' : 'Your messages',
        readsAll,
        mine,
        result,
        errors: parsed.success ? [] : fieldErrorsOf(parsed.error),
        pagination: paginationFor(
          result.page,
          result.totalPages,
          (n) => `/messages${queryString({ ...keep, page: n })}`,
        ),
        from: result.total === 0 ? 0 : (result.page - 1) * result.pageSize + 1,
        to: Math.min(result.page * result.pageSize, result.total),
      });
    },
  );

  app.get(
    '/messages/:id',
    { config: { access: 'signed-in' }, schema: { hide: true } },
    async (request, reply) => {
      const message = await visibleMessage(request, idOf(request));
      return reply.page('messages/views/show.njk', { title: message.subject, message });
    },
  );
}
