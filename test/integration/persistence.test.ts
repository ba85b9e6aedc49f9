import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest, migrationNames } from '../../src/db/migrate.js';
import { seedDemoData } from '../../src/demo/seed.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspectorate-data-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('the embedded database in DATA_DIR', () => {
  it('keeps its data across restarts, migrates once and seeds the demo data once', async () => {
    const first = await openDatabase({ databaseUrl: null, dataDir });
    expect(await migrateToLatest(first)).toEqual(migrationNames);
    expect(migrationNames[0]).toBe('0001_foundation');
    expect(await seedDemoData(first.db, 'a-demo-password')).toBe(true);
    const providers = (await first.db.selectFrom('providers').select('id').execute()).length;
    await first.close();

    const second = await openDatabase({ databaseUrl: null, dataDir });
    expect(await migrateToLatest(second)).toEqual([]);
    expect(await seedDemoData(second.db, 'a-demo-password')).toBe(false);
    expect((await second.db.selectFrom('providers').select('id').execute()).length).toBe(providers);
    expect(providers).toBeGreaterThanOrEqual(36);
    const people = await second.db.selectFrom('people').select(['email', 'roles']).orderBy('email').execute();
    expect(people.map((p) => p.email)).toEqual([
      'adjudicator@demo.invalid',
      'admin@demo.invalid',
      'analyst@demo.invalid',
      'complaints@demo.invalid',
      'inspector@demo.invalid',
      'manager@demo.invalid',
      'planner@demo.invalid',
      'provider@demo.invalid',
      // Sent the other homes' demo notifications; it has no usable password, so nobody signs in as it.
      'registered-manager.other-homes@demo.invalid',
      'reviewer@demo.invalid',
    ]);
    // The demo holds a case at every stage after an inspection.
    const reports = await second.db.selectFrom('reports').select(['status', 'response_due']).execute();
    expect(reports.map((r) => r.status).sort()).toEqual(['draft', 'draft', 'draft', 'published']);
    const complaints = await second.db
      .selectFrom('complaints')
      .select(['closed_at', 'escalated_at'])
      .execute();
    expect(complaints.filter((c) => c.closed_at === null)).toHaveLength(1);
    expect(complaints.filter((c) => c.escalated_at !== null)).toHaveLength(1);
    await second.close();
  });
});
