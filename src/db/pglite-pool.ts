import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Presents one embedded PGlite database as the connection pool Kysely's PostgreSQL dialect expects, so
 * the embedded and the real server share one dialect and one code path. PGlite has a single session: a
 * transaction must own it from BEGIN to COMMIT, so connections are handed out one at a time.
 */
export class PGlitePool implements PostgresPool {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly pglite: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => released);
    await previous;
    const pglite = this.pglite;
    let done = false;
    return {
      async query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        const result = await pglite.query<R>(sql, parameters as unknown[]);
        const rowCount = result.affectedRows ?? result.rows.length;
        return { command: commandOf(sql), rowCount, rows: result.rows };
      },
      release() {
        if (!done) {
          done = true;
          release();
        }
      },
    } as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.queue;
    await this.pglite.close();
  }
}

type Command = PostgresQueryResult<unknown>['command'];
const WRITE_COMMANDS: Command[] = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'];

/** Kysely reads the command to report affected rows; PGlite does not return it, so it is read from the SQL. */
function commandOf(sql: string): Command {
  const words = sql.trimStart().slice(0, 4000).toUpperCase();
  const first = words.match(/^[A-Z]+/)?.[0] as Command | undefined;
  if (first && WRITE_COMMANDS.includes(first)) return first;
  if (first === ('WITH' as Command)) {
    const found = words.match(/\)\s*(INSERT|UPDATE|DELETE|MERGE)\b/);
    if (found) return found[1] as Command;
  }
  return 'SELECT';
}
