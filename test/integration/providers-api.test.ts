import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { startTestApp, type TestApp } from '../support/app.js';

const kinds = await databaseKinds();

const validProvider = {
  urn: 'SC999001',
  name: 'Kestrel House',
  type: 'childrens-home',
  sector: 'private',
  addressLine1: '12 Orchard Lane',
  town: 'Leeds',
  postcode: 'ls1 4ab',
  localAuthority: 'Leeds',
  region: 'Yorkshire and The Humber',
  places: 4,
  registeredOn: '2023-05-09',
};

describe.each(kinds)('providers API on the %s database', (kind) => {
  let t: TestApp;
  const auth = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const count = async () =>
    Number(
      (
        await t.db
          .selectFrom('providers')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const auditCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  it('lets a planner register a provider, normalising the postcode, and records who did it', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: await auth('planner'),
      payload: validProvider,
    });
    expect(response.statusCode).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      urn: 'SC999001',
      postcode: 'LS1 4AB',
      status: 'registered',
      version: 1,
      ownerGroup: null,
    });
    expect(response.headers.location).toBe(`/api/providers/${created.id}`);

    const history = await t.app.inject({
      url: `/api/providers/${created.id}/history`,
      headers: await auth('manager'),
    });
    expect(history.statusCode).toBe(200);
    expect(history.json()[0]).toMatchObject({ action: 'provider.created', actor: { name: 'Demo planner' } });
  });

  it('finds providers by part of the name, filters by type and pages through the register', async () => {
    const headers = await auth('inspector');
    const found = (await t.app.inject({ url: '/api/providers?q=kestrel', headers })).json();
    expect(found.items.map((p: { name: string }) => p.name)).toEqual(['Kestrel House']);

    const page1 = (await t.app.inject({ url: '/api/providers?pageSize=10', headers })).json();
    const page2 = (await t.app.inject({ url: '/api/providers?pageSize=10&page=2', headers })).json();
    expect(page1.total).toBeGreaterThan(40);
    expect(page1.totalPages).toBe(Math.ceil(page1.total / 10));
    expect(page1.items).toHaveLength(10);
    const names1 = page1.items.map((p: { name: string }) => p.name);
    const names2 = page2.items.map((p: { name: string }) => p.name);
    expect(names1.filter((n: string) => names2.includes(n))).toEqual([]);
    expect([...names1].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))).toEqual(names1);

    const agencies = (
      await t.app.inject({ url: '/api/providers?type=independent-fostering-agency', headers })
    ).json();
    expect(agencies.total).toBe(3);
    expect(agencies.items.every((p: { type: string }) => p.type === 'independent-fostering-agency')).toBe(
      true,
    );

    const past = (await t.app.inject({ url: '/api/providers?page=999', headers })).json();
    expect(past.items).toEqual([]);
    expect(past.total).toBe(page1.total);
  });

  it('finds a provider by any part of its URN, town, postcode or local authority, but not across two of them', async () => {
    const headers = await auth('inspector');
    const kestrel = (await t.app.inject({ url: '/api/providers?q=kestrel', headers })).json().items[0];
    const search = async (q: string) =>
      (await t.app.inject({ url: `/api/providers?pageSize=100&q=${encodeURIComponent(q)}`, headers }))
        .json()
        .items.map((p: { id: string }) => p.id);
    for (const field of ['urn', 'town', 'postcode', 'localAuthority'] as const) {
      const value = String(kestrel[field]);
      expect(await search(value.slice(1, -1).toLowerCase()), field).toContain(kestrel.id);
    }
    // The end of the name and the start of the URN are next to each other in no field.
    expect(await search(`${kestrel.name.slice(-3)}${kestrel.urn.slice(0, 3)}`)).not.toContain(kestrel.id);
    expect(await search(`${kestrel.name.slice(-3)} ${kestrel.urn.slice(0, 3)}`)).not.toContain(kestrel.id);
  });

  it('treats search text literally, including SQL wildcards', async () => {
    const response = await t.app.inject({ url: '/api/providers?q=%25', headers: await auth('inspector') });
    expect(response.json().total).toBe(0);
  });

  it('refuses bad input with every field named, and writes nothing', async () => {
    const [before, auditBefore] = [await count(), await auditCount()];
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: await auth('planner'),
      payload: {
        ...validProvider,
        urn: 'ABC',
        places: 'four',
        postcode: 'nowhere',
        registeredOn: '2023-02-30',
        type: 'castle',
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json();
    expect(problem).toMatchObject({ status: 400, title: 'Invalid request' });
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['places', 'postcode', 'registeredOn', 'type', 'urn'].sort(),
    );
    expect(await count()).toBe(before);
    expect(await auditCount()).toBe(auditBefore);
  });

  it('refuses a second provider with the same reference number', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: await auth('manager'),
      payload: { ...validProvider, name: 'Another', urn: 'sc999001' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { field: 'urn', message: 'Unique reference number SC999001 is already registered' },
    ]);
  });

  it('lets only planners and managers change the register', async () => {
    const before = await count();
    for (const role of ['inspector', 'complaints', 'analyst', 'provider', 'adjudicator', 'reviewer']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/providers',
        headers: await auth(role),
        payload: { ...validProvider, urn: 'SC999002' },
      });
      expect(response.statusCode, role).toBe(403);
    }
    expect(await count()).toBe(before);
    const signedOut = await t.app.inject({ method: 'POST', url: '/api/providers', payload: validProvider });
    expect(signedOut.statusCode).toBe(401);
  });

  it('shows a provider user only its own providers, and hides the rest as if they did not exist', async () => {
    const mine = (await t.app.inject({ url: '/api/providers', headers: await auth('provider') })).json();
    expect(mine.total).toBe(2);
    const me = (await t.app.inject({ url: '/api/me', headers: await auth('provider') })).json();
    expect(me.providers.map((p: { id: string }) => p.id).sort()).toEqual(
      mine.items.map((p: { id: string }) => p.id).sort(),
    );

    const all = (
      await t.app.inject({ url: '/api/providers?pageSize=100', headers: await auth('planner') })
    ).json();
    const other = all.items.find(
      (p: { id: string }) => !me.providers.some((m: { id: string }) => m.id === p.id),
    );
    const hidden = await t.app.inject({ url: `/api/providers/${other.id}`, headers: await auth('provider') });
    const missing = await t.app.inject({
      url: '/api/providers/00000000-0000-4000-8000-000000000000',
      headers: await auth('provider'),
    });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body).toBe(missing.body);
    const own = await t.app.inject({
      url: `/api/providers/${me.providers[0].id}`,
      headers: await auth('provider'),
    });
    expect(own.statusCode).toBe(200);
    const notAnId = await t.app.inject({ url: '/api/providers/not-an-id', headers: await auth('planner') });
    expect(notAnId.statusCode).toBe(404);
  });

  it('refuses a change based on a stale version instead of losing the other change', async () => {
    const headers = await auth('planner');
    const provider = (await t.app.inject({ url: '/api/providers?q=Kestrel', headers })).json().items[0];
    const first = await t.app.inject({
      method: 'PATCH',
      url: `/api/providers/${provider.id}`,
      headers,
      payload: { places: 5, version: provider.version },
    });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ places: 5, version: provider.version + 1 });
    const second = await t.app.inject({
      method: 'PATCH',
      url: `/api/providers/${provider.id}`,
      headers: await auth('manager'),
      payload: { places: 9, version: provider.version },
    });
    expect(second.statusCode).toBe(409);
    const now = (await t.app.inject({ url: `/api/providers/${provider.id}`, headers })).json();
    expect(now.places).toBe(5);

    const history = (
      await t.app.inject({ url: `/api/providers/${provider.id}/history`, headers: await auth('manager') })
    ).json();
    expect(history[0].changes).toEqual([{ field: 'places', before: 4, after: 5 }]);
  });

  it('shows the audit trail to managers only', async () => {
    const provider = (
      await t.app.inject({ url: '/api/providers?q=Kestrel', headers: await auth('planner') })
    ).json().items[0];
    for (const role of ['planner', 'inspector', 'analyst']) {
      const response = await t.app.inject({
        url: `/api/providers/${provider.id}/history`,
        headers: await auth(role),
      });
      expect(response.statusCode, role).toBe(404);
    }
  });

  it('follows a multi-building application through its statuses, and a decision is final', async () => {
    const headers = await auth('planner');
    const provider = (await t.app.inject({ url: '/api/providers?q=Kestrel', headers })).json().items[0];
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/providers/${provider.id}/applications`,
      headers,
      payload: { buildings: 1, description: '', submittedOn: 'tomorrow' },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['buildings', 'description', 'submittedOn']);

    const created = await t.app.inject({
      method: 'POST',
      url: `/api/providers/${provider.id}/applications`,
      headers,
      payload: { buildings: 3, description: 'Three houses on Orchard Lane', submittedOn: '2025-03-03' },
    });
    expect(created.statusCode).toBe(201);
    const application = created.json();
    expect(application.status).toBe('applied');

    const move = (status: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/providers/${provider.id}/applications/${application.id}/status`,
        headers,
        payload: { status, note: `now ${status}` },
      });
    expect((await move('in-progress')).statusCode).toBe(200);
    expect((await move('approved')).json().history.map((h: { status: string }) => h.status)).toEqual([
      'applied',
      'in-progress',
      'approved',
    ]);
    const refused = await move('withdrawn');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0]).toEqual({
      field: 'status',
      message: 'An application that is approved cannot become withdrawn',
    });
  });

  it('lists owner groups with the homes and places they hold', async () => {
    const groups = (await t.app.inject({ url: '/api/owner-groups', headers: await auth('analyst') })).json();
    expect(groups.length).toBeGreaterThanOrEqual(6);
    expect(groups.reduce((sum: number, g: { providers: number }) => sum + g.providers, 0)).toBeGreaterThan(
      10,
    );
    const added = await t.app.inject({
      method: 'POST',
      url: '/api/owner-groups',
      headers: await auth('planner'),
      payload: { name: 'Kestrel Care' },
    });
    expect(added.statusCode).toBe(201);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/owner-groups',
      headers: await auth('planner'),
      payload: { name: 'kestrel care' },
    });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors[0].field).toBe('name');
    const provider = await t.app.inject({ url: '/api/owner-groups', headers: await auth('provider') });
    expect(provider.statusCode).toBe(403);
  });
});
