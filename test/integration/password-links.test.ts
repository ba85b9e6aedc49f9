import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inTransaction } from '../../src/db/database.js';
import { inviteAccount } from '../../src/people/invitations.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { CookieJar, csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

/**
 * Choosing a password through a one-time link (an invitation or a reset), and changing one's own: what
 * the invited person, someone who forgot their password, and an onlooker each see.
 */

const kinds = await databaseKinds();
const NEW_PASSWORD = 'kettle orbit maple lantern';

describe.each(kinds)('one-time links and passwords on the %s database', (kind) => {
  let t: TestApp;
  let count = 0;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => t?.close());

  const tokenOf = (url: string) => new URL(url).searchParams.get('token')!;

  async function invite(hoursAgo = 0) {
    count += 1;
    const email = `invited.${kind}.${count}@example.org`;
    const now = new Date(Date.now() - hoursAgo * 3600_000);
    const invitation = await inTransaction(t.db, (trx) =>
      inviteAccount(
        trx,
        { email, name: `Invited ${count}`, roles: ['planner'], providerIds: [], providerAdmin: false },
        null,
        now,
        { send: true },
      ),
    );
    return { email, token: tokenOf(invitation.invitationUrl), url: invitation.invitationUrl };
  }

  const accept = (token: string, password = NEW_PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token, password } });
  const signIn = (email: string, password = NEW_PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/tokens', payload: { email, password } });

  it('lets an invited person choose a password once, then sign in with it', async () => {
    const { email, token, url } = await invite();
    expect(url).toMatch(/^http:\/\/localhost:3000\/account\/set-password\?token=/);
    expect((await signIn(email)).statusCode).toBe(401);

    expect((await accept(token)).statusCode).toBe(204);
    expect((await signIn(email)).statusCode).toBe(201);

    const again = await accept(token, 'another long passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json().errors).toEqual([
      { field: 'token', message: 'This link has already been used. Sign in, or ask for a new link' },
    ]);
    expect((await signIn(email, 'another long passphrase')).statusCode).toBe(401);
  });

  it('refuses a link after 72 hours, and one nobody was given, in words', async () => {
    const { token } = await invite(72);
    const expired = await accept(token);
    expect(expired.statusCode).toBe(400);
    expect(expired.json().errors[0].message).toBe(
      'This link has expired: invitations last 72 hours. Ask whoever invited you to send a new one',
    );
    const unknown = await accept('made-up-token');
    expect(unknown.json().errors[0]).toEqual({
      field: 'token',
      message: 'This link is not valid. Check you used the whole link from the email, or ask for a new one',
    });
  });

  it('holds a new password to the rules and leaves the link good for another try', async () => {
    const { email, token } = await invite();
    const weak = await accept(token, 'password1234');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors).toEqual([
      {
        field: 'password',
        message: 'Password is one of the most commonly used passwords; choose one that is harder to guess',
      },
    ]);
    const local = email.split('@')[0]!;
    expect((await accept(token, `${local} is me`)).json().errors[0].message).toBe(
      'Password must not contain your email address',
    );
    expect((await accept(token)).statusCode).toBe(204);
  });

  it('emails the invitation to the person alone: staff who read every message never see the link', async () => {
    const { email, token } = await invite();
    const manager = await t.tokenFor('manager');
    const all = await t.app.inject({
      url: '/api/messages?pageSize=100',
      headers: { authorization: `Bearer ${manager}` },
    });
    expect(all.statusCode).toBe(200);
    expect(all.body).not.toContain(token);
    expect(all.body).not.toContain(email);
    const inbox = await t.db
      .selectFrom('outbox')
      .select(['body', 'template'])
      .where('recipient', '=', email)
      .execute();
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.template).toBe('account-invitation');
    expect(inbox[0]!.body).toContain(`/account/set-password?token=${token}`);
    // Only the hash of the token is kept.
    const stored = await t.db.selectFrom('account_tokens').select('token_hash').execute();
    expect(stored.map((row) => row.token_hash)).not.toContain(token);
  });

  it('takes a password through the invitation page, then signs in there', async () => {
    const { email, token } = await invite();
    const jar = new CookieJar();
    const page = await getPage(t.app, jar, `/account/set-password?token=${encodeURIComponent(token)}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Create your password');
    expect(page.body).toContain(email);

    const mismatch = await postForm(t.app, jar, '/account/set-password', {
      _csrf: csrfTokenIn(page.body),
      token,
      password: NEW_PASSWORD,
      confirmPassword: 'something else entirely',
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('The passwords do not match: enter the same password twice');

    const saved = await postForm(t.app, jar, '/account/set-password', {
      _csrf: csrfTokenIn(mismatch.body),
      token,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/sign-in?passwordSet=1');
    const signInPage = await getPage(t.app, jar, '/sign-in?passwordSet=1');
    expect(signInPage.body).toContain('Your password has been saved. Sign in with it now.');

    const used = await getPage(t.app, jar, `/account/set-password?token=${encodeURIComponent(token)}`);
    expect(used.statusCode).toBe(400);
    expect(used.body).toContain('This link has already been used');
  });

  it('answers a reset request the same whether or not the address has an account', async () => {
    const { email, token } = await invite();
    expect((await accept(token)).statusCode).toBe(204);
    const known = await t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email } });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/password-resets',
      payload: { email: `nobody.${kind}@example.org` },
    });
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);
    const sent = await t.db
      .selectFrom('outbox')
      .select(['body', 'template'])
      .where('recipient', 'in', [email, `nobody.${kind}@example.org`])
      .where('template', '=', 'password-reset')
      .execute();
    expect(sent).toHaveLength(1);
  });

  it('resets a forgotten password by email: the old password and every old token stop working', async () => {
    const { email, token } = await invite();
    expect((await accept(token)).statusCode).toBe(204);
    const apiToken = (await signIn(email)).json().token as string;

    const jar = new CookieJar();
    const form = await getPage(t.app, jar, '/account/forgotten-password');
    const asked = await postForm(t.app, jar, '/account/forgotten-password', {
      _csrf: csrfTokenIn(form.body),
      email: email.toUpperCase(),
    });
    expect(asked.headers.location).toBe('/account/forgotten-password?sent=1');
    expect((await getPage(t.app, jar, asked.headers.location as string)).body).toContain('Check your email');

    const [message] = await t.db
      .selectFrom('outbox')
      .select('body')
      .where('recipient', '=', email)
      .where('template', '=', 'password-reset')
      .execute();
    const link = /\/account\/set-password\?token=[\w-]+/.exec(message!.body)![0];
    const page = await getPage(t.app, jar, link);
    expect(page.body).toContain('Choose a new password');
    const reset = await postForm(t.app, jar, '/account/set-password', {
      _csrf: csrfTokenIn(page.body),
      token: new URLSearchParams(link.split('?')[1]).get('token')!,
      password: 'quiet harbour seven lamps',
      confirmPassword: 'quiet harbour seven lamps',
    });
    expect(reset.statusCode).toBe(303);

    const me = await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${apiToken}` } });
    expect(me.statusCode).toBe(401);
    expect((await signIn(email)).statusCode).toBe(401);
    expect((await signIn(email, 'quiet harbour seven lamps')).statusCode).toBe(201);
  });

  it('changes one’s own password, keeping this browser signed in and ending every other sign-in', async () => {
    const jar = await signInAs(t.app, 'analyst', DEMO_PASSWORD);
    const apiToken = await t.tokenFor('analyst');
    const account = await getPage(t.app, jar, '/account');
    expect(account.body).toContain('Your account');
    expect(account.body).toContain('analyst@demo.invalid');

    const form = await getPage(t.app, jar, '/account/password');
    const wrong = await postForm(t.app, jar, '/account/password', {
      _csrf: csrfTokenIn(form.body),
      currentPassword: 'not my password',
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Your current password is not correct');
    expect((await signIn('analyst@demo.invalid', DEMO_PASSWORD)).statusCode).toBe(201);

    const changed = await postForm(t.app, jar, '/account/password', {
      _csrf: csrfTokenIn(wrong.body),
      currentPassword: DEMO_PASSWORD,
      password: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(303);
    const after = await getPage(t.app, jar, changed.headers.location as string);
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('Your password has been changed');
    const me = await t.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${apiToken}` } });
    expect(me.statusCode).toBe(401);
    expect((await signIn('analyst@demo.invalid', DEMO_PASSWORD)).statusCode).toBe(401);
    expect((await signIn('analyst@demo.invalid')).statusCode).toBe(201);
  });
});
