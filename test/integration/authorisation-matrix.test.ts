import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { formatLongDate } from '../../src/calendar/working-days.js';
import { accessRefusal } from '../../src/web/access.js';
import { ROLES, type Role } from '../../src/people/rules.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { CookieJar, csrfTokenIn, getPage, signInAs } from '../support/pages.js';
import { loadFixtures, urlFor, type Fixtures, type On } from '../support/matrix-fixtures.js';
import { sampleBody } from '../support/sample-body.js';

/**
 * Every route the service answers, called as every role and signed out, against the expected answer.
 * A route added without a row here fails the first test, so nobody ships a route whose access was not
 * thought about. Denials must not leak: a provider asking for another provider's record, and anyone
 * asking for a record they may not read, get 404 exactly as for a record that does not exist.
 *
 * Reads are called first; then each write, by the roles it refuses and then by those it allows, with a
 * body that passes the route's schema, so the refusal is the handler's and not the validator's. A refused
 * write must leave the audit trail (every change writes to it) as it was.
 */

type Who = Role | 'public';
const WHO: Who[] = ['public', ...ROLES];

interface Case {
  allow: readonly Who[];
  /** The record the parameters point at; `other` (another provider's) unless said. */
  on?: On;
  /** Only the refusals are checked: calling it as an allowed person would end the session under test. */
  refusalsOnly?: boolean;
  body?: Record<string, unknown>;
  /** A query string the route needs, such as a reference. */
  query?: string;
}

const EVERYONE = WHO;
const SIGNED_IN = ROLES;
const READERS: Role[] = ['inspector', 'manager', 'planner', 'complaints', 'analyst'];
const KEEPERS: Role[] = ['manager', 'planner'];
const NOBODY: Who[] = [];
/** The demo inspector leads the `other` inspection, which is on site. */
const TEAM: Role[] = ['inspector'];

