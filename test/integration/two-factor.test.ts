import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCKOUT_FAILURES } from '../../src/people/lockout.js';
import type { Role } from '../../src/people/rules.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aPerson } from '../support/factories.js';
import { CookieJar, csrfTokenIn, getPage, postForm } from '../support/pages.js';

const PASSWORD = 'a-long-factory-password';
const kinds = await databaseKinds();

/** The code an authenticator app with this key shows `stepsAhead` 30-second steps from now. */
function codeFor(key: string, stepsAhead = 0): string {
  return TOTP.generate({
    secret: Secret.fromBase32(key.replaceAll(' ', '')),
    timestamp: Date.now() + stepsAhead * 30_000,
  });
}

/** A code that is not the one the app shows now, nor either side of it. */
function wrongCode(key: string): string {
  const right = new Set([codeFor(key, -1), codeFor(key), codeFor(key, 1)]);
  let n = 0;
  while (right.has(String(n).padStart(6, '0'))) n += 1;
  return String(n).padStart(6, '0');
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function setupKeyIn(html: string): string {
  const match = html.match(/id="setup-key">\s*([A-Z2-7 ]+?)\s*</);
  if (!match) throw new Error('no key to type in on the page');
  return match[1]!;
}

function recoveryCodesIn(html: string): string[] {
  return [...html.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
}

describe.each(kinds)('two-factor sign-in on the %s database', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  async function passwordSignIn(email: string, returnTo = '/providers', password = PASSWORD) {
    const jar = new CookieJar();
    const page = await getPage(t.app, jar, '/sign-in');
    const response = await postForm(t.app, jar, '/sign-in', {
      _csrf: csrfTokenIn(page.body),
      email,
      password,
      returnTo,
    });
    return { jar, response };
  }

  async function enterCode(jar: CookieJar, code: string, returnTo = '/providers') {
    const page = await getPage(t.app, jar, `/sign-in/code?returnTo=${encodeURIComponent(returnTo)}`);
    expect(page.statusCode).toBe(200);
    return postForm(t.app, jar, '/sign-in/code', { _csrf: csrfTokenIn(page.body), code, returnTo });
  }

  async function signedInAs(jar: CookieJar): Promise<string | null> {
    const home = await getPage(t.app, jar, '/');
    return home.body.match(/Signed in as ([^(<]+) \(/)?.[1] ?? null;
  }

  /** Sets up two-factor sign-in through the pages for someone signed in; the key and recovery codes. */
  async function setUp(jar: CookieJar) {
    const page = await getPage(t.app, jar, '/account/two-factor?setUp=1');
    expect(page.statusCode).toBe(200);
    const key = setupKeyIn(page.body);
    const setupKey = page.body.match(/name="setupKey" value="([^"]+)"/)![1]!;
    const response = await postForm(t.app, jar, '/account/two-factor', {
      _csrf: csrfTokenIn(page.body),
      setupKey,
      code: codeFor(key),
    });
    expect(response.statusCode).toBe(200);
    return { key, codes: recoveryCodesIn(response.body), response };
  }

  /** A person with a password who has set up two-factor sign-in, signed out again. */
  async function personWithTwoFactor(role: Role = 'inspector') {
    const person = await aPerson(t.db, { role, password: PASSWORD });
    const { jar } = await passwordSignIn(person.email);
    const { key, codes } = await setUp(jar);
    return { ...person, key, codes };
  }

  const auditActions = async (personId: string) =>
    (
      await t.db
        .selectFrom('audit_events')
        .select('action')
        .where('entity_id', '=', personId)
        .orderBy('id')
        .execute()
    ).map((row) => row.action);

  it('sets up two-factor sign-in from the account page, showing the recovery codes once', async () => {
    const person = await aPerson(t.db, { role: 'inspector', password: PASSWORD });
    const { jar, response } = await passwordSignIn(person.email);
    expect(response.headers.location).toBe('/providers');

    const off = await getPage(t.app, jar, '/account/two-factor');
    expect(text(off.body)).toContain('Two-factor sign-in is off');

    const page = await getPage(t.app, jar, '/account/two-factor?setUp=1');
    expect(page.body).toMatch(/<img src="data:image\/png;base64,[^"]+" alt="QR code/);
    const key = setupKeyIn(page.body);
    expect(key.replaceAll(' ', '')).toMatch(/^[A-Z2-7]{32}$/);
    const setupKey = page.body.match(/name="setupKey" value="([^"]+)"/)![1]!;

    const wrong = await postForm(t.app, jar, '/account/two-factor', {
      _csrf: csrfTokenIn(page.body),
      setupKey,
      code: wrongCode(key),
    });
    expect(wrong.statusCode).toBe(400);
    expect(text(wrong.body)).toContain('The code is not correct');
    // The same key again, so the app already set up still fits.
    expect(setupKeyIn(wrong.body)).toBe(key);
    expect(
      (
        await t.db
          .selectFrom('people')
          .select('totp_enabled_at')
          .where('id', '=', person.id)
          .executeTakeFirstOrThrow()
      ).totp_enabled_at,
    ).toBeNull();

    const done = await postForm(t.app, jar, '/account/two-factor', {
      _csrf: csrfTokenIn(wrong.body),
      setupKey,
      code: codeFor(key),
    });
    expect(done.statusCode).toBe(200);
    expect(text(done.body)).toContain('Two-factor sign-in is on');
    const codes = recoveryCodesIn(done.body);
    expect(codes).toHaveLength(10);

    const row = await t.db
      .selectFrom('people')
      .select(['totp_secret', 'totp_enabled_at'])
      .where('id', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(row.totp_enabled_at).not.toBeNull();
    expect(row.totp_secret).not.toContain(key.replaceAll(' ', ''));
    const stored = await t.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('person_id', '=', person.id)
      .execute();
    expect(stored).toHaveLength(10);
    expect(stored.map((r) => r.code_hash)).not.toContain(codes[0]);

    const status = await getPage(t.app, jar, '/account/two-factor');
    expect(text(status.body)).toContain('Recovery codes left 10');
    for (const code of codes) expect(status.body).not.toContain(code);
    expect(await auditActions(person.id)).toContain('person.two-factor-enabled');
  });

  it('asks for the code after a correct password, and signs in only with it', async () => {
    const person = await personWithTwoFactor();
    const { jar, response } = await passwordSignIn(person.email, '/providers');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in/code?returnTo=%2Fproviders');
    // Half-way is not signed in: every other page still sends the person to sign in.
    expect(await signedInAs(jar)).toBeNull();
    const elsewhere = await getPage(t.app, jar, '/providers');
    expect(elsewhere.headers.location).toMatch(/^\/sign-in/);

    const page = await getPage(t.app, jar, '/sign-in/code');
    expect(text(page.body)).toContain('Enter the 6-digit code from your authenticator app');
    expect(text(page.body)).toContain('I cannot use my authenticator app');

    const wrong = await enterCode(jar, wrongCode(person.key));
    expect(wrong.statusCode).toBe(401);
    expect(text(wrong.body)).toContain('The code is not correct');
    expect(await signedInAs(jar)).toBeNull();

    const right = await enterCode(jar, codeFor(person.key, 1));
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/providers');
    expect(await signedInAs(jar)).toBe('Made inspector');
    // The half-way session is over.
    expect(jar.has('sign-in-step')).toBe(false);
  });

  it('refuses a code that has been used already', async () => {
    const person = await personWithTwoFactor();
    const code = codeFor(person.key, 1);
    const first = await passwordSignIn(person.email);
    expect((await enterCode(first.jar, code)).statusCode).toBe(303);

    const second = await passwordSignIn(person.email);
    const replayed = await enterCode(second.jar, code);
    expect(replayed.statusCode).toBe(401);
    expect(await signedInAs(second.jar)).toBeNull();
  });

  it('counts wrong codes with wrong passwords and pauses sign-in for the email', async () => {
    const person = await personWithTwoFactor();
    // A wrong password first: the code's failures add to the same count.
    expect((await passwordSignIn(person.email, '/', 'not-the-password')).response.statusCode).toBe(401);
    const { jar } = await passwordSignIn(person.email);
    for (let i = 1; i < LOCKOUT_FAILURES - 1; i += 1)
      expect((await enterCode(jar, wrongCode(person.key))).statusCode).toBe(401);
    const last = await enterCode(jar, wrongCode(person.key));
    expect(last.statusCode).toBe(401);

    const paused = await enterCode(jar, codeFor(person.key, 1));
    expect(paused.statusCode).toBe(429);
    expect(text(paused.body)).toContain('Too many attempts to sign in with this email address');
    expect(await signedInAs(jar)).toBeNull();
    expect((await passwordSignIn(person.email)).response.statusCode).toBe(429);
    expect(await auditActions(person.id)).toContain('sign-in.paused');
  });

  it('takes each recovery code once instead of a code', async () => {
    const person = await personWithTwoFactor();
    const [code] = person.codes as [string];
    const first = await passwordSignIn(person.email);
    const used = await enterCode(first.jar, code.toUpperCase());
    expect(used.statusCode).toBe(303);
    expect(await signedInAs(first.jar)).toBe('Made inspector');
    const status = await getPage(t.app, first.jar, '/account/two-factor');
    expect(text(status.body)).toContain('Recovery codes left 9');
    expect(await auditActions(person.id)).toContain('sign-in.recovery-code-used');

    const second = await passwordSignIn(person.email);
    expect((await enterCode(second.jar, code)).statusCode).toBe(401);
    expect(await signedInAs(second.jar)).toBeNull();
  });

  it('renews the recovery codes, the old ones no longer working', async () => {
    const person = await personWithTwoFactor();
    const { jar } = await passwordSignIn(person.email);
    await enterCode(jar, person.codes[0]!);
    const status = await getPage(t.app, jar, '/account/two-factor');
    const withoutCode = await postForm(t.app, jar, '/account/two-factor/recovery-codes', {
      _csrf: csrfTokenIn(status.body),
    });
    expect(withoutCode.statusCode).toBe(400);
    expect(withoutCode.body).toContain('Enter the 6-digit code from your authenticator app');
    expect(await auditActions(person.id)).not.toContain('person.recovery-codes-renewed');
    const renewed = await postForm(t.app, jar, '/account/two-factor/recovery-codes', {
      _csrf: csrfTokenIn(withoutCode.body),
      code: person.codes[2]!,
    });
    expect(renewed.statusCode).toBe(200);
    const codes = recoveryCodesIn(renewed.body);
    expect(codes).toHaveLength(10);
    expect(codes).not.toContain(person.codes[1]);
    expect(await auditActions(person.id)).toContain('person.recovery-codes-renewed');

    const old = await passwordSignIn(person.email);
    expect((await enterCode(old.jar, person.codes[1]!)).statusCode).toBe(401);
    expect((await enterCode(old.jar, codes[0]!)).statusCode).toBe(303);
  });

  it('turns two-factor sign-in off with a code, after which the password is enough', async () => {
    const person = await personWithTwoFactor();
    const { jar } = await passwordSignIn(person.email);
    await enterCode(jar, person.codes[0]!);
    const status = await getPage(t.app, jar, '/account/two-factor');
    const wrong = await postForm(t.app, jar, '/account/two-factor/turn-off', {
      _csrf: csrfTokenIn(status.body),
      code: wrongCode(person.key),
    });
    expect(wrong.statusCode).toBe(401);
    const off = await postForm(t.app, jar, '/account/two-factor/turn-off', {
      _csrf: csrfTokenIn(status.body),
      code: person.codes[1]!,
    });
    expect(off.statusCode).toBe(303);
    expect(text((await getPage(t.app, jar, off.headers.location as string)).body)).toContain(
      'Two-factor sign-in is off',
    );
    expect(await auditActions(person.id)).toContain('person.two-factor-disabled');
    expect(
      await t.db
        .selectFrom('recovery_codes')
        .select('code_hash')
        .where('person_id', '=', person.id)
        .execute(),
    ).toEqual([]);
    const again = await passwordSignIn(person.email);
    expect(again.response.headers.location).toBe('/providers');
  });

  it('needs the code for an API token once two-factor sign-in is on', async () => {
    const person = await personWithTwoFactor();
    const token = (body: Record<string, unknown>) =>
      t.app.inject({ method: 'POST', url: '/api/tokens', payload: { email: person.email, ...body } });

    const wrongPassword = await token({ password: 'not-the-password', code: codeFor(person.key, 1) });
    expect(wrongPassword.statusCode).toBe(401);
    expect(wrongPassword.json().detail).toBe('The email address or password is not correct.');

    const missing = await token({ password: PASSWORD });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json().errors).toEqual([
      { field: 'code', message: 'Enter the code from your authenticator app' },
    ]);
    const wrong = await token({ password: PASSWORD, code: wrongCode(person.key) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().errors[0].field).toBe('code');

    const right = await token({ password: PASSWORD, code: codeFor(person.key, 1) });
    expect(right.statusCode).toBe(201);
    const me = await t.app.inject({
      url: '/api/me',
      headers: { authorization: `Bearer ${right.json().token}` },
    });
    expect(me.json().email).toBe(person.email);

    // The wrong password, the missing code and the wrong one were counted together, until the right code.
    const cleared = await t.db
      .selectFrom('audit_events')
      .select('before')
      .where('entity_id', '=', person.id)
      .where('action', '=', 'sign-in.failures-cleared')
      .execute();
    expect(cleared.map((row) => row.before)).toEqual([{ failures: 3 }]);
  });

  it('sends someone signed out, with no password given, to sign in', async () => {
    const jar = new CookieJar();
    const account = await getPage(t.app, jar, '/account/two-factor');
    expect(account.statusCode).toBe(303);
    expect(account.headers.location).toBe('/sign-in?returnTo=%2Faccount%2Ftwo-factor');
    const code = await getPage(t.app, jar, '/sign-in/code');
    expect(code.headers.location).toBe('/sign-in');
  });

  it('signs in a person without two-factor sign-in with the password alone (the demo)', async () => {
    const { jar, response } = await passwordSignIn('planner@demo.invalid', '/providers', DEMO_PASSWORD);
    expect(response.headers.location).toBe('/providers');
    expect(await signedInAs(jar)).not.toBeNull();
  });
});

describe.each(kinds)('two-factor sign-in required (MFA_REQUIRED) on the %s database', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { MFA_REQUIRED: '1' });
  });
  afterAll(async () => t?.close());

  async function passwordSignIn(email: string, returnTo = '/providers') {
    const jar = new CookieJar();
    const page = await getPage(t.app, jar, '/sign-in');
    const response = await postForm(t.app, jar, '/sign-in', {
      _csrf: csrfTokenIn(page.body),
      email,
      password: PASSWORD,
      returnTo,
    });
    return { jar, response };
  }

  it('has staff set it up after their password before anything else, then signs them in', async () => {
    const person = await aPerson(t.db, { role: 'planner', password: PASSWORD });
    const { jar, response } = await passwordSignIn(person.email);
    expect(response.headers.location).toBe('/account/two-factor?returnTo=%2Fproviders');

    // Half-way: nothing else, and not the code page either.
    expect((await getPage(t.app, jar, '/providers')).headers.location).toMatch(/^\/sign-in/);
    expect((await getPage(t.app, jar, '/sign-in/code')).headers.location).toBe('/account/two-factor');

    const page = await getPage(t.app, jar, '/account/two-factor?returnTo=%2Fproviders');
    expect(page.statusCode).toBe(200);
    expect(text(page.body)).toContain('Set it up now to finish signing in');
    const key = setupKeyIn(page.body);
    const done = await postForm(t.app, jar, '/account/two-factor', {
      _csrf: csrfTokenIn(page.body),
      setupKey: page.body.match(/name="setupKey" value="([^"]+)"/)![1]!,
      code: codeFor(key),
      returnTo: '/providers',
    });
    expect(done.statusCode).toBe(200);
    expect(recoveryCodesIn(done.body)).toHaveLength(10);
    expect(done.body).toContain('href="/providers"');
    expect((await getPage(t.app, jar, '/providers')).statusCode).toBe(200);

    // Required, so it stays on.
    const status = await getPage(t.app, jar, '/account/two-factor');
    expect(text(status.body)).toContain('cannot be turned off');
    const refused = await postForm(t.app, jar, '/account/two-factor/turn-off', {
      _csrf: csrfTokenIn(status.body),
      code: codeFor(key, 1),
    });
    expect(refused.statusCode).toBe(403);

    // Next time, the code is asked for.
    const next = await passwordSignIn(person.email);
    expect(next.response.headers.location).toBe('/sign-in/code?returnTo=%2Fproviders');
  });

  it('refuses staff an API token until two-factor sign-in is set up', async () => {
    const person = await aPerson(t.db, { role: 'inspector', password: PASSWORD });
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: person.email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toContain('Set up two-factor sign-in in the browser first');
  });

  it('does not make providers use it', async () => {
    const person = await aPerson(t.db, { role: 'provider', password: PASSWORD });
    const { response } = await passwordSignIn(person.email);
    expect(response.headers.location).toBe('/providers');
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: person.email, password: PASSWORD },
    });
    expect(token.statusCode).toBe(201);
  });
});
