import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../src/audit/store.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import {
  createScratchDatabase,
  killAllChildren,
  runCommand,
  startServerProcess,
  tokenFrom,
  type ScratchDatabase,
  type ServerProcess,
} from '../support/child-server.js';
import { databaseKinds, type DatabaseKind } from '../support/databases.js';

/**
 * Crash safety: the real service, as its own process, is killed with SIGKILL while writes are in
 * flight, then started again on the same database. Every write it acknowledged (201 with an id) must
 * be there, and nothing may be half-written: each record has exactly its audit entry, no audit entry
 * lacks its record, and the audit trail's hash chain verifies.
 */

const kinds = await databaseKinds();

/** Kills per database, and writes acknowledged before each kill. */
const KILLS = 3;
const WRITES_PER_ROUND = 250;
/** Requests in flight at once: evidence on the inspection on site, and new providers on the register. */
const EVIDENCE_WRITERS = 8;
const PROVIDER_WRITERS = 4;

interface Round {
  acknowledgedEvidence: string[];
  acknowledgedProviders: string[];
  /** Requests that had been sent but never answered: the process died under them. */
  cutOff: number;
  refused: string[];
}

const figures: Record<string, unknown>[] = [];

afterAll(async () => {
  await killAllChildren();
  if (figures.length) console.info('crash safety figures', JSON.stringify(figures, null, 2));
});

