import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import {
  runDueDeadlines,
  scheduleDeadline,
  cancelDeadline,
  type DeadlineAction,
} from '../../src/deadlines/store.js';
import { queueMessage } from '../../src/messages/store.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const kinds = await databaseKinds();

/** An action that leaves a message behind, so that each firing can be counted. */
const remind: DeadlineAction = async (trx, subjectId) => {
  await queueMessage(trx, {
    recipient: 'provider@example.invalid',
    template: 'reminder',
    subject: `Reminder ${subjectId}`,
    body: 'Due soon',
  });
};

describe.each(kinds)('deadlines on the %s database', (kind) => {
  let t: TestDatabase;
  const actions = new Map<string, DeadlineAction>([
    ['reminder', remind],
    [
      'broken',
      async (trx) => {
        await queueMessage(trx, {
          recipient: 'x@example.invalid',
          template: 'broken',
          subject: 'half',
          body: 'half',
        });
        throw new Error('the action failed half way');
      },
    ],
  ]);
  const messages = async (subject?: string) => {
    let query = t.database.db.selectFrom('outbox').select('subject');
    if (subject) query = query.where('subject', '=', subject);
    return (await query.execute()).length;
  };
  const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.dispose());

  it('acts only once a deadline has fallen due, and exactly once', async () => {
    await scheduleDeadline(t.database.db, 'reminder', id(1), new Date('2025-03-10T00:00:00Z'));
    expect(await runDueDeadlines(t.database.db, actions, new Date('2025-03-09T23:59:59Z'))).toEqual({
      done: 0,
      failed: 0,
    });
    expect(await runDueDeadlines(t.database.db, actions, new Date('2025-03-10T00:00:00Z'))).toEqual({
      done: 1,
      failed: 0,
    });
    expect(await runDueDeadlines(t.database.db, actions, new Date('2025-03-11T00:00:00Z'))).toEqual({
      done: 0,
      failed: 0,
    });
    expect(await messages(`Reminder ${id(1)}`)).toBe(1);
  });

  it('does nothing for a cancelled deadline', async () => {
    await scheduleDeadline(t.database.db, 'reminder', id(2), new Date('2025-03-10T00:00:00Z'));
    await cancelDeadline(t.database.db, 'reminder', id(2));
    await runDueDeadlines(t.database.db, actions, new Date('2025-04-01T00:00:00Z'));
    expect(await messages(`Reminder ${id(2)}`)).toBe(0);
  });

  it('undoes a failed action completely and tries again later', async () => {
    await scheduleDeadline(t.database.db, 'broken', id(3), new Date('2025-03-10T00:00:00Z'));
    const now = new Date('2025-03-10T01:00:00Z');
    expect(await runDueDeadlines(t.database.db, actions, now)).toEqual({ done: 0, failed: 1 });
    expect(await messages('half')).toBe(0);
    const row = await t.database.db
      .selectFrom('deadlines')
      .selectAll()
      .where('subject_id', '=', id(3))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'the action failed half way' });
    expect(new Date(row.due_at).getTime()).toBeGreaterThan(now.getTime());
  });

  it('fires each deadline once when several sweeps run at the same moment', async () => {
    for (let n = 10; n < 30; n++)
      await scheduleDeadline(t.database.db, 'reminder', id(n), new Date('2025-05-01T00:00:00Z'));
    const now = new Date('2025-05-02T00:00:00Z');
    const sweeps = await Promise.all([1, 2, 3].map(() => runDueDeadlines(t.database.db, actions, now)));
    expect(sweeps.reduce((sum, s) => sum + s.done, 0)).toBe(20);
    for (let n = 10; n < 30; n++) expect(await messages(`Reminder ${id(n)}`)).toBe(1);
  });
});

describe('deadlines across a restart of the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-deadlines-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('fires a deadline scheduled before the restart, once, after it', async () => {
    const before = await openDatabase({ databaseUrl: null, dataDir });
    await migrateToLatest(before);
    await scheduleDeadline(
      before.db,
      'reminder',
      '00000000-0000-4000-8000-000000000099',
      new Date('2025-06-01T00:00:00Z'),
    );
    await before.close();

    const after = await openDatabase({ databaseUrl: null, dataDir });
    const actions = new Map([['reminder', remind]]);
    expect(await runDueDeadlines(after.db, actions, new Date('2025-06-02T00:00:00Z'))).toEqual({
      done: 1,
      failed: 0,
    });
    expect(await runDueDeadlines(after.db, actions, new Date('2025-06-03T00:00:00Z'))).toEqual({
      done: 0,
      failed: 0,
    });
    expect((await after.db.selectFrom('outbox').selectAll().execute()).length).toBe(1);
    await after.close();
  });
});
