import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { ToldParty } from '../../src/notifications/rules.js';
import { submitNotification } from '../../src/notifications/store.js';
import { startTestApp, DEMO_PASSWORD, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { csrfTokenIn, getPage, postForm, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

interface ApiNotification {
  id: string;
  reference: string;
  status: string;
  provider: { id: string; name: string };
  category: { id: string; label: string };
  eventDate: string;
  told: string[];
  toldOther: string | null;
  reviewedAt: string | null;
  review?: {
    outcome: string;
    notes: string;
    bringForwardTo: string | null;
    concernId: string | null;
  } | null;
  version: number;
}

interface ApiList {
  items: ApiNotification[];
  page: number;
  total: number;
  totalPages: number;
}

describe.each(kinds)('serious-event notifications on the %s database', (kind) => {
  // Far from the demo's notifications (dated from the real today), so that the period filter isolates ours.
  const clock = new ManualClock(new Date('2030-03-15T10:00:00Z'));
  const period = 'from=2030-01-01&to=2030-12-31';
  let t: TestApp;
  let own: { id: string; name: string }[];
  let otherHome: { id: string; name: string };
  let otherManagerId: string;

  const as = async (role: string) => ({ authorization: `Bearer ${await t.tokenFor(role)}` });
  const post = async (role: string, url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: await as(role), payload });
  const get = async (role: string, url: string) => t.app.inject({ url, headers: await as(role) });
  const list = async (role: string, query: string) =>
    (await get(role, `/api/notifications?${query}`)).json() as ApiList;
  const fields = (response: { json(): unknown }) =>
    (response.json() as { errors: { field: string }[] }).errors.map((e) => e.field);
  const counts = async () => ({
    notifications: Number(
      (
        await t.db
          .selectFrom('event_notifications')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    outbox: Number(
      (
        await t.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    audit: Number(
      (
        await t.db
          .selectFrom('audit_events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });
  const valid = () => ({
    providerId: own[0]!.id,
    categoryId: 'missing-child',
    eventDate: '2030-01-10',
    whatHappened: 'Child A did not come back from school and was found by police at 23:00.',
    actionsTaken: 'Reported to police after two hours; return-home interview booked.',
    told: ['police', 'placing-authority'] as ToldParty[],
  });

  /** Our notifications in 2030, by name, for the hand counts below. */
  const ours: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { clock });
    const me = (await get('provider', '/api/me')).json() as { providers: { id: string; name: string }[] };
    own = me.providers;
    const homes = (await get('planner', '/api/providers?type=childrens-home&pageSize=50')).json().items as {
      id: string;
      name: string;
    }[];
    otherHome = homes.find((h) => !own.some((o) => o.id === h.id))!;
    // The demo's registered manager of other homes, who cannot sign in: notify for another home directly.
    const manager = await t.db
      .selectFrom('people')
      .select('id')
      .where('email', '=', 'registered-manager.other-homes@demo.invalid')
      .executeTakeFirstOrThrow();
    otherManagerId = manager.id;
    await t.db
      .insertInto('person_providers')
      .values({ person_id: otherManagerId, provider_id: otherHome.id })
      .onConflict((oc) => oc.doNothing())
      .execute();
  });
  afterAll(async () => t?.close());

  it('takes a notification from a provider for its own home, tells planners and managers, and acknowledges it', async () => {
    const before = await counts();
    const response = await post('provider', '/api/notifications', {
      ...valid(),
      told: ['police', 'other'],
      toldOther: 'Fire and rescue service',
    });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json() as ApiNotification;
    expect(created.reference).toMatch(/^N-[0-9A-F]{8}$/);
    expect(response.headers.location).toBe(`/api/notifications/${created.id}`);
    expect(created).toMatchObject({
      status: 'submitted',
      provider: { id: own[0]!.id },
      category: { id: 'missing-child', label: 'Serious concerns over a missing child' },
      eventDate: '2030-01-10',
      told: ['police', 'other'],
      toldOther: 'Fire and rescue service',
    });
    expect(created.review).toBeUndefined();
    ours.a = created.id;

    const audit = await t.db
      .selectFrom('audit_events')
      .select(['action', 'entity_type'])
      .where('entity_id', '=', created.id)
      .execute();
    expect(audit).toEqual([{ action: 'notification.submitted', entity_type: 'notification' }]);
    const messages = await t.db
      .selectFrom('outbox')
      .select(['recipient', 'template', 'subject'])
      .where('subject', 'like', `%${created.reference}%`)
      .orderBy('recipient')
      .execute();
    expect(messages.map((m) => [m.recipient, m.template])).toEqual([
      ['manager@demo.invalid', 'notification-received'],
      ['planner@demo.invalid', 'notification-received'],
      ['provider@demo.invalid', 'notification-acknowledgement'],
    ]);
    expect(messages[0]!.subject).toBe(
      `Serious-event notification ${created.reference} from ${own[0]!.name}: Serious concerns over a missing child`,
    );
    const after = await counts();
    expect(after.notifications - before.notifications).toBe(1);
    expect(after.outbox - before.outbox).toBe(3);
  });

  it('answers 404 to a provider notifying for a home it does not act for, and writes nothing', async () => {
    const before = await counts();
    const response = await post('provider', '/api/notifications', { ...valid(), providerId: otherHome.id });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    // Staff do not notify events: the home is not theirs either.
    expect((await post('planner', '/api/notifications', valid())).statusCode).toBe(404);
    expect(await counts()).toEqual(before);
  });

  it('refuses bad input naming each field, and writes nothing', async () => {
    const before = await counts();
    const empty = await post('provider', '/api/notifications', { providerId: own[0]!.id });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(fields(empty)).toEqual(['categoryId', 'eventDate', 'whatHappened', 'actionsTaken']);

    const wrong = await post('provider', '/api/notifications', {
      ...valid(),
      categoryId: 'parking',
      eventDate: '2030-02-30',
      told: ['police', 'the-press'],
    });
    expect(wrong.statusCode).toBe(400);
    expect(fields(wrong)).toEqual(['categoryId', 'eventDate', 'told.1']);

    const future = await post('provider', '/api/notifications', {
      ...valid(),
      eventDate: '2030-03-16',
      told: ['other'],
    });
    expect(future.statusCode).toBe(422);
    expect(future.json().errors).toEqual([
      { field: 'eventDate', message: 'The date of the event must be today or in the past' },
      { field: 'toldOther', message: 'Say who else you told' },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('lists with each filter, newest event first, and a provider sees only its own homes', async () => {
    const submit = async (providerId: string, categoryId: string, eventDate: string) => {
      const response = await post('provider', '/api/notifications', {
        ...valid(),
        providerId,
        categoryId,
        eventDate,
      });
      expect(response.statusCode, response.body).toBe(201);
      return (response.json() as ApiNotification).id;
    };
    ours.b = await submit(own[0]!.id, 'self-harm', '2030-02-05');
    ours.c = await submit(own[1]!.id, 'missing-child', '2030-02-20');
    const byOther = async (categoryId: string, eventDate: string) =>
      (
        await submitNotification(
          t.db,
          otherManagerId,
          { ...valid(), providerId: otherHome.id, categoryId, eventDate },
          clock.now(),
        )
      ).id;
    ours.d = await byOther('missing-child', '2030-03-01');
    ours.e = await byOther('self-harm', '2029-12-31');

    // In 2030: a (10 Jan, own 0), b (5 Feb, own 0), c (20 Feb, own 1), d (1 Mar, other); e is in 2029.
    const all = await list('planner', period);
    expect(all.items.map((n) => n.id)).toEqual([ours.d, ours.c, ours.b, ours.a]);
    expect((await list('planner', `${period}&category=missing-child`)).items.map((n) => n.id)).toEqual([
      ours.d,
      ours.c,
      ours.a,
    ]);
    expect((await list('planner', `${period}&providerId=${own[0]!.id}`)).items.map((n) => n.id)).toEqual([
      ours.b,
      ours.a,
    ]);
    expect((await list('planner', 'from=2029-12-01&to=2030-01-31')).items.map((n) => n.id)).toEqual([
      ours.a,
      ours.e,
    ]);
    expect((await list('planner', `${period}&status=reviewed`)).total).toBe(0);
    const page2 = await list('planner', `${period}&pageSize=3&page=2`);
    expect(page2).toMatchObject({ page: 2, total: 4, totalPages: 2 });
    expect(page2.items.map((n) => n.id)).toEqual([ours.a]);

    const mine = await list('provider', period);
    expect(mine.items.map((n) => n.id)).toEqual([ours.c, ours.b, ours.a]);
    expect(mine.items.every((n) => n.review === undefined)).toBe(true);
    // Naming another provider does not widen what a provider sees.
    expect((await list('provider', `providerId=${otherHome.id}`)).total).toBe(0);
    const everything = await list('provider', 'pageSize=100');
    expect(everything.items.every((n) => own.some((o) => o.id === n.provider.id))).toBe(true);

    const bad = await get('planner', '/api/notifications?from=2030-13-01&status=lost');
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['status', 'from']);
  });

  it('shows a provider its own notification and answers 404 for another provider’s', async () => {
    expect((await get('provider', `/api/notifications/${ours.a}`)).statusCode).toBe(200);
    const others = await get('provider', `/api/notifications/${ours.d}`);
    expect(others.statusCode).toBe(404);
    expect(others.json().detail).toBe((await get('provider', '/api/notifications/not-an-id')).json().detail);
    expect(
      (await get('provider', '/api/notifications/00000000-0000-4000-8000-000000000000')).statusCode,
    ).toBe(404);
    expect((await get('inspector', `/api/notifications/${ours.d}`)).statusCode).toBe(200);
  });

  it('records a review that raises a concern, linked both ways, once', async () => {
    const review = (role: string, id: string, body: object) =>
      post(role, `/api/notifications/${id}/review`, body);
    expect(
      (await review('provider', ours.a!, { outcome: 'no-further-action', notes: 'x', version: 1 }))
        .statusCode,
    ).toBe(403);
    const before = await counts();
    const noNotes = await review('planner', ours.a!, {
      outcome: 'no-further-action',
      notes: ' ',
      version: 1,
    });
    expect(noNotes.statusCode).toBe(400);
    expect(fields(noNotes)).toEqual(['notes']);
    const past = await review('planner', ours.a!, {
      outcome: 'inspection-brought-forward',
      notes: 'Soon',
      bringForwardTo: '2030-03-15',
      version: 1,
    });
    expect(past.statusCode).toBe(422);
    expect(fields(past)).toEqual(['bringForwardTo']);
    expect(await counts()).toEqual(before);

    const raised = await review('planner', ours.a!, {
      outcome: 'concern-raised',
      notes: 'Third missing episode this term; assess with the home’s other notifications.',
      version: 1,
    });
    expect(raised.statusCode, raised.body).toBe(200);
    const reviewed = raised.json() as ApiNotification;
    expect(reviewed).toMatchObject({ status: 'reviewed', version: 2, review: { outcome: 'concern-raised' } });
    const concerns = await t.db
      .selectFrom('concerns')
      .selectAll()
      .where('notification_id', '=', ours.a!)
      .execute();
    expect(concerns).toHaveLength(1);
    expect(concerns[0]).toMatchObject({
      id: reviewed.review!.concernId,
      provider_id: own[0]!.id,
      provider_description: own[0]!.name,
      channel: 'notification',
      status: 'new',
    });
    expect(concerns[0]!.summary).toContain(reviewed.reference);

    // Stale, then already done: both conflicts, and no second concern.
    const stale = await review('manager', ours.a!, {
      outcome: 'no-further-action',
      notes: 'Fine',
      version: 1,
    });
    expect(stale.statusCode).toBe(409);
    expect(fields(stale)).toEqual(['version']);
    const again = await review('manager', ours.a!, { outcome: 'concern-raised', notes: 'Again', version: 2 });
    expect(again.statusCode).toBe(409);
    expect(
      await t.db.selectFrom('concerns').select('id').where('notification_id', '=', ours.a!).execute(),
    ).toHaveLength(1);

    // The provider sees that it was reviewed, not how, and is told without the notes.
    const seen = (await get('provider', `/api/notifications/${ours.a}`)).json() as ApiNotification;
    expect(seen.status).toBe('reviewed');
    expect(seen.reviewedAt).toBe('2030-03-15T10:00:00.000Z');
    expect(seen).not.toHaveProperty('review');
    const told = await t.db
      .selectFrom('outbox')
      .select(['recipient', 'body'])
      .where('template', '=', 'notification-reviewed')
      .where('subject', 'like', `%${reviewed.reference}%`)
      .execute();
    expect(told).toHaveLength(1);
    expect(told[0]!.recipient).toBe('provider@demo.invalid');
    expect(told[0]!.body).not.toContain('missing episode');

    expect((await list('planner', `${period}&status=reviewed`)).items.map((n) => n.id)).toEqual([ours.a]);
    expect((await list('planner', `${period}&status=submitted`)).total).toBe(3);
  });

  it('brings the inspection forward to a future date, kept for the plan', async () => {
    const response = await post('inspector', `/api/notifications/${ours.d}/review`, {
      outcome: 'inspection-brought-forward',
      notes: 'Second missing episode in a month at this home.',
      bringForwardTo: '2030-04-30',
      version: 1,
    });
    expect(response.statusCode, response.body).toBe(200);
    const row = await t.db
      .selectFrom('event_notifications')
      .select(['bring_forward_to', 'concern_id', 'review_outcome'])
      .where('id', '=', ours.d!)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      bring_forward_to: '2030-04-30',
      concern_id: null,
      review_outcome: 'inspection-brought-forward',
    });
  });

  it('works through the pages: notify without script, confirm, list, and review', async () => {
    const provider = await signInAs(t.app, 'provider', DEMO_PASSWORD);
    const form = await getPage(t.app, provider, '/notifications/new');
    expect(form.statusCode).toBe(200);
    const csrf = csrfTokenIn(form.body);
    // The demo provider acts for two homes, so it must choose one.
    const refused = await postForm(t.app, provider, '/notifications/new', {
      _csrf: csrf,
      'eventDate-day': '16',
      'eventDate-month': '3',
      'eventDate-year': '2030',
      told: 'other',
    });
    expect(refused.statusCode).toBe(400);
    for (const [href, text] of [
      ['#providerId', 'Select the home the event happened at'],
      ['#categoryId', 'Select the category of the event'],
      ['#whatHappened', 'Describe what happened'],
      ['#actionsTaken', 'Describe the actions you have taken'],
      // The rules' problems come in the same round as the missing answers.
      ['#eventDate-day', 'The date of the event must be today or in the past'],
      ['#toldOther', 'Say who else you told'],
    ]) {
      expect(refused.body).toContain(`<a href="${href}">${text}</a>`);
    }
    const before = await counts();
    const ruled = await postForm(t.app, provider, '/notifications/new', {
      _csrf: csrf,
      providerId: own[1]!.id,
      categoryId: 'serious-assault',
      'eventDate-day': '16',
      'eventDate-month': '3',
      'eventDate-year': '2030',
      whatHappened: 'A fight in the garden.',
      actionsTaken: 'First aid; police called.',
      told: 'other',
    });
    expect(ruled.statusCode).toBe(422);
    expect(ruled.body).toContain(
      '<a href="#eventDate-day">The date of the event must be today or in the past</a>',
    );
    expect(ruled.body).toContain('<a href="#toldOther">Say who else you told</a>');
    expect(await counts()).toEqual(before);

    const sent = await t.app.inject({
      method: 'POST',
      url: '/notifications/new',
      headers: {
        cookie: provider.header(),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      },
      payload: [
        `_csrf=${encodeURIComponent(csrf)}`,
        `providerId=${own[1]!.id}`,
        'categoryId=serious-assault',
        'eventDate-day=14',
        'eventDate-month=3',
        'eventDate-year=2030',
        'whatHappened=A+fight+in+the+garden.',
        'actionsTaken=First+aid%3B+police+called.',
        'told=police',
        'told=lado',
      ].join('&'),
    });
    expect(sent.statusCode, sent.body).toBe(303);
    const confirmation = await getPage(t.app, provider, sent.headers.location as string);
    const reference = confirmation.body.match(/id="notification-reference">(N-[0-9A-F]{8})</)?.[1];
    expect(reference).toBeDefined();
    const id = (sent.headers.location as string).split('/')[2]!;
    const stored = (await get('planner', `/api/notifications/${id}`)).json() as ApiNotification;
    expect(stored).toMatchObject({ reference, told: ['police', 'lado'], eventDate: '2030-03-14' });

    const mine = await getPage(
      t.app,
      provider,
      '/notifications?category=serious-assault&from-day=1&from-month=1&from-year=2030',
    );
    expect(mine.body).toContain(`>${reference}</a>`);
    expect(mine.body).toContain('Showing 1 to 1 of 1 notification<');
    const theirs = await getPage(t.app, provider, `/notifications/${ours.d}`);
    expect(theirs.statusCode).toBe(404);

    const planner = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const page = await getPage(t.app, planner, `/notifications/${id}`);
    expect(page.body).toContain('Review this notification');
    const token = csrfTokenIn(page.body);
    const noDate = await postForm(t.app, planner, `/notifications/${id}/review`, {
      _csrf: token,
      version: '1',
      outcome: 'inspection-brought-forward',
      notes: 'Inspect soon',
    });
    expect(noDate.statusCode).toBe(422);
    expect(noDate.body).toContain(
      '<a href="#bringForwardTo-day">Enter the date to bring the inspection forward to</a>',
    );
    const done = await postForm(t.app, planner, `/notifications/${id}/review`, {
      _csrf: token,
      version: '1',
      outcome: 'no-further-action',
      notes: 'Handled well by the home.',
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/notifications/${id}?saved=reviewed`);
    const late = await postForm(t.app, planner, `/notifications/${id}/review`, {
      _csrf: token,
      version: '1',
      outcome: 'concern-raised',
      notes: 'Too late',
    });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain(
      '<a href="#review">The notification changed meanwhile. Check it and try again.</a>',
    );

    const providerView = await getPage(t.app, provider, `/notifications/${id}`);
    expect(providerView.body).toContain('We reviewed this notification on 15 March 2030');
    expect(providerView.body).not.toContain('Handled well by the home.');
  });
});
