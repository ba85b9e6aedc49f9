import { z } from 'zod';
import type { FieldError } from '../refusal.js';
import { ROLES, type Role } from './rules.js';

/**
 * What makes an account, and what one-time links to it are worth: pure rules shared by the command line,
 * the administrator's pages and the API.
 */

/** An invitation's link lasts three days, so one sent on a Friday can still be used on Monday. */
export const INVITATION_HOURS = 72;
/** A reset link is for someone at their screen now, so it lasts two hours. */
export const PASSWORD_RESET_HOURS = 2;

export type AccountTokenPurpose = 'invitation' | 'password-reset';

export const TOKEN_HOURS: Record<AccountTokenPurpose, number> = {
  invitation: INVITATION_HOURS,
  'password-reset': PASSWORD_RESET_HOURS,
};

/** The path of the page where a one-time link is used. */
export function setPasswordPath(token: string): string {
  return `/account/set-password?token=${encodeURIComponent(token)}`;
}

/** A request's URL fit for the logs: any `token` parameter's value blanked out. */
export function withoutTokens(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/g, '$1[redacted]');
}

/** A one-time link as stored: for an active account or not, used or not, and until when. */
export interface AccountTokenState {
  purpose: AccountTokenPurpose;
  expiresAt: Date;
  usedAt: Date | null;
  accountActive: boolean;
}

/**
 * Why a one-time link cannot be used now, in words for the person holding it, or null when it can.
 * A link to a disabled account reads as unknown: it says nothing about the account.
 */
export function tokenRefusal(state: AccountTokenState | undefined, now: Date): string | null {
  if (!state || !state.accountActive)
    return 'This link is not valid. Check you used the whole link from the email, or ask for a new one';
  if (state.usedAt !== null) return 'This link has already been used. Sign in, or ask for a new link';
  if (state.expiresAt.getTime() <= now.getTime())
    return state.purpose === 'invitation'
      ? `This link has expired: invitations last ${INVITATION_HOURS} hours. Ask whoever invited you to send a new one`
      : `This link has expired: password reset links last ${PASSWORD_RESET_HOURS} hours. Ask for a new one`;
  return null;
}

const roleLabelList = ROLES.join(', ');

/** An account's fields as the API and the command line take them (providers by id). */
export const accountFields = z.object({
  email: z
    .email({ message: 'Enter an email address in the correct format, like name@example.com' })
    .max(320, 'Email address must be 320 characters or fewer')
    .transform((email) => email.trim().toLowerCase()),
  name: z
    .string({ message: 'Enter the person’s full name' })
    .trim()
    .min(1, 'Enter the person’s full name')
    .max(200, 'Full name must be 200 characters or fewer'),
  roles: z
    .array(z.enum(ROLES, { message: `Each role must be one of ${roleLabelList}` }), {
      message: 'Choose at least one role',
    })
    .min(1, 'Choose at least one role'),
  providers: z.array(z.uuid({ message: 'Each provider must be a provider’s id' })).default([]),
  providerAdmin: z.boolean().default(false),
});

export interface AccountShape {
  roles: readonly Role[];
  providerIds: readonly string[];
  providerAdmin: boolean;
}

/**
 * What is wrong with an account's roles and providers, field by field. A provider user acts for at
 * least one provider and holds no staff role (the regulated never work inside the regulator's records);
 * only provider users act for providers or manage their colleagues.
 */
export function accountProblems(account: AccountShape): FieldError[] {
  const problems: FieldError[] = [];
  const provider = account.roles.includes('provider');
  if (account.roles.length === 0) problems.push({ field: 'roles', message: 'Choose at least one role' });
  if (provider && account.roles.length > 1)
    problems.push({ field: 'roles', message: 'A provider user cannot also hold a role of the inspectorate' });
  if (provider && account.providerIds.length === 0)
    problems.push({ field: 'providers', message: 'Choose the providers this person acts for' });
  if (!provider && account.providerIds.length > 0)
    problems.push({ field: 'providers', message: 'Only provider users act for providers' });
  if (!provider && account.providerAdmin)
    problems.push({ field: 'providerAdmin', message: 'Only provider users can manage their colleagues' });
  return problems;
}

/** Asking for a reset link: an address is all it takes, and the answer is the same for any. */
export const passwordResetRequest = z.object({
  email: z
    .string({ message: 'Enter your email address' })
    .trim()
    .min(1, 'Enter your email address')
    .max(320, 'Email address must be 320 characters or fewer')
    .pipe(z.email({ message: 'Enter an email address in the correct format, like name@example.com' }))
    .transform((email) => email.toLowerCase()),
});
