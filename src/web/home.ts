import type { FastifyInstance } from 'fastify';
import { can } from '../people/policy.js';

/** The start page: what the service is, and for a signed-in person what their roles let them do. */
export async function homeRoutes(app: FastifyInstance) {
  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const person = request.person;
    const tasks = [
      can(person, 'inspections.list') && {
        href: person?.roles.includes('inspector') ? '/inspections?mine=true' : '/inspections',
        title: person?.roles.includes('inspector') ? 'Your inspections' : 'Inspections',
        text: 'Plan and carry out inspections: evidence, lines of enquiry, dialogue, judgements and feedback.',
      },
      (can(person, 'conflict.declare') || can(person, 'conflicts.read')) && {
        href: '/conflicts',
        title: 'Conflicts of interest',
        text: 'Declare a connection to a provider, so that you are never put on its inspections.',
      },
      can(person, 'providers.list') && {
        href: '/providers',
        title:
          person?.roles.includes('provider') && person.roles.length === 1
            ? 'Your providers'
            : 'Register of providers',
        text: 'Find providers, see their details and their multi-building registration applications.',
      },
      can(person, 'provider.create') && {
        href: '/providers/new',
        title: 'Register a provider',
        text: 'Add a children’s home, agency or other provider to the register.',
      },
      can(person, 'provider.change') && {
        href: '/owner-groups',
        title: 'Owner groups',
        text: 'The groups that own providers, with their homes and places.',
      },
    ].filter(Boolean);
    return reply.page('web/views/home.njk', { title: 'Home', tasks });
  });

  app.get('/accessibility', { schema: { hide: true } }, async (_request, reply) =>
    reply.page('web/views/accessibility.njk', { title: 'Accessibility statement' }),
  );

  app.get('/api/docs', { schema: { hide: true } }, async (_request, reply) => {
    const document = app.swagger() as {
      paths?: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    };
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        summary: operation.summary ?? '',
        tag: operation.tags?.[0] ?? 'other',
      })),
    );
    return reply.page('web/views/api-docs.njk', { title: 'API documentation', operations });
  });
}
