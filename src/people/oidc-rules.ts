import { normaliseEmail } from './rules.js';

/**
 * Single sign-on with OpenID Connect, the rules without I/O: which addresses an identity provider may
 * have, what the short-lived sign-in cookie holds, and which account (if any) a signed-in identity is.
 * Roles never come from the identity provider: it only says who the person is.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** http://localhost, 127.0.0.1 or [::1]: an identity provider on this machine (the tests' own). */
export function isLoopbackHttp(address: string): boolean {
  try {
    const url = new URL(address);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/** An issuer the service will talk to: https, or plain http on this machine only. */
export function isIssuerUrl(address: string): boolean {
  try {
    const url = new URL(address);
    if (url.search || url.hash || url.username || url.password) return false;
    return url.protocol === 'https:' || isLoopbackHttp(address);
  } catch {
    return false;
  }
}

/** How long a person has at the identity provider before the sign-in must be started again. */
export const FLOW_MINUTES = 10;

/** What the sign-in cookie carries from the start of a sign-in to the identity provider's answer. */
export interface Flow {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  startedAt: string;
}

export function encodeFlow(flow: Flow): string {
  return Buffer.from(JSON.stringify(flow)).toString('base64url');
}

/**
 * The flow in a cookie's value (once its signature is checked), or null when it is not one, or was
 * started more than FLOW_MINUTES ago: the cookie's own expiry is only the browser's to keep.
 */
export function decodeFlow(value: string, now: Date): Flow | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const flow = parsed as Record<string, unknown>;
  const fields = ['state', 'nonce', 'codeVerifier', 'returnTo', 'startedAt'] as const;
  if (!fields.every((field) => typeof flow[field] === 'string' && flow[field] !== '')) return null;
  const started = new Date(flow.startedAt as string).getTime();
  const age = now.getTime() - started;
  if (Number.isNaN(started) || age < 0 || age > FLOW_MINUTES * 60_000) return null;
  return flow as unknown as Flow;
}

/** An account as matching needs it. */
export interface Account {
  id: string;
  active: boolean;
  oidcIssuer: string | null;
  oidcSubject: string | null;
}

/** Why a person who signed in at the identity provider is not let in. */
export type Refusal =
  /** No email came from the identity provider, so nothing could be matched. */
  | 'no-email'
  /** The identity provider does not vouch for the email (email_verified is not true). */
  | 'unverified-email'
  /** No account has this email. */
  | 'unknown-email'
  /** The account is disabled. */
  | 'disabled'
  /** The account with this email is already linked to another identity. */
  | 'linked-elsewhere';

export type Match = { personId: string; link: boolean } | { refused: Refusal; personId?: string };

/** The identity the identity provider vouched for: its subject and the claims about the email. */
export interface Identity {
  subject: string;
  email: unknown;
  emailVerified: unknown;
}

/** The email the identity claims, normalised, whether or not the identity provider vouches for it. */
export function claimedEmail(identity: Identity): string | null {
  return typeof identity.email === 'string' && identity.email.trim() !== ''
    ? normaliseEmail(identity.email)
    : null;
}

/**
 * The account an identity signs in to. An account already linked to this subject (at this issuer) is
 * it, whatever the email says now; otherwise the account with the email, when the identity provider
 * vouches for the email (email_verified true) and the account is linked to nobody yet: then the subject
 * is kept (`link`). A disabled account is never let in. A refusal names the account when there is one,
 * for the audit trail.
 *
 * `bySubject` is the account linked to the subject, if any; `byEmail` the account with the claimed
 * email (looked up only when there is no `bySubject`).
 */
export function matchAccount(
  identity: Identity,
  bySubject: Account | undefined,
  byEmail: Account | undefined,
): Match {
  if (bySubject) {
    return bySubject.active ? { personId: bySubject.id, link: false } : refusedFor(bySubject, 'disabled');
  }
  if (claimedEmail(identity) === null) return { refused: 'no-email' };
  // Only the provider's word that the address was checked: otherwise anyone could claim a colleague's.
  if (identity.emailVerified !== true) {
    return byEmail ? refusedFor(byEmail, 'unverified-email') : { refused: 'unverified-email' };
  }
  if (!byEmail) return { refused: 'unknown-email' };
  if (!byEmail.active) return refusedFor(byEmail, 'disabled');
  if (byEmail.oidcSubject !== null) return refusedFor(byEmail, 'linked-elsewhere');
  return { personId: byEmail.id, link: true };
}

function refusedFor(account: Account, refused: Refusal): Match {
  return { refused, personId: account.id };
}

/** What the person is told, by refusal: what happened and what to do. */
export const REFUSAL_MESSAGES: Record<Refusal, { status: 401 | 403; text: string }> = {
  'no-email': {
    status: 401,
    text: 'Your organisation’s account did not give this service an email address, so it cannot tell which account is yours. Ask your administrator.',
  },
  'unverified-email': {
    status: 401,
    text: 'Your organisation’s account has an email address that it has not confirmed, so it cannot be used to sign in here. Ask your administrator.',
  },
  'unknown-email': {
    status: 403,
    text: 'There is no account for your email address on this service. Ask an administrator to invite you.',
  },
  disabled: {
    status: 403,
    text: 'Your account on this service has been disabled. Ask an administrator if you need it again.',
  },
  'linked-elsewhere': {
    status: 403,
    text: 'The account with your email address is already linked to a different organisation account. Ask an administrator.',
  },
};
