import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorise } from '../web/access.js';
import { problemSchema } from '../web/problem.js';
import { dueAndOverdue } from './due.js';

/** The due-and-overdue dashboard through the API (the page is in pages.ts). */

const subjectSchema = z.object({ id: z.string(), label: z.string(), href: z.string().nullable() });
const dueSchema = z.object({
  now: z.string(),
  overdue: z.number().int(),
  due: z.number().int(),
  teams: z.array(z.string()),
  groups: z.array(
    z.object({
      team: z.string(),
      items: z.array(
        z.object({
          id: z.string(),
          kind: z.string(),
          label: z.string(),
          team: z.string(),
          dueAt: z.string(),
          dueBy: z.string(),
          overdue: z.boolean(),
          flagged: z.boolean(),
          subject: subjectSchema,
        }),
      ),
    }),
  ),
});

export async function deadlineRoutes(instance: FastifyInstance) {
  const app = instance.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/api/deadlines/due',
    {
      config: { access: 'deadlines.dashboard' },
      schema: {
        tags: ['deadlines'],
        summary:
          'What is due and overdue (staff): pending deadlines and complaints flagged overdue, by team, overdue first',
        querystring: z.object({ team: z.string().max(100).optional() }),
        response: {
          200: dueSchema,
          401: problemSchema,
          403: problemSchema,
        },
      },
    },
    async (request) => {
      authorise(request, 'deadlines.dashboard');
      return dueAndOverdue(app.db, app.clock.now(), request.query.team);
    },
  );
}
