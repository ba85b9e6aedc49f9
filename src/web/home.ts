import type { FastifyInstance } from 'fastify';
import { can, peopleScope, worksWithCases } from '../people/policy.js';

/** The start page: what the service is, and for a signed-in person what their roles let them do. */
export async function homeRoutes(app: FastifyInstance) {
  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
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
      can(person, 'deadlines.dashboard') && {
        href: '/due',
        title: 'Due and overdue',
        text: 'Draft reports, responses and complaints with their deadlines, overdue first.',
      },
      can(person, 'complaints.list') && {
        href: '/complaints',
        title: person?.roles.includes('adjudicator') ? 'Complaints escalated to you' : 'Complaints',
        text: person?.roles.includes('adjudicator')
          ? 'Rule on whether each complaint escalated to you was handled properly.'
          : 'Complaints about inspections: acknowledgement, investigation, outcome and escalation.',
      },
      can(person, 'complaint-review.conduct') && {
        href: '/complaint-reviews',
        title: 'Reviews of closed complaints',
        text: 'Draw a sample of closed complaints, with personal details withheld, and record your findings.',
      },
      // Everyone but an administrator, who manages accounts and sees nothing of the cases.
      worksWithCases(person) && {
        href: '/reports',
        title: 'Inspection reports',
        text: person?.roles.includes('provider')
          ? 'Read and answer your draft reports, and search published reports.'
          : 'Search published reports and follow reports through draft, response and publication.',
      },
      can(person, 'concerns.list') && {
        href: '/concerns',
        title: 'Concerns about providers',
        text: 'Assess the risk in each concern raised about a provider and record a decision with reasons.',
      },
      can(person, 'notifications.list') && {
        href: '/notifications',
        title: 'Serious-event notifications',
        text: person?.roles.includes('provider')
          ? 'Notify us of a serious event at one of your homes, and see those you have sent.'
          : 'Review the serious events providers notify: no further action, a concern, or an earlier inspection.',
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
      can(person, 'people.manage') &&
        (peopleScope(person).kind === 'all'
          ? {
              href: '/admin/people',
              title: 'Manage people',
              text: 'Invite people, change their roles and providers, and disable the accounts of leavers.',
            }
          : {
              href: '/admin/people',
              title: 'Manage your organisation’s people',
              text: 'Invite colleagues to act for your providers, and disable the accounts of those who leave.',
            }),
    ].filter(Boolean);
    return reply.page('web/views/home.njk', { title: 'Home', tasks });
  });

  app.get(
    '/accessibility',
    { config: { access: 'public' }, schema: { hide: true } },
    async (_request, reply) =>
      reply.page('web/views/accessibility.njk', { title: 'Accessibility statement' }),
  );

  app.get('/api/docs', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
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
