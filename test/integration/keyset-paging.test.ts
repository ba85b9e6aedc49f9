import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { getPage, signInAs } from '../support/pages.js';

const kinds = await databaseKinds();

interface ListPage {
  items: { id: string; name?: string }[];
  page?: number;
  total?: number;
  totalPages?: number;
  nextCursor: string | null;
  previousCursor: string | null;
}

describe.each(kinds)('keyset paging on the %s database', (kind) => {
  let t: TestApp;
  const get = async (url: string, role: string | null = 'planner') =>
    t.app.inject({ url, headers: role ? { authorization: `Bearer ${await t.tokenFor(role)}` } : {} });
  const list = async (url: string, role: string | null = 'planner') => {
    const response = await get(url, role);
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as ListPage;
  };
  const withCursor = (url: string, cursor: string) =>
    `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;

  /** Follows the cursors one way from the first page, calling `between` after each read. */
  async function walk(url: string, between: (n: number) => Promise<void> = async () => {}, role?: string) {
    const pages: ListPage[] = [await list(url, role)];
    while (pages.at(-1)!.nextCursor) {
      await between(pages.length);
      pages.push(await list(withCursor(url, pages.at(-1)!.nextCursor!), role));
      expect(pages.length).toBeLessThan(500);
    }
    return pages;
  }

  const ids = (pages: ListPage[]) => pages.flatMap((p) => p.items.map((i) => i.id));

  async function addProviders(names: string[]) {
    const rows = await t.db
      .insertInto('providers')
      .values(
        names.map((name, i) => ({
          urn: `KS${Date.now().toString(36)}${i}${Math.random().toString(36).slice(2, 6)}`.toUpperCase(),
          name,
          type: 'childrens-home',
          sector: 'private',
          address_line1: '1 Keyset Row',
          address_line2: null,
          town: 'Leeds',
          postcode: 'LS1 4AB',
          local_authority: 'Leeds',
          region: 'Yorkshire and The Humber',
          places: 3,
          status: 'registered',
          owner_group_id: null,
          registered_on: '2024-01-01',
          created_at: new Date(),
          updated_at: new Date(),
        })),
      )
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** The register as the list orders it, read straight from the table. */
  const registerOrder = async () =>
    (
      await t.db
        .selectFrom('providers as p')
        .select('p.id')
        .orderBy(sql`lower(p.name)`)
        .orderBy('p.id')
        .execute()
    ).map((r) => r.id);

  beforeAll(async () => {
    // With the demo's reports issued and published, so the report search has pages to walk.
    t = await startTestApp(kind, {}, { afterInspection: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('walks the register by cursor, each provider once and in order, many sharing a name', async () => {
    // Thirty homes whose names sort the same, so pages break in the middle of a tie.
    await addProviders([
      ...Array.from({ length: 15 }, () => 'Ash House'),
      ...Array.from({ length: 15 }, () => 'ASH house'),
    ]);
    const expected = await registerOrder();

    const pages = await walk('/api/providers?pageSize=7');
    expect(ids(pages)).toEqual(expected);
    // The first page carries the count; the pages reached by cursor do not pay for one.
    expect(pages[0]).toMatchObject({ page: 1, total: expected.length, previousCursor: null });
    expect(pages.slice(1).every((p) => p.total === undefined && p.page === undefined)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeNull();

    // Back again from the last page by previousCursor: the same rows, in the same order.
    const back: ListPage[] = [pages.at(-1)!];
    while (back.at(-1)!.previousCursor) {
      back.push(await list(withCursor('/api/providers?pageSize=7', back.at(-1)!.previousCursor!)));
    }
    expect(ids(back.reverse())).toEqual(expected);
  });

  it('neither repeats nor skips a row when providers are registered between page reads', async () => {
    const before = await registerOrder();
    const added: string[] = [];
    const pages = await walk('/api/providers?pageSize=9', async (n) => {
      // One sorting before everything read so far (an offset list would show a row twice), one after.
      if (n <= 3) added.push(...(await addProviders([`!!! Early ${n}`, `zzz Late ${n}`])));
    });
    const walked = ids(pages);
    expect(new Set(walked).size).toBe(walked.length);
    const after = await registerOrder();
    // In the list's order, everything there at the start, the late ones, and none of the early ones.
    const late = added.filter((_, i) => i % 2 === 1);
    const early = added.filter((_, i) => i % 2 === 0);
    expect(walked).toEqual(after.filter((id) => before.includes(id) || late.includes(id)));
    expect(walked.filter((id) => early.includes(id))).toEqual([]);
  });

  it('gives the next cursor on page-number pages too, with a Link header', async () => {
    const url = '/api/providers?pageSize=5&page=3';
    const response = await get(url);
    const third = response.json() as ListPage;
    expect(third).toMatchObject({ page: 3, pageSize: 5 });
    expect(response.headers.link).toContain('rel="next"');
    const next = await list(withCursor('/api/providers?pageSize=5', third.nextCursor!));
    const fourth = await list('/api/providers?pageSize=5&page=4');
    expect(ids([next])).toEqual(ids([fourth]));
    expect(ids([await list(withCursor('/api/providers?pageSize=5', third.previousCursor!))])).toEqual(
      ids([await list('/api/providers?pageSize=5&page=2')]),
    );
  });

  it('walks notifications newest first with whole pages of the same day and moment', async () => {
    // Twelve copies of one notification: the same event date and the same moment sent.
    await sql`
      insert into event_notifications
        (reference, provider_id, category_id, event_date, what_happened, actions_taken, told, submitted_by,
         submitted_at)
      select 'KS-' || g, provider_id, category_id, event_date, what_happened, actions_taken, told,
             submitted_by, submitted_at
      from (select * from event_notifications order by id limit 1) n, generate_series(1, 12) g`.execute(t.db);
    const order = async () =>
      (
        await t.db
          .selectFrom('event_notifications as n')
          .select('n.id')
          .orderBy('n.event_date', 'desc')
          .orderBy('n.submitted_at', 'desc')
          .orderBy('n.id')
          .execute()
      ).map((r) => r.id);
    const expected = await order();
    expect(expected.length).toBeGreaterThan(12);
    const pages = await walk('/api/notifications?pageSize=5');
    expect(ids(pages)).toEqual(expected);
    expect(pages[0]!.total).toBe(expected.length);
  });

  it('walks inspections and published reports by cursor as by page number', async () => {
    // Seven more reports published on the same day as the demo's, so that pages break within a tie.
    await sql`
      with source as (
        select r.id, r.inspection_id, v.narrative, v.content
        from reports r join report_versions v on v.report_id = r.id and v.version = r.version
        where r.status = 'published' order by r.id limit 1
      ),
      made as (
        insert into inspections (provider_id, framework_id, type, notice, start_date, end_date,
          lead_inspector_id, status)
        select i.provider_id, i.framework_id, i.type, i.notice, i.start_date, i.end_date,
          i.lead_inspector_id, 'completed'
        from inspections i join source s on s.inspection_id = i.id, generate_series(1, 7)
        returning id
      ),
      reported as (
        insert into reports (inspection_id, procedure_id, status, draft_issued_on, response_due,
          finalised_on, published_on)
        select m.id, r.procedure_id, 'published', r.draft_issued_on, r.response_due, r.finalised_on,
          r.published_on
        from made m, reports r join source s on s.id = r.id
        returning id
      )
      insert into report_versions (report_id, version, narrative, content, change_note)
      select reported.id, 1, s.narrative, s.content, 'Copied' from reported, source s`.execute(t.db);
    for (const [url, role] of [
      ['/api/inspections?pageSize=3', 'planner'],
      ['/api/reports?pageSize=3', null],
    ] as const) {
      const pages = await walk(url, undefined, role ?? undefined);
      const byNumber: ListPage[] = [];
      for (let n = 1; n <= pages[0]!.totalPages!; n += 1) byNumber.push(await list(`${url}&page=${n}`, role));
      expect(ids(pages)).toEqual(ids(byNumber));
      expect(pages.length, `${url}: ${pages[0]!.total}`).toBeGreaterThan(1);
    }
  });

  it('documents the cursor and the cursors returned in the OpenAPI document', async () => {
    const { paths } = (await t.app.inject({ url: '/api/openapi.json' })).json();
    for (const path of ['/api/providers', '/api/inspections', '/api/notifications', '/api/reports']) {
      const operation = paths[path].get;
      expect(operation.parameters.map((p: { name: string }) => p.name)).toContain('cursor');
      const answer = operation.responses['200'].content['application/json'].schema;
      expect(Object.keys(answer.properties)).toEqual(
        expect.arrayContaining(['nextCursor', 'previousCursor']),
      );
    }
  });

  it('refuses a cursor it did not give, naming the field and changing nothing', async () => {
    const providersCursor = (await list('/api/providers?pageSize=2')).nextCursor!;
    const otherListsCursor = (await list('/api/inspections?pageSize=2')).nextCursor!;
    for (const [url, cursor] of [
      ['/api/providers', 'not a cursor'],
      ['/api/providers', providersCursor.slice(0, -4)],
      ['/api/providers', otherListsCursor],
      ['/api/inspections', providersCursor],
      ['/api/notifications', providersCursor],
      ['/api/reports', Buffer.from('["reports","a","2024-02-30","x"]').toString('base64url')],
    ]) {
      const response = await get(withCursor(`${url}?pageSize=2`, cursor!));
      expect(response.statusCode, `${url} ${cursor}`).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    }
  });

  it("pages the register's HTML list by cursor: Next carries it, an unreadable one falls back to the number", async () => {
    const cookie = await signInAs(t.app, 'planner', DEMO_PASSWORD);
    const first = await getPage(t.app, cookie, '/providers');
    const next = /<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">/.exec(
      first.body,
    )?.[1];
    expect(next).toMatch(/cursor=[A-Za-z0-9_-]+&amp;page=2/);
    const second = await getPage(t.app, cookie, next!.replaceAll('&amp;', '&'));
    expect(second.body).toMatch(/Showing 26 to \d+ of \d+ providers/);
    const broken = await getPage(t.app, cookie, '/providers?cursor=garbled&page=2');
    expect(broken.statusCode).toBe(200);
    expect(broken.body).toMatch(/Showing 26 to \d+ of \d+ providers/);
  });
});
