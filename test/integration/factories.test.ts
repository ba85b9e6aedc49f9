import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditTrail } from '../../src/audit/store.js';
import { findInspection } from '../../src/inspections/store.js';
import { findPerson } from '../../src/people/store.js';
import { findProvider } from '../../src/providers/store.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/databases.js';
import { anInspectionOnSite, aPerson, aProvider } from '../support/factories.js';

/** The copies each test file starts from, and the factories that add only the rows a test needs. */

const kinds = await databaseKinds();

describe.each(kinds)('test databases and factories (%s)', (kind) => {
  let t: TestDatabase;
  const db = () => t.database.db;
  const count = async (table: 'people' | 'providers' | 'inspections') =>
    Number(
      (
        await db()
          .selectFrom(table)
          .select((q) => q.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await openTestDatabase(kind);
  });
  afterAll(async () => t?.dispose());

  it('starts from a migrated database with no rows, which is this file’s alone', async () => {
    expect(await count('people')).toBe(0);
    expect(await count('providers')).toBe(0);
    const other = await openTestDatabase(kind);
    try {
      await aPerson(other.database.db, { role: 'manager' });
      expect(await count('people')).toBe(0);
    } finally {
      await other.dispose();
    }
  });

  it('makes an inspection on site with its lead inspector, and nothing else', async () => {
    const made = await anInspectionOnSite(db(), { startDate: '2025-06-02', endDate: '2025-06-03' });
    const inspection = await findInspection(db(), made.id);
    expect(inspection).toMatchObject({
      status: 'on-site',
      provider: { id: made.providerId, type: 'childrens-home' },
      leadInspector: { id: made.leadInspectorId },
      startDate: '2025-06-02',
      endDate: '2025-06-03',
    });
    expect((await findPerson(db(), made.leadInspectorId))?.roles).toEqual(['inspector']);
    expect((await findPerson(db(), made.plannerId))?.roles).toEqual(['planner']);
    expect([await count('people'), await count('providers'), await count('inspections')]).toEqual([2, 1, 1]);
    // Written through the stores, so audited like any other change.
    expect(await verifyAuditTrail(db())).toMatchObject({ ok: true, waiting: 0 });
  });

  it('makes people and providers as asked, each with a new URN and email', async () => {
    const planner = await aPerson(db(), { role: 'planner' });
    const first = await aProvider(db(), { plannerId: planner.id, type: 'residential-family-centre' });
    const second = await aProvider(db(), { plannerId: planner.id, places: 5 });
    expect(first.urn).not.toBe(second.urn);
    expect(await findProvider(db(), first.id)).toMatchObject({ type: 'residential-family-centre' });
    expect(await findProvider(db(), second.id)).toMatchObject({ type: 'childrens-home', places: 5 });
    const provider = await aPerson(db(), { role: 'provider', providerIds: [first.id] });
    const person = await findPerson(db(), provider.id);
    expect(person).toMatchObject({ roles: ['provider'], providerIds: [first.id] });
  });
});
