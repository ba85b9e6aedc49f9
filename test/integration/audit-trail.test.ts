import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordAudit, verifyAuditTrail } from '../../src/audit/store.js';
import { runCli } from '../../src/cli/main.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';

const kinds = await databaseKinds();

describe.each(kinds)('the tamper-evident audit trail (%s)', (kind) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await openTestDatabase(kind);
    await seedDemoData(t.database.db, 'demo-password-for-tests', { afterInspection: true });
  }, 180_000);

  afterAll(async () => {
    await t?.dispose();
  });

  const db = () => t.database.db;
  const lastId = async () =>
    Number(
      (await db().selectFrom('audit_events').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id,
    );

  it('verifies every entry the demo wrote, once they are chained', async () => {
    // The demo's writes only recorded their entries: they wait to be chained, which is not a break.
    const unchained = await verifyAuditTrail(db(), 50, { chainFirst: false });
    expect(unchained).toMatchObject({ ok: true, entries: 0 });
    expect(unchained.waiting).toBeGreaterThan(50);
    const check = await verifyAuditTrail(db(), 50);
    expect(check).toMatchObject({ ok: true, waiting: 0, entries: unchained.waiting });
  });

  it('chains entries written by concurrent transactions in one order', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db()
          .transaction()
          .execute((trx) =>
            recordAudit(trx, {
              actorId: null,
              action: 'test.concurrent',
              entityType: 'test',
              entityId: `t${i}`,
              before: null,
              after: { i },
            }),
          ),
      ),
    );
    expect((await verifyAuditTrail(db())).ok).toBe(true);
  });

  it('counts entries waiting to be chained, and reports one that has waited too long', async () => {
    const event = (i: number) => ({
      actorId: null,
      action: 'test.waiting',
      entityType: 'test',
      entityId: `w${i}`,
      before: null,
      after: { i },
    });
    await db()
      .transaction()
      .execute((trx) => recordAudit(trx, event(1)));
    await db()
      .transaction()
      .execute((trx) => recordAudit(trx, event(2)));
    expect(await verifyAuditTrail(db(), 5000, { chainFirst: false })).toMatchObject({ ok: true, waiting: 2 });

    // As if chaining had been failing since this entry was recorded, a quarter of an hour ago.
    await sql`insert into audit_events (at, action, entity_type, entity_id)
      values (now() - interval '15 minutes', 'test.waiting', 'test', 'w3')`.execute(db());
    const stale = await lastId();
    expect(await verifyAuditTrail(db(), 5000, { chainFirst: false })).toMatchObject({
      ok: false,
      waiting: 3,
      brokenAt: stale,
      reason: expect.stringMatching(/waited more than 10 minutes to be chained/) as unknown,
    });
    expect(await verifyAuditTrail(db())).toMatchObject({ ok: true, waiting: 0 });
  });

  it('refuses to change or delete an audit entry, evidence or a judgement', async () => {
    const id = await lastId();
    await expect(
      db().updateTable('audit_events').set({ action: 'rewritten' }).where('id', '=', id).execute(),
    ).rejects.toThrow(/cannot be changed or deleted/);
    // Nor chained a second time, somewhere else in the chain.
    await expect(
      db()
        .updateTable('audit_events')
        .set({ hash: '0'.repeat(64), chain_seq: 1_000_000 })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/cannot be changed or deleted/);
    await expect(db().deleteFrom('audit_events').where('id', '=', id).execute()).rejects.toThrow(
      /cannot be changed or deleted/,
    );
    await expect(db().updateTable('evidence').set({ summary: 'rewritten' }).execute()).rejects.toThrow(
      /new version/,
    );
    await expect(db().deleteFrom('judgements').execute()).rejects.toThrow(/new version/);
    expect((await verifyAuditTrail(db())).ok).toBe(true);
  });

  it('names the first broken link when someone with the database’s keys rewrites or removes an entry', async () => {
    const entries = await db().selectFrom('audit_events').select('id').orderBy('chain_seq').execute();
    const changed = Number(entries[10]!.id);
    const removed = Number(entries[20]!.id);
    const afterRemoved = Number(entries[21]!.id);
    // Only the owner of the database can switch the guard off; this is the attack the chain detects.
    await sql`alter table audit_events disable trigger audit_events_append_only`.execute(db());
    try {
      await db().deleteFrom('audit_events').where('id', '=', removed).execute();
      expect(await verifyAuditTrail(db())).toMatchObject({ ok: false, brokenAt: afterRemoved });
      // Made to look as if it were still waiting, the entry is chained again at the end, and the link
      // after its old place is still broken.
      await db()
        .updateTable('audit_events')
        .set({ hash: null, chain_seq: null })
        .where('id', '=', afterRemoved)
        .execute();
      expect(await verifyAuditTrail(db())).toMatchObject({ ok: false, brokenAt: Number(entries[22]!.id) });
      await db()
        .updateTable('audit_events')
        .set({ after: JSON.stringify({ name: 'A different home' }) })
        .where('id', '=', changed)
        .execute();
      expect(await verifyAuditTrail(db(), 7)).toMatchObject({ ok: false, brokenAt: changed });
    } finally {
      await sql`alter table audit_events enable trigger audit_events_append_only`.execute(db());
    }
  });
});

describe('inspectorate audit verify', () => {
  let dir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inspectorate-audit-'));
  });

  afterAll(async () => {
    process.env = env;
    await rm(dir, { recursive: true, force: true });
  });

  it('reports an intact trail on the embedded database', async () => {
    // Only what an operator would set: the test runner's own variables (BASE_URL is one) are left out.
    process.env = { PATH: env.PATH, DATA_DIR: dir, LOG_LEVEL: 'silent' };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['migrate']), err.mock.calls.map((c) => String(c[0])).join('')).toBe(0);
      expect(await runCli(['audit', 'verify'])).toBe(0);
      expect(out.mock.calls.map((call) => String(call[0])).join('')).toMatch(
        /Audit trail intact: 0 entries verified/,
      );
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }, 60_000);
});
