import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMigrations, migrationNames } from './migrate.js';

describe('the migrations read from their folder', () => {
  it('are named after their files, in the order the names sort, and numbered without a gap', () => {
    expect(migrationNames[0]).toBe('0001_foundation');
    expect(migrationNames).toContain('0021_statistics_summaries_bulk_load');
    expect([...migrationNames].sort()).toEqual(migrationNames);
    expect(migrationNames.map((name) => Number(name.slice(0, 4)))).toEqual(
      migrationNames.map((_, i) => i + 1),
    );
  });

  it('leave out no file of the folder (a misnamed one would never run)', () => {
    const files = fs
      .readdirSync(new URL('./migrations/', import.meta.url))
      .filter((f) => !f.endsWith('.test.ts'));
    expect(files.map((file) => file.replace(/\.ts$/, '')).sort()).toEqual(migrationNames);
  });

  it('each export their statements as the default', async () => {
    const loaded = await loadMigrations();
    expect(loaded.map(([name]) => name)).toEqual(migrationNames);
    for (const [, migration] of loaded) {
      expect(migration.up.length).toBeGreaterThan(0);
      for (const statement of migration.up) expect(typeof statement).toBe('string');
    }
  });
});
