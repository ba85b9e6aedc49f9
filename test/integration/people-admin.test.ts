import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { aPerson, aProvider } from '../support/factories.js';
import { CookieJar, csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();
const PASSWORD = 'a long and unusual pass phrase';

describe.each(kinds)('managing people (%s)', (kind) => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApp(kind);
    admin = await t.tokenFor('administrator');
  });
  afterAll(async () => t?.close());

  const api = (
    token: string,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    payload?: Record<string, unknown>,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  const tokenOf = async (email: string) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email, password: PASSWORD },
    });
    expect(response.statusCode).toBe(201);
    return (response.json() as { token: string }).token;
  };

  const auditOf = async (entityId: string) =>
    t.db
      .selectFrom('audit_events')
      .select(['action', 'before', 'after'])
      .where('entity_id', '=', entityId)
      .orderBy('id')
      .execute();

  const auditCount = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from audit_events`.execute(t.db)).rows[0]!.n);

  /** A provider user who manages colleagues for the providers given, with a token. */
  async function aProviderAdmin(providerIds: string[]) {
    const made = await aPerson(t.db, { role: 'provider', providerIds, password: PASSWORD });
    await t.db.updateTable('people').set({ provider_admin: true }).where('id', '=', made.id).execute();
    return { ...made, token: await tokenOf(made.email) };
  }

  it('invites someone: 201 with the person, its version and the link, and emails them privately', async () => {
    const response = await api(admin, 'POST', '/api/people', {
      email: 'New.Planner@Example.invalid',
      name: 'New Planner',
      roles: ['planner'],
    });
    expect(response.statusCode).toBe(201);
    const person = response.json();
    expect(person).toMatchObject({
      email: 'new.planner@example.invalid',
      name: 'New Planner',
      roles: ['planner'],
      providers: [],
      providerAdmin: false,
      active: true,
      invitationPending: true,
      lastSignedInAt: null,
      version: expect.any(Number),
    });
    expect(person.invitationUrl).toMatch(/\/account\/set-password\?token=[\w-]{20,}/);
    expect(response.headers.location).toBe(`/api/people/${person.id}`);

    const emails = await t.db
      .selectFrom('outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', 'new.planner@example.invalid')
      .execute();
    expect(emails).toHaveLength(1);
    const token = new URL(person.invitationUrl).searchParams.get('token')!;
    expect(emails[0]!.body).toContain(token);

    // The manager reads everyone's messages, but never someone else's link to their account.
    const manager = await t.tokenFor('manager');
    const all = await api(manager, 'GET', '/api/messages?pageSize=100');
    expect(all.statusCode).toBe(200);
    expect(all.body).not.toContain(token);
    expect(all.body).not.toContain('new.planner@example.invalid');

    expect((await api(admin, 'GET', `/api/people/${person.id}`)).json()).toMatchObject({
      id: person.id,
      invitationPending: true,
    });
    expect((await auditOf(person.id)).map((e) => e.action)).toEqual(['person.created']);
  });

  it('refuses an email already taken, naming the field, and makes nothing', async () => {
    const before = await auditCount();
    const response = await api(admin, 'POST', '/api/people', {
      email: 'PLANNER@demo.invalid',
      name: 'Someone else',
      roles: ['planner'],
    });
    expect([400, 409]).toContain(response.statusCode);
    expect(response.json().errors).toEqual([{ field: 'email', message: expect.stringMatching(/already/) }]);
    expect(await auditCount()).toBe(before);
  });

  it('refuses roles and providers that do not go together, naming the field', async () => {
    const response = await api(admin, 'POST', '/api/people', {
      email: 'mixed@example.invalid',
      name: 'Mixed',
      roles: ['provider', 'inspector'],
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((e: { field: string }) => e.field)).toContain('roles');
  });

  it('finds people by name or email, by role, and by whether they have accepted', async () => {
    const made = await aPerson(t.db, { role: 'analyst', name: 'Zebedee Findable' });
    const byName = (await api(admin, 'GET', '/api/people?q=zebedee')).json();
    expect(byName.items.map((p: { id: string }) => p.id)).toEqual([made.id]);
    const byEmail = (await api(admin, 'GET', `/api/people?q=${encodeURIComponent(made.email)}`)).json();
    expect(byEmail.total).toBe(1);
    const analysts = (await api(admin, 'GET', '/api/people?role=analyst&pageSize=100')).json();
    expect(analysts.items.every((p: { roles: string[] }) => p.roles.includes('analyst'))).toBe(true);
    expect(analysts.items.map((p: { id: string }) => p.id)).toContain(made.id);
    const pending = (await api(admin, 'GET', '/api/people?pending=true&pageSize=100')).json();
    expect(pending.items.map((p: { email: string }) => p.email)).toContain('new.planner@example.invalid');
    expect(pending.items.map((p: { email: string }) => p.email)).not.toContain('planner@demo.invalid');
    const paged = await api(admin, 'GET', '/api/people?pageSize=2');
    expect(paged.json().items).toHaveLength(2);
    expect(paged.json().nextCursor).toEqual(expect.any(String));
    expect(paged.headers.link).toMatch(/rel="next"/);
    const bad = await api(admin, 'GET', '/api/people?role=wizard');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('role');
  });

  it('changes roles with the version read, and refuses a stale version with 409', async () => {
    const made = await aPerson(t.db, { role: 'analyst' });
    const read = (await api(admin, 'GET', `/api/people/${made.id}`)).json();
    const changed = await api(admin, 'PATCH', `/api/people/${made.id}`, {
      version: read.version,
      roles: ['analyst', 'planner'],
      name: 'Renamed Analyst',
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ roles: ['analyst', 'planner'], name: 'Renamed Analyst' });
    expect(changed.json().version).toBeGreaterThan(read.version);
    const stale = await api(admin, 'PATCH', `/api/people/${made.id}`, {
      version: read.version,
      roles: ['analyst'],
    });
    expect(stale.statusCode).toBe(409);
    expect((await api(admin, 'GET', `/api/people/${made.id}`)).json().roles).toEqual(['analyst', 'planner']);
    const audit = await auditOf(made.id);
    expect(audit.at(-1)).toMatchObject({
      action: 'person.changed',
      before: { roles: ['analyst'], name: 'Made analyst' },
      after: { roles: ['analyst', 'planner'], name: 'Renamed Analyst' },
    });
  });

  it('disables a leaver: their token and session stop at once, they cannot sign in, nothing is deleted', async () => {
    const leaver = await aPerson(t.db, { role: 'planner', password: PASSWORD });
    const token = await tokenOf(leaver.email);
    const jar = new CookieJar();
    const signIn = await getPage(t.app, jar, '/sign-in');
    await postForm(t.app, jar, '/sign-in', {
      _csrf: csrfTokenIn(signIn.body),
      email: leaver.email,
      password: PASSWORD,
    });
    expect((await getPage(t.app, jar, '/providers')).statusCode).toBe(200);
    const provider = await aProvider(t.db, { plannerId: leaver.id });
    expect((await api(token, 'GET', '/api/me')).statusCode).toBe(200);

    const { version } = (await api(admin, 'GET', `/api/people/${leaver.id}`)).json();
    const disabled = await api(admin, 'PATCH', `/api/people/${leaver.id}`, { version, active: false });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().active).toBe(false);

    expect((await api(token, 'GET', '/api/me')).statusCode).toBe(401);
    const page = await getPage(t.app, jar, '/providers');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/sign-in/);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/tokens',
      payload: { email: leaver.email, password: PASSWORD },
    });
    expect(again.statusCode).toBe(401);
    // What they wrote stays, with them as its author.
    const history = await api(await t.tokenFor('manager'), 'GET', `/api/providers/${provider.id}/history`);
    expect(history.body).toContain(leaver.id);
    expect((await auditOf(leaver.id)).at(-1)).toMatchObject({ action: 'person.disabled' });

    const reenabled = await api(admin, 'PATCH', `/api/people/${leaver.id}`, {
      version: disabled.json().version,
      active: true,
    });
    expect(reenabled.statusCode).toBe(200);
    expect((await auditOf(leaver.id)).at(-1)).toMatchObject({ action: 'person.enabled' });
    expect((await tokenOf(leaver.email)).length).toBeGreaterThan(10);
  });

  it('refuses to let an administrator disable themselves', async () => {
    const me = (await api(admin, 'GET', '/api/me')).json();
    const { version } = (await api(admin, 'GET', `/api/people/${me.id}`)).json();
    const response = await api(admin, 'PATCH', `/api/people/${me.id}`, { version, active: false });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toEqual([{ field: 'active', message: expect.any(String) }]);
    expect((await api(admin, 'GET', '/api/me')).statusCode).toBe(200);
  });

  it('sends an invitation again with a new link, the old one no longer valid; 409 once accepted', async () => {
    const invited = (
      await api(admin, 'POST', '/api/people', {
        email: 'resend@example.invalid',
        name: 'Resend',
        roles: ['analyst'],
      })
    ).json();
    const again = await api(admin, 'POST', `/api/people/${invited.id}/invitation`);
    expect(again.statusCode).toBe(200);
    expect(again.json().invitationUrl).not.toBe(invited.invitationUrl);
    const accept = (url: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token: new URL(url).searchParams.get('token'), password: PASSWORD },
      });
    expect((await accept(invited.invitationUrl)).statusCode).toBe(400);
    expect((await accept(again.json().invitationUrl)).statusCode).toBe(204);
    expect((await tokenOf('resend@example.invalid')).length).toBeGreaterThan(10);
    const person = (await api(admin, 'GET', `/api/people/${invited.id}`)).json();
    expect(person.invitationPending).toBe(false);
    const before = await auditCount();
    const accepted = await api(admin, 'POST', `/api/people/${invited.id}/invitation`);
    expect(accepted.statusCode).toBe(409);
    expect(await auditCount()).toBe(before);
    expect((await auditOf(invited.id)).map((e) => e.action)).toEqual([
      'person.created',
      'person.invitation-sent',
      'person.invitation-accepted',
    ]);
  });

  it('refuses everyone else: non-administrators, and a provider user without the flag', async () => {
    for (const role of ['manager', 'planner', 'inspector', 'analyst', 'provider']) {
      const token = await t.tokenFor(role);
      const list = await api(token, 'GET', '/api/people');
      expect([403, 404], role).toContain(list.statusCode);
      const before = await auditCount();
      const invite = await api(token, 'POST', '/api/people', {
        email: `by.${role}@example.invalid`,
        name: 'Not allowed',
        roles: ['provider'],
        providers: [],
      });
      expect([403, 404], role).toContain(invite.statusCode);
      expect(await auditCount()).toBe(before);
    }
  });

  describe('a provider’s own administrator', () => {
    let own: { id: string; urn: string };
    let other: { id: string; urn: string };
    let providerAdmin: { id: string; token: string };
    beforeAll(async () => {
      own = await aProvider(t.db);
      other = await aProvider(t.db);
      providerAdmin = await aProviderAdmin([own.id]);
    });

    it('is offered its organisation’s people on the home page, and the pages for them', async () => {
      const email = (
        await t.db
          .selectFrom('people')
          .select('email')
          .where('id', '=', providerAdmin.id)
          .executeTakeFirstOrThrow()
      ).email;
      const jar = new CookieJar();
      const form = await getPage(t.app, jar, '/sign-in');
      await postForm(t.app, jar, '/sign-in', { _csrf: csrfTokenIn(form.body), email, password: PASSWORD });
      const home = await getPage(t.app, jar, '/');
      expect(home.body).toContain('Manage your organisation’s people');
      const invite = await getPage(t.app, jar, '/admin/people/new');
      expect(invite.statusCode).toBe(200);
      expect(invite.body).toContain(`value="${own.id}"`);
      expect(invite.body).not.toContain(`value="${other.id}"`);
      expect(invite.body).not.toContain('value="inspector"');
    });

    it('invites a colleague for its own provider', async () => {
      const response = await api(providerAdmin.token, 'POST', '/api/people', {
        email: 'colleague@example.invalid',
        name: 'A Colleague',
        roles: ['provider'],
        providers: [own.id],
      });
      expect(response.statusCode).toBe(201);
      expect(response.json().providers).toEqual([{ id: own.id, urn: own.urn, name: expect.any(String) }]);
    });

    it('is refused beyond its providers or for a staff role, and nothing is made', async () => {
      const before = await auditCount();
      const beyond = await api(providerAdmin.token, 'POST', '/api/people', {
        email: 'beyond@example.invalid',
        name: 'Beyond',
        roles: ['provider'],
        providers: [own.id, other.id],
      });
      expect([403, 404]).toContain(beyond.statusCode);
      const staff = await api(providerAdmin.token, 'POST', '/api/people', {
        email: 'staff@example.invalid',
        name: 'Staff',
        roles: ['inspector'],
      });
      expect([403, 404]).toContain(staff.statusCode);
      expect(await auditCount()).toBe(before);
      const made = await t.db
        .selectFrom('people')
        .select('id')
        .where('email', 'in', ['beyond@example.invalid', 'staff@example.invalid'])
        .execute();
      expect(made).toEqual([]);
    });

    it('sees and changes only its own providers’ accounts', async () => {
      const list = (await api(providerAdmin.token, 'GET', '/api/people?pageSize=100')).json();
      const emails = list.items.map((p: { email: string }) => p.email);
      expect(emails).toContain('colleague@example.invalid');
      expect(emails).not.toContain('provider@demo.invalid');
      expect(emails).not.toContain('planner@demo.invalid');

      const outsider = await aPerson(t.db, { role: 'provider', providerIds: [other.id] });
      const demoPlanner = await t.db
        .selectFrom('people')
        .select('id')
        .where('email', '=', 'planner@demo.invalid')
        .executeTakeFirstOrThrow();
      for (const id of [outsider.id, demoPlanner.id]) {
        expect((await api(providerAdmin.token, 'GET', `/api/people/${id}`)).statusCode).toBe(404);
        const before = await auditCount();
        const patch = await api(providerAdmin.token, 'PATCH', `/api/people/${id}`, {
          version: 1,
          active: false,
        });
        expect(patch.statusCode).toBe(404);
        expect(await auditCount()).toBe(before);
      }

      const colleague = list.items.find((p: { email: string }) => p.email === 'colleague@example.invalid');
      const moved = await api(providerAdmin.token, 'PATCH', `/api/people/${colleague.id}`, {
        version: colleague.version,
        providers: [other.id],
      });
      expect(moved.statusCode).toBe(403);
      const promoted = await api(providerAdmin.token, 'PATCH', `/api/people/${colleague.id}`, {
        version: colleague.version,
        roles: ['inspector'],
        providers: [],
      });
      expect(promoted.statusCode).toBe(403);
      const disabled = await api(providerAdmin.token, 'PATCH', `/api/people/${colleague.id}`, {
        version: colleague.version,
        active: false,
      });
      expect(disabled.statusCode).toBe(200);
      expect((await auditOf(colleague.id)).map((e) => e.action)).toEqual([
        'person.created',
        'person.disabled',
      ]);
    });
  });

  it('shows the administrator a link to manage people, and nothing of the cases', async () => {
    const jar = await signInAs(t.app, 'administrator', DEMO_PASSWORD);
    const home = await getPage(t.app, jar, '/');
    expect(home.body).toContain('Manage people');
    expect(home.body).not.toContain('href="/reports"');
    expect(home.body).not.toContain('href="/inspections');
    expect((await getPage(t.app, jar, '/inspections')).statusCode).toBe(403);
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    expect((await getPage(t.app, provider, '/')).body).not.toContain('/admin/people');
  });

  it('walks the pages: invite, confirm with the link, find, disable through the confirmation', async () => {
    const jar = await signInAs(t.app, 'administrator', DEMO_PASSWORD);
    const form = await getPage(t.app, jar, '/admin/people/new');
    expect(form.statusCode).toBe(200);
    const refused = await postForm(t.app, jar, '/admin/people/new', {
      _csrf: csrfTokenIn(form.body),
      name: 'Paged Person',
      email: 'not an email',
      roles: 'analyst',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('href="#email"');
    const invited = await postForm(t.app, jar, '/admin/people/new', {
      _csrf: csrfTokenIn(form.body),
      name: 'Paged Person',
      email: 'paged.person@example.invalid',
      roles: 'provider',
      providerUrns: 'sc' + (await aProvider(t.db)).urn.slice(2),
      providerAdmin: 'yes',
    });
    expect(invited.statusCode).toBe(200);
    expect(invited.body).toContain('Invitation sent');
    expect(invited.body).toMatch(/\/account\/set-password\?token=/);
    const list = await getPage(t.app, jar, '/admin/people?q=paged');
    expect(list.body).toContain('Paged Person');
    // Invited, not yet signed in: the list says so.
    expect(list.body).toMatch(/Last signed in[\s\S]*Never[\s\S]*Invited/);
    const id = list.body.match(/href="\/admin\/people\/([0-9a-f-]{36})"/)![1]!;
    const confirm = await getPage(t.app, jar, `/admin/people/${id}/disable`);
    expect(confirm.body).toContain('Are you sure');
    const version = confirm.body.match(/name="version" value="(\d+)"/)![1]!;
    const done = await postForm(t.app, jar, `/admin/people/${id}/disable`, {
      _csrf: csrfTokenIn(confirm.body),
      version,
    });
    expect(done.statusCode).toBe(303);
    const shown = await getPage(t.app, jar, done.headers.location as string);
    expect(shown.body).toContain('The account has been disabled');
    expect(shown.body).toContain('Re-enable account');
  });
});
