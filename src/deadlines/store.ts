import { sql, type Transaction } from 'kysely';
import type { Db } from '../db/database.js';
import type { Schema } from '../db/schema.js';

type Trx = Transaction<Schema>;

/**
 * Deadlines that act by themselves. A capability schedules a deadline in the same transaction as the
 * change that creates it, and registers what happens when it falls due. The sweeper runs each due
 * action in one transaction with marking it done, under a row lock that other processes skip: an action
 * happens exactly once, even across restarts and with several app processes on one database.
 */
export type DeadlineAction = (trx: Trx, subjectId: string, dueAt: Date) => Promise<void>;

export async function scheduleDeadline(
  trx: Trx | Db,
  kind: string,
  subjectId: string,
  dueAt: Date,
  options: { afresh?: boolean } = {},
): Promise<void> {
  await trx
    .insertInto('deadlines')
    .values({ kind, subject_id: subjectId, due_at: dueAt })
    .onConflict((oc) => {
      const update = oc.columns(['kind', 'subject_id']);
      // Afresh: whatever became of it before, for a window that starts again.
      return options.afresh
        ? update.doUpdateSet({
            due_at: dueAt,
            status: 'pending',
            attempts: 0,
            last_error: null,
            done_at: null,
          })
        : update.doUpdateSet({ due_at: dueAt }).where('deadlines.status', '=', 'pending');
    })
    .execute();
}

/** Called when what the deadline waited for happened in time. */
export async function cancelDeadline(trx: Trx | Db, kind: string, subjectId: string): Promise<void> {
  await trx
    .updateTable('deadlines')
    .set({ status: 'cancelled', done_at: new Date() })
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * What a flag waited for has happened: a pending deadline will not act, and one that has already acted
 * (flagged something overdue) stops showing as overdue.
 */
export async function resolveFlag(trx: Trx | Db, kind: string, subjectId: string): Promise<void> {
  await trx
    .updateTable('deadlines')
    .set({ status: 'cancelled' })
    .where('kind', '=', kind)
    .where('subject_id', '=', subjectId)
    .where('status', 'in', ['pending', 'done'])
    .execute();
}

export interface SweepResult {
  done: number;
  failed: number;
}

/** Minutes to wait before trying a failed action again, growing with each failure, at most a day. */
export function retryDelayMinutes(attempts: number): number {
  return Math.min(24 * 60, 2 ** Math.min(attempts, 11));
}

/** Runs every action due by `now`, one transaction each. */
export async function runDueDeadlines(
  db: Db,
  actions: ReadonlyMap<string, DeadlineAction>,
  now: Date,
  limit = 100,
): Promise<SweepResult> {
  const result: SweepResult = { done: 0, failed: 0 };
  for (let i = 0; i < limit; i++) {
    const outcome = await db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('deadlines')
        .selectAll()
        .where('status', '=', 'pending')
        .where('due_at', '<=', now)
        .where(kinds(actions))
        .orderBy('due_at')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!due) return 'none' as const;
      // A failing action leaves nothing behind; the deadline is tried again later.
      await sql`savepoint deadline_action`.execute(trx);
      try {
        await actions.get(due.kind)!(trx, due.subject_id, new Date(due.due_at));
        await sql`release savepoint deadline_action`.execute(trx);
        await trx
          .updateTable('deadlines')
          .set({ status: 'done', done_at: now, attempts: due.attempts + 1 })
          .where('id', '=', due.id)
          .execute();
        return 'done' as const;
      } catch (error) {
        await sql`rollback to savepoint deadline_action`.execute(trx);
        const retryAt = new Date(now.getTime() + retryDelayMinutes(due.attempts + 1) * 60_000);
        await trx
          .updateTable('deadlines')
          .set({
            attempts: due.attempts + 1,
            last_error: String(error instanceof Error ? error.message : error).slice(0, 2000),
            due_at: retryAt,
          })
          .where('id', '=', due.id)
          .execute();
        return 'failed' as const;
      }
    });
    if (outcome === 'none') break;
    result[outcome]++;
  }
  return result;
}

function kinds(actions: ReadonlyMap<string, DeadlineAction>) {
  const known = [...actions.keys()];
  return sql<boolean>`kind = any(${known}::text[])`;
}

export async function pendingDeadlines(db: Db, subjectIds: string[]) {
  if (subjectIds.length === 0) return [];
  return db
    .selectFrom('deadlines')
    .selectAll()
    .where('subject_id', 'in', subjectIds)
    .orderBy('due_at')
    .execute();
}
