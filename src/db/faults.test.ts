import { describe, expect, it } from 'vitest';
import { databaseFault, DatabaseUnreachableError, displayDatabaseUrl, seconds } from './faults.js';

const timeouts = { connectTimeoutMs: 3000, statementTimeoutMs: 1500 };

/** An error as pg or Node raises it: a message, and a code when there is one. */
function raised(message: string, code?: string): Error {
  return Object.assign(new Error(message), code ? { code } : {});
}

describe('databaseFault', () => {
  it('names a connection the server refused, or a host that cannot be reached', () => {
    expect(databaseFault(raised('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), timeouts)).toBe(
      'connection refused',
    );
    expect(databaseFault(raised('getaddrinfo ENOTFOUND db.invalid', 'ENOTFOUND'), timeouts)).toBe(
      'the host name was not found',
    );
    expect(databaseFault(raised('connect ETIMEDOUT', 'ETIMEDOUT'), timeouts)).toMatch(/could not be reached/);
    expect(databaseFault(raised('read ECONNRESET', 'ECONNRESET'), timeouts)).toBe('the connection was reset');
  });

  it('looks inside the AggregateError of a name with several addresses (localhost)', () => {
    const both = new AggregateError([raised('::1', 'ECONNREFUSED'), raised('127.0.0.1', 'ECONNREFUSED')]);
    expect(databaseFault(both, timeouts)).toBe('connection refused');
  });

  it('says how long the database was given to answer a new connection', () => {
    expect(databaseFault(new Error('timeout exceeded when trying to connect'), timeouts)).toBe(
      'it did not answer within 3 s',
    );
    expect(databaseFault(new Error('Connection terminated due to connection timeout'), timeouts)).toBe(
      'it did not answer within 3 s',
    );
  });

  it('tells the statement timeout from a statement cancelled by someone on the server', () => {
    expect(databaseFault(raised('canceling statement due to statement timeout', '57014'), timeouts)).toBe(
      'a statement took longer than the 1.5 s allowed',
    );
    expect(databaseFault(raised('canceling statement due to user request', '57014'), timeouts)).toBe(
      'the database cancelled the statement',
    );
  });

  it('recognises the server ending the connection, and connection exceptions (class 08)', () => {
    expect(
      databaseFault(raised('terminating connection due to administrator command', '57P01'), timeouts),
    ).toMatch(/ended the connection/);
    expect(databaseFault(raised('the database system is starting up', '57P03'), timeouts)).toMatch(
      /starting up/,
    );
    expect(databaseFault(raised('sorry, too many clients already', '53300'), timeouts)).toMatch(
      /no connections free/,
    );
    for (const code of ['08000', '08003', '08006', '08001', '08P01']) {
      expect(databaseFault(raised('connection failure', code), timeouts)).toBe(
        'the connection to the database failed',
      );
    }
  });

  it('recognises pg losing a connection it had', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(databaseFault(new Error(message), timeouts)).toBe('the connection to the database was lost');
    }
  });

  it('leaves every other error alone: the request or the code is at fault, not the database', () => {
    expect(databaseFault(raised('duplicate key value violates unique constraint', '23505'), timeouts)).toBe(
      null,
    );
    expect(databaseFault(raised('relation "x" does not exist', '42P01'), timeouts)).toBe(null);
    expect(databaseFault(raised('could not serialize access', '40001'), timeouts)).toBe(null);
    expect(databaseFault(new TypeError('Cannot read properties of undefined'), timeouts)).toBe(null);
    expect(databaseFault(new Error('The connection string is x'), timeouts)).toBe(null);
    expect(databaseFault(undefined, timeouts)).toBe(null);
    expect(databaseFault('ECONNREFUSED', timeouts)).toBe(null);
  });
});

describe('messages for the operator', () => {
  it('prints seconds plainly', () => {
    expect(seconds(3000)).toBe('3 s');
    expect(seconds(1500)).toBe('1.5 s');
    expect(seconds(200)).toBe('0.2 s');
  });

  it('never prints the password or query of a database address', () => {
    expect(displayDatabaseUrl('postgres://app:secret@db.example:5432/inspectorate?sslmode=require')).toBe(
      'postgres://app@db.example:5432/inspectorate',
    );
    expect(displayDatabaseUrl('not a url')).toBe('DATABASE_URL');
  });

  it('says what to check, on one line', () => {
    const message = new DatabaseUnreachableError('postgres://u:pw@127.0.0.1:1/db', 'connection refused')
      .message;
    expect(message).toBe(
      'Cannot reach the database at postgres://u@127.0.0.1:1/db: connection refused. ' +
        'Check DATABASE_URL and that PostgreSQL is running.',
    );
    expect(message).not.toContain('\n');
  });
});
