import { createQueryId, type Compilable, type CompiledQuery } from 'kysely';
import type { Db } from './database.js';

type Value = string | number | boolean | Date | null;

/**
 * A read whose SQL is the same on every call but for its values, built and compiled by Kysely once; each
 * call then sends that SQL with its own values. For the reads made on every request (the session, the
 * inspection record) building and compiling the query cost as much of the service's CPU as sending it
 * and reading the rows back (docs/performance/http.md, "Against the bare stack").
 *
 * `build` is called once, on the first call, with a stand-in for each argument. Each argument must reach
 * the SQL as a parameter (a value compared or written), never as SQL text or a list whose length shapes
 * the statement; that is checked when it is compiled.
 */
export function prepared<A extends Value[], R>(
  build: (db: Db, ...args: A) => Compilable<R>,
): (db: Db, ...args: A) => Promise<R[]> {
  let compiled: { query: CompiledQuery<R>; slots: (number | null)[] } | null = null;
  return async (db, ...args) => {
    if (!compiled) {
      const standIns = args.map((_, n) => `\u0000argument ${n}\u0000`);
      const query = build(db, ...(standIns as unknown as A)).compile();
      // Which argument each parameter is, or null for a value written into the query itself.
      const slots = query.parameters.map((p) => {
        const n = typeof p === 'string' ? standIns.indexOf(p) : -1;
        return n === -1 ? null : n;
      });
      standIns.forEach((standIn, n) => {
        if (!slots.includes(n) || query.sql.includes(standIn))
          throw new Error(`prepared query: argument ${n} is not a parameter of ${query.sql}`);
      });
      compiled = { query, slots };
    }
    const { query, slots } = compiled;
    const parameters = slots.map((slot, i) => (slot === null ? query.parameters[i] : args[slot]));
    const result = await db.executeQuery<R>({ ...query, queryId: createQueryId(), parameters });
    return result.rows;
  };
}