const matrix: Record<string, Case | Case[]> = {
  'GET /assets/*': { allow: EVERYONE },
  'GET /assets/app/*': { allow: EVERYONE },
  'GET /healthz': { allow: EVERYONE },
  'GET /': { allow: EVERYONE },
  'GET /accessibility': { allow: EVERYONE },
  'GET /api/docs': { allow: EVERYONE },
  'GET /api/openapi.json': { allow: EVERYONE },
  'POST /api/tokens': {
    allow: EVERYONE,
    body: { email: 'analyst@demo.invalid', password: DEMO_PASSWORD },
  },
  'DELETE /api/tokens/current': { allow: SIGNED_IN, refusalsOnly: true },
  'GET /api/me': { allow: SIGNED_IN },
  'GET /sign-in': { allow: EVERYONE },
  'POST /sign-in': { allow: EVERYONE },
  'POST /sign-out': { allow: SIGNED_IN, refusalsOnly: true },
  // One's own account, and one-time links (which anyone holding one may use)
  'POST /api/invitations/accept': { allow: EVERYONE },
  'POST /api/password-resets': { allow: EVERYONE },
  'GET /account/set-password': { allow: EVERYONE },
  'POST /account/set-password': { allow: EVERYONE },
  'GET /account/forgotten-password': { allow: EVERYONE },
  'POST /account/forgotten-password': { allow: EVERYONE },
  'GET /account': { allow: SIGNED_IN },
  'GET /account/password': { allow: SIGNED_IN },
  'POST /account/password': { allow: SIGNED_IN },
  // Single sign-on is public, but not configured here: both answer 404 to everyone, as if not there
  // (test/integration/single-sign-on.test.ts has them configured).
  'GET /sign-in/oidc': { allow: NOBODY },
  'GET /sign-in/oidc/callback': { allow: NOBODY },
  // Two-factor sign-in. Declared public so that someone half-way through signing in (password right,
  // code or set-up to come) reaches them; anyone signed out without that is sent to sign in.
  'GET /account/two-factor': { allow: SIGNED_IN },
  'POST /account/two-factor': { allow: SIGNED_IN },
  'POST /account/two-factor/recovery-codes': { allow: SIGNED_IN },
  'POST /account/two-factor/turn-off': { allow: SIGNED_IN },
  'GET /sign-in/code': { allow: SIGNED_IN },
  'POST /sign-in/code': { allow: SIGNED_IN },

  // Accounts: the administrator manages them all (the demo provider is not its providers' administrator)
  'GET /api/people': { allow: ['administrator'] },
  'POST /api/people': {
    allow: ['administrator'],
    body: { email: 'matrix.invitee@example.invalid', name: 'Matrix invitee', roles: ['analyst'] },
  },
  'GET /api/people/:id': { allow: ['administrator'] },
  'PATCH /api/people/:id': { allow: ['administrator'] },
  'POST /api/people/:id/invitation': { allow: ['administrator'] },
  'GET /admin/people': { allow: ['administrator'] },
  'GET /admin/people/new': { allow: ['administrator'] },
  'POST /admin/people/new': { allow: ['administrator'] },
  'GET /admin/people/:id': { allow: ['administrator'] },
  'GET /admin/people/:id/edit': { allow: ['administrator'] },
  'POST /admin/people/:id/edit': { allow: ['administrator'] },
  'GET /admin/people/:id/disable': { allow: ['administrator'] },
  'POST /admin/people/:id/disable': { allow: ['administrator'] },
  'POST /admin/people/:id/enable': { allow: ['administrator'] },
  'POST /admin/people/:id/invitation': { allow: ['administrator'] },

  // The register
  'GET /api/providers': { allow: [...READERS, 'provider'] },
  'POST /api/providers': { allow: KEEPERS },
  'GET /api/providers/:id': [{ allow: READERS }, { on: 'own', allow: [...READERS, 'provider'] }],
  'PATCH /api/providers/:id': { allow: KEEPERS },
  'GET /api/providers/:id/history': { allow: ['manager'] },
  'GET /api/providers/:id/applications': [{ allow: READERS }, { on: 'own', allow: [...READERS, 'provider'] }],
  'POST /api/providers/:id/applications': { allow: KEEPERS },
  'POST /api/providers/:id/applications/:applicationId/status': { allow: KEEPERS },
  'GET /api/owner-groups': { allow: READERS },
  'POST /api/owner-groups': { allow: KEEPERS },
  'GET /providers': { allow: [...READERS, 'provider'] },
  'GET /providers/new': { allow: KEEPERS },
  'POST /providers/new': { allow: KEEPERS },
  'GET /providers/:id': [{ allow: READERS }, { on: 'own', allow: [...READERS, 'provider'] }],
  'GET /providers/:id/edit': { allow: KEEPERS },
  'POST /providers/:id/edit': { allow: KEEPERS },
  'GET /providers/:id/history': { allow: ['manager'] },
  'GET /providers/:id/applications/new': { allow: KEEPERS },
  'POST /providers/:id/applications/new': { allow: KEEPERS },
  'POST /providers/:id/applications/:applicationId/status': { allow: KEEPERS },
  'GET /owner-groups': { allow: KEEPERS },
  'POST /owner-groups': { allow: KEEPERS },

  // Inspections
  'GET /api/inspections': { allow: [...READERS, 'provider'] },
  'POST /api/inspections': { allow: KEEPERS },
  'GET /api/inspections/:id': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'secret', allow: READERS },
  ],
  'POST /api/inspections/:id/status': { allow: TEAM },
  'POST /api/inspections/:id/evidence': { allow: TEAM },
  'POST /api/inspections/:id/evidence/:evidenceId/versions': { allow: TEAM },
  'POST /api/inspections/:id/lines-of-enquiry': { allow: TEAM },
  'POST /api/inspections/:id/lines-of-enquiry/:lineId/close': { allow: TEAM },
  'POST /api/inspections/:id/dialogue': { allow: TEAM },
  'POST /api/inspections/:id/dialogue/:entryId/resolution': { allow: TEAM },
  // The provider reads its own inspection's log once feedback is given (the own inspection has a report).
  'GET /api/inspections/:id/dialogue': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'secret', allow: READERS },
  ],
  'POST /api/inspections/:id/dialogue/:entryId/escalation': { allow: TEAM },
  'POST /api/inspections/:id/dialogue/:entryId/outcome': { allow: ['manager'] },
  'POST /api/inspections/:id/judgements': { allow: TEAM },
  'POST /api/inspections/:id/judgements/:areaId/moderation': { allow: ['manager'] },
  'POST /api/inspections/:id/moderation': { allow: ['manager'] },
  'POST /api/inspections/:id/requirements': { allow: TEAM },
  'POST /api/inspections/:id/recommendations': { allow: TEAM },
  'POST /api/inspections/:id/errors-put-right': { allow: TEAM },
  'POST /api/inspections/:id/feedback': { allow: TEAM },
  'POST /api/inspections/:id/incomplete': { allow: ['manager'] },
  'GET /api/conflicts': { allow: ['inspector', 'manager', 'planner'] },
  'POST /api/conflicts': { allow: ['inspector', 'manager'] },
  'GET /inspections': { allow: [...READERS, 'provider'] },
  'GET /inspections/new': { allow: KEEPERS },
  'POST /inspections/new': { allow: KEEPERS },
  'GET /inspections/:id': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'secret', allow: READERS },
  ],
  'POST /inspections/:id/start': { allow: TEAM },
  'GET /inspections/:id/evidence': { allow: READERS },
  'POST /inspections/:id/evidence': { allow: TEAM },
  'GET /inspections/:id/evidence/:evidenceId': { allow: READERS },
  'POST /inspections/:id/evidence/:evidenceId': { allow: TEAM },
  'GET /inspections/:id/lines-of-enquiry': { allow: READERS },
  'POST /inspections/:id/lines-of-enquiry': { allow: TEAM },
  'POST /inspections/:id/lines-of-enquiry/:lineId/close': { allow: TEAM },
  'GET /inspections/:id/dialogue': { allow: READERS },
  'POST /inspections/:id/dialogue': { allow: TEAM },
  'POST /inspections/:id/dialogue/:entryId/resolution': { allow: TEAM },
  'GET /inspections/:id/dialogue-log': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'secret', allow: READERS },
  ],
  'POST /inspections/:id/dialogue/:entryId/escalation': { allow: TEAM },
  'POST /inspections/:id/dialogue/:entryId/outcome': { allow: ['manager'] },
  'GET /inspections/:id/judgements': { allow: READERS },
  'POST /inspections/:id/judgements': { allow: TEAM },
  'GET /inspections/:id/findings': { allow: READERS },
  'POST /inspections/:id/findings/requirements': { allow: TEAM },
  'POST /inspections/:id/findings/recommendations': { allow: TEAM },
  'POST /inspections/:id/findings/errors-put-right': { allow: TEAM },
  'GET /inspections/:id/feedback': { allow: READERS },
  'POST /inspections/:id/feedback': { allow: TEAM },
  'GET /conflicts': { allow: ['inspector', 'manager', 'planner'] },
  'POST /conflicts': { allow: ['inspector', 'manager'] },
  'GET /inspections/:id/moderation': { allow: ['manager'] },
  'POST /inspections/:id/moderation': { allow: ['manager'] },
  'POST /inspections/:id/moderation/:areaId': { allow: ['manager'] },
  'POST /inspections/:id/complete': { allow: ['manager'] },
  'GET /inspections/:id/incomplete': { allow: ['manager'] },
  'POST /inspections/:id/incomplete': { allow: ['manager'] },

  // Reports
  'GET /api/reports': { allow: EVERYONE },
  'GET /api/reports/:id': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'published', allow: EVERYONE },
  ],
  'GET /api/reports/:id/pdf': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'published', allow: EVERYONE },
  ],
  'GET /api/inspections/:id/report': [{ allow: READERS }, { on: 'own', allow: [...READERS, 'provider'] }],
  'POST /api/inspections/:id/report': { allow: [...TEAM, 'manager'] },
  'GET /api/inspections/:id/timeline': [{ allow: READERS }, { on: 'own', allow: [...READERS, 'provider'] }],
  'POST /api/reports/:id/versions': { allow: [...TEAM, 'manager'] },
  'POST /api/reports/:id/response': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'POST /api/reports/:id/points/:pointId': { on: 'own', allow: [...TEAM, 'manager'] },
  // Finalising and publishing change who may read a report, so they are tried on one already published.
  'POST /api/reports/:id/finalise': { on: 'published', allow: [...TEAM, 'manager'] },
  'POST /api/reports/:id/publish': { on: 'published', allow: ['manager'] },
  'GET /reports': { allow: EVERYONE },
  'GET /reports/:id': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'published', allow: EVERYONE },
  ],
  'GET /reports/:id/pdf': [
    { allow: READERS },
    { on: 'own', allow: [...READERS, 'provider'] },
    { on: 'published', allow: EVERYONE },
  ],
  'GET /reports/:id/respond': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'POST /reports/:id/respond': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'GET /reports/:id/respond/confirmation': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  // The inspectorate's working page for the report; providers read the report itself.
  'GET /inspections/:id/report': [{ allow: READERS }, { on: 'own', allow: READERS }],
  'POST /inspections/:id/report': { allow: [...TEAM, 'manager'] },
  'POST /inspections/:id/report/versions': { allow: [...TEAM, 'manager'] },
  'POST /inspections/:id/report/points/:pointId': { on: 'own', allow: [...TEAM, 'manager'] },
  'POST /inspections/:id/report/finalise': { on: 'published', allow: [...TEAM, 'manager'] },
  'POST /inspections/:id/report/publish': { on: 'published', allow: ['manager'] },

  // Reference data is public
  'GET /api/frameworks': { allow: EVERYONE },
  'GET /api/frameworks/:id': { allow: EVERYONE },
  'GET /api/regulations': { allow: EVERYONE },
  'GET /api/procedures': { allow: EVERYONE },
  'GET /api/notification-categories': { allow: EVERYONE },
  'GET /api/bank-holidays': { allow: EVERYONE },
  'GET /api/timeline': { allow: EVERYONE },
  'GET /reference': { allow: EVERYONE },
  'GET /reference/frameworks': { allow: EVERYONE },
  'GET /reference/frameworks/:id': { allow: EVERYONE },
  'GET /reference/procedures': { allow: EVERYONE },
  'GET /reference/regulations': { allow: EVERYONE },
  'GET /reference/notification-categories': { allow: EVERYONE },
  'GET /reference/calendar': { allow: EVERYONE },

  // Complaints: the adjudicator sees only what was escalated, a provider only its own
  'GET /api/complaints': { allow: ['manager', 'complaints', 'adjudicator', 'provider'] },
  'POST /api/complaints': [{ allow: ['complaints'] }, { on: 'own', allow: ['complaints', 'provider'] }],
  'GET /api/complaints/:id': [
    { allow: ['manager', 'complaints'] },
    { on: 'escalated', allow: ['manager', 'complaints', 'adjudicator'] },
  ],
  'POST /api/complaints/:id/acknowledge': { allow: ['complaints'] },
  'POST /api/complaints/:id/late-decision': { allow: ['complaints'] },
  'POST /api/complaints/:id/notes': { allow: ['complaints'] },
  'POST /api/complaints/:id/outcome': { allow: ['complaints'] },
  'POST /api/complaints/:id/internal-review': { allow: ['complaints'] },
  'POST /api/complaints/:id/internal-review/decision': { allow: ['complaints'] },
  // Escalating changes who may see a complaint, so it is tried on one already escalated.
  'POST /api/complaints/:id/escalate': { on: 'escalated', allow: ['complaints'] },
  'POST /api/complaints/:id/ruling': [{ allow: NOBODY }, { on: 'escalated', allow: ['adjudicator'] }],
  'GET /api/complaint-reviews': { allow: ['reviewer'] },
  'POST /api/complaint-reviews': { allow: ['reviewer'] },
  'GET /api/complaint-reviews/:id': { allow: ['reviewer'] },
  'POST /api/complaint-reviews/:id/findings': { allow: ['reviewer'] },
  'GET /complaints': { allow: ['manager', 'complaints', 'adjudicator', 'provider'] },
  'GET /complaints/new': { allow: ['complaints', 'provider'] },
  'POST /complaints/new': { allow: ['complaints', 'provider'] },
  'GET /complaints/:id': [
    { allow: ['manager', 'complaints'] },
    { on: 'escalated', allow: ['manager', 'complaints', 'adjudicator'] },
  ],
  'POST /complaints/:id/acknowledge': { allow: ['complaints'] },
  'POST /complaints/:id/late-decision': { allow: ['complaints'] },
  'POST /complaints/:id/notes': { allow: ['complaints'] },
  'POST /complaints/:id/outcome': { allow: ['complaints'] },
  'POST /complaints/:id/internal-review': { allow: ['complaints'] },
  'POST /complaints/:id/internal-review/decision': { allow: ['complaints'] },
  'POST /complaints/:id/escalate': { on: 'escalated', allow: ['complaints'] },
  'POST /complaints/:id/ruling': [{ allow: NOBODY }, { on: 'escalated', allow: ['adjudicator'] }],
  'GET /complaint-reviews': { allow: ['reviewer'] },
  'POST /complaint-reviews': { allow: ['reviewer'] },
  'GET /complaint-reviews/:id': { allow: ['reviewer'] },
  'GET /complaint-reviews/:id/cases/:n': { allow: ['reviewer'] },
  'POST /complaint-reviews/:id/cases/:n': { allow: ['reviewer'] },

  // The call on the working day after an inspection
  'GET /api/inspections/:id/day-after-contact': [
    { allow: ['manager', 'complaints', 'inspector'] },
    { on: 'own', allow: ['manager', 'complaints', 'provider'] },
  ],
  'POST /api/inspections/:id/day-after-contact': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'GET /api/day-after-contacts': { allow: ['inspector', 'manager', 'complaints'] },
  'GET /api/day-after-contacts/:id': { allow: ['inspector', 'manager', 'complaints'] },
  // Only the inspector assigned the call records its outcome.
  'POST /api/day-after-contacts/:id/outcome': { allow: ['inspector'] },
  // The page is the provider's form for raising the call.
  'GET /inspections/:id/day-after-contact': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'POST /inspections/:id/day-after-contact': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'GET /day-after-contacts': { allow: ['inspector', 'manager', 'complaints'] },
  'GET /day-after-contacts/:id': { allow: ['inspector', 'manager', 'complaints'] },
  'POST /day-after-contacts/:id/outcome': { allow: ['inspector'] },

  // Messages and deadlines
  'GET /api/messages': { allow: SIGNED_IN },
  'GET /api/messages/:id': { allow: ['manager', 'complaints'] },
  'GET /messages': { allow: SIGNED_IN },
  'GET /messages/:id': { allow: ['manager', 'complaints'] },
  'GET /api/deadlines/due': { allow: ['inspector', 'manager', 'planner', 'complaints'] },
  'GET /due': { allow: ['inspector', 'manager', 'planner', 'complaints'] },

  // Reports not yet published, a page at a time: staff see all, a provider its own
  'GET /reports/in-progress': { allow: [...READERS, 'provider'] },

  // The plan and the annual sample reveal no-notice inspections to come: planners and managers only
  'GET /api/plan': { allow: KEEPERS },
  'GET /api/plan/what-if': { allow: KEEPERS },
  'GET /api/plan/providers/:id': [{ allow: KEEPERS }, { on: 'own', allow: KEEPERS }],
  'POST /api/providers/:id/changes': [{ allow: KEEPERS }, { on: 'own', allow: KEEPERS }],
  'GET /plan': { allow: KEEPERS },
  'GET /plan/providers/:id': [{ allow: KEEPERS }, { on: 'own', allow: KEEPERS }],
  'GET /plan/providers/:id/inspect': [{ allow: KEEPERS }, { on: 'own', allow: KEEPERS }],
  'POST /plan/providers/:id/inspect': { allow: KEEPERS },
  'GET /plan/providers/:id/changes': { allow: KEEPERS },
  'POST /plan/providers/:id/changes': { allow: KEEPERS },
  'GET /plan/what-if': { allow: KEEPERS },
  'GET /api/plan/samples': { allow: KEEPERS },
  'POST /api/plan/samples': { allow: KEEPERS },
  'GET /api/plan/samples/:year': { allow: KEEPERS },
  'GET /plan/samples': { allow: KEEPERS },
  'GET /plan/samples/new': { allow: KEEPERS },
  'POST /plan/samples/new': { allow: KEEPERS },
  'GET /plan/samples/:year': { allow: KEEPERS },

  // Concerns: anyone may raise one; those who assess risk, and inspectors, read them
  'POST /api/concerns': {
    allow: EVERYONE,
    body: {
      providerName: 'The home on Station Road',
      providerPlace: 'Leeds',
      summary: 'Children were out late at night without staff.',
      relationship: 'parent-or-carer',
    },
  },
  'GET /api/concerns': { allow: ['inspector', 'manager', 'planner'] },
  'GET /api/concerns/:id': { allow: ['inspector', 'manager', 'planner'] },
  'POST /api/concerns/:id/assessment': { allow: KEEPERS },
  'GET /concerns/new': { allow: EVERYONE },
  'POST /concerns/new': { allow: EVERYONE },
  'GET /concerns/new/sent': { allow: EVERYONE, query: '?reference=CON-0A1B2C3D' },
  'GET /concerns/record': { allow: ['inspector', 'manager', 'planner', 'complaints'] },
  'POST /concerns/record': { allow: ['inspector', 'manager', 'planner', 'complaints'] },
  'GET /concerns': { allow: ['inspector', 'manager', 'planner'] },
  'GET /concerns/:id': { allow: ['inspector', 'manager', 'planner'] },
  'POST /concerns/:id/assessment': { allow: KEEPERS },

  // Serious-event notifications: a provider for its own homes; staff read and review them all
  'GET /api/notifications': { allow: ['inspector', 'manager', 'planner', 'provider'] },
  'POST /api/notifications': [{ allow: NOBODY }, { on: 'own', allow: ['provider'] }],
  'GET /api/notifications/:id': [
    { allow: ['inspector', 'manager', 'planner'] },
    { on: 'own', allow: ['inspector', 'manager', 'planner', 'provider'] },
  ],
  'POST /api/notifications/:id/review': { allow: ['inspector', 'manager', 'planner'] },
  'GET /notifications': { allow: ['inspector', 'manager', 'planner', 'provider'] },
  'GET /notifications/new': { allow: ['provider'] },
  'POST /notifications/new': { allow: ['provider'] },
  'GET /notifications/:id/sent': [
    { allow: ['inspector', 'manager', 'planner'] },
    { on: 'own', allow: ['inspector', 'manager', 'planner', 'provider'] },
  ],
  'GET /notifications/:id': [
    { allow: ['inspector', 'manager', 'planner'] },
    { on: 'own', allow: ['inspector', 'manager', 'planner', 'provider'] },
  ],
  'POST /notifications/:id/review': { allow: ['inspector', 'manager', 'planner'] },

  // Statistics: figures for analysts, managers and planners; the consistency of grading for managers
  'GET /api/statistics': { allow: ['manager', 'planner', 'analyst'] },
  'GET /api/statistics/register.csv': { allow: ['manager', 'planner', 'analyst'] },
  'GET /api/statistics/published-reports.csv': { allow: ['manager', 'planner', 'analyst'] },
  'GET /api/statistics/:figure': { allow: ['manager', 'planner', 'analyst'] },
  'GET /statistics': { allow: ['manager', 'planner', 'analyst'] },
  'GET /statistics/consistency': { allow: ['manager', 'analyst'] },
  'GET /statistics/:figure': { allow: ['manager', 'planner', 'analyst'] },
  'GET /statistics/register.csv': { allow: ['manager', 'planner', 'analyst'] },
  'GET /statistics/published-reports.csv': { allow: ['manager', 'planner', 'analyst'] },
  'GET /statistics/:figure/csv': { allow: ['manager', 'planner', 'analyst'] },
};

