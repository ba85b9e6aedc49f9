import type { FastifyInstance, FastifyRequest } from 'fastify';
import { paginationFields, isUuid } from '../fields.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { fetchPage } from '../db/paging.js';
import { can } from '../people/policy.js';
import type { Person } from '../people/rules.js';
import { requirePerson } from '../web/access.js';
import { paginationFor, queryString } from '../web/pagination.js';
import { problemSchema } from '../web/problem.js';
import { fieldErrorsOf, notFound } from '../refusal.js';
import { useBaseUrl } from './links.js';
import { toOutboxEntry } from './store.js';

/** The outbox as people read it: their own messages, or every message for managers and complaints staff. */

const messageQuery = z.object({
  mine: z.enum(['true', 'false'], { message: 'mine must be true or false' }).optional(),
  ...paginationFields(),
});

const messageSchema = z.object({
  id: z.string(),
  recipient: z.string(),
  template: z.string(),
  subject: z.string(),
  body: z.string(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  delivery: z.enum(['outbox', 'notify']),
  lastError: z.string().nullable(),
});

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

/** Only one person's messages, unless the person reads every message and did not ask for their own. */
function recipientFor(person: Person, mine: boolean): string | null {
  return can(person, 'outbox.read-all') && !mine ? null : person.email;
}

function outboxQuery(db: Db, recipient: string | null) {
  let query = db.selectFrom('outbox');
  // Emails are stored as written; people's are lower case.
  if (recipient !== null) query = query.where((eb) => eb(eb.fn('lower', ['recipient']), '=', recipient));
  return query;
}

function pageOfMessages(db: Db, recipient: string | null, page: number, pageSize: number) {
  return fetchPage(
    outboxQuery(db, recipient).selectAll(),
    (q) => q.orderBy('created_at', 'desc').orderBy('id', 'desc'),
    { page, pageSize },
    toOutboxEntry,
  );
}

async function visibleMessage(request: FastifyRequest, id: string) {
  const person = requirePerson(request);
  if (!isUuid(id)) throw notFound();
  const row = await outboxQuery(request.server.db, recipientFor(person, false))
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return toOutboxEntry(row);
}

export async function messageRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  // Messages queued from now on link to the service where it is published.
  useBaseUrl(app.config.baseUrl);

  app.get(
    '/api/messages',
    {
      schema: {
        tags: ['messages'],
        summary:
          'Messages in the outbox, newest first: those sent to the caller, or all of them for managers and complaints staff (`mine=true` for their own)',
        querystring: messageQuery,
        response: {
          200: z.object({
            items: z.array(messageSchema),
            page: z.number().int(),
            pageSize: z.number().int(),
            total: z.number().int(),
            totalPages: z.number().int(),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const person = requirePerson(request);
      const { mine, page, pageSize } = request.query;
      return pageOfMessages(db, recipientFor(person, mine === 'true'), page, pageSize);
    },
  );

  app.get(
    '/api/messages/:id',
    {
      schema: {
        tags: ['messages'],
        summary: 'One message in the outbox',
        params: z.object({ id: z.string() }),
        response: { 200: messageSchema, ...errors },
      },
    },
    async (request) => visibleMessage(request, request.params.id),
  );

  app.get('/messages', { schema: { hide: true } }, async (request, reply) => {
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
  });

  app.get('/messages/:id', { schema: { hide: true } }, async (request, reply) => {
    const message = await visibleMessage(request, (request.params as { id: string }).id);
    return reply.page('messages/views/show.njk', { title: message.subject, message });
  });
}
