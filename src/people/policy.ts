import {
  providerMaySeeFindings,
  providerMaySeeInspection,
  type InspectionStatus,
  type Notice,
} from '../inspections/rules.js';
import { hasRole, ROLES, type Person, type Role } from './rules.js';

/**
 * Who may do what. Every route asks here; anything not granted below is refused. Where existence itself
 * must not leak, routes answer a refusal to read with 404, exactly as for a record that does not exist.
 */
export type Action =
  | 'providers.list'
  | 'provider.read'
  | 'provider.change'
  | 'provider.create'
  | 'audit.read'
  | 'reference.read'
  | 'inspections.list'
  | 'inspection.read'
  | 'inspection.read-records'
  | 'inspection.read-findings'
  | 'inspection.read-dialogue'
  | 'inspection.settle-concern'
  | 'inspection.create'
  | 'inspection.record'
  | 'inspection.moderate'
  | 'inspection.declare-flawed'
  | 'conflict.declare'
  | 'conflict.declare-for-others'
  | 'conflicts.read'
  | 'report.issue'
  | 'report.read'
  | 'report.respond'
  | 'report.decide-points'
  | 'report.publish'
  | 'complaints.list'
  | 'complaint.read'
  | 'complaint.raise'
  | 'complaint.handle'
  | 'complaint.rule'
  | 'complaint-review.conduct'
  | 'day-after.raise'
  | 'day-after.handle'
  | 'deadlines.dashboard'
  | 'outbox.read-all'
  | 'plan.read'
  | 'plan.draw-sample'
  | 'provider-change.record'
  | 'concerns.list'
  | 'concern.read'
  | 'concern.raise-for-others'
  | 'concern.assess'
  | 'notifications.list'
  | 'notification.read'
  | 'notification.submit'
  | 'notification.review'
  | 'statistics.read'
  | 'consistency.read'
  | 'people.manage';

/** The staff roles that work across the whole register. */
const REGISTER_READERS: Role[] = ['inspector', 'manager', 'planner', 'complaints', 'analyst'];
const REGISTER_KEEPERS: Role[] = ['planner', 'manager'];
/** Everyone who works with cases: all but the administrator, who manages accounts and nothing else. */
const CASE_ROLES: Role[] = ROLES.filter((role) => role !== 'administrator');

export interface Resource {
  providerId?: string;
  /** An inspection's lead and team. */
  teamIds?: readonly string[];
  notice?: Notice;
  status?: InspectionStatus;
  /** Whether an inspection's feedback has been given. */
  feedbackGiven?: boolean;
  /** A complaint escalated to the independent adjudicator. */
  escalated?: boolean;
  /** The inspector a day-after contact is assigned to. */
  assignedTo?: string;
  /** An account being managed: its roles and the providers it acts for. */
  account?: { roles: readonly Role[]; providerIds: readonly string[] };
}

const ownsProvider = (person: Person, providerId: string | undefined) =>
  hasRole(person, 'provider') && providerId !== undefined && person.providerIds.includes(providerId);

