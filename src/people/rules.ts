/** The roles a person can hold; a person may hold several. */
export const ROLES = [
  'inspector',
  'manager',
  'planner',
  'complaints',
  'adjudicator',
  'reviewer',
  'provider',
  'analyst',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  inspector: 'Inspector',
  manager: 'Regulatory inspection manager',
  planner: 'Planner',
  complaints: 'Complaints handler',
  adjudicator: 'Independent adjudicator (ICASO)',
  reviewer: 'External reviewer',
  provider: 'Provider',
  analyst: 'Analyst',
  administrator: 'Administrator',
};

/** Roles that work for the regulator (everyone but providers): those who must use two-factor sign-in. */
export const STAFF_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'provider');

/** The signed-in person as every rule and route sees them. */
export interface Person {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  /** Providers a provider user acts for; empty for staff. */
  providerIds: string[];
  /** A provider user who may invite and disable colleagues for its own providers. */
  providerAdmin: boolean;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hasRole(person: Person | null, ...roles: Role[]): boolean {
  return person !== null && person.roles.some((role) => roles.includes(role));
}

/** Emails are compared without regard to case or surrounding space. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
