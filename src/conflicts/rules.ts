import type { FieldError } from '../refusal.js';

/**
 * Conflicts of interest: an inspector with a connection to a provider (a relative working there, a past
 * job with its owner) declares it, and is then never planned onto that provider's inspections. Pure.
 */

export interface DeclaredConflict {
  personId: string;
  personName: string;
  providerId: string;
  description: string;
}

/** Every team member (lead included) who has declared a connection to the provider, as field errors. */
export function conflictsInTeam(
  providerId: string,
  leadInspectorId: string,
  team: readonly string[],
  conflicts: readonly DeclaredConflict[],
): FieldError[] {
  const errors: FieldError[] = [];
  const check = (personId: string, field: string) => {
    const conflict = conflicts.find((c) => c.personId === personId && c.providerId === providerId);
    if (conflict) {
      errors.push({
        field,
        message: `${conflict.personName} has declared a conflict of interest with this provider: ${conflict.description}`,
      });
    }
  };
  check(leadInspectorId, 'leadInspectorId');
  team.forEach((personId, index) => check(personId, `team.${index}`));
  return errors;
}
