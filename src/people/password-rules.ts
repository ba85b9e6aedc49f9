import { COMMON_PASSWORDS } from './common-passwords.js';

/**
 * What a new password must be, after the NCSC's guidance: long enough, not one that attackers try
 * first, and not the person's own address. No rules about mixing character classes: they make
 * passwords harder to remember without making them harder to guess.
 */
export const MIN_PASSWORD_LENGTH = 12;
/** Generous, so a passphrase or a password manager's output always fits; the sign-in form takes as much. */
export const MAX_PASSWORD_LENGTH = 1000;

/** Why this password may not be used, in words for the person choosing it, or null when it may. */
export function passwordProblem(password: string, email?: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH)
    return `Password must be at least ${MIN_PASSWORD_LENGTH} characters long; a few unrelated words make a good one`;
  if (length > MAX_PASSWORD_LENGTH) return `Password must be ${MAX_PASSWORD_LENGTH} characters or fewer`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1*$/u.test(password))
    return 'Password is one of the most commonly used passwords; choose one that is harder to guess';
  if (email) {
    const address = email.trim().toLowerCase();
    const local = address.split('@')[0] ?? '';
    if (lower.includes(address) || (local.length >= 4 && lower.includes(local)))
      return 'Password must not contain your email address';
  }
  return null;
}

/** Refuses a password that breaks the rules, naming the rule; used wherever a password is set. */
export function checkNewPassword(password: string, email?: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new PasswordRuleError(problem);
}

export class PasswordRuleError extends Error {}
