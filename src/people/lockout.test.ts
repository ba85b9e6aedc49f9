import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  LOCKOUT_FAILURES,
  LOCKOUT_MINUTES,
  pausedUntil,
  startsPause,
  type FailureState,
} from './lockout.js';

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 2, 9, 0) + minutes * 60_000);

function fail(times: number, from = 0): FailureState | undefined {
  let state: FailureState | undefined;
  for (let i = 0; i < times; i++) state = afterFailure(state, at(from + i));
  return state;
}

describe('pausing sign-in after repeated failures', () => {
  it(`stays open for ${LOCKOUT_FAILURES - 1} failures and pauses on the ${LOCKOUT_FAILURES}th`, () => {
    const before = fail(LOCKOUT_FAILURES - 1)!;
    expect(pausedUntil(before, at(LOCKOUT_FAILURES))).toBeNull();
    expect(startsPause(before)).toBe(false);
    const paused = afterFailure(before, at(LOCKOUT_FAILURES));
    expect(startsPause(paused)).toBe(true);
    expect(pausedUntil(paused, at(LOCKOUT_FAILURES + 1))).toEqual(at(LOCKOUT_FAILURES + LOCKOUT_MINUTES));
  });

  it('opens again when the pause ends, and the count starts afresh', () => {
    const paused = fail(LOCKOUT_FAILURES)!;
    const end = paused.lockedUntil!;
    expect(pausedUntil(paused, end)).toBeNull();
    const next = afterFailure(paused, end);
    expect(next.failures).toBe(1);
    expect(next.lockedUntil).toBeNull();
  });

  it('forgets failures more than a day apart', () => {
    const some = fail(LOCKOUT_FAILURES - 1)!;
    expect(afterFailure(some, at(25 * 60)).failures).toBe(1);
    expect(afterFailure(some, at(60)).failures).toBe(LOCKOUT_FAILURES);
  });

  it('is open for an address never seen', () => {
    expect(pausedUntil(undefined, at(0))).toBeNull();
    expect(afterFailure(undefined, at(0))).toEqual({ failures: 1, lastFailedAt: at(0), lockedUntil: null });
  });
});
