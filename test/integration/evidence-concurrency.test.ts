import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';

/**
 * An inspection team records evidence at the same time on one inspection. Only real PostgreSQL has
 * transactions that overlap (the embedded database has one session), so these run there.
 */
const kinds = (await databaseKinds()).filter((kind) => kind === 'postgres');

describe.runIf(kinds.length > 0)('recording evidence while others write to the inspection (postgres)', () => {
  let t: TestApp;
  let inspectionId: string;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const recordEvidence = (summary: string) =>
    post('inspector', `/api/inspections/${inspectionId}/evidence`, { source: 'observation', summary });
  const evidenceCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('evidence')
          .select((e) => e.fn.countAll().as('n'))
          .where('inspection_id', '=', inspectionId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Runs `hold` in a transaction that stays open until the returned `release` is called. */
  async function openTransaction(hold: (trx: typeof t.db) => Promise<unknown>) {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const done = t.db.transaction().execute(async (trx) => {
      await hold(trx);
      holding();
      await released;
    });
    await held;
    return { release, done };
  }

  const backendPid = async (trx: typeof t.db) =>
    (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid;

  /** Whether some session is waiting for the one with this backend pid. */
  const someoneWaitsFor = async (pid: number) =>
    (
      await sql<{ n: string }>`select count(*) as n from pg_stat_activity
        where ${pid} = any(pg_blocking_pids(pid))`.execute(t.db)
    ).rows.some((row) => Number(row.n) > 0);

  beforeAll(async () => {
    t = await startTestApp('postgres');
    const home = (await t.app.inject({ url: '/api/me', headers: await as('provider') })).json().providers[0];
    const inspectorId = (await t.app.inject({ url: '/api/me', headers: await as('inspector') })).json().id;
    const created = await post('planner', '/api/inspections', {
      providerId: home.id,
      frameworkId: 'childrens-homes',
      notice: 'announced',
      startDate: '2025-06-02',
      endDate: '2025-06-03',
      leadInspectorId: inspectorId,
    });
    inspectionId = created.json().id;
    expect(
      (await post('inspector', `/api/inspections/${inspectionId}/status`, { status: 'on-site' })).statusCode,
    ).toBe(200);
  });
  afterAll(async () => t?.close());

  it('records evidence while a colleague is part-way through recording theirs on the same inspection', async () => {
    const before = await evidenceCount();
    // A colleague's recording holds the inspection as recording evidence does, and has not committed yet.
    let pid = 0;
    const colleague = await openTransaction(async (trx) => {
      pid = await backendPid(trx);
      await trx
        .selectFrom('inspections')
        .select('status')
        .where('id', '=', inspectionId)
        .forShare()
        .execute();
    });
    let waited = false;
    try {
      let settled = false;
      const mine = recordEvidence('The lounge was calm during the visit').finally(() => (settled = true));
      while (!settled && !waited) {
        waited = await someoneWaitsFor(pid);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      colleague.release();
      expect(waited, 'the recording queued behind the colleague').toBe(false);
      expect((await mine).statusCode).toBe(201);
      expect(await evidenceCount()).toBe(before + 1);
    } finally {
      colleague.release();
      await colleague.done;
    }
  });

  it('waits for a change of status that is under way, then refuses to record on an inspection no longer on site', async () => {
    const before = await evidenceCount();
    let pid = 0;
    const leaving = await openTransaction(async (trx) => {
      pid = await backendPid(trx);
      await trx
        .updateTable('inspections')
        .set({ status: 'incomplete' })
        .where('id', '=', inspectionId)
        .execute();
    });
    let settled = false;
    const recording = recordEvidence('Written just as the team left').finally(() => (settled = true));
    let waited = false;
    try {
      // The write is held until the change commits, rather than slipping in before it.
      while (!settled && !waited) {
        waited = await someoneWaitsFor(pid);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      leaving.release();
      await leaving.done;
    }
    expect(waited, 'the recording went ahead before the change of status').toBe(true);
    const refused = await recording;
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/only while inspectors are on site/);
    expect(await evidenceCount()).toBe(before);
  });
});