interface Caller {
  who: Who;
  jar: CookieJar;
  csrf: string;
  token: string | null;
}

/** Signed out: asked to sign in, or told the record does not exist. Signed in: forbidden or not found. */
function refused(status: number, location: string | undefined, who: Who): boolean {
  if (who === 'public')
    return status === 401 || status === 404 || (status === 303 && (location ?? '').startsWith('/sign-in'));
  return status === 403 || status === 404;
}

/** Who may know that records of each kind exist; anyone else must learn nothing from a refusal. */
const COLLECTION_READERS: Record<string, readonly Who[]> = {
  providers: READERS,
  inspections: READERS,
  reports: READERS,
  complaints: ['manager', 'complaints'],
  'complaint-reviews': ['reviewer'],
  'day-after-contacts': ['inspector', 'manager', 'complaints'],
  messages: ['manager', 'complaints'],
  plan: ['manager', 'planner'],
  concerns: ['inspector', 'manager', 'planner'],
  notifications: ['inspector', 'manager', 'planner'],
  people: ['administrator'],
  admin: ['administrator'],
};

function readsCollection(route: string, on: On, who: Who): boolean {
  const collection =
    route
      .split(' ')[1]!
      .split('/')
      .find((part) => part !== '' && part !== 'api') ?? '';
  if (on === 'own' && who === 'provider') return true;
  // A published report is public, and the adjudicator may know of what was escalated to it.
  if (on === 'published' && collection === 'reports') return true;
  if (on === 'escalated' && collection === 'complaints' && who === 'adjudicator') return true;
  return COLLECTION_READERS[collection]?.includes(who) ?? false;
}