const rules: Record<Action, (person: Person, resource: Resource) => boolean> = {
  'providers.list': (person) => hasRole(person, ...REGISTER_READERS, 'provider'),
  'provider.read': (person, { providerId }) =>
    hasRole(person, ...REGISTER_READERS) ||
    (hasRole(person, 'provider') && providerId !== undefined && person.providerIds.includes(providerId)),
  'provider.create': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'provider.change': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'audit.read': (person) => hasRole(person, 'manager'),
  'reference.read': (person) => worksWithCases(person),
  'inspections.list': (person) => hasRole(person, ...REGISTER_READERS, 'provider'),
  // A provider sees its own inspections, but never a no-notice one before inspectors arrive.
  'inspection.read': (person, { providerId, notice, status }) =>
    hasRole(person, ...REGISTER_READERS) ||
    (ownsProvider(person, providerId) &&
      notice !== undefined &&
      status !== undefined &&
      providerMaySeeInspection(notice, status)),
  // Evidence, lines of enquiry and dialogue are the inspectorate's working records.
  'inspection.read-records': (person) => hasRole(person, ...REGISTER_READERS),
  // Judgements and findings reach the provider at feedback.
  'inspection.read-findings': (person, { providerId, status }) =>
    hasRole(person, ...REGISTER_READERS) ||
    (ownsProvider(person, providerId) && status !== undefined && providerMaySeeFindings(status)),
  // The dialogue log reaches the provider once feedback is given (seed 003: concerns raised on site).
  'inspection.read-dialogue': (person, { providerId, feedbackGiven }) =>
    hasRole(person, ...REGISTER_READERS) || (ownsProvider(person, providerId) && feedbackGiven === true),
  // A concern the lead could not resolve goes to the inspector's manager.
  'inspection.settle-concern': (person) => hasRole(person, 'manager'),
  'inspection.create': (person) => hasRole(person, 'planner', 'manager'),
  // Only the inspection's own team records on it.
  'inspection.record': (person, { teamIds }) => teamIds !== undefined && teamIds.includes(person.id),
  'inspection.moderate': (person) => hasRole(person, 'manager'),
  'inspection.declare-flawed': (person) => hasRole(person, 'manager'),
  'conflict.declare': (person) => hasRole(person, 'inspector', 'manager'),
  'conflict.declare-for-others': (person) => hasRole(person, 'manager'),
  'conflicts.read': (person) => hasRole(person, 'manager', 'planner'),
  // The lead or team writes the report; a manager may issue it too.
  'report.issue': (person, { teamIds }) =>
    hasRole(person, 'manager') || (teamIds !== undefined && teamIds.includes(person.id)),
  // Staff read any report; a provider its own once issued (published reports are public, without this).
  'report.read': (person, { providerId }) =>
    hasRole(person, ...REGISTER_READERS) || ownsProvider(person, providerId),
  'report.respond': (person, { providerId }) => ownsProvider(person, providerId),
  'report.decide-points': (person, { teamIds }) =>
    hasRole(person, 'manager') || (teamIds !== undefined && teamIds.includes(person.id)),
  'report.publish': (person) => hasRole(person, 'manager'),
  'complaints.list': (person) => hasRole(person, 'complaints', 'manager', 'adjudicator', 'provider'),
  // The adjudicator sees only what was escalated to it.
  'complaint.read': (person, { providerId, escalated }) =>
    hasRole(person, 'complaints', 'manager') ||
    (hasRole(person, 'adjudicator') && escalated === true) ||
    ownsProvider(person, providerId),
  'complaint.raise': (person, { providerId }) =>
    hasRole(person, 'complaints') || ownsProvider(person, providerId),
  'complaint.handle': (person) => hasRole(person, 'complaints'),
  'complaint.rule': (person, { escalated }) => hasRole(person, 'adjudicator') && escalated === true,
  'complaint-review.conduct': (person) => hasRole(person, 'reviewer'),
  'day-after.raise': (person, { providerId }) => ownsProvider(person, providerId),
  'day-after.handle': (person, { assignedTo }) =>
    hasRole(person, 'complaints', 'manager') || (assignedTo !== undefined && assignedTo === person.id),
  'deadlines.dashboard': (person) => hasRole(person, 'inspector', 'manager', 'planner', 'complaints'),
  'outbox.read-all': (person) => hasRole(person, 'manager', 'complaints'),
  // The plan reveals no-notice dates to come, so it stays with those who schedule.
  'plan.read': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'plan.draw-sample': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'provider-change.record': (person) => hasRole(person, ...REGISTER_KEEPERS),
  // Concerns name people who raised them; only those who assess risk, and inspectors, read them.
  'concerns.list': (person) => hasRole(person, 'planner', 'manager', 'inspector'),
  'concern.read': (person) => hasRole(person, 'planner', 'manager', 'inspector'),
  // Staff record concerns that arrive by phone or email; anyone may use the public form.
  'concern.raise-for-others': (person) => hasRole(person, 'planner', 'manager', 'inspector', 'complaints'),
  'concern.assess': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'notifications.list': (person) => hasRole(person, 'planner', 'manager', 'inspector', 'provider'),
  'notification.read': (person, { providerId }) =>
    hasRole(person, 'planner', 'manager', 'inspector') || ownsProvider(person, providerId),
  'notification.submit': (person, { providerId }) => ownsProvider(person, providerId),
  'notification.review': (person) => hasRole(person, ...REGISTER_KEEPERS, 'inspector'),
  'statistics.read': (person) => hasRole(person, 'analyst', 'manager', 'planner'),
  // Grades by named inspector are for those who manage inspectors and study consistency.
  'consistency.read': (person) => hasRole(person, 'manager', 'analyst'),
  // An administrator manages every account; a provider's own administrator only provider accounts
  // that act for none but its own providers (so never a colleague of another provider, nor staff).
  'people.manage': (person, { account }) =>
    hasRole(person, 'administrator') ||
    (hasRole(person, 'provider') &&
      person.providerAdmin &&
      (account === undefined ||
        (account.roles.every((role) => role === 'provider') &&
          account.providerIds.length > 0 &&
          account.providerIds.every((id) => person.providerIds.includes(id))))),
};

/**
 * Who could be allowed an action on some record: the check every route makes (its declared access)
 * before it reads its input, so that someone who may never use a route learns nothing about its fields.
 * `can` then decides for the record itself. The policy test keeps the two in step.
 */
