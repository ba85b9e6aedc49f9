import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { CookieJar, csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';
import { buildApp } from '../../src/app.js';
import { LOCKOUT_FAILURES } from '../../src/people/lockout.js';
import { seedDemoData } from '../../src/demo/seed.js';
import { openTestDatabase } from '../support/databases.js';
import { sql } from 'kysely';

const kinds = await databaseKinds();

describe.each(kinds)('people and sign-in on the %s database', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { SIGN_IN_RATE_LIMIT: '5' });
  });
  afterAll(async () => t?.close());

  it('gives an API token for a correct email and password, whatever the case of the email', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: ' Manager@Demo.invalid ', password: DEMO_PASSWORD },
    });
    expect(response.statusCode).toBe(201);
    const { token } = response.json();
    const me = await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json()).toMatchObject({
      email: 'manager@demo.invalid',
      name: 'Demo regulatory inspection manager',
      roles: ['manager'],
      providers: [],
    });
  });

  it('says the same for a wrong password and an unknown email', async () => {
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: 'analyst@demo.invalid', password: 'nope-nope' },
    });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: 'nobody@demo.invalid', password: 'nope-nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toBe(unknown.body);
  });

  it('names the missing fields', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/tokens', payload: {} });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { field: 'email', message: 'Enter your email address' },
      { field: 'password', message: 'Enter your password' },
    ]);
  });

  it('refuses requests without a valid token, and a revoked token stops working', async () => {
    expect((await t.app.inject({ url: '/api/me' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/me', headers: { authorization: 'Bearer made-up' } })).statusCode,
    ).toBe(401);
    const { token } = (
      await t.app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: 'inspector@demo.invalid', password: DEMO_PASSWORD },
      })
    ).json();
    const headers = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: '/api/me', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/tokens/current', headers })).statusCode).toBe(
      204,
    );
    expect((await t.app.inject({ url: '/api/me', headers })).statusCode).toBe(401);
  });

  it('slows down guessing: too many attempts for one email answer 429', async () => {
    const attempt = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/tokens',
        payload: { email: 'reviewer@demo.invalid', password: 'guess-guess' },
      });
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push((await attempt()).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
    // Another account from the same address is not locked out by it.
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: 'analyst@demo.invalid', password: DEMO_PASSWORD },
    });
    expect(other.statusCode).toBe(201);
  });

  it('signs in through the page with a secure session cookie and returns to the page asked for', async () => {
    const jar = new CookieJar();
    const start = await getPage(t.app, jar, '/providers');
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toBe('/sign-in?returnTo=%2Fproviders');
    const form = await getPage(t.app, jar, start.headers.location as string);
    const response = await postForm(t.app, jar, '/sign-in', {
      _csrf: csrfTokenIn(form.body),
      email: 'planner@demo.invalid',
      password: DEMO_PASSWORD,
      returnTo: '/providers',
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/providers');
    const cookie = [response.headers['set-cookie']].flat().find((c) => c?.startsWith('session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const list = await getPage(t.app, jar, '/providers');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Signed in as Demo planner');
  });

  it('never sends anyone off-site after signing in', async () => {
    const jar = new CookieJar();
    const form = await getPage(t.app, jar, '/sign-in');
    const response = await postForm(t.app, jar, '/sign-in', {
      _csrf: csrfTokenIn(form.body),
      email: 'planner@demo.invalid',
      password: DEMO_PASSWORD,
      returnTo: '//evil.example/',
    });
    expect(response.headers.location).toBe('/');
  });

  it('returns only to a path on this service, whatever returnTo holds', async () => {
    // Tabs and line breaks (raw or percent-encoded) and backslashes: a browser would drop or turn them
    // into a slash and leave the service; a line break also used to make the redirect a 500.
    const offSite = [
      '/%09/evil.example',
      '/\t/evil.example',
      '/%0a',
      '/\r\nSet-Cookie: x=1',
      '/\\evil.example',
    ];
    for (const returnTo of offSite) {
      const page = await getPage(t.app, new CookieJar(), `/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
      expect(page.statusCode, returnTo).toBe(200);
      expect(page.body, returnTo).toContain('name="returnTo" value="/"');
    }
    for (const returnTo of [...offSite.slice(0, 3), '/inspections?status=on-site']) {
      const jar = new CookieJar();
      const form = await getPage(t.app, jar, '/sign-in');
      const response = await postForm(t.app, jar, '/sign-in', {
        _csrf: csrfTokenIn(form.body),
        email: 'inspector@demo.invalid',
        password: DEMO_PASSWORD,
        returnTo,
      });
      expect(response.statusCode, returnTo).toBe(303);
      expect(response.headers.location, returnTo).toBe(returnTo.startsWith('/inspections') ? returnTo : '/');
    }
  });

  it('shows the GOV.UK error summary for a wrong password on the page', async () => {
    const jar = new CookieJar();
    const form = await getPage(t.app, jar, '/sign-in');
    const response = await postForm(t.app, jar, '/sign-in', {
      _csrf: csrfTokenIn(form.body),
      email: 'planner@demo.invalid',
      password: 'wrong-password',
    });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain('Enter a correct email address and password');
    expect(jar.has('session')).toBe(false);
  });

  it('refuses a form sent without its CSRF token and changes nothing', async () => {
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const before = (await t.db.selectFrom('owner_groups').selectAll().execute()).length;
    const response = await postForm(t.app, jar, '/owner-groups', { name: 'Forged Group' });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('The form had expired');
    expect((await t.db.selectFrom('owner_groups').selectAll().execute()).length).toBe(before);
  });

  it('signs out, ending the session on the server', async () => {
    const jar = await signInAs(t.app, 'analyst', DEMO_PASSWORD);
    const stolen = jar.header();
    const home = await getPage(t.app, jar, '/');
    const out = await postForm(t.app, jar, '/sign-out', { _csrf: csrfTokenIn(home.body) });
    expect(out.statusCode).toBe(303);
    const replay = await t.app.inject({
      url: '/providers',
      headers: { cookie: stolen, accept: 'text/html' },
    });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toContain('/sign-in');
  });
  describe('pausing sign-in after repeated failures', () => {
    // Each guess comes from a new address, as a spread-out attack would, so the per-address rate limit
    // never answers first and what is seen is the pause itself.
    let address = 0;
    const tokenAttempt = (email: string, password: string, app = t.app) =>
      app.inject({
        method: 'POST',
        url: '/api/tokens',
        remoteAddress: `10.9.${Math.floor(++address / 250)}.${address % 250}`,
        payload: { email, password },
      });
    const failures = async (email: string, times: number, app = t.app) => {
      const codes = [];
      for (let i = 0; i < times; i++)
        codes.push((await tokenAttempt(email, 'not-the-password', app)).statusCode);
      return codes;
    };
    const auditOf = async (action: string) =>
      (
        await sql<{ entity_id: string; after: unknown }>`select entity_id, after from audit_events
          where action = ${action} order by id`.execute(t.db)
      ).rows;
    const personId = async (email: string) =>
      (await t.db.selectFrom('people').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
    // Time passing, without waiting: the pause is made to have ended.
    const endPause = (email: string) =>
      sql`update sign_in_failures set locked_until = now() - interval '1 second' where email = ${email}`.execute(
        t.db,
      );

    it(`refuses even the right password after ${LOCKOUT_FAILURES} wrong ones, records it, and opens again later`, async () => {
      const email = 'manager@demo.invalid';
      expect(await failures(email, LOCKOUT_FAILURES)).toEqual(Array(LOCKOUT_FAILURES).fill(401));
      const paused = await tokenAttempt(' Manager@demo.INVALID', DEMO_PASSWORD);
      expect(paused.statusCode).toBe(429);
      expect(paused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(paused.headers['retry-after'])).toBeGreaterThan(60);
      expect(paused.json().detail).toMatch(/Too many attempts to sign in with this email address/);
      const recorded = await auditOf('sign-in.paused');
      expect(recorded.map((r) => r.entity_id)).toContain(await personId(email));

      await endPause(email);
      expect((await tokenAttempt(email, DEMO_PASSWORD)).statusCode).toBe(201);
      expect((await auditOf('sign-in.failures-cleared')).map((r) => r.entity_id)).toContain(
        await personId(email),
      );
    });

    it('answers an address with no account exactly as one with an account, before and during the pause', async () => {
      const known = 'complaints@demo.invalid';
      const unknown = 'no-such-person@demo.invalid';
      const knownCodes = await failures(known, LOCKOUT_FAILURES + 1);
      const unknownCodes = await failures(unknown, LOCKOUT_FAILURES + 1);
      expect(unknownCodes).toEqual(knownCodes);
      expect(knownCodes.at(-1)).toBe(429);
      const a = await tokenAttempt(known, 'not-the-password');
      const b = await tokenAttempt(unknown, 'not-the-password');
      expect(a.statusCode).toBe(b.statusCode);
      expect(a.body).toBe(b.body);
      // Nothing about the address with no account goes into the audit trail.
      const paused = await auditOf('sign-in.paused');
      expect(JSON.stringify(paused)).not.toContain('no-such-person');
      await endPause(known);
    });

    it('starts counting again after a successful sign-in', async () => {
      const email = 'inspector@demo.invalid';
      expect(await failures(email, LOCKOUT_FAILURES - 1)).not.toContain(429);
      expect((await tokenAttempt(email, DEMO_PASSWORD)).statusCode).toBe(201);
      expect(await failures(email, LOCKOUT_FAILURES - 1)).not.toContain(429);
      expect((await tokenAttempt(email, DEMO_PASSWORD)).statusCode).toBe(201);
    });

    it('counts failures in the database, so another process sees the pause', async () => {
      const email = 'analyst@demo.invalid';
      // A second instance of the service on the same database, as a second process would be.
      const second = await buildApp({ config: t.config, database: t.app.database });
      await second.ready();
      try {
        await failures(email, LOCKOUT_FAILURES / 2, t.app);
        await failures(email, LOCKOUT_FAILURES - LOCKOUT_FAILURES / 2, second);
        expect((await tokenAttempt(email, DEMO_PASSWORD, t.app)).statusCode).toBe(429);
        expect((await tokenAttempt(email, DEMO_PASSWORD, second)).statusCode).toBe(429);
      } finally {
        await second.close();
        await endPause(email);
      }
    });

    it('shows the pause on the sign-in page in the error summary', async () => {
      const email = 'adjudicator@demo.invalid';
      await failures(email, LOCKOUT_FAILURES);
      const jar = new CookieJar();
      const form = await getPage(t.app, jar, '/sign-in');
      const response = await postForm(t.app, jar, '/sign-in', {
        _csrf: csrfTokenIn(form.body),
        email,
        password: DEMO_PASSWORD,
      });
      expect(response.statusCode).toBe(429);
      expect(response.body).toContain('There is a problem');
      expect(response.body).toContain('Too many attempts to sign in with this email address');
      expect(jar.has('session')).toBe(false);
      await endPause(email);
    });
  });
});

describe.each(kinds)('password rules where passwords are set (%s)', (kind) => {
  it('refuses to create the demo accounts with a password that breaks the rules, creating nobody', async () => {
    const database = await openTestDatabase(kind);
    try {
      await expect(seedDemoData(database.database.db, 'password1234')).rejects.toThrow(/commonly used/);
      await expect(seedDemoData(database.database.db, 'too-short')).rejects.toThrow(/at least 12/);
      expect((await database.database.db.selectFrom('people').selectAll().execute()).length).toBe(0);
    } finally {
      await database.dispose();
    }
  });
});
