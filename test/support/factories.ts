import { randomBytes } from 'node:crypto';
import { systemClock, today } from '../../src/clock.js';
import type { Db } from '../../src/db/database.js';
import { createInspection, moveInspection } from '../../src/inspections/store.js';
import { hashPassword } from '../../src/people/passwords.js';
import type { Role } from '../../src/people/rules.js';
import { createPerson } from '../../src/people/store.js';
import type { ProviderInput } from '../../src/providers/rules.js';
import { createProvider } from '../../src/providers/store.js';

/**
 * The few rows a test needs, built through each capability's own functions (so with their checks and
 * audit entries), on an empty database from `openTestDatabase` or beside the demo data. Every name, URN
 * and email is new each time, so a test can make as many as it likes.
 */

const unique = () => randomBytes(4).toString('hex');

// URNs from SC900000 up, above the demo register's, counted on from a random start.
let nextUrn = 900_000 + Math.floor(Math.random() * 90_000);

export interface PersonMade {
  id: string;
  email: string;
}

/**
 * A person with one role (or several). Without a password the account cannot sign in, and no time is
 * spent hashing one.
 */
export async function aPerson(
  db: Db,
  options: { role?: Role; roles?: Role[]; name?: string; password?: string; providerIds?: string[] } = {},
): Promise<PersonMade> {
  const roles = options.roles ?? [options.role ?? 'inspector'];
  const email = `${roles[0]}.${unique()}@factory.invalid`;
  const id = await createPerson(db, {
    email,
    name: options.name ?? `Made ${roles.join(' and ')}`,
    passwordHash: options.password ? await hashPassword(options.password) : '',
    roles,
    ...(options.providerIds ? { providerIds: options.providerIds } : {}),
  });
  return { id, email };
}

/** A registered children's home unless told otherwise, written by the planner given (or a new one). */
export async function aProvider(
  db: Db,
  overrides: Partial<ProviderInput> & { plannerId?: string } = {},
): Promise<{ id: string; urn: string; plannerId: string }> {
  const { plannerId = (await aPerson(db, { role: 'planner' })).id, ...fields } = overrides;
  const urn = `SC${nextUrn++}`;
  const provider = await createProvider(
    db,
    plannerId,
    {
      urn,
      name: `Made home ${urn}`,
      type: 'childrens-home',
      sector: 'private',
      addressLine1: '1 Factory Lane',
      addressLine2: null,
      town: 'Leeds',
      postcode: 'LS1 4AB',
      localAuthority: 'Leeds',
      region: 'Yorkshire and The Humber',
      places: 3,
      status: 'registered',
      ownerGroupId: null,
      registeredOn: '2020-01-06',
      ...fields,
    },
    today(systemClock),
  );
  return { id: provider.id, urn: provider.urn, plannerId };
}

export interface InspectionMade {
  id: string;
  providerId: string;
  leadInspectorId: string;
  plannerId: string;
}

/**
 * A full inspection of a children's home, planned by a planner and started by its lead inspector, so
 * that it is on site. Whatever is not given is made: the planner, the home, the lead inspector.
 */
export async function anInspectionOnSite(
  db: Db,
  given: {
    plannerId?: string;
    providerId?: string;
    leadInspectorId?: string;
    startDate?: string;
    endDate?: string;
  } = {},
): Promise<InspectionMade> {
  const plannerId = given.plannerId ?? (await aPerson(db, { role: 'planner' })).id;
  const providerId = given.providerId ?? (await aProvider(db, { plannerId })).id;
  const leadInspectorId = given.leadInspectorId ?? (await aPerson(db, { role: 'inspector' })).id;
  const startDate = given.startDate ?? '2025-06-02';
  const id = await createInspection(db, plannerId, {
    providerId,
    frameworkId: 'childrens-homes',
    type: 'full',
    notice: 'none',
    startDate,
    endDate: given.endDate ?? startDate,
    leadInspectorId,
    team: [],
  });
  await moveInspection(db, leadInspectorId, id, 'on-site');
  return { id, providerId, leadInspectorId, plannerId };
}
