import {
  providerMaySeeFindings,
  providerMaySeeInspection,
  type InspectionStatus,
  type Notice,
} from '../inspections/rules.js';
import { hasRole, type Person, type Role } from './rules.js';

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
  | 'inspection.create'
  | 'inspection.record'
  | 'inspection.moderate'
  | 'inspection.declare-flawed'
  | 'conflict.declare'
  | 'conflict.declare-for-others'
  | 'conflicts.read';

/** The staff roles that work across the whole register. */
const REGISTER_READERS: Role[] = ['inspector', 'manager', 'planner', 'complaints', 'analyst'];
const REGISTER_KEEPERS: Role[] = ['planner', 'manager'];

export interface Resource {
  providerId?: string;
  /** An inspection's lead and team. */
  teamIds?: readonly string[];
  notice?: Notice;
  status?: InspectionStatus;
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
  'reference.read': (person) => person.roles.length > 0,
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
  'inspection.create': (person) => hasRole(person, 'planner', 'manager'),
  // Only the inspection's own team records on it.
  'inspection.record': (person, { teamIds }) => teamIds !== undefined && teamIds.includes(person.id),
  'inspection.moderate': (person) => hasRole(person, 'manager'),
  'inspection.declare-flawed': (person) => hasRole(person, 'manager'),
  'conflict.declare': (person) => hasRole(person, 'inspector', 'manager'),
  'conflict.declare-for-others': (person) => hasRole(person, 'manager'),
  'conflicts.read': (person) => hasRole(person, 'manager', 'planner'),
};

export function can(person: Person | null, action: Action, resource: Resource = {}): boolean {
  if (person === null) return false;
  return rules[action](person, resource);
}

/** Which providers a person's lists may show: all of them, only their own, or none. */
export type ProviderScope = { kind: 'all' } | { kind: 'own'; providerIds: string[] } | { kind: 'none' };

export function providerScope(person: Person | null): ProviderScope {
  if (person === null) return { kind: 'none' };
  if (hasRole(person, ...REGISTER_READERS)) return { kind: 'all' };
  if (hasRole(person, 'provider')) return { kind: 'own', providerIds: person.providerIds };
  return { kind: 'none' };
}