const MAY_EVER: Record<Action, readonly Role[]> = {
  'providers.list': [...REGISTER_READERS, 'provider'],
  'provider.read': [...REGISTER_READERS, 'provider'],
  'provider.create': REGISTER_KEEPERS,
  'provider.change': REGISTER_KEEPERS,
  'audit.read': ['manager'],
  'reference.read': CASE_ROLES,
  'inspections.list': [...REGISTER_READERS, 'provider'],
  'inspection.read': [...REGISTER_READERS, 'provider'],
  'inspection.read-records': REGISTER_READERS,
  'inspection.read-findings': [...REGISTER_READERS, 'provider'],
  'inspection.read-dialogue': [...REGISTER_READERS, 'provider'],
  'inspection.settle-concern': ['manager'],
  'inspection.create': ['planner', 'manager'],
  // Teams are made of inspectors (a manager who also inspects holds both roles).
  'inspection.record': ['inspector'],
  'inspection.moderate': ['manager'],
  'inspection.declare-flawed': ['manager'],
  'conflict.declare': ['inspector', 'manager'],
  'conflict.declare-for-others': ['manager'],
  'conflicts.read': ['manager', 'planner'],
  'report.issue': ['manager', 'inspector'],
  'report.read': [...REGISTER_READERS, 'provider'],
  'report.respond': ['provider'],
  'report.decide-points': ['manager', 'inspector'],
  'report.publish': ['manager'],
  'complaints.list': ['complaints', 'manager', 'adjudicator', 'provider'],
  'complaint.read': ['complaints', 'manager', 'adjudicator', 'provider'],
  'complaint.raise': ['complaints', 'provider'],
  'complaint.handle': ['complaints'],
  'complaint.rule': ['adjudicator'],
  'complaint-review.conduct': ['reviewer'],
  'day-after.raise': ['provider'],
  'day-after.handle': ['complaints', 'manager', 'inspector'],
  'deadlines.dashboard': ['inspector', 'manager', 'planner', 'complaints'],
  'outbox.read-all': ['manager', 'complaints'],
  'plan.read': REGISTER_KEEPERS,
  'plan.draw-sample': REGISTER_KEEPERS,
  'provider-change.record': REGISTER_KEEPERS,
  'concerns.list': ['planner', 'manager', 'inspector'],
  'concern.read': ['planner', 'manager', 'inspector'],
  'concern.raise-for-others': ['planner', 'manager', 'inspector', 'complaints'],
  'concern.assess': REGISTER_KEEPERS,
  'notifications.list': ['planner', 'manager', 'inspector', 'provider'],
  'notification.read': ['planner', 'manager', 'inspector', 'provider'],
  'notification.submit': ['provider'],
  'notification.review': [...REGISTER_KEEPERS, 'inspector'],
  'statistics.read': ['analyst', 'manager', 'planner'],
  'consistency.read': ['manager', 'analyst'],
  'people.manage': ['administrator', 'provider'],
};

/** Whether a person works with cases at all: everyone signed in but one who is only an administrator. */
export function worksWithCases(person: Person | null): boolean {
  return hasRole(person, ...CASE_ROLES);
}

/** Whether any record could let this person take the action (false when signed out). */
export function mayEver(person: Person | null, action: Action): boolean {
  return person !== null && hasRole(person, ...MAY_EVER[action]);
}

export function can(person: Person | null, action: Action, resource: Resource = {}): boolean {
  // Never wider than who may ever take the action: the check routes make before reading input.
  return mayEver(person, action) && rules[action](person!, resource);
}

/** Whose accounts a person may manage: every one, provider accounts of their own providers, or none. */
export type PeopleScope = { kind: 'all' } | { kind: 'own'; providerIds: string[] } | { kind: 'none' };

export function peopleScope(person: Person | null): PeopleScope {
  if (person === null) return { kind: 'none' };
  if (hasRole(person, 'administrator')) return { kind: 'all' };
  if (hasRole(person, 'provider') && person.providerAdmin)
    return { kind: 'own', providerIds: person.providerIds };
  return { kind: 'none' };
}

/** Which providers a person's lists may show: all of them, only their own, or none. */
export type ProviderScope = { kind: 'all' } | { kind: 'own'; providerIds: string[] } | { kind: 'none' };

export function providerScope(person: Person | null): ProviderScope {
  if (person === null) return { kind: 'none' };
  if (hasRole(person, ...REGISTER_READERS)) return { kind: 'all' };
  if (hasRole(person, 'provider')) return { kind: 'own', providerIds: person.providerIds };
  return { kind: 'none' };
}
