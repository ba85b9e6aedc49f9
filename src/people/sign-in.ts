import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { recordAudit } from '../audit/store.js';
import { inTransaction } from '../db/database.js';
import { LOCKOUT_MINUTES, pausedUntil, startsPause } from './lockout.js';
import { verifyPassword } from './passwords.js';
import { normaliseEmail } from './rules.js';
import { clearSignInFailures, findCredentials, findSignInFailures, recordSignInFailure } from './store.js';

/** Signing in with an email and password, the same for a bearer token (API) and a session (pages). */

export const credentials = z.object({
  email: z.string({ message: 'Enter your email address' }).trim().min(1, 'Enter your email address').max(320),
  password: z.string({ message: 'Enter your password' }).min(1, 'Enter your password').max(1000),
});

/** At most `signInRateLimit` tries a minute, counted per client address and email. */
export const signInLimit = (app: FastifyInstance) => ({
  max: app.config.signInRateLimit,
  timeWindow: '1 minute',
  keyGenerator: (request: FastifyRequest) => {
    const body = request.body as { email?: unknown } | undefined;
    const email = typeof body?.email === 'string' ? normaliseEmail(body.email) : '';
    return `${request.ip}|${email}`;
  },
});

/**
 * At most `signInAddressRateLimit` tries a minute from one client address, whatever the emails: each try
 * costs an argon2 hash, so one address trying many emails must not tie up the service. Counted beside the
 * per-email limit (the plugin runs only one of its own limits on a request, so this one answers itself).
 */
export function signInAddressLimit(app: FastifyInstance) {
  const limit = app.createRateLimit({
    max: app.config.signInAddressRateLimit,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => `address|${request.ip}`,
  });
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await limit(request);
    if (!result.isAllowed && result.isExceeded) {
      reply.header('retry-after', result.ttlInSeconds);
      throw Object.assign(new Error('Too many sign-in attempts from this address'), { statusCode: 429 });
    }
  };
}

export type SignInOutcome = { personId: string } | { failed: true } | { pausedUntil: Date };

/**
 * Checks an email and password, counting failures per address (lockout.ts). An address with no account
 * goes through the same steps, is counted and paused the same way, and gets the same answers, so
 * neither the words nor the pause tell anyone whether an account exists.
 */
export async function checkCredentials(
  app: FastifyInstance,
  email: string,
  password: string,
): Promise<SignInOutcome> {
  const address = normaliseEmail(email);
  const now = app.clock.now();
  const paused = pausedUntil(await findSignInFailures(app.db, address), now);
  if (paused) return { pausedUntil: paused };
  const found = await findCredentials(app.db, address);
  const ok = await verifyPassword(found?.password_hash ?? null, password);
  if (ok && found) {
    // With a second factor the run of failures goes on until the code is right too (second-factor.ts),
    // or a known password would let anyone guess codes without end.
    if (!found.totp_enabled_at) await clearFailedSignIns(app, address, found.id);
    return { personId: found.id };
  }
  await recordFailedSignIn(app, address, found?.id ?? null, now);
  return { failed: true };
}

// Each change to the count is written together with its audit entry, or not at all.

/** A correct sign-in ends the run of failures for the address. */
export async function clearFailedSignIns(app: FastifyInstance, address: string, personId: string) {
  await inTransaction(app.db, async (trx) => {
    const failures = await clearSignInFailures(trx, address);
    if (failures > 0)
      await recordAudit(trx, {
        actorId: personId,
        action: 'sign-in.failures-cleared',
        entityType: 'person',
        entityId: personId,
        before: { failures },
        after: null,
      });
  });
}

/** Counts a wrong password or code for the address, pausing sign-in after too many. */
export async function recordFailedSignIn(
  app: FastifyInstance,
  address: string,
  personId: string | null,
  now: Date,
) {
  await inTransaction(app.db, async (trx) => {
    const state = await recordSignInFailure(trx, address, now);
    if (personId && startsPause(state))
      await recordAudit(trx, {
        actorId: null,
        action: 'sign-in.paused',
        entityType: 'person',
        entityId: personId,
        before: null,
        after: { failures: state.failures, lockedUntil: state.lockedUntil?.toISOString() ?? null },
      });
  });
}

export const PAUSED_MESSAGE = `Too many attempts to sign in with this email address. Wait ${LOCKOUT_MINUTES} minutes, then try again`;

export function secondsUntil(app: FastifyInstance, until: Date): string {
  return String(Math.max(1, Math.ceil((until.getTime() - app.clock.now().getTime()) / 1000)));
}
