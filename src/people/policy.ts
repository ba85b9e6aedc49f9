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
  | 'reference.read';

/** The staff roles that work across the whole register. */
const REGISTER_READERS: Role[] = ['inspector', 'manager', 'planner', 'complaints', 'analyst'];
const REGISTER_KEEPERS: Role[] = ['planner', 'manager'];

interface Resource {
  providerId?: string;
}

const rules: Record<Action, (person: Person, resource: Resource) => boolean> = {
  'providers.list': (person) => hasRole(person, ...REGISTER_READERS, 'provider'),
  'provider.read': (person, { providerId }) =>
    hasRole(person, ...REGISTER_READERS) ||
    (hasRole(person, 'provider') && providerId !== undefined && person.providerIds.includes(providerId)),
  'provider.create': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'provider.change': (person) => hasRole(person, ...REGISTER_KEEPERS),
  'audit.read': (person) => hasRole(person, 'manager'),
  'reference.read': (person) => person.roles.length > 0,
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
