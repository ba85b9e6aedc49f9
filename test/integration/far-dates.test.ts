import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';
import { getPage, signInAs, type CookieJar } from '../support/pages.js';

/**
 * A record stored with a date outside 1900-2100 before the service refused one (an inspection planned
 * for 9999-12-31 answered 500 on its timeline for ever): everything that shows it still answers.
 */

const kinds = await databaseKinds();

describe.each(kinds)('records already holding far dates (%s)', (kind) => {
  let t: TestApp;
  let manager: CookieJar;
  let token: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp(kind);
    manager = await signInAs(t.app, 'manager', DEMO_PASSWORD);
    token = await t.tokenFor('manager');
    const { rows } = await sql<{
      id: string;
    }>`select id from inspections order by start_date, id limit 2`.execute(t.db);
    for (const [index, date] of ['9999-12-31', '0001-01-01'].entries()) {
      ids[date] = rows[index]!.id;
      await sql`update inspections set start_date = ${date}, end_date = ${date} where id = ${ids[date]}`.execute(
        t.db,
      );
    }
  });
  afterAll(async () => t?.close());

  it.each(['9999-12-31', '0001-01-01'])(
    'shows an inspection held on %s, its timeline and its report page',
    async (date) => {
      const id = ids[date]!;
      const api = (url: string) => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      const timeline = await api(`/api/inspections/${id}/timeline`);
      expect(timeline.statusCode, timeline.body).toBeLessThan(500);
      expect((await api(`/api/inspections/${id}`)).statusCode).toBe(200);
      expect((await api('/api/inspections?pageSize=100')).statusCode).toBe(200);
      for (const page of [`/inspections/${id}`, `/inspections/${id}/report`, '/inspections', '/due'])
        expect((await getPage(t.app, manager, page)).statusCode, page).toBeLessThan(500);
    },
  );
});
