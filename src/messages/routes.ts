import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePerson } from '../web/access.js';
import { problemSchema } from '../web/problem.js';
import { recipientFor, visibleMessage } from './access.js';
import { useBaseUrl } from './links.js';
import { messageQuery, messageSchema } from './schemas.js';
import { pageOfMessages } from './store.js';

/**
 * The outbox through the API (the pages are in pages.ts): people read their own messages, managers and
 * complaints staff every message.
 */

const errors = { 400: problemSchema, 401: problemSchema, 403: problemSchema, 404: problemSchema };

export async function messageRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  const db = app.db;
  // Messages queued from now on link to the service where it is published.
  useBaseUrl(app.config.baseUrl);

  app.get(
    '/api/messages',
    {
      config: { access: 'signed-in' },
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
      config: { access: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'One message in the outbox',
        params: z.object({ id: z.string() }),
        response: { 200: messageSchema, ...errors },
      },
    },
    async (request) => visibleMessage(request, request.params.id),
  );
}
