import { describe, expect, it } from 'vitest';
import { toProblem } from './errors.js';

const timeouts = { connectTimeoutMs: 5000, statementTimeoutMs: 5000 };

function raised(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('toProblem for database faults', () => {
  it('answers 503, naming the reason, when the database cannot be reached or is too slow', () => {
    const refused = toProblem(raised('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'), timeouts);
    expect(refused.toJSON()).toEqual({
      type: 'about:blank',
      status: 503,
      title: 'Service unavailable',
      detail: 'The service cannot use its database just now (connection refused). Try again in a minute.',
    });
    expect(
      toProblem(raised('canceling statement due to statement timeout', '57014'), timeouts).detail,
    ).toContain('a statement took longer than the 5 s allowed');
    expect(toProblem(new Error('timeout exceeded when trying to connect'), timeouts).status).toBe(503);
    expect(toProblem(new Error('Connection terminated unexpectedly'), timeouts).status).toBe(503);
  });

  it('never puts the address of the database in the answer', () => {
    const problem = toProblem(raised('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'), timeouts);
    expect(JSON.stringify(problem.toJSON())).not.toContain('10.0.0.5');
  });

  it('keeps other database errors as they were: a duplicate is 409, anything else 500', () => {
    expect(toProblem(raised('duplicate key value', '23505'), timeouts).status).toBe(409);
    expect(toProblem(raised('relation "x" does not exist', '42P01'), timeouts).status).toBe(500);
    expect(toProblem(new TypeError('x is undefined')).status).toBe(500);
  });
});
