import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../support/databases.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { CookieJar, csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

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
});
