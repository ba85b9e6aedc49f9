import type { Role } from '../people/rules.js';

/**
 * The demo's people and homes, as each capability's own demo data needs them. In a file of its own so
 * that those capabilities' demo files (concerns, notifications, planning) need not import the seed that
 * calls them.
 */
export interface DemoPeople {
  plannerId: string;
  inspectorId: string;
  managerId: string;
  /** The two homes the demo provider account acts for. */
  ownHomes: string[];
  /** Children's homes the demo provider account does not act for. */
  otherHomes: string[];
  providerUserId: string;
  /** Every demo account's id by role. */
  ids: Map<Role, string>;
  /** Every provider on the demo register. */
  providerIds: string[];
}

/** A demo account's email: the role's name, but `admin@demo.invalid` for the administrator. */
export function demoEmail(role: Role): string {
  return `${role === 'administrator' ? 'admin' : role}@demo.invalid`;
}
