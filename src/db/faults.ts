/**
 * Which errors mean "the database cannot be reached or did not answer in time", as opposed to a fault in
 * the request or the code. Pure: the error's code and message only. The service answers these with 503
 * and Retry-After (src/web/errors.ts), /healthz names the reason, and start-up prints it on one line.
 */

export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  /** 0: no statement timeout. */
  statementTimeoutMs: number;
}

/** Seconds for a person: 3000 → "3 s", 1500 → "1.5 s". */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

// Node's socket errors, raised by pg while it connects or when the socket breaks.
const SOCKET_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was broken',
  ETIMEDOUT: 'the server could not be reached (timed out)',
  EHOSTUNREACH: 'the server could not be reached',
  ENETUNREACH: 'the network to the server could not be reached',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be looked up',
};

// PostgreSQL's SQLSTATE codes that mean the server went away, or will not take a connection now.
const SQLSTATE_REASONS: Record<string, string> = {
  '57P01': 'the database ended the connection (it is shutting down, or an administrator ended it)',
  '57P02': 'the database ended the connection (it crashed)',
  '57P03': 'the database is starting up or shutting down and not taking connections',
  '57P05': 'the database ended an idle connection',
  '53300': 'the database has no connections free',
};

/**
 * Why the database is unavailable, as a short phrase ("connection refused"), or null when the error is
 * not about reaching the database.
 */
export function databaseFault(error: unknown, timeouts: DatabaseTimeouts): string | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';

  if (code === '57014') {
    // query_canceled: our statement timeout, or someone cancelled the statement on the server.
    return /statement timeout/i.test(message)
      ? `a statement took longer than the ${seconds(timeouts.statementTimeoutMs)} allowed`
      : 'the database cancelled the statement';
  }
  if (SQLSTATE_REASONS[code]) return SQLSTATE_REASONS[code];
  // Class 08: connection exception.
  if (/^08[0-9A-Z]{3}$/.test(code)) return 'the connection to the database failed';
  if (SOCKET_REASONS[code]) return SOCKET_REASONS[code];

  // pg-pool's and pg's own wording, which carry no code.
  if (
    /timeout exceeded when trying to connect|connection terminated due to connection timeout/i.test(message)
  )
    return `it did not answer within ${seconds(timeouts.connectTimeoutMs)}`;
  if (/^connection terminated|not queryable/i.test(message)) return 'the connection to the database was lost';

  // Connecting to a name with several addresses (localhost: ::1 and 127.0.0.1) fails with all of them.
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors as unknown[]) {
      const reason = databaseFault(inner, timeouts);
      if (reason) return reason;
    }
  }
  return null;
}

/** A database address fit to print: no password, no query string. */
export function displayDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username ? `${parsed.username}@` : '';
    return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** The database could not be reached when the service or a command started: one line for the operator. */
export class DatabaseUnreachableError extends Error {
  constructor(url: string, reason: string) {
    super(
      `Cannot reach the database at ${displayDatabaseUrl(url)}: ${reason}. ` +
        'Check DATABASE_URL and that PostgreSQL is running.',
    );
    this.name = 'DatabaseUnreachableError';
  }
}
