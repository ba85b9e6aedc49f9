import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { CookieJar, csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

/**
 * What another site, a stolen form token or a probe can do with a signed-in person's browser: nothing on
 * the API (bearer tokens only, JSON only), and nothing on the pages without a token made for that very
 * session. Also what each route tells someone it refuses (nothing about its fields), and what caches keep.
 */

const kinds = await databaseKinds();

async function auditLength(t: TestApp): Promise<number> {
  const row = await t.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe.each(kinds)('forgery and probing (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { SIGN_IN_ADDRESS_RATE_LIMIT: '40' });
  });
  afterAll(async () => t?.close());

  it('ignores the session cookie on the API, so a form on another site cannot act as the planner', async () => {
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const before = await auditLength(t);
    // What a hidden form on another site makes the browser send: the cookie and a urlencoded body.
    const forged = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'urn=SC999999&name=Forged&type=childrens-home',
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toMatch(/application\/problem\+json/);
    const asJson = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { cookie: jar.header() },
      payload: { urn: 'SC999999', name: 'Forged' },
    });
    expect(asJson.statusCode).toBe(401);
    const me = await t.app.inject({ url: '/api/me', headers: { cookie: jar.header() } });
    expect(me.statusCode).toBe(401);
    expect(await auditLength(t)).toBe(before);
    // The same person's pages still work with the cookie.
    expect((await getPage(t.app, jar, '/plan')).statusCode).toBe(200);
  });

  it('takes only JSON bodies on API writes (415 otherwise), even with a good token', async () => {
    const token = await t.tokenFor('planner');
    const before = await auditLength(t);
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain',
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/owner-groups',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        payload: 'name=Forged+Group',
      });
      expect(response.statusCode, type).toBe(415);
      expect(response.json()).toMatchObject({ status: 415, title: 'Unsupported media type' });
    }
    expect(await auditLength(t)).toBe(before);
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/owner-groups',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ name: `Group ${kind} ${Date.now()}` }),
    });
    expect(json.statusCode).toBe(201);
  });

  it('refuses those who may not use a route before reading its body: they learn nothing of its fields', async () => {
    const inspector = await t.tokenFor('inspector');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { authorization: `Bearer ${inspector}` },
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors ?? []).toEqual([]);
    expect(refused.body).not.toMatch(/urn|name/i);
    const signedOut = await t.app.inject({ method: 'POST', url: '/api/providers', payload: {} });
    expect(signedOut.statusCode).toBe(401);
    // A planner, who may, is told what is missing.
    const planner = await t.tokenFor('planner');
    const invalid = await t.app.inject({
      method: 'POST',
      url: '/api/providers',
      headers: { authorization: `Bearer ${planner}` },
      payload: {},
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().errors.map((e: { field: string }) => e.field)).toContain('urn');
  });

  it('accepts a form token only in the session it was made for, and renews it at sign-in', async () => {
    // A token from the signed-out sign-in page does not survive signing in.
    const jar = new CookieJar();
    const signInPage = await getPage(t.app, jar, '/sign-in');
    const before = csrfTokenIn(signInPage.body);
    const signedIn = await postForm(t.app, jar, '/sign-in', {
      _csrf: before,
      email: 'planner@demo.invalid',
      password: DEMO_PASSWORD,
    });
    expect(signedIn.statusCode).toBe(303);
    const group = () => ({ name: `Group ${Math.random()}` });
    const stale = await postForm(t.app, jar, '/owner-groups', { _csrf: before, ...group() });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).toContain('The form had expired or came from elsewhere');

    // A token made in one session does not work with another session's cookie.
    const other = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const otherToken = csrfTokenIn((await getPage(t.app, other, '/owner-groups')).body);
    const crossed = await postForm(t.app, jar, '/owner-groups', { _csrf: otherToken, ...group() });
    expect(crossed.statusCode).toBe(403);

    const fresh = csrfTokenIn((await getPage(t.app, jar, '/owner-groups')).body);
    expect(fresh).not.toBe(before);
    const accepted = await postForm(t.app, jar, '/owner-groups', { _csrf: fresh, ...group() });
    expect(accepted.statusCode).toBe(303);
  });

  it('tells no cache to keep what a signed-in person sees or any API answer', async () => {
    const jar = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    const page = await getPage(t.app, jar, '/providers');
    expect(page.headers['cache-control']).toBe('no-store');
    const token = await t.tokenFor('manager');
    const api = await t.app.inject({ url: '/api/providers', headers: { authorization: `Bearer ${token}` } });
    expect(api.headers['cache-control']).toBe('no-store');
    const signedOutApi = await t.app.inject({ url: '/api/reports' });
    expect(signedOutApi.headers['cache-control']).toBe('no-store');
    // Assets keep their own caching.
    const asset = await t.app.inject({ url: '/assets/app/app.css' });
    expect(asset.headers['cache-control'] ?? '').not.toBe('no-store');
  });

  it('answers a badly encoded address with a problem, not a crash', async () => {
    const api = await t.app.inject({ url: '/api/providers/%E0%A4%A' });
    expect(api.statusCode).toBe(400);
    expect(api.headers['content-type']).toMatch(/application\/problem\+json/);
    const query = await t.app.inject({ url: '/api/reports?q=%E0%A4%A' });
    expect(query.statusCode).toBeLessThan(500);
    const page = await t.app.inject({ url: '/providers/%E0%A4%A', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('govuk-heading-l');
  });

  it('caps sign-in attempts from one address across many emails', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/tokens',
        // A forged X-Forwarded-For does not make a new address: no proxy is trusted by default.
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
        remoteAddress: '198.51.100.7',
        payload: { email: `nobody-${i}@example.invalid`, password: 'wrong-password' },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 40).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(40).every((s) => s === 429)).toBe(true);
    // Another address is not held back.
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      remoteAddress: '198.51.100.8',
      payload: { email: 'analyst@demo.invalid', password: DEMO_PASSWORD },
    });
    expect(elsewhere.statusCode).toBe(201);
  });
});
