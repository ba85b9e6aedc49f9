import type { FastifyInstance } from 'fastify';
import { authorise } from '../web/access.js';
import { dueAndOverdue } from './due.js';

/** The due-and-overdue dashboard's page (the API is in routes.ts). */

export async function deadlinePages(app: FastifyInstance) {
  app.get(
    '/due',
    { config: { access: 'deadlines.dashboard' }, schema: { hide: true } },
    async (request, reply) => {
      authorise(request, 'deadlines.dashboard');
      const team = (request.query as { team?: unknown }).team;
      const chosen = typeof team === 'string' && team !== '' ? team : undefined;
      const due = await dueAndOverdue(app.db, app.clock.now(), chosen);
      return reply.page('deadlines/views/due.njk', { title: 'Due and overdue', due, team: chosen });
    },
  );
}
