import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, worksWithCases } from '../people/policy.js';
import { csrfBinding } from '../people/authenticate.js';
import { ROLE_LABELS, type Person } from '../people/rules.js';
import { renderTemplate } from './render.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page with the layout's shared context: person, navigation, CSRF token, CSP nonce. */
    page(template: string, context?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

interface NavigationItem {
  href: string;
  text: string;
  active?: boolean;
}

function navigationFor(person: Person | null, url: string): NavigationItem[] {
  const items: NavigationItem[] = [{ href: '/', text: 'Home' }];
  if (can(person, 'inspections.list')) items.push({ href: '/inspections', text: 'Inspections' });
  if (can(person, 'providers.list')) items.push({ href: '/providers', text: 'Providers' });
  if (can(person, 'provider.change')) items.push({ href: '/owner-groups', text: 'Owner groups' });
  if (can(person, 'conflict.declare') || can(person, 'conflicts.read')) {
    items.push({ href: '/conflicts', text: 'Conflicts of interest' });
  }
  if (can(person, 'plan.read')) items.push({ href: '/plan', text: 'Plan' });
  if (can(person, 'concerns.list')) items.push({ href: '/concerns', text: 'Concerns' });
  if (can(person, 'notifications.list')) items.push({ href: '/notifications', text: 'Notifications' });
  // An administrator manages accounts and sees no case work, so not even the reports' lists.
  if (!person || worksWithCases(person)) items.push({ href: '/reports', text: 'Reports' });
  if (can(person, 'complaints.list')) items.push({ href: '/complaints', text: 'Complaints' });
  if (can(person, 'complaint-review.conduct'))
    items.push({ href: '/complaint-reviews', text: 'Complaint reviews' });
  if (can(person, 'deadlines.dashboard')) items.push({ href: '/due', text: 'Due and overdue' });
  if (can(person, 'statistics.read')) items.push({ href: '/statistics', text: 'Statistics' });
  if (can(person, 'people.manage')) items.push({ href: '/admin/people', text: 'People' });
  if (person) items.push({ href: '/messages', text: 'Messages' });
  items.push({ href: '/reference', text: 'Reference' });
  if (!person) items.push({ href: '/sign-in', text: 'Sign in' });
  const path = url.split('?')[0] ?? '/';
  return items.map((item) => ({
    ...item,
    active: item.href === '/' ? path === '/' : path === item.href || path.startsWith(`${item.href}/`),
  }));
}

export function registerPages(app: FastifyInstance) {
  app.decorateReply(
    'page',
    function (this: FastifyReply, template: string, context: Record<string, unknown> = {}, status = 200) {
      const request: FastifyRequest = this.request;
      const person = request.person;
      const html = renderTemplate(template, {
        ...context,
        person,
        rolesText: person ? person.roles.map((role) => ROLE_LABELS[role]).join(', ') : '',
        csrfToken: this.generateCsrf({ userInfo: csrfBinding(request) }),
        cspNonce: this.cspNonce?.script,
        navigation: navigationFor(person, request.url),
        currentUrl: request.url,
      });
      return this.status(status).type('text/html; charset=utf-8').send(html);
    },
  );
}