const RANDOM_ID = '3f6d1a52-9c1e-4b7a-8d2f-0a1b2c3d4e5f';

const kinds = await databaseKinds();

describe.each(kinds)('every route as every role (%s)', (kind) => {
  let t: TestApp;
  let fixtures: Fixtures;
  const callers = new Map<Who, Caller>();
  const routes: string[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { afterInspection: true });
    fixtures = await loadFixtures(t);
    const sample = await t.app.inject({
      method: 'POST',
      url: '/api/plan/samples',
      headers: { authorization: `Bearer ${await t.tokenFor('planner')}` },
      payload: { year: 2026, seed: 'matrix' },
    });
    if (sample.statusCode !== 201) throw new Error(`no sample drawn: ${sample.body}`);
    for (const route of t.app.routeTable) routes.push(`${route.method} ${route.url}`);
    for (const who of WHO) {
      const jar = who === 'public' ? new CookieJar() : await signInAs(t.app, who, DEMO_PASSWORD);
      const home = await getPage(t.app, jar, who === 'public' ? '/sign-in' : '/');
      callers.set(who, {
        who,
        jar,
        csrf: csrfTokenIn(home.body),
        token: who === 'public' ? null : await t.tokenFor(who),
      });
    }
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('has an entry for every route, and no entry for a route that does not exist', () => {
    const missing = routes.filter((route) => !(route in matrix));
    const stale = Object.keys(matrix).filter((route) => !routes.includes(route));
    expect(missing, 'routes without an authorisation entry').toEqual([]);
    expect(stale, 'entries for routes that do not exist').toEqual([]);
    const undeclared = t.app.routeTable
      .filter((r) => r.access === undefined && !r.url.startsWith('/assets/'))
      .map((r) => `${r.method} ${r.url}`);
    expect(undeclared, 'routes that do not declare who may use them').toEqual([]);
  });

  /** Whether a route's declared access lets this caller past the check made before reading the body. */
  function declaredLets(route: string, who: Who): boolean {
    const access = t.app.routeTable.find((r) => `${r.method} ${r.url}` === route)?.access;
    if (access === undefined) return true;
    const person =
      who === 'public'
        ? null
        : { id: 'x', email: 'x', name: 'x', roles: [who], providerIds: [], providerAdmin: false };
    return accessRefusal(access, person) === null;
  }

  it('declares for each route no narrower access than its entry allows', () => {
    const tooNarrow: string[] = [];
    for (const route of routes.filter((r) => r in matrix)) {
      for (const c of [matrix[route]!].flat()) {
        for (const who of c.allow) if (!declaredLets(route, who)) tooNarrow.push(`${route} as ${who}`);
      }
    }
    expect(tooNarrow).toEqual([]);
  });

  it('refuses an empty body from those the route does not let in, before saying what is missing', async () => {
    const failures: string[] = [];
    let checks = 0;
    for (const route of routes.filter((r) => !r.startsWith('GET ') && r in matrix)) {
      const [method, path] = route.split(' ') as [string, string];
      const api = path.startsWith('/api/');
      for (const who of WHO.filter((w) => !declaredLets(route, w))) {
        const caller = callers.get(who)!;
        const url = urlFor(route, 'other', fixtures);
        const before = await auditCount();
        const response = await t.app.inject({
          method: method as 'POST',
          url,
          headers: api
            ? {
                'content-type': 'application/json',
                ...(caller.token ? { authorization: `Bearer ${caller.token}` } : {}),
              }
            : {
                cookie: caller.jar.header(),
                accept: 'text/html',
                'content-type': 'application/x-www-form-urlencoded',
              },
          payload: api ? '{}' : new URLSearchParams({ _csrf: caller.csrf }).toString(),
        });
        checks += 1;
        const status = response.statusCode;
        const expected = who === 'public' ? [401, 303, 404] : [403, 404];
        // Only who may use the route, never what it reads, may be named.
        const fields = /"errors":\[/.test(response.body)
          ? (JSON.parse(response.body) as { errors: { field: string }[] }).errors.map((e) => e.field)
          : [];
        if (!expected.includes(status) || fields.some((field) => field !== 'authorization'))
          failures.push(`${route} as ${who}: ${status} ${response.body.slice(0, 120)}`);
        if ((await auditCount()) !== before) failures.push(`${route} as ${who}: changed something`);
      }
    }
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(300);
  });

  const idsFor = (on: On): Record<string, string> => ({
    inspectionId: fixtures.inspections[on],
    providerId: fixtures.providers[on],
  });

  /** The secret inspection by its id or its date, in any of the forms a page or document writes it. */
  const revealsSecret = (body: string) =>
    [fixtures.secret.id, fixtures.secret.startDate, formatLongDate(fixtures.secret.startDate)].some((text) =>
      body.includes(text),
    );

  const auditCount = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from audit_events`.execute(t.db)).rows[0]!.n);

  async function call(route: string, c: Case, caller: Caller, replaceIds?: string) {
    const [method, path] = route.split(' ') as [string, string];
    const url = urlFor(route, c.on ?? 'other', fixtures, replaceIds) + (c.query ?? '');
    const api = path.startsWith('/api/');
    const entry = t.app.routeTable.find((r) => `${r.method} ${r.url}` === route);
    const headers: Record<string, string> = {};
    let payload: string | undefined;
    if (api) {
      if (caller.token) headers.authorization = `Bearer ${caller.token}`;
      if (method !== 'GET' && method !== 'DELETE') {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(c.body ?? sampleBody(entry?.body, idsFor(c.on ?? 'other')) ?? {});
      }
    } else {
      headers.cookie = caller.jar.header();
      headers.accept = 'text/html';
      if (method !== 'GET') {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams({
          _csrf: caller.csrf,
          ...(c.body as Record<string, string>),
        }).toString();
      }
    }
    const response = await t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    return { response, api, url };
  }

  it('answers each route as its entry says', { timeout: 300_000 }, async () => {
    const failures: string[] = [];
    const ordered = [...routes]
      .filter((route) => route in matrix)
      .sort((a, b) => Number(!a.startsWith('GET ')) - Number(!b.startsWith('GET ')));
    let checks = 0;
    for (const route of ordered) {
      const write = !route.startsWith('GET ');
      for (const c of [matrix[route]!].flat()) {
        const order = [...WHO.filter((w) => !c.allow.includes(w)), ...WHO.filter((w) => c.allow.includes(w))];
        for (const who of order) {
          const allowed = c.allow.includes(who);
          if (allowed && c.refusalsOnly) continue;
          const before = write && !allowed ? await auditCount() : 0;
          const { response, url } = await call(route, c, callers.get(who)!);
          checks += 1;
          const status = response.statusCode;
          const location = response.headers.location as string | undefined;
          const label = `${route} on ${c.on ?? 'other'} as ${who}: ${status} ${url}`;
          if (status >= 500) failures.push(`${label} (server error)`);
          else if (allowed && refused(status, location, who))
            failures.push(`${label} (expected to be allowed)`);
          else if (!allowed && !refused(status, location, who))
            failures.push(`${label} (expected a refusal)`);
          else if (!allowed && /:\w*[iI]d\b/.test(route) && !readsCollection(route, c.on ?? 'other', who)) {
            // The same refusal for a record that does not exist: the answer reveals nothing.
            const ghost = await call(route, c, callers.get(who)!, RANDOM_ID);
            if (ghost.response.statusCode !== status)
              failures.push(
                `${label} (a missing record answers ${ghost.response.statusCode}: existence leaks)`,
              );
          }
          if (allowed && (who === 'provider' || who === 'public') && revealsSecret(response.body))
            failures.push(`${label} (shows the planned no-notice inspection)`);
          if (write && !allowed && (await auditCount()) !== before)
            failures.push(`${label} (a refused write changed something)`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(routes.length * 5);
  });

  it('recognises the planned no-notice inspection where staff see it (so the checks above can fail)', async () => {
    const planner = callers.get('planner')!;
    const page = await getPage(t.app, planner.jar, `/inspections/${fixtures.secret.id}`);
    expect(page.statusCode).toBe(200);
    expect(revealsSecret(page.body.replaceAll(fixtures.secret.id, ''))).toBe(true);
  });

  it('never tells the provider of the planned no-notice inspection in a message', async () => {
    const own = await t.db
      .selectFrom('outbox')
      .select(['recipient', 'subject', 'body'])
      .where('recipient', '=', 'provider@demo.invalid')
      .execute();
    expect(own.length).toBeGreaterThan(0);
    for (const message of own) expect(revealsSecret(`${message.subject}\n${message.body}`)).toBe(false);
  });
});
