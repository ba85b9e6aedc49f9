import type { FastifyInstance, FastifyReply } from 'fastify';
import { Problem } from '../web/problem.js';
import { renewCsrfSecret } from './authenticate.js';
import { pausedUntil } from './lockout.js';
import { normaliseEmail } from './rules.js';
import { clearFailedSignIns, PAUSED_MESSAGE, recordFailedSignIn, secondsUntil } from './sign-in.js';
import { findSignInFailures, startSession } from './store.js';
import {
  acceptedStep,
  decryptSecret,
  HALF_WAY_MINUTES,
  looksLikeRecoveryCode,
  mustUseTwoFactor,
  recoveryCodeHash,
} from './two-factor.js';
import { findTwoFactorState, takeStep, useRecoveryCode, type TwoFactorState } from './two-factor-store.js';

/**
 * The second step of signing in with a password, for the pages and the API alike: whether a code is
 * needed (or two-factor sign-in must first be set up), and checking it. A wrong code is counted with
 * wrong passwords for the email address (sign-in.ts), so the same pause stops guessing either.
 */

/** Holds the half-way session: a correct password, with the code (or the set-up) still to come. */
export const HALF_WAY_COOKIE = 'sign-in-step';

export type AfterPassword = 'signed-in' | 'enter-code' | 'set-up';

export async function afterPassword(app: FastifyInstance, personId: string): Promise<AfterPassword> {
  const state = await findTwoFactorState(app.db, personId);
  if (state?.enabledAt) return 'enter-code';
  if (state && mustUseTwoFactor(state.roles, app.config.mfaRequired)) return 'set-up';
  return 'signed-in';
}

/**
 * After a correct password on the sign-in page: null when that is all the person needs, otherwise starts
 * the half-way session and answers where to send them (the code, or setting up two-factor sign-in).
 */
export async function startHalfWay(
  app: FastifyInstance,
  reply: FastifyReply,
  personId: string,
  returnTo: string,
): Promise<string | null> {
  const next = await afterPassword(app, personId);
  if (next === 'signed-in') return null;
  const session = await startSession(app.db, personId, 'second-factor', HALF_WAY_MINUTES / 60);
  reply.setCookie(HALF_WAY_COOKIE, session.token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.config.production,
    expires: session.expiresAt,
  });
  renewCsrfSecret(reply);
  const query = returnTo === '/' ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  return `${next === 'enter-code' ? '/sign-in/code' : '/account/two-factor'}${query}`;
}

export function clearHalfWayCookie(reply: FastifyReply) {
  reply.clearCookie(HALF_WAY_COOKIE, { path: '/' });
}

export type CodeOutcome = { ok: true } | { failed: true } | { pausedUntil: Date };

/** A code from the app, or one of the recovery codes, for a person with two-factor sign-in on. */
export async function checkSecondFactor(
  app: FastifyInstance,
  state: TwoFactorState,
  typed: string,
): Promise<CodeOutcome> {
  const address = normaliseEmail(state.email);
  const now = app.clock.now();
  const paused = pausedUntil(await findSignInFailures(app.db, address), now);
  if (paused) return { pausedUntil: paused };
  if (await codeIsRight(app, state, typed, now)) {
    await clearFailedSignIns(app, address, state.id);
    return { ok: true };
  }
  await recordFailedSignIn(app, address, state.id, now);
  return { failed: true };
}

async function codeIsRight(app: FastifyInstance, state: TwoFactorState, typed: string, now: Date) {
  if (looksLikeRecoveryCode(typed)) return useRecoveryCode(app.db, state.id, recoveryCodeHash(typed), now);
  const secret = state.secret ? decryptSecret(state.secret, state.id, app.config.sessionSecret) : null;
  if (!secret) return false;
  const step = acceptedStep(secret, typed, now, state.lastStep);
  return step !== null && (await takeStep(app.db, state.id, step));
}

export const ENTER_CODE = 'Enter the code from your authenticator app';

/**
 * `POST /api/tokens` after a correct password: nothing more when the person has no second factor;
 * otherwise the code must come too (a missing one is counted like a wrong one). Someone who must use
 * two-factor sign-in and has not set it up is told to do so in the browser.
 */
export async function requireSecondFactorForToken(
  app: FastifyInstance,
  reply: FastifyReply,
  personId: string,
  code: string | undefined,
): Promise<void> {
  const state = await findTwoFactorState(app.db, personId);
  if (!state) return;
  if (!state.enabledAt) {
    if (mustUseTwoFactor(state.roles, app.config.mfaRequired))
      throw new Problem(
        403,
        'Two-factor sign-in required',
        `Set up two-factor sign-in in the browser first: sign in at ${app.config.baseUrl}/sign-in and follow the steps, then ask for a token again with "code".`,
        [{ field: 'code', message: 'Set up two-factor sign-in in the browser first' }],
      );
    return;
  }
  let outcome: CodeOutcome = { failed: true };
  if (code) outcome = await checkSecondFactor(app, state, code);
  else await recordFailedSignIn(app, normaliseEmail(state.email), state.id, app.clock.now());
  if ('pausedUntil' in outcome) {
    reply.header('retry-after', secondsUntil(app, outcome.pausedUntil));
    throw new Problem(429, 'Too many requests', `${PAUSED_MESSAGE}.`);
  }
  if ('failed' in outcome)
    throw new Problem(401, 'Sign in failed', `${ENTER_CODE}.`, [{ field: 'code', message: ENTER_CODE }]);
}
