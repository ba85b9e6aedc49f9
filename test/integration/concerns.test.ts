import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { CookieJar, csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

interface ApiConcern {
  id: string;
  reference: string;
  status: string;
  channel: string;
  provider: { id: string; name: string } | null;
  receivedAt: string;
  recordedBy: { name: string } | null;
  assessment: { riskLevel: string; decision: string; bringForwardTo: string | null } | null;
  otherConcerns?: { reference: string }[];
  version: number;
}

const publicConcern = {
  providerName: 'Oak House',
  providerPlace: 'Leeds',
  summary: 'Staff shouted at my daughter and took away her phone for a week.',
  relationship: 'parent-or-carer',
};

describe.each(kinds)('concerns about providers on the %s database', (kind) => {
  // After every demo concern, so that the demo's relative dates are all in the past.
  const clock = new ManualClock(new Date('2030-01-15T10:00:00Z'));
  let t: TestApp;
  let home: { id: string; urn: string; name: string };
  let address = 0;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const post = async (role: string, url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  /** The public, each call from an address of its own unless told, so the rate limit stays out of the way. */
  const raise = (payload: object, remoteAddress = `10.0.0.${++address}`) =>
    t.app.inject({ method: 'POST', url: '/api/concerns', payload, remoteAddress });
  const fields = (response: { json(): unknown }) =>
    (response.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
  const count = async (table: 'concerns' | 'inspections' | 'outbox' | 'audit_events') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const stored = (reference: string) =>
    t.db.selectFrom('concerns').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const providers = (await get('planner', '/api/providers?type=childrens-home&pageSize=50')).json()
      .items as { id: string; urn: string; name: string }[];
    home = providers[0]!;
  }, 120_000);
  afterAll(async () => t?.close());

  it('takes a concern from anyone without signing in, and answers with its reference only', async () => {
    const matched = await raise({ ...publicConcern, providerUrn: home.urn.toLowerCase() });
    const unknown = await raise({ ...publicConcern, providerUrn: 'SC999999' });
    const noUrn = await raise({ ...publicConcern, raiserName: 'Sam', raiserEmail: 'sam@example.invalid' });
    for (const response of [matched, unknown, noUrn]) {
      expect(response.statusCode, response.body).toBe(201);
      expect(Object.keys(response.json())).toEqual(['reference']);
      expect(response.json().reference).toMatch(/^CON-[0-9A-F]{8}$/);
      expect(response.headers.location).toBeUndefined();
    }
    // Whether the provider is on the register, or already has concerns, makes no difference to the answer.
    const shape = (r: typeof matched) => ({
      status: r.statusCode,
      headers: Object.keys(r.headers).sort(),
      length: r.body.length,
    });
    expect(shape(matched)).toEqual(shape(unknown));

    // Matched to the register silently by the reference number given.
    const row = await stored(matched.json().reference);
    expect(row.provider_id).toBe(home.id);
    expect(row.channel).toBe('public-form');
    expect(row.provider_description).toBe(`Oak House, Leeds (URN ${home.urn})`);
    expect((await stored(unknown.json().reference)).provider_id).toBeNull();
    expect(row.status).toBe('new');
  });

  it('acknowledges to the raiser without a word about the provider, and tells the planners where to look', async () => {
    const before = await count('outbox');
    const response = await raise({
      ...publicConcern,
      providerUrn: home.urn,
      raiserEmail: 'worried@example.invalid',
    });
    const { reference } = response.json() as { reference: string };
    const row = await stored(reference);
    const acknowledgement = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'worried@example.invalid')
      .executeTakeFirstOrThrow();
    expect(acknowledgement.template).toBe('concern-received');
    expect(acknowledgement.body).toContain(reference);
    for (const secret of [home.name, home.urn, 'Oak House', 'shouted']) {
      expect(acknowledgement.body + acknowledgement.subject).not.toContain(secret);
    }
    const toPlanner = await t.db
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'planner@demo.invalid')
      .where('subject', 'like', `%${reference}%`)
      .executeTakeFirstOrThrow();
    expect(toPlanner.template).toBe('concern-to-assess');
    expect(toPlanner.body).toContain(`/concerns/${row.id}`);
    // One to the raiser and one to each planner (the demo has one).
    expect((await count('outbox')) - before).toBe(2);
  });

  it('refuses bad input field by field, and writes nothing', async () => {
    const before = { concerns: await count('concerns'), outbox: await count('outbox') };
    const empty = await raise({ summary: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(fields(empty).sort()).toEqual(['providerName', 'providerPlace', 'relationship', 'summary']);

    const wrong = await raise({
      ...publicConcern,
      providerUrn: 'not a urn',
      raiserEmail: 'not an email',
      relationship: 'landlord',
      summary: 'x'.repeat(5001),
    });
    expect(wrong.statusCode).toBe(400);
    expect(fields(wrong).sort()).toEqual(['providerUrn', 'raiserEmail', 'relationship', 'summary']);

    // The public cannot name a provider from the register or backdate a concern.
    const staffOnly = await raise({ ...publicConcern, providerId: home.id, receivedOn: '2029-12-01' });
    expect(staffOnly.statusCode).toBe(400);
    expect(fields(staffOnly).sort()).toEqual(['providerId', 'receivedOn']);

    expect(await count('concerns')).toBe(before.concerns);
    expect(await count('outbox')).toBe(before.outbox);
  });

  it('limits how often the public may raise concerns from one address', async () => {
    const from = '10.9.9.9';
    for (let n = 0; n < 20; n++) expect((await raise(publicConcern, from)).statusCode).toBe(201);
    const limited = await raise(publicConcern, from);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json().detail).toContain('in the last hour');
    expect((await raise(publicConcern, '10.9.9.10')).statusCode).toBe(201);
  });

  it('lets staff record a call or an email against a provider on the register', async () => {
    const recorded = await post('inspector', '/api/concerns', {
      channel: 'phone',
      providerId: home.id,
      summary: 'A social worker rang: a child says there is not enough food at weekends.',
      relationship: 'professional',
      raiserName: 'J. Smith',
      receivedOn: '2030-01-14',
    });
    expect(recorded.statusCode, recorded.body).toBe(201);
    expect(recorded.headers.location).toBe(`/api/concerns/${recorded.json().id}`);
    const concern = (await get('planner', `/api/concerns/${recorded.json().id}`)).json() as ApiConcern;
    expect(concern).toMatchObject({
      channel: 'phone',
      status: 'new',
      provider: { id: home.id, name: home.name },
      recordedBy: { name: 'Demo inspector' },
    });
    expect(concern.receivedAt.slice(0, 10)).toBe('2030-01-14');

    const noProvider = await post('planner', '/api/concerns', { channel: 'email', summary: 'Something' });
    expect(fields(noProvider)).toEqual(['providerId']);
    const notOnRegister = await post('planner', '/api/concerns', {
      channel: 'email',
      providerId: '00000000-0000-4000-8000-000000000001',
      summary: 'Something',
    });
    expect(notOnRegister.statusCode).toBe(422);
    expect(fields(notOnRegister)).toEqual(['providerId']);
    const future = await post('planner', '/api/concerns', {
      channel: 'email',
      providerId: home.id,
      summary: 'Something',
      receivedOn: '2030-01-16',
    });
    expect(fields(future)).toEqual(['receivedOn']);

    // Recording for others needs a staff role: anonymous is asked to sign in, a provider is refused.
    const anonymous = await raise({ channel: 'phone', providerId: home.id, summary: 'Something' });
    expect(anonymous.statusCode).toBe(401);
    const provider = await post('provider', '/api/concerns', {
      channel: 'phone',
      providerId: home.id,
      summary: 'Something',
    });
    expect(provider.statusCode).toBe(403);
  });

  it('shows staff routes to nobody outside the inspectorate: providers and the adjudicator get 404', async () => {
    const someId = (await get('planner', '/api/concerns?pageSize=1')).json().items[0].id as string;
    for (const role of ['provider', 'adjudicator']) {
      expect((await get(role, '/api/concerns')).statusCode).toBe(404);
      expect((await get(role, `/api/concerns/${someId}`)).statusCode).toBe(404);
      const assess = await post(role, `/api/concerns/${someId}/assessment`, {
        riskLevel: 'low',
        decision: 'no-action',
        reasons: 'None',
        version: 1,
      });
      expect(assess.statusCode).toBe(404);
      const jar = await signInAs(t.app, role, DEMO_PASSWORD);
      for (const url of ['/concerns', `/concerns/${someId}`, '/concerns/record']) {
        expect((await getPage(t.app, jar, url)).statusCode, url).toBe(404);
      }
    }
    expect((await t.app.inject({ url: '/api/concerns' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: `/api/concerns/${someId}` })).statusCode).toBe(401);
  });

  it('lists concerns newest first, filtered and a page at a time', async () => {
    const all = (await get('planner', '/api/concerns?pageSize=100')).json() as {
      items: ApiConcern[];
      total: number;
    };
    expect(all.total).toBeGreaterThan(10);
    const times = all.items.map((c) => c.receivedAt);
    expect(times).toEqual([...times].sort().reverse());

    const fresh = (await get('planner', '/api/concerns?status=new&pageSize=100')).json()
      .items as ApiConcern[];
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((c) => c.status === 'new' && c.assessment === null)).toBe(true);

    const forward = (await get('planner', '/api/concerns?decision=bring-forward')).json()
      .items as ApiConcern[];
    expect(forward.length).toBeGreaterThan(0);
    expect(forward.every((c) => c.assessment?.decision === 'bring-forward')).toBe(true);
    const immediate = (await get('planner', '/api/concerns?riskLevel=immediate')).json()
      .items as ApiConcern[];
    expect(immediate.length).toBeGreaterThan(0);
    expect(immediate.every((c) => c.assessment?.riskLevel === 'immediate')).toBe(true);

    const about = (await get('planner', `/api/concerns?providerId=${home.id}&pageSize=100`)).json()
      .items as ApiConcern[];
    expect(about.length).toBeGreaterThan(2);
    expect(about.every((c) => c.provider?.id === home.id)).toBe(true);

    const today = (
      await get('planner', '/api/concerns?receivedFrom=2030-01-15&receivedTo=2030-01-15&pageSize=100')
    ).json().items as ApiConcern[];
    expect(today.length).toBeGreaterThan(20);
    expect(today.every((c) => c.receivedAt.startsWith('2030-01-15'))).toBe(true);

    const page2 = (await get('planner', '/api/concerns?pageSize=2&page=2')).json();
    expect(page2.items.map((c: ApiConcern) => c.id)).toEqual(all.items.slice(2, 4).map((c) => c.id));
    expect(page2.totalPages).toBe(Math.ceil(all.total / 2));

    const empty = (await get('planner', '/api/concerns?receivedFrom=2040-01-01')).json();
    expect(empty).toMatchObject({ items: [], total: 0 });

    const bad = await get('planner', '/api/concerns?decision=ignore&receivedTo=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(fields(bad).sort()).toEqual(['decision', 'receivedTo']);
  });

  it('records a risk assessment with optimistic concurrency, and never creates an inspection', async () => {
    const inspectionsBefore = await count('inspections');
    const { reference } = (await raise({ ...publicConcern, providerUrn: 'SC999998' })).json();
    const { id } = await stored(reference);
    const assess = (role: string, body: object) => post(role, `/api/concerns/${id}/assessment`, body);
    const decision = {
      riskLevel: 'high',
      decision: 'bring-forward',
      bringForwardTo: '2030-03-16',
      reasons: 'Two concerns about staffing in a month.',
      version: 1,
    };

    // Not yet matched to the register: a decision that acts on a provider is refused, and nothing changes.
    const unmatched = await assess('planner', decision);
    expect(unmatched.statusCode).toBe(422);
    expect(fields(unmatched)).toEqual(['providerId']);
    const past = await assess('planner', { ...decision, providerId: home.id, bringForwardTo: '2030-01-15' });
    expect(past.statusCode).toBe(422);
    expect(fields(past)).toEqual(['bringForwardTo']);
    const noReasons = await assess('planner', { ...decision, providerId: home.id, reasons: ' ' });
    expect(noReasons.statusCode).toBe(400);
    expect(fields(noReasons)).toEqual(['reasons']);
    expect(await stored(reference)).toMatchObject({ status: 'new', version: 1, provider_id: null });

    // An inspector reads concerns but does not decide them.
    expect((await assess('inspector', { ...decision, providerId: home.id })).statusCode).toBe(403);

    const audited = await count('audit_events');
    const done = await assess('planner', { ...decision, providerId: home.id });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'decided',
      provider: { id: home.id },
      assessment: { riskLevel: 'high', decision: 'bring-forward', bringForwardTo: '2030-03-16' },
      version: 2,
    });
    expect(done.json().otherConcerns.length).toBeGreaterThan(0);
    expect(await count('audit_events')).toBe(audited + 1);

    // Someone else, still holding version 1, is refused and changes nothing.
    const stale = await assess('manager', { ...decision, decision: 'no-action', bringForwardTo: undefined });
    expect(stale.statusCode).toBe(409);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect((await stored(reference)).decision).toBe('bring-forward');

    const inspectNow = await assess('manager', {
      riskLevel: 'immediate',
      decision: 'inspect-now',
      reasons: 'A child has disclosed harm.',
      version: 2,
    });
    expect(inspectNow.statusCode).toBe(200);
    expect(inspectNow.json().assessment).toMatchObject({ decision: 'inspect-now', bringForwardTo: null });

    expect(await count('inspections')).toBe(inspectionsBefore);
    expect((await get('planner', '/api/concerns/not-an-id')).statusCode).toBe(404);
  });

  it('takes the public form without signing in, with its errors on the page and a reference at the end', async () => {
    const jar = new CookieJar();
    const form = await getPage(t.app, jar, '/concerns/new');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Raise a concern about a children’s social care provider');
    const _csrf = csrfTokenIn(form.body);
    const before = await count('concerns');

    const refused = await postForm(t.app, jar, '/concerns/new', {
      _csrf,
      providerName: 'Oak House',
      summary: '',
      raiserEmail: 'nope',
    });
    expect(refused.statusCode).toBe(400);
    const summaryLinks = [...refused.body.matchAll(/<a href="#([^"]+)">/g)].map((m) => m[1]);
    expect(summaryLinks).toEqual(['providerPlace', 'summary', 'relationship', 'raiserEmail']);
    expect(refused.body).toContain('value="Oak House"');

    const noToken = await postForm(t.app, jar, '/concerns/new', { ...publicConcern });
    expect(noToken.statusCode).toBe(403);
    expect(await count('concerns')).toBe(before);

    const sent = await postForm(t.app, jar, '/concerns/new', {
      _csrf,
      ...publicConcern,
      providerUrn: home.urn,
    });
    expect(sent.statusCode).toBe(303);
    const location = sent.headers.location as string;
    expect(location).toMatch(/^\/concerns\/new\/sent\?reference=CON-[0-9A-F]{8}$/);
    const confirmation = await getPage(t.app, jar, location);
    const reference = location.split('=')[1]!;
    expect(confirmation.body).toContain(`<strong id="concern-reference">${reference}</strong>`);
    expect(confirmation.body).not.toContain(home.name);
    expect((await stored(reference)).provider_id).toBe(home.id);
    expect((await getPage(t.app, jar, '/concerns/new/sent?reference=nothing')).statusCode).toBe(404);
  });

  it('lets a planner assess through the pages, and shows a stale form its conflict', async () => {
    const { reference } = (await raise({ ...publicConcern, providerUrn: home.urn })).json();
    const { id } = await stored(reference);
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const page = await getPage(t.app, jar, `/concerns/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Assess the risk');
    const _csrf = csrfTokenIn(page.body);
    const fieldsFor = (version: string, extra: Record<string, string> = {}) => ({
      _csrf,
      version,
      riskLevel: 'medium',
      decision: 'bring-forward',
      'bringForwardTo-day': '1',
      'bringForwardTo-month': '4',
      'bringForwardTo-year': '2030',
      reasons: 'Weighed against the home’s recent good grade.',
      ...extra,
    });
    const noDate = await postForm(
      t.app,
      jar,
      `/concerns/${id}/assessment`,
      fieldsFor('1', { 'bringForwardTo-day': '' }),
    );
    expect(noDate.statusCode).toBe(422);
    expect(noDate.body).toContain('href="#bringForwardTo-day"');

    const saved = await postForm(t.app, jar, `/concerns/${id}/assessment`, fieldsFor('1'));
    expect(saved.statusCode).toBe(303);
    const shown = await getPage(t.app, jar, saved.headers.location as string);
    expect(shown.body).toContain('Your decision has been recorded');
    expect(shown.body).toContain('1 April 2030');

    const stale = await postForm(
      t.app,
      jar,
      `/concerns/${id}/assessment`,
      fieldsFor('1', { decision: 'monitor' }),
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('The concern changed meanwhile');
    expect((await stored(reference)).decision).toBe('bring-forward');
  });
});
