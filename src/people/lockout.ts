/**
 * Pausing sign-in for an email address after repeated failures, so that guessing one account's
 * password from many addresses (which the per-address rate limit does not stop) gets a handful of
 * tries an hour. Pure rules; the count lives in the database (store.ts) so every process shares it.
 */
export const LOCKOUT_FAILURES = 10;
export const LOCKOUT_MINUTES = 15;
/** Failures further apart than this are not a run of guesses; the count starts again. */
export const FORGET_FAILURES_AFTER_HOURS = 24;

export interface FailureState {
  failures: number;
  lastFailedAt: Date;
  lockedUntil: Date | null;
}

/** When sign-in for the address opens again, or null when it is open now. */
export function pausedUntil(state: FailureState | undefined, now: Date): Date | null {
  return state?.lockedUntil && state.lockedUntil > now ? state.lockedUntil : null;
}

/** The count after one more failed attempt at `now` (made while sign-in was open). */
export function afterFailure(state: FailureState | undefined, now: Date): FailureState {
  const stale =
    !state ||
    (state.lockedUntil !== null && state.lockedUntil <= now) ||
    now.getTime() - state.lastFailedAt.getTime() > FORGET_FAILURES_AFTER_HOURS * 3600_000;
  const failures = stale ? 1 : state.failures + 1;
  return {
    failures,
    lastFailedAt: now,
    lockedUntil: failures >= LOCKOUT_FAILURES ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null,
  };
}

/** True for the one failure that starts a pause, which is worth recording in the audit trail. */
export function startsPause(state: FailureState): boolean {
  return state.failures === LOCKOUT_FAILURES;
}
