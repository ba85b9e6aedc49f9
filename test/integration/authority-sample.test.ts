import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

interface ApiSample {
  year: number;
  yearStarting: string;
  label: string;
  size: number;
  seed: string;
  drawnBy: { id: string; name: string } | null;
  drawnAt: string;
  authorities: {
    name: string;
    region: string;
    ruralUrban: string;
    provider: { id: string; name: string } | null;
  }[];
}

describe.each(kinds)('the annual sample of local authorities on the %s database', (kind) => {
  const clock = new ManualClock(new Date('2026-05-12T09:30:00Z'));
  let t: TestApp;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const get = async (role: string | null, url: string) =>
    t.app.inject({ url, headers: role ? await as(role) : {} });
  const draw = async (role: string | null, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/plan/samples', headers: role ? await as(role) : {}, payload });
  const fields = (response: { json(): unknown }) =>
    (response.json() as { errors?: { field: string }[] }).errors?.map((e) => e.field);

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts with no samples', async () => {
    const response = await get('planner', '/api/plan/samples');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: [] });
  });

  it('draws a sample through the API, records it with who drew it, and audits the draw', async () => {
    const response = await draw('planner', { year: 2026, size: 21, seed: 'spring-2026' });
    expect(response.statusCode).toBe(201);
    expect(response.headers.location).toBe('/api/plan/samples/2026');
    const sample = response.json() as ApiSample;
    expect(sample).toMatchObject({ year: 2026, yearStarting: '2026-04-01', label: '2026 to 2027', size: 21 });
    expect(sample.seed).toBe('spring-2026');
    expect(sample.drawnBy?.name).toBeTruthy();
    expect(sample.authorities).toHaveLength(21);
    expect(new Set(sample.authorities.map((a) => a.ruralUrban))).toEqual(
      new Set(['predominantly-urban', 'urban-with-significant-rural', 'predominantly-rural']),
    );

    const read = (await get('manager', '/api/plan/samples/2026')).json() as ApiSample;
    expect(read.authorities.map((a) => a.name)).toEqual(sample.authorities.map((a) => a.name));
    const list = (await get('manager', '/api/plan/samples')).json() as { items: ApiSample[] };
    expect(list.items.map((s) => [s.year, s.seed, s.size])).toEqual([[2026, 'spring-2026', 21]]);

    const audit = await t.db
      .selectFrom('audit_events')
      .select(['action', 'after'])
      .where('action', '=', 'authority-sample.drawn')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('reproduces the same authorities from the same seed and size in another year', async () => {
    const first = (await get('planner', '/api/plan/samples/2026')).json() as ApiSample;
    const again = await draw('manager', { year: 2025, size: 21, seed: 'spring-2026' });
    expect(again.statusCode).toBe(201);
    expect((again.json() as ApiSample).authorities.map((a) => a.name)).toEqual(
      first.authorities.map((a) => a.name),
    );
  });

  it('refuses a second draw for the same year, changing nothing', async () => {
    const response = await draw('planner', { year: 2026, seed: 'another' });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(response.json().detail).toMatch(/already been drawn/);
    expect(((await get('planner', '/api/plan/samples/2026')).json() as ApiSample).seed).toBe('spring-2026');
  });

  it('refuses sizes outside 20 to 25 as a problem naming the size', async () => {
    for (const size of [19, 26]) {
      const response = await draw('planner', { year: 2027, size, seed: 'x' });
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(fields(response)).toEqual(['size']);
    }
    expect((await get('planner', '/api/plan/samples/2027')).statusCode).toBe(404);
  });

  it('chooses a seed when none is given, and refuses years out of range', async () => {
    const response = await draw('planner', { year: 2027 });
    expect(response.statusCode).toBe(201);
    expect((response.json() as ApiSample).seed).toMatch(/^[0-9a-f]{12}$/);
    expect((response.json() as ApiSample).size).toBe(22);
    const tooLate = await draw('planner', { year: 2030, size: 22 });
    expect(tooLate.statusCode).toBe(400);
    expect(fields(tooLate)).toEqual(['year']);
  });

  it('links each sampled authority to its own entry on the register, when it has one', async () => {
    const registered = await t.db
      .selectFrom('providers')
      .select(['id', 'local_authority'])
      .where('type', '=', 'local-authority')
      .execute();
    const byAuthority = new Map(registered.map((p) => [p.local_authority, p.id]));
    const sample = (await get('planner', '/api/plan/samples/2026')).json() as ApiSample;
    for (const a of sample.authorities) expect(a.provider?.id ?? null).toBe(byAuthority.get(a.name) ?? null);
    // The seed draws Birmingham, which the demo register holds, and others it does not.
    const birmingham = sample.authorities.find((a) => a.name === 'Birmingham');
    expect(birmingham?.provider?.id).toBe(byAuthority.get('Birmingham'));
    expect(sample.authorities.some((a) => a.provider === null)).toBe(true);

    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const page = await getPage(t.app, jar, '/plan/samples/2026');
    expect(page.body).toContain(`/inspections/new?providerId=${byAuthority.get('Birmingham')}`);
    expect(page.body).toContain('Not on the register');
  });

  it('answers 404 to provider users and the public on every route, as if there were no samples', async () => {
    for (const who of ['provider', null]) {
      for (const url of [
        '/api/plan/samples',
        '/api/plan/samples/2026',
        '/plan/samples',
        '/plan/samples/2026',
        '/plan/samples/new',
      ]) {
        const response = await get(who, url);
        expect(response.statusCode, `${who} ${url}`).toBe(404);
        expect(response.body).not.toContain('spring-2026');
      }
      const response = await draw(who, { year: 2028, size: 22, seed: 'x' });
      expect(response.statusCode).toBe(404);
    }
    // Signed in through the pages as a provider: the same.
    const jar = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    expect((await getPage(t.app, jar, '/plan/samples/2026')).statusCode).toBe(404);
  });

  it('lets a planner draw through the pages, with the errors shown on the form', async () => {
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const list = await getPage(t.app, jar, '/plan/samples');
    expect(list.body).toContain('2026 to 2027');
    const form = await getPage(t.app, jar, '/plan/samples/new');
    expect(form.statusCode).toBe(200);
    // 2026 and 2027 are drawn: nothing is offered but the form, with a random seed filled in.
    expect(form.body).toMatch(/name="seed"[^>]*value="[0-9a-f]{12}"/);

    const refused = await postForm(t.app, jar, '/plan/samples/new', {
      _csrf: csrfTokenIn(form.body),
      year: '2024',
      size: '19',
      seed: 'pages',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('There is a problem');
    expect(refused.body).toContain('href="#size"');

    const taken = await postForm(t.app, jar, '/plan/samples/new', {
      _csrf: csrfTokenIn(form.body),
      year: '2026',
      size: '22',
      seed: 'pages',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('already been drawn');

    const drawn = await postForm(t.app, jar, '/plan/samples/new', {
      _csrf: csrfTokenIn(form.body),
      year: '2024',
      size: '20',
      seed: 'pages',
    });
    expect(drawn.statusCode).toBe(303);
    expect(drawn.headers.location).toBe('/plan/samples/2024?saved=drawn');
    const page = await getPage(t.app, jar, '/plan/samples/2024?saved=drawn');
    expect(page.body).toContain('The sample has been drawn and recorded');
    expect(page.body).toContain('Predominantly rural');
    expect(page.body).toContain('pages');
  });
});