describe.each(kinds)('killed with SIGKILL under load (%s database)', (kind: DatabaseKind) => {
  let scratch: ScratchDatabase | undefined;
  let dataDir: string | undefined;
  let server: ServerProcess | undefined;
  let inspectionId: string;
  const rounds: Round[] = [];
  let urnCounter = 0;

  const env = (): Record<string, string> =>
    kind === 'postgres'
      ? { DATABASE_URL: scratch!.url, DEMO_DATA: '1', LOG_LEVEL: 'warn' }
      : { DATA_DIR: dataDir!, LOG_LEVEL: 'warn' };
  /** Seconds each start took to become healthy (reported, not asserted). */
  const startSeconds: number[] = [];
  const start = async (name: string) => {
    const began = Date.now();
    const started = await startServerProcess(`${kind} ${name}`, env());
    startSeconds.push(Math.round((Date.now() - began) / 100) / 10);
    return started;
  };

  beforeAll(async () => {
    if (kind === 'postgres') scratch = await createScratchDatabase('crash');
    else dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-crash-'));
  }, 60_000);

  afterAll(async () => {
    await server?.kill();
    await scratch?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  /** Drives writes at full speed and kills the process once enough have been acknowledged. */
  async function loadAndKill(target: ServerProcess, round: number): Promise<Round> {
    const inspector = await tokenFrom(target, 'inspector');
    const planner = await tokenFrom(target, 'planner');
    const result: Round = { acknowledgedEvidence: [], acknowledgedProviders: [], cutOff: 0, refused: [] };
    let killing: Promise<void> | undefined;
    let sent = 0;
    const acknowledged = () => result.acknowledgedEvidence.length + result.acknowledgedProviders.length;

    const post = async (url: string, token: string, body: unknown, into: string[]) => {
      sent++;
      let response: Response;
      try {
        response = await fetch(`${target.url}${url}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      } catch {
        // The connection died: the write may or may not have committed, and nobody was told it had.
        result.cutOff++;
        return false;
      }
      let text: string;
      try {
        text = await response.text();
      } catch {
        result.cutOff++;
        return false;
      }
      if (response.status === 201) {
        into.push((JSON.parse(text) as { id: string }).id);
        if (acknowledged() >= WRITES_PER_ROUND) killing ??= target.kill('SIGKILL');
      } else {
        result.refused.push(`${response.status} ${text.slice(0, 200)}`);
      }
      return true;
    };

    const evidenceWriter = async () => {
      while (!killing) {
        const n = sent;
        await post(
          `/api/inspections/${inspectionId}/evidence`,
          inspector,
          { source: 'observation', summary: `Crash test round ${round}, write ${n}` },
          result.acknowledgedEvidence,
        );
      }
      // Keep one more request going into the kill, so that the kill lands on writes in flight.
      while (
        await post(
          `/api/inspections/${inspectionId}/evidence`,
          inspector,
          { source: 'staff', summary: `Crash test round ${round}, after the kill` },
          result.acknowledgedEvidence,
        )
      );
    };
    const providerWriter = async () => {
      const write = () => {
        const urn = `SC${900000 + urnCounter++}`;
        return post(
          '/api/providers',
          planner,
          {
            urn,
            name: `Crash test home ${urn}`,
            type: 'childrens-home',
            sector: 'private',
            addressLine1: '1 Test Street',
            town: 'Leeds',
            postcode: 'LS1 4AB',
            localAuthority: 'Leeds',
            region: 'Yorkshire and The Humber',
            places: 3,
            registeredOn: '2024-01-10',
          },
          result.acknowledgedProviders,
        );
      };
      while (!killing) await write();
      while (await write());
    };

    await Promise.all([
      ...Array.from({ length: EVIDENCE_WRITERS }, evidenceWriter),
      ...Array.from({ length: PROVIDER_WRITERS }, providerWriter),
    ]);
    await killing;
    return result;
  }

  /** What a user would check after the restart: every acknowledged record is there to read. */
  async function readBack(target: ServerProcess, round: Round) {
    const inspector = await tokenFrom(target, 'inspector');
    const planner = await tokenFrom(target, 'planner');
    const record = await fetch(`${target.url}/api/inspections/${inspectionId}`, {
      headers: { authorization: `Bearer ${inspector}` },
    });
    expect(record.status).toBe(200);
    const shown = new Set(
      ((await record.json()) as { evidence: { id: string }[] }).evidence.map((e) => e.id),
    );
    const missingEvidence = round.acknowledgedEvidence.filter((id) => !shown.has(id));
    expect(missingEvidence).toEqual([]);
    const missingProviders: string[] = [];
    for (const id of round.acknowledgedProviders) {
      const response = await fetch(`${target.url}/api/providers/${id}`, {
        headers: { authorization: `Bearer ${planner}` },
      });
      if (response.status !== 200) missingProviders.push(`${id}: ${response.status}`);
    }
    expect(missingProviders).toEqual([]);
  }

  it(
    `keeps every acknowledged write through ${KILLS} kills, with nothing half-written`,
    async () => {
      server = await start('first start');
      const inspector = await tokenFrom(server, 'inspector');
      const list = await fetch(`${server.url}/api/inspections?status=on-site&mine=true`, {
        headers: { authorization: `Bearer ${inspector}` },
      });
      const onSite = ((await list.json()) as { items: { id: string }[] }).items;
      expect(onSite.length).toBeGreaterThan(0);
      inspectionId = onSite[0]!.id;

      for (let round = 1; round <= KILLS; round++) {
        const result = await loadAndKill(server, round);
        rounds.push(result);
        // The load was real and the kill landed on it: writes were acknowledged and others cut off.
        expect(result.refused).toEqual([]);
        expect(
          result.acknowledgedEvidence.length + result.acknowledgedProviders.length,
        ).toBeGreaterThanOrEqual(WRITES_PER_ROUND);
        expect(result.cutOff).toBeGreaterThan(0);

        server = await start(`restart after kill ${round}`);
        for (const earlier of rounds) await readBack(server, earlier);
      }
      // A clean stop, so that the embedded database can be opened by this test and by the command line.
      await server.kill('SIGTERM');
      server = undefined;

      const verify = await runCommand(['audit', 'verify'], env());
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/Audit trail intact/);

      const database: Database = await openDatabase(
        kind === 'postgres'
          ? { databaseUrl: scratch!.url, dataDir: '' }
          : { databaseUrl: null, dataDir: dataDir! },
      );
      try {
        const db = database.db;
        const acknowledgedEvidence = rounds.flatMap((r) => r.acknowledgedEvidence);
        const acknowledgedProviders = rounds.flatMap((r) => r.acknowledgedProviders);

        const evidenceRows = await db
          .selectFrom('evidence')
          .select('id')
          .where('inspection_id', '=', inspectionId)
          .where('summary', 'like', 'Crash test round %')
          .execute();
        const evidenceIds = new Set(evidenceRows.map((r) => r.id));
        expect(acknowledgedEvidence.filter((id) => !evidenceIds.has(id))).toEqual([]);

        const providerRows = await db
          .selectFrom('providers')
          .select('id')
          .where('name', 'like', 'Crash test home %')
          .execute();
        const providerIds = new Set(providerRows.map((r) => r.id));
        expect(acknowledgedProviders.filter((id) => !providerIds.has(id))).toEqual([]);

        // Nothing half-written: one audit entry for each record, and no entry for a record that is not there.
        const evidenceAudit = await db
          .selectFrom('audit_events')
          .select(sql<string>`after->>'evidenceId'`.as('evidence_id'))
          .where('action', '=', 'evidence.recorded')
          .where('entity_id', '=', inspectionId)
          .where(sql<boolean>`after->>'summary' like 'Crash test round %'`)
          .execute();
        expect(evidenceAudit.map((a) => a.evidence_id).sort()).toEqual([...evidenceIds].sort());

        const providerAudit = await db
          .selectFrom('audit_events')
          .select('entity_id')
          .where('action', '=', 'provider.created')
          .where(sql<boolean>`after->>'name' like 'Crash test home %'`)
          .execute();
        expect(providerAudit.map((a) => a.entity_id).sort()).toEqual([...providerIds].sort());

        const chain = await verifyAuditTrail(db);
        expect(chain.ok).toBe(true);

        figures.push({
          database: kind,
          kills: KILLS,
          acknowledged: acknowledgedEvidence.length + acknowledgedProviders.length,
          committed: evidenceIds.size + providerIds.size,
          cutOff: rounds.reduce((sum, r) => sum + r.cutOff, 0),
          auditEntriesVerified: chain.entries,
          startSeconds,
        });
      } finally {
        await database.close();
      }
    },
    15 * 60_000,
  );
});
