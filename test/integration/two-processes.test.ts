import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import {
  CHILD_DEMO_PASSWORD,
  createScratchDatabase,
  killAllChildren,
  sleep,
  startServerProcess,
  tokenFrom,
  type ScratchDatabase,
  type ServerProcess,
} from '../support/child-server.js';
import { databaseKinds } from '../support/databases.js';

/**
 * Two app processes on one PostgreSQL database, as behind a load balancer. The app keeps no state of
 * its own: a person signed in through one process is served by the other, and each deadline acts
 * exactly once while both sweep for due deadlines every second, including when one is killed in the
 * middle of acting on one. The embedded database belongs to one process by design, so this runs on the
 * real server only.
 */

const kinds = await databaseKinds();

const OVERDUE_ACTIONS = ['complaint.acknowledgement-overdue', 'complaint.response-overdue'];

afterAll(async () => {
  await killAllChildren();
});

describe.runIf(kinds.includes('postgres'))('two app processes on one PostgreSQL database', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let a: ServerProcess | undefined;
  let b: ServerProcess | undefined;
  const figures: Record<string, unknown> = {};

  const start = (name: 'a' | 'b') =>
    startServerProcess(`process ${name.toUpperCase()}`, {
      DATABASE_URL: scratch.urlAs(`inspectorate-${name}`),
      DEMO_DATA: '1',
      DEADLINE_SWEEP_SECONDS: '1',
      LOG_LEVEL: 'info',
      // The kill test holds both processes waiting on a lock on purpose, for longer than the default
      // statement timeout of web requests would allow.
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
    });

  beforeAll(async () => {
    scratch = await createScratchDatabase('twoproc');
    // One starts first and creates the demo data; the second finds people there and creates none.
    a = await start('a');
    b = await start('b');
    database = await openDatabase({ databaseUrl: scratch.url, dataDir: '' });
  }, 400_000);

  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await database?.close();
    await scratch?.drop();
    if (Object.keys(figures).length) console.info('two-process figures', JSON.stringify(figures, null, 2));
  }, 60_000);

  const db = () => database.db;

  /** Signs in through the sign-in page of one process, as a browser would; returns the cookie header. */
  async function signInThrough(server: ServerProcess, role: string): Promise<string> {
    const jar = new Map<string, string>();
    const keep = (response: Response) => {
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const at = pair!.indexOf('=');
        // A cleared cookie (the form secret, renewed at sign-in) is forgotten, as a browser would.
        if (at === pair!.length - 1) jar.delete(pair!.slice(0, at));
        else jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
    };
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const page = await fetch(`${server.url}/sign-in`);
    keep(page);
    const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    const signedIn = await fetch(`${server.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        _csrf: csrf,
        email: `${role}@demo.invalid`,
        password: CHILD_DEMO_PASSWORD,
      }).toString(),
    });
    expect(signedIn.status).toBe(303);
    keep(signedIn);
    return cookie();
  }

  const pageAt = (server: ServerProcess, url: string, cookie: string) =>
    fetch(`${server.url}${url}`, { redirect: 'manual', headers: { cookie, accept: 'text/html' } });

  /** An inspection long finished, so that a complaint received soon after it is already overdue. */
  async function oldInspection(): Promise<{ id: string; startDate: string }> {
    const row = await db()
      .selectFrom('inspections')
      .select(['id', 'start_date'])
      .where('status', '=', 'completed')
      .where('start_date', '<', sql<string>`current_date - 150`)
      .orderBy('start_date', 'desc')
      .executeTakeFirstOrThrow();
    return { id: row.id, startDate: String(row.start_date) };
  }

  async function recordComplaint(
    server: ServerProcess,
    token: string,
    inspectionId: string,
    receivedOn: string,
    label: string,
  ): Promise<{ id: string; reference: string }> {
    const response = await fetch(`${server.url}/api/complaints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        inspectionId,
        summary: `Two-process test: ${label}`,
        channel: 'phone',
        complainantName: 'A Complainant',
        receivedOn,
      }),
    });
    const text = await response.text();
    expect(response.status, text).toBe(201);
    return JSON.parse(text) as { id: string; reference: string };
  }

  async function deadlinesOf(ids: string[]) {
    return db().selectFrom('deadlines').select(['id', 'status']).where('subject_id', 'in', ids).execute();
  }

  async function waitUntilActedOn(ids: string[], timeoutMs = 180_000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const rows = await deadlinesOf(ids);
      if (rows.length === ids.length * 2 && rows.every((r) => r.status === 'done')) return;
      if (Date.now() > until) throw new Error(`deadlines not acted on: ${JSON.stringify(rows)}`);
      await sleep(250);
    }
  }

  /** How many times each overdue action happened for each complaint: audit entries and messages. */
  async function firings(complaints: { id: string; reference: string }[]) {
    const audit = await db()
      .selectFrom('audit_events')
      .select(['entity_id', 'action'])
      .where('action', 'in', OVERDUE_ACTIONS)
      .where(
        'entity_id',
        'in',
        complaints.map((c) => c.id),
      )
      .execute();
    const recipients = (
      await db()
        .selectFrom('people')
        .select('email')
        .where('active', '=', true)
        .where(sql<boolean>`'complaints' = any(roles)`)
        .execute()
    ).length;
    const result: { complaint: string; action: string; audit: number; messages: number }[] = [];
    for (const complaint of complaints) {
      for (const action of OVERDUE_ACTIONS) {
        const what = action.includes('acknowledgement') ? 'acknowledged' : 'responded to';
        const messages = await db()
          .selectFrom('outbox')
          .select('id')
          .where('subject', '=', `Overdue: complaint ${complaint.reference} not ${what}`)
          .execute();
        result.push({
          complaint: complaint.reference,
          action,
          audit: audit.filter((e) => e.entity_id === complaint.id && e.action === action).length,
          // Each firing tells every complaints handler once.
          messages: messages.length / recipients,
        });
      }
    }
    return result;
  }

  const onceEach = (rows: { audit: number; messages: number }[]) =>
    rows.filter((r) => r.audit !== 1 || r.messages !== 1);

  /** What each process says it did: the sweeper logs how many deadlines it acted on. */
  const actedOnBy = (server: ServerProcess) =>
    server
      .logs()
      .filter((line) => line.msg === 'deadlines acted on')
      .reduce((sum, line) => sum + Number(line.done ?? 0), 0);

  it('serves a person signed in through process A from process B, and forgets them everywhere when they sign out', async () => {
    const cookie = await signInThrough(a!, 'complaints');
    const onB = await pageAt(b!, '/complaints', cookie);
    expect(onB.status).toBe(200);
    expect(await onB.text()).toMatch(/Sign out/);
    // A token issued by A works on B too.
    const token = await tokenFrom(a!, 'complaints');
    const apiOnB = await fetch(`${b!.url}/api/complaints`, { headers: { authorization: `Bearer ${token}` } });
    expect(apiOnB.status).toBe(200);

    // Signing out through B ends the session for A as well.
    const page = await pageAt(b!, '/complaints', cookie);
    const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
    // The page made a new form secret for this session; the browser keeps it beside the session.
    const secret = page.headers
      .getSetCookie()
      .map((line) => line.split(';')[0]!)
      .filter((pair) => pair.startsWith('_csrf='));
    const signOut = await fetch(`${b!.url}/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: [cookie, ...secret].join('; '),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(signOut.status).toBe(303);
    const onA = await pageAt(a!, '/complaints', cookie);
    expect([302, 303]).toContain(onA.status);
    expect(onA.headers.get('location')).toMatch(/^\/sign-in/);
  });

  it('acts on each due deadline exactly once while both processes sweep', async () => {
    const inspection = await oldInspection();
    const tokens = { a: await tokenFrom(a!, 'complaints'), b: await tokenFrom(b!, 'complaints') };
    const before = { a: actedOnBy(a!), b: actedOnBy(b!) };
    // Received long ago: both targets (acknowledgement and response) have passed on arrival.
    const complaints = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        n % 2 === 0
          ? recordComplaint(a!, tokens.a, inspection.id, inspection.startDate, `both sweeping ${n}`)
          : recordComplaint(b!, tokens.b, inspection.id, inspection.startDate, `both sweeping ${n}`),
      ),
    );
    await waitUntilActedOn(complaints.map((c) => c.id));
    // A few more sweeps by both, which must find nothing left to do.
    await sleep(3000);
    expect(onceEach(await firings(complaints))).toEqual([]);
    const byA = actedOnBy(a!) - before.a;
    const byB = actedOnBy(b!) - before.b;
    // Demo deadlines may fall due in the same window; every one of these is counted once at least.
    expect(byA + byB).toBeGreaterThanOrEqual(complaints.length * 2);
    figures.bothSweeping = { deadlines: complaints.length * 2, actedOnByA: byA, actedOnByB: byB };
  });

  it('acts once on deadlines scheduled through A when A is killed in the middle of acting on one', async () => {
    const inspection = await oldInspection();
    const token = await tokenFrom(a!, 'complaints');
    const signedInThroughA = await signInThrough(a!, 'complaints');
    const today = new Date().toISOString().slice(0, 10);
    // Scheduled through A and not due for days.
    const complaints: { id: string; reference: string }[] = [];
    for (let n = 0; n < 10; n++)
      complaints.push(await recordComplaint(a!, token, inspection.id, today, `killed while acting ${n}`));
    const ids = complaints.map((c) => c.id);
    expect((await deadlinesOf(ids)).every((d) => d.status === 'pending')).toBe(true);

    // Hold back every new audit entry (each deadline action ends with one), so that whichever process
    // starts acting stops inside the action, its transaction open and the deadline it claimed locked.
    const holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('lock table audit_events in share mode');
      // The days pass: every one of these deadlines falls due.
      await db()
        .updateTable('deadlines')
        .set({ due_at: sql`now() - interval '1 minute'` })
        .where('subject_id', 'in', ids)
        .execute();

      // Wait until both processes are inside an action, each waiting to write its audit entry.
      const until = Date.now() + 120_000;
      for (;;) {
        const waiting = await sql<{ application_name: string }>`
          select application_name from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'relation'
            and query like '%insert into audit_events%'`.execute(db());
        const names = waiting.rows.map((r) => r.application_name);
        if (names.includes('inspectorate-a') && names.includes('inspectorate-b')) break;
        if (Date.now() > until) throw new Error(`both processes never started acting: ${names.join(', ')}`);
        await sleep(100);
      }
      // Each has one deadline claimed: the other rows are free to lock, those two are not.
      const free = await db()
        .transaction()
        .execute((trx) =>
          trx
            .selectFrom('deadlines')
            .select('id')
            .where('subject_id', 'in', ids)
            .forUpdate()
            .skipLocked()
            .execute(),
        );
      expect(free.length).toBe(ids.length * 2 - 2);

      await a!.kill('SIGKILL');
      a = undefined;
    } finally {
      await holder.query('commit').catch(() => undefined);
      await holder.end();
    }

    // The survivor acts on everything, including the deadline A had claimed when it died.
    await waitUntilActedOn(ids);
    await sleep(3000);
    expect(onceEach(await firings(complaints))).toEqual([]);

    // The survivor still serves the person who signed in through the process that died.
    const onB = await pageAt(b!, '/complaints', signedInThroughA);
    expect(onB.status).toBe(200);

    // A restarted A finds nothing left to do and does nothing twice.
    a = await start('a');
    await sleep(3000);
    expect(onceEach(await firings(complaints))).toEqual([]);
    figures.killedWhileActing = { deadlines: ids.length * 2, claimedWhenKilled: 1 };
  });
});
