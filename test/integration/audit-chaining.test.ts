import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH } from '../../src/audit/chain.js';
import {
  chainWaitingEntries,
  recordAudit,
  verifyAuditTrail,
  type AuditEvent,
} from '../../src/audit/store.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateTo, migrateToLatest } from '../../src/db/migrate.js';
import { startTestApp, type TestApp } from '../support/app.js';
import {
  databaseKinds,
  openTestDatabase,
  TEST_DATABASE_URL,
  type TestDatabase,
} from '../support/databases.js';

/**
 * Audited writes only record their entries; entries join the hash chain after they commit, in the order
 * the chainer finds them. These check that nothing is left out of the chain and that it still verifies.
 */

const kinds = await databaseKinds();

const event = (entityId: string, after: unknown = { entityId }): AuditEvent => ({
  actorId: null,
  action: 'test.chaining',
  entityType: 'test',
  entityId,
  before: null,
  after,
});

describe.each(kinds)('chaining audit entries after commit (%s)', (kind) => {
  let t: TestDatabase;
  const db = () => t.database.db;
  const entryOf = (entityId: string) =>
    db()
      .selectFrom('audit_events')
      .select(['id', 'hash', 'chain_seq'])
      .where('entity_id', '=', entityId)
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await openTestDatabase(kind);
  }, 60_000);

  afterAll(async () => {
    await t?.dispose();
  });

  it('chains both of two concurrent audited writes, with two chainers at work, and the chain verifies', async () => {
    await Promise.all(
      ['one', 'two'].map((id) =>
        db()
          .transaction()
          .execute((trx) => recordAudit(trx, event(id))),
      ),
    );
    const results = await Promise.all([chainWaitingEntries(db()), chainWaitingEntries(db())]);
    expect(results.reduce((sum, r) => sum + r.chained, 0)).toBe(2);
    for (const id of ['one', 'two']) {
      const entry = await entryOf(id);
      expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.chain_seq).not.toBeNull();
    }
    expect(await verifyAuditTrail(db(), 5000, { chainFirst: false })).toEqual({
      ok: true,
      entries: 2,
      waiting: 0,
    });
  });

  // The embedded database has one session, so its transactions cannot overlap.
  it.runIf(kind === 'postgres')(
    'lets an audited write commit while another is still open, and chains them in the order they committed',
    async () => {
      let written!: () => void;
      let finish!: () => void;
      const firstWritten = new Promise<void>((resolve) => (written = resolve));
      const mayFinish = new Promise<void>((resolve) => (finish = resolve));
      const first = db()
        .transaction()
        .execute(async (trx) => {
          await recordAudit(trx, event('open-first'));
          written();
          await mayFinish;
        });
      await firstWritten;
      // With one lock held by every audited write until its commit, this would wait for the first.
      await db()
        .transaction()
        .execute((trx) => recordAudit(trx, event('committed-second')));
      await chainWaitingEntries(db());
      finish();
      await first;
      await chainWaitingEntries(db());

      const opened = await entryOf('open-first');
      const committed = await entryOf('committed-second');
      expect(opened.id).toBeLessThan(committed.id);
      expect(committed.chain_seq).toBeLessThan(opened.chain_seq!);
      expect(await verifyAuditTrail(db())).toMatchObject({ ok: true, waiting: 0 });
    },
  );

  it('verifies entries whatever JSON they record, as the database stores it', async () => {
    // jsonb refuses the NUL character, so no audited value can hold one.
    const recordable = fc
      .jsonValue({ stringUnit: 'grapheme', maxDepth: 3 })
      .filter((v) => !JSON.stringify(v).includes('\\u0000'));
    await fc.assert(
      fc.asyncProperty(recordable, recordable, async (before, after) => {
        await db()
          .transaction()
          .execute((trx) => recordAudit(trx, { ...event('json'), before, after }));
        expect(await verifyAuditTrail(db())).toMatchObject({ ok: true, waiting: 0 });
      }),
      { numRuns: 25 },
    );
  }, 60_000);
});

describe.each(kinds)('entries chained before migration 0017 (%s)', (kind) => {
  let old: Database;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    // Migrated only as far as the migration before, as an existing database would be.
    if (kind === 'embedded') {
      old = await openDatabase({ databaseUrl: null, dataDir: 'memory://' });
      dispose = () => old.close();
    } else {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      old = await openDatabase({ databaseUrl: TEST_DATABASE_URL, dataDir: '', schema, poolSize: 2 });
      dispose = async () => {
        await old.close();
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`drop schema if exists "${schema}" cascade`);
        await admin.end();
      };
    }
    await migrateTo(old, '0016_provider_search_index');
  }, 60_000);

  afterAll(async () => {
    await dispose?.();
  });

  it('keep their hashes and their order, and new entries are chained after them', async () => {
    const db = old.db;
    // Written and chained as the writer before 0017 did: in id order, each hash over the one before.
    for (let i = 0; i < 5; i++) {
      await sql`insert into audit_events (action, entity_type, entity_id, after)
        values ('test.before-0017', 'test', ${`old${i}`}, ${JSON.stringify({ i })}::jsonb)`.execute(db);
    }
    const rows = await db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    let previous = GENESIS_HASH;
    const hashes: string[] = [];
    for (const row of rows) {
      previous = entryHash(previous, {
        id: Number(row.id),
        at: new Date(row.at),
        actorId: row.actor_id,
        action: row.action,
        entityType: row.entity_type,
        entityId: row.entity_id,
        before: row.before,
        after: row.after,
      });
      hashes.push(previous);
      await sql`update audit_events set hash = ${previous} where id = ${row.id}`.execute(db);
    }

    expect(await migrateToLatest(old)).toContain('0017_audit_chain_after_commit');
    const migrated = await db
      .selectFrom('audit_events')
      .select(['hash', 'chain_seq'])
      .orderBy('id')
      .execute();
    expect(migrated).toEqual(hashes.map((hash, i) => ({ hash, chain_seq: i + 1 })));

    await db.transaction().execute((trx) => recordAudit(trx, event('after-0017')));
    expect(await verifyAuditTrail(db)).toEqual({ ok: true, entries: 6, waiting: 0 });
  });
});

describe.each(kinds)('chaining behind the service (%s)', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(kind);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('chains an entry a request recorded soon after the response, with nothing else asked of it', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { authorization: `Bearer ${await t.tokenFor('planner')}` },
      payload: {
        urn: 'SC999017',
        name: 'Chained House',
        type: 'childrens-home',
        sector: 'private',
        addressLine1: '1 Link Lane',
        town: 'Leeds',
        postcode: 'LS1 4AB',
        localAuthority: 'Leeds',
        region: 'Yorkshire and The Humber',
        places: 3,
        registeredOn: '2024-01-10',
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = (response.json() as { id: string }).id;
    const entry = () =>
      t.db
        .selectFrom('audit_events')
        .select(['hash', 'chain_seq'])
        .where('entity_type', '=', 'provider')
        .where('entity_id', '=', id)
        .executeTakeFirstOrThrow();
    // Generous: the point is that it happens without anything else running, not how fast.
    const until = Date.now() + 30_000;
    while ((await entry()).hash === null && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await entry()).hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyAuditTrail(t.db, 5000, { chainFirst: false })).toMatchObject({ ok: true });
  });
});
