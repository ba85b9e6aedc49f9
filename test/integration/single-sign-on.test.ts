import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { FLOW_COOKIE } from '../../src/people/oidc-pages.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aPerson } from '../support/factories.js';
import {
  freePort,
  signInAtIdentityProvider,
  startIdentityProvider,
  type TestIdentityProvider,
} from '../support/identity-provider.js';
import { CookieJar, getPage, signInAs } from '../support/pages.js';

/**
 * Signing in with the organisation's account, end to end against a real OpenID provider started here.
 * The service is driven through `inject` (its callback address is never dialled), the provider over
 * loopback HTTP, and the service's client talks to the provider for real (discovery, token, userinfo).
 */

const BASE_URL = 'http://localhost:3000';
const kinds = await databaseKinds();

describe.each(kinds)('single sign-on on the %s database', (kind) => {
  let t: TestApp;
  let idp: TestIdentityProvider;
  const clock = new ManualClock(new Date());
  let subjects = 0;

  beforeAll(async () => {
    idp = await startIdentityProvider(`${BASE_URL}/sign-in/oidc/callback`);
    t = await startTestApp(kind, { ...idp.env, BASE_URL }, { clock });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** A subject at the identity provider, with this email and whether the provider vouches for it. */
  function anIdentity(email: string | undefined, emailVerified = true): string {
    subjects += 1;
    const subject = `subject-${subjects}-${Math.random().toString(36).slice(2)}`;
    idp.people.set(subject, { ...(email === undefined ? {} : { email }), emailVerified });
    return subject;
  }

  /** Clicks "Sign in with your organisation's account": the address at the identity provider. */
  async function startAt(jar: CookieJar, returnTo = '/inspections'): Promise<string> {
    const started = await getPage(t.app, jar, `/sign-in/oidc?returnTo=${encodeURIComponent(returnTo)}`);
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toMatch(new RegExp(`^${idp.issuer}/`));
    expect(jar.has(FLOW_COOKIE)).toBe(true);
    return started.headers.location as string;
  }

  /** Back at the service, as the browser is sent by the identity provider. */
  async function arrive(jar: CookieJar, callback: string) {
    const url = new URL(callback);
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE_URL}/sign-in/oidc/callback`);
    return getPage(t.app, jar, `${url.pathname}${url.search}`);
  }

  async function signInThere(subject: string, returnTo?: string) {
    const jar = new CookieJar();
    const callback = await signInAtIdentityProvider(await startAt(jar, returnTo), subject);
    return { jar, response: await arrive(jar, callback) };
  }

  async function signedInName(jar: CookieJar): Promise<string | null> {
    const home = await getPage(t.app, jar, '/');
    return /Signed in as ([^(<]+) \(/.exec(home.body)?.[1] ?? null;
  }

  const audit = (action: string, personId: string) =>
    t.db
      .selectFrom('audit_events')
      .select(['actor_id', 'after'])
      .where('action', '=', action)
      .where('entity_id', '=', personId)
      .execute();

  const identityOf = (personId: string) =>
    t.db
      .selectFrom('people')
      .select(['oidc_issuer', 'oidc_subject'])
      .where('id', '=', personId)
      .executeTakeFirstOrThrow();

  it('offers the organisation’s account on the sign-in page, keeping where to go after', async () => {
    const page = await getPage(t.app, new CookieJar(), '/sign-in?returnTo=%2Fplan');
    expect(page.body).toContain('Sign in with your organisation’s account');
    expect(page.body).toContain('href="/sign-in/oidc?returnTo=%2Fplan"');
  });

  it('signs in the account with the verified email, keeps its subject, and goes where asked', async () => {
    const person = await aPerson(t.db, { role: 'inspector', name: 'Ada Single' });
    const subject = anIdentity(person.email.toUpperCase());
    const { jar, response } = await signInThere(subject, '/inspections');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/inspections');
    expect(jar.has('session')).toBe(true);
    expect(jar.has(FLOW_COOKIE)).toBe(false);
    const inspections = await getPage(t.app, jar, '/inspections');
    expect(inspections.statusCode).toBe(200);
    expect(await signedInName(jar)).toBe('Ada Single');
    expect(await identityOf(person.id)).toEqual({ oidc_issuer: idp.issuer, oidc_subject: subject });
    const linked = await audit('person.sso-linked', person.id);
    expect(linked).toEqual([
      { actor_id: person.id, after: { oidcIssuer: idp.issuer, oidcSubject: subject } },
    ]);
  });

  it('keeps signing in the same person by subject when the email changes at the identity provider', async () => {
    const person = await aPerson(t.db, { role: 'planner', name: 'Bea Kept' });
    const other = await aPerson(t.db, { role: 'analyst', name: 'Cy Other' });
    const subject = anIdentity(person.email);
    expect((await signInThere(subject)).response.statusCode).toBe(303);
    // Now the organisation says this person has the other account's address, unverified even.
    idp.people.set(subject, { email: other.email, emailVerified: false });
    const again = await signInThere(subject);
    expect(again.response.statusCode).toBe(303);
    expect(await signedInName(again.jar)).toBe('Bea Kept');
    expect(await identityOf(other.id)).toEqual({ oidc_issuer: null, oidc_subject: null });
    expect(await audit('person.sso-linked', person.id)).toHaveLength(1);
  });

  it('refuses an email nobody has an account for, without a session', async () => {
    const { jar, response } = await signInThere(anIdentity('stranger@elsewhere.invalid'));
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('There is no account for your email address');
    expect(jar.has('session')).toBe(false);
    expect(await signedInName(jar)).toBeNull();
  });

  it('refuses an email the identity provider has not verified, and notes it on the account', async () => {
    const person = await aPerson(t.db, { role: 'manager' });
    const { jar, response } = await signInThere(anIdentity(person.email, false));
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('has not confirmed');
    expect(jar.has('session')).toBe(false);
    expect(await identityOf(person.id)).toEqual({ oidc_issuer: null, oidc_subject: null });
    expect((await audit('sign-in.sso-refused', person.id)).map((e) => e.after)).toEqual([
      expect.objectContaining({ reason: 'unverified-email' }),
    ]);
  });

  it('refuses a disabled account, whether found by email or by a subject it already had', async () => {
    const byEmail = await aPerson(t.db, { role: 'inspector' });
    const linked = await aPerson(t.db, { role: 'inspector' });
    const linkedSubject = anIdentity(linked.email);
    expect((await signInThere(linkedSubject)).response.statusCode).toBe(303);
    await t.db
      .updateTable('people')
      .set({ active: false })
      .where('id', 'in', [byEmail.id, linked.id])
      .execute();
    for (const subject of [anIdentity(byEmail.email), linkedSubject]) {
      const { jar, response } = await signInThere(subject);
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('Your account on this service has been disabled');
      expect(jar.has('session')).toBe(false);
    }
    expect(await identityOf(byEmail.id)).toEqual({ oidc_issuer: null, oidc_subject: null });
    for (const id of [byEmail.id, linked.id])
      expect((await audit('sign-in.sso-refused', id)).map((e) => e.after)).toEqual([
        expect.objectContaining({ reason: 'disabled' }),
      ]);
  });

  it('never moves an account linked to one identity over to another with the same email', async () => {
    const person = await aPerson(t.db, { role: 'inspector', name: 'Di First' });
    expect((await signInThere(anIdentity(person.email))).response.statusCode).toBe(303);
    const { jar, response } = await signInThere(anIdentity(person.email));
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('already linked to a different organisation account');
    expect(jar.has('session')).toBe(false);
  });

  it('refuses an answer whose state is not the one this browser sent', async () => {
    const person = await aPerson(t.db, { role: 'inspector' });
    const jar = new CookieJar();
    const callback = new URL(await signInAtIdentityProvider(await startAt(jar), anIdentity(person.email)));
    callback.searchParams.set('state', 'a-state-this-browser-never-sent');
    const response = await arrive(jar, callback.href);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('could not be checked');
    expect(jar.has('session')).toBe(false);
    expect(jar.has(FLOW_COOKIE)).toBe(false);
    expect(await identityOf(person.id)).toEqual({ oidc_issuer: null, oidc_subject: null });
  });

  it('refuses the answer to one sign-in brought back to another (two flows crossed)', async () => {
    const person = await aPerson(t.db, { role: 'inspector' });
    const subject = anIdentity(person.email);
    const first = new CookieJar();
    const second = new CookieJar();
    const firstAt = await startAt(first);
    await startAt(second);
    const response = await arrive(second, await signInAtIdentityProvider(firstAt, subject));
    expect(response.statusCode).toBe(400);
    expect(second.has('session')).toBe(false);
  });

  it('refuses an ID token whose nonce is not the one this browser sent', async () => {
    const person = await aPerson(t.db, { role: 'inspector' });
    const jar = new CookieJar();
    const callback = await signInAtIdentityProvider(await startAt(jar), anIdentity(person.email));
    // Someone who could write the cookie (knowing the secret) with another nonce: state and code still fit.
    const cookie = /(?:^|; )oidc-flow=([^;]+)/.exec(jar.header())![1]!;
    const unsigned = t.app.unsignCookie(decodeURIComponent(cookie));
    expect(unsigned.valid).toBe(true);
    const flow = JSON.parse(Buffer.from(unsigned.value!, 'base64url').toString('utf8'));
    const tampered = Buffer.from(JSON.stringify({ ...flow, nonce: 'another-nonce' })).toString('base64url');
    jar.store(`${FLOW_COOKIE}=${encodeURIComponent(t.app.signCookie(tampered))}; Path=/sign-in/oidc`);
    const response = await arrive(jar, callback);
    expect(response.statusCode).toBe(400);
    expect(jar.has('session')).toBe(false);
    expect(await identityOf(person.id)).toEqual({ oidc_issuer: null, oidc_subject: null });
  });

  it('refuses a sign-in cookie that was altered, missing, or started more than 10 minutes ago', async () => {
    const person = await aPerson(t.db, { role: 'inspector' });
    const subject = anIdentity(person.email);

    const altered = new CookieJar();
    const alteredBack = await signInAtIdentityProvider(await startAt(altered), subject);
    const cookie = /(?:^|; )oidc-flow=([^;]+)/.exec(altered.header())![1]!;
    altered.store(`${FLOW_COOKIE}=x${cookie}; Path=/sign-in/oidc`);
    expect((await arrive(altered, alteredBack)).statusCode).toBe(400);

    const none = new CookieJar();
    const noneBack = await signInAtIdentityProvider(await startAt(new CookieJar()), subject);
    const missing = await arrive(none, noneBack);
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Start again');

    const slow = new CookieJar();
    const slowBack = await signInAtIdentityProvider(await startAt(slow), subject);
    const now = clock.now();
    clock.set(new Date(now.getTime() + 11 * 60_000));
    try {
      expect((await arrive(slow, slowBack)).statusCode).toBe(400);
    } finally {
      clock.set(now);
    }
    for (const jar of [altered, none, slow]) expect(jar.has('session')).toBe(false);
    expect(await identityOf(person.id)).toEqual({ oidc_issuer: null, oidc_subject: null });
  });

  it('shows an error from the identity provider as a refusal, without a session', async () => {
    const jar = new CookieJar();
    const at = new URL(await startAt(jar));
    const back = new URL(`${BASE_URL}/sign-in/oidc/callback`);
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('state', at.searchParams.get('state')!);
    back.searchParams.set('iss', idp.issuer);
    const response = await arrive(jar, back.href);
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('Your organisation’s account did not sign you in');
    expect(jar.has('session')).toBe(false);
  });

  it('sends someone already signed in straight on', async () => {
    const jar = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const response = await getPage(t.app, jar, '/sign-in/oidc?returnTo=%2Fplan');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/plan');
  });
});

describe('single sign-on when the identity provider cannot be reached', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A loopback port nobody listens on.
    t = await startTestApp('embedded', {
      OIDC_ISSUER_URL: `http://127.0.0.1:${await freePort()}`,
      OIDC_CLIENT_ID: 'inspectorate',
      OIDC_CLIENT_SECRET: 'secret',
    });
  });
  afterAll(async () => t?.close());

  it('says so, and passwords still work', async () => {
    const page = await getPage(t.app, new CookieJar(), '/sign-in');
    expect(page.body).toContain('Sign in with your organisation’s account');
    const jar = new CookieJar();
    const response = await getPage(t.app, jar, '/sign-in/oidc');
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('is not working at the moment');
    expect(jar.has(FLOW_COOKIE)).toBe(false);
    await signInAs(t.app, 'inspector', DEMO_PASSWORD);
  });
});
