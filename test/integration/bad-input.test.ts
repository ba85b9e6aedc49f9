import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/people/rules.js';
import { DEMO_PASSWORD, startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds, type DatabaseKind } from '../support/databases.js';
import { CookieJar, csrfTokenIn, getPage, signInAs } from '../support/pages.js';
import { boxesFor, dateFieldsOf, dateQueriesOf, EDGE_DATES, edgeDate } from '../support/date-edges.js';
import { sampleBody } from '../support/sample-body.js';

/**
 * Bad input to every write route of the API and every form, sent by someone the route allows, so the
 * input reaches everything that reads it: generated and malformed bodies (wrong types, missing and extra
 * fields, huge strings and numbers, unicode, NUL bytes, injection strings, broken JSON, the wrong
 * content type) and query strings. The service must never fail (5xx); an API refusal is
 * application/problem+json, and a validation refusal names the field; a form refused comes back with
 * the GOV.UK error summary; and a refusal writes nothing: the audit trail and the row counts of every
 * table are as they were.
 *
 * Runs per route: FUZZ_RUNS (default 12) on the embedded database, a third of that on PostgreSQL.
 */

const kinds = await databaseKinds();
const BASE_RUNS = Number(process.env.FUZZ_RUNS ?? 12);
const runsFor = (kind: DatabaseKind) =>
  kind === 'embedded' ? BASE_RUNS : Math.max(2, Math.ceil(BASE_RUNS / 3));

type Who = Role | 'public';
type On = 'other' | 'own' | 'escalated' | 'published';

/** Who may use a write route, and on which record: the first rule that matches the route. */
const CALLERS: [RegExp, Who, On?][] = [
  [/^POST \/(api\/tokens|sign-in|sign-in\/code)$/, 'public'],
  [/^POST \/account\/two-factor/, 'inspector'],
  [
    /^POST \/(api\/invitations\/accept|api\/password-resets|account\/set-password|account\/forgotten-password)$/,
    'public',
  ],
  [/^POST \/account\/password$/, 'analyst'],
  [/people/, 'administrator'],
  // Signing out ends the session the other runs use, so these are sent signed out: still never a 5xx.
  [/^(DELETE \/api\/tokens\/current|POST \/sign-out)$/, 'public'],
  [/\/ruling$/, 'adjudicator', 'escalated'],
  [/\/escalate$/, 'complaints', 'escalated'],
  [/complaint-reviews/, 'reviewer'],
  [/complaints/, 'complaints'],
  [/\/reports\/:id\/(response|respond)$/, 'provider', 'own'],
  [/^POST \/(api\/)?inspections\/:id\/day-after-contact$/, 'provider', 'own'],
  [/^POST \/(api\/notifications|notifications\/new)$/, 'provider', 'own'],
  [/day-after-contacts/, 'inspector'],
  [/moderation|incomplete|complete$|publish$/, 'manager'],
  [/conflicts/, 'manager'],
  [/points\/:pointId$/, 'inspector', 'own'],
  [/report/, 'inspector'],
  [/^POST \/(api\/inspections|inspections\/new)$/, 'planner'],
  [/inspections/, 'inspector'],
  [/^POST \/(api\/concerns|concerns\/new)$/, 'public'],
  [/concerns\/record$/, 'complaints'],
  [/assessment$|notifications/, 'planner'],
  [/providers|owner-groups|plan/, 'planner'],
];

/** Valid bodies for the routes whose schema alone does not describe one (the public's concern). */
const BODIES: Record<string, Record<string, unknown>> = {
  'POST /api/concerns': {
    providerName: 'The home on Station Road',
    providerPlace: 'Leeds',
    summary: 'Children were out late at night without staff.',
    relationship: 'parent-or-carer',
  },
};

/** What a read route needs besides the date to answer, and pages that read the same dates. */
const DATE_QUERY_BASES: Record<string, Record<string, string>> = {
  'GET /api/timeline': { framework: 'childrens-homes', end: '2024-06-14' },
  'GET /api/plan/what-if': { frameworkId: 'childrens-homes', gradeId: 'good', months: '6' },
};
const DATE_QUERY_PAGES: Record<string, string[]> = {
  'GET /api/statistics/:figure': ['/statistics', '/statistics/consistency', '/statistics/notifications'],
};
/** The choice on a form that makes its date count (a date is read only for bringing forward). */
const DATE_FORM_CHOICES: Record<string, Record<string, string>> = {
  'POST /concerns/:id/assessment': { decision: 'bring-forward' },
  'POST /notifications/:id/review': { outcome: 'inspection-brought-forward' },
};
/** Who is tried, in turn, as the reader of a read route. */
const READERS: Role[] = ['planner', 'manager', 'inspector', 'complaints', 'analyst', 'provider', 'reviewer'];

function callerFor(route: string): { who: Who; on: On } | undefined {
  const rule = CALLERS.find(([pattern]) => pattern.test(route));
  return rule ? { who: rule[1], on: rule[2] ?? 'other' } : undefined;
}

// Values that have broken services before: wrong types, extremes, encodings, injections, impossible dates.
const HUGE = 'x'.repeat(200_000);
// Text the database cannot store, given extra weight: it is what most often turned into a server error.
const unstorable = fc.constantFrom<unknown>('\u0000', 'before\u0000after', '\ud800', 'half \udc00 a pair');
const nastyScalar = fc.oneof(
  { weight: 3, arbitrary: unstorable },
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    -0.000001,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 53 + 2,
    '',
    ' ',
    "'; drop table people; --",
    "1' or '1'='1",
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    '{{ 7*7 }}',
    '../../etc/passwd',
    'Ω≈ç√∫ 💥🏠👶🏽 مرحبا e\u0301 \u202e',
    '\ufeff\u200b',
    '2026-02-31',
    '2026-13-01',
    '0000-00-00',
    '9999-12-31',
    '+275760-09-13',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '9'.repeat(400),
    'NaN',
    '-0',
    '1e999',
    HUGE,
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true }),
);
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: nastyScalar },
  { weight: 1, arbitrary: fc.array(nastyScalar, { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>({}, [], [null], { $gt: '' }, { __proto__: { admin: true } }),
  },
);
const extraKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'id',
    'status',
    'createdBy',
    'version',
    '',
    '\u0000',
  ),
  fc.string({ maxLength: 12 }),
);

const QUERIES = [
  '',
  '?page=-1',
  '?limit=99999999999999999999',
  '?x=%00',
  '?a[b]=c&a[c]=d',
  '?__proto__[admin]=1',
  '?%E0%A4%A',
  `?q=${'x'.repeat(4000)}`,
  "?id=1'%20or%20'1'='1",
];
const query = fc.constantFrom(...QUERIES);

/** Bodies that are not what the route reads at all. */
const RAW_BODIES: { payload: string; type?: string }[] = [
  { payload: '{', type: 'application/json' },
  { payload: '{"a":', type: 'application/json' },
  { payload: 'null', type: 'application/json' },
  { payload: '[]', type: 'application/json' },
  { payload: '"just a string"', type: 'application/json' },
  { payload: '12345', type: 'application/json' },
  { payload: '', type: 'application/json' },
  { payload: '{"a":1,"a":2}', type: 'application/json' },
  { payload: `${'['.repeat(5000)}${']'.repeat(5000)}`, type: 'application/json' },
  { payload: '{"__proto__":{"admin":true}}', type: 'application/json' },
  { payload: 'not json at all', type: 'text/plain' },
  { payload: '<a>xml</a>', type: 'application/xml' },
  {
    payload: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
    type: 'multipart/form-data; boundary=x',
  },
  { payload: 'a=%%%&b=%E0%A4%A', type: 'application/x-www-form-urlencoded' },
  { payload: '{"a":1}' },
];

type Mutation =
  | { kind: 'set'; path: string; value: unknown }
  | { kind: 'drop'; path: string }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'raw'; raw: { payload: string; type?: string } };

/** Every field of a valid body, down one level, as a dotted path. */
function pathsOf(body: unknown): string[] {
  if (body === null || typeof body !== 'object') return [];
  const paths: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    paths.push(key);
    if (value !== null && typeof value === 'object')
      for (const inner of Object.keys(value)) paths.push(`${key}.${inner}`);
  }
  return paths;
}

function mutations(paths: string[]): fc.Arbitrary<Mutation> {
  const options: fc.Arbitrary<Mutation>[] = [
    fc.record({ kind: fc.constant('extra' as const), key: extraKey, value: nastyValue }),
    fc.record({ kind: fc.constant('raw' as const), raw: fc.constantFrom(...RAW_BODIES) }),
  ];
  if (paths.length > 0) {
    const path = fc.constantFrom(...paths);
    options.unshift(
      fc.record({ kind: fc.constant('set' as const), path, value: nastyValue }),
      fc.record({ kind: fc.constant('set' as const), path, value: nastyValue }),
      fc.record({ kind: fc.constant('set' as const), path, value: nastyValue }),
      fc.record({ kind: fc.constant('drop' as const), path }),
    );
  }
  return fc.oneof(...options);
}

function applyMutation(base: unknown, mutation: Mutation): unknown {
  const copy = structuredClone(base ?? {}) as Record<string, unknown>;
  if (mutation.kind === 'extra') {
    Object.defineProperty(copy, mutation.key, { value: mutation.value, enumerable: true, writable: true });
    return copy;
  }
  if (mutation.kind === 'raw') return copy;
  const parts = mutation.path.split('.');
  let target = copy as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) target = target[part] as Record<string, unknown>;
  const last = parts.at(-1)!;
  if (mutation.kind === 'drop') delete target[last];
  else target[last] = mutation.value;
  return copy;
}

/** A short description of an input for a failure message (huge values abbreviated). */
function describeInput(value: unknown): string {
  const text = JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'string' && v.length > 60 ? `${v.slice(0, 20)}…(${v.length} chars)` : v,
  );
  return (text ?? String(value)).slice(0, 300);
}

interface Fixtures {
  providers: Record<On, string>;
  inspections: Record<On, string>;
  reports: Record<On, string>;
  complaints: Record<On, string>;
  notifications: Record<On, string>;
  params: Record<string, string>;
  moderationInspection: string;
  dayAfterInspection: string;
  reportInspections: Record<On, string>;
}

const MISSING = '3f6d1a52-9c1e-4b7a-8d2f-0a1b2c3d4e5f';

/** Real records for each route's parameters, so the handler reads the input instead of answering 404. */
async function loadFixtures(t: TestApp): Promise<Fixtures> {
  const db = t.db;
  const first = async (query: string): Promise<string> => {
    const { rows } = await sql<{ id: string }>`${sql.raw(query)}`.execute(db);
    return rows[0]?.id ?? MISSING;
  };
  const provider = await first(
    `select pp.provider_id as id from person_providers pp join people p on p.id = pp.person_id
     where p.email = 'provider@demo.invalid' order by 1`,
  );
  const ownList = `(select pp.provider_id from person_providers pp join people p on p.id = pp.person_id
     where p.email = 'provider@demo.invalid')`;
  const inspector = `(select id from people where email = 'inspector@demo.invalid')`;
  const onSite = await first(
    `select id from inspections where status = 'on-site' and lead_inspector_id = ${inspector} order by start_date desc`,
  );
  const report = (status: string, own: boolean) =>
    first(`select r.id from reports r join inspections i on i.id = r.inspection_id
      where r.status = '${status}' and i.provider_id ${own ? 'in' : 'not in'} ${ownList} order by 1`);
  const reportInspection = (id: string) =>
    first(`select inspection_id as id from reports where id = '${id}'`);
  const ownDraft = await report('draft', true);
  const otherDraft = await report('draft', false);
  const published = await report('published', false);
  const escalated = await first(`select id from complaints where escalated_at is not null order by 1`);
  const open = await first(`select id from complaints where escalated_at is null order by 1`);
  const otherProvider = await first(`select id from providers where id not in ${ownList} order by urn`);
  const notification = (own: boolean) =>
    first(
      `select id from event_notifications where provider_id ${own ? 'in' : 'not in'} ${ownList} order by 1`,
    );
  const byOn = (
    other: string,
    own: string,
    escalatedId = other,
    publishedId = other,
  ): Record<On, string> => ({
    other,
    own,
    escalated: escalatedId,
    published: publishedId,
  });
  const ownReportInspection = await reportInspection(ownDraft);
  return {
    providers: byOn(otherProvider, provider),
    inspections: byOn(onSite, ownReportInspection),
    reports: byOn(otherDraft, ownDraft, otherDraft, published),
    complaints: byOn(open, open, escalated),
    notifications: byOn(await notification(false), await notification(true)),
    reportInspections: byOn(
      await reportInspection(otherDraft),
      ownReportInspection,
      await reportInspection(otherDraft),
      await reportInspection(published),
    ),
    moderationInspection: await first(
      `select id from inspections where status = 'feedback-given' order by 1`,
    ),
    dayAfterInspection: ownReportInspection,
    params: {
      applicationId: await first(
        `select id from registration_applications where provider_id = '${otherProvider}'`,
      ),
      evidenceId: await first(`select id from evidence where inspection_id = '${onSite}' order by 1`),
      lineId: await first(`select id from lines_of_enquiry where inspection_id = '${onSite}' order by 1`),
      entryId: await first(`select id from dialogue_entries where inspection_id = '${onSite}' order by 1`),
      pointId:
        await first(`select ap.id from accuracy_points ap join draft_responses d on d.id = ap.response_id
        where d.report_id = '${ownDraft}' order by 1`),
      dayAfterId: await first(`select id from day_after_contacts order by 1`),
      reviewId: await first(`select id from complaint_reviews order by 1`),
      concernId: await first(`select id from concerns order by 1`),
      areaId: 'overall-experiences-and-progress',
      n: '1',
      year: '2026',
      figure: 'notifications',
    },
  };
}

function urlFor(route: string, on: On, f: Fixtures): string {
  const path = route.split(' ')[1]!;
  const collection = path.split('/').find((part) => part !== '' && part !== 'api') ?? '';
  let id =
    {
      providers: f.providers[on],
      plan: f.providers[on],
      inspections: f.inspections[on],
      reports: f.reports[on],
      complaints: f.complaints[on],
      notifications: f.notifications[on],
      'complaint-reviews': f.params.reviewId!,
      'day-after-contacts': f.params.dayAfterId!,
      concerns: f.params.concernId!,
    }[collection] ?? MISSING;
  if (collection === 'inspections' && /\/report/.test(path)) id = f.reportInspections[on];
  if (collection === 'inspections' && /day-after/.test(path)) id = f.dayAfterInspection;
  if (collection === 'inspections' && /moderation/.test(path)) id = f.moderationInspection;
  return path.replace(/:(\w+)/g, (_, name: string) => (name === 'id' ? id : (f.params[name] ?? MISSING)));
}

/**
 * The fields of the form that posts to `url`, read from the page that shows it, each with an answer a
 * person might give: the value already in it, the first choice offered, or a plain one by its name.
 */
function formFields(html: string, url: string): Map<string, string> | undefined {
  const forms = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/g) ?? [];
  const form = forms.find((f) => {
    const action = f
      .match(/action="([^"]*)"/)?.[1]
      ?.replaceAll('&amp;', '&')
      .split('?')[0];
    return action === url;
  });
  if (!form) return undefined;
  const fields = new Map<string, string>();
  const decode = (text: string) =>
    text
      .replaceAll('&quot;', '"')
      .replaceAll('&#39;', "'")
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&amp;', '&');
  for (const match of form.matchAll(/<(input|select|textarea)\b([^>]*)>([\s\S]*?<\/select>)?/g)) {
    const [, tag, attributes = '', options = ''] = match;
    const name = attributes.match(/\bname="([^"]+)"/)?.[1];
    if (!name || name === '_csrf' || fields.has(name)) continue;
    const value = attributes.match(/\bvalue="([^"]*)"/)?.[1];
    const choice = options.match(/<option\b[^>]*value="([^"]+)"/)?.[1];
    let answer = 'A plain answer';
    if (tag === 'select' && choice) answer = choice;
    else if (value) answer = decode(value);
    else if (name.endsWith('-day')) answer = '2';
    else if (name.endsWith('-month')) answer = '11';
    else if (name.endsWith('-year')) answer = '2026';
    else if (/email/i.test(name)) answer = 'someone@example.invalid';
    else if (/postcode/i.test(name)) answer = 'SW1A 2AA';
    fields.set(name, answer);
  }
  return fields;
}

const PLAIN_FORM = new Map(['name', 'summary', 'details', 'reason'].map((name) => [name, 'A plain answer']));

interface Caller {
  jar: CookieJar;
  csrf: string;
  token: string | null;
}

describe.each(kinds)('bad input to every write route (%s)', (kind) => {
  let t: TestApp;
  let fixtures: Fixtures;
  let tables: string[];
  const callers = new Map<Who, Caller>();
  const writes: { route: string; body: unknown }[] = [];

  beforeAll(async () => {
    t = await startTestApp(kind, {}, { afterInspection: true });
    fixtures = await loadFixtures(t);
    for (const route of t.app.routeTable)
      if (route.method !== 'GET') writes.push({ route: `${route.method} ${route.url}`, body: route.body });
    const who = new Set(writes.map((w) => callerFor(w.route)?.who ?? 'public'));
    for (const role of who) {
      const jar = role === 'public' ? new CookieJar() : await signInAs(t.app, role, DEMO_PASSWORD);
      const page = await getPage(t.app, jar, role === 'public' ? '/sign-in' : '/');
      callers.set(role, {
        jar,
        csrf: csrfTokenIn(page.body),
        token: role === 'public' ? null : await t.tokenFor(role),
      });
    }
    // Sessions and sign-in failures change on every sign-in, right or wrong: they are not what is checked.
    const { rows } = await sql<{ table_name: string }>`select table_name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE'
        and table_name not in ('sessions', 'sign_in_failures')
        and table_name not like 'kysely%' order by 1`.execute(t.db);
    tables = rows.map((r) => r.table_name);
  }, 300_000);

  afterAll(async () => t?.close());

  // What each route answered, for the figures in docs/reliability.md (FUZZ_REPORT=1 prints every route).
  const answers = new Map<string, Map<number, number>>();
  const tally = (route: string, status: number) => {
    const counts = answers.get(route) ?? new Map<number, number>();
    counts.set(status, (counts.get(status) ?? 0) + 1);
    answers.set(route, counts);
  };
  /** How many requests the routes were sent, and what they answered. */
  const report = (routes: string[]) => {
    const total = new Map<number, number>();
    let sent = 0;
    for (const route of routes) {
      const counts = answers.get(route) ?? new Map<number, number>();
      for (const [status, n] of counts) {
        total.set(status, (total.get(status) ?? 0) + n);
        sent += n;
      }
      if (process.env.FUZZ_REPORT)
        console.log(
          `  ${route}: ${[...counts]
            .sort()
            .map(([status, n]) => `${status}×${n}`)
            .join(' ')}`,
        );
    }
    const statuses = [...total]
      .sort()
      .map(([status, n]) => `${status}×${n}`)
      .join(' ');
    return `${sent} requests: ${statuses}`;
  };

  /** Someone who may read `url` of the API, by their token. */
  async function readerOf(url: string): Promise<{ token: string } | undefined> {
    for (const role of READERS) {
      const token = await t.tokenFor(role);
      const response = await t.app.inject({
        method: 'GET',
        url,
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.statusCode === 200) return { token };
    }
    return undefined;
  }

  /** Someone who may see the page at `url`, by their session. */
  async function pageReaderOf(url: string): Promise<CookieJar | undefined> {
    for (const role of READERS) {
      const jar = callers.get(role)?.jar ?? (await signInAs(t.app, role, DEMO_PASSWORD));
      if ((await getPage(t.app, jar, url)).statusCode === 200) return jar;
    }
    return undefined;
  }

  /** The form that posts to `url`: on the page at the same address, or on one a step or two up from it. */
  async function formOnPage(jar: CookieJar, url: string): Promise<Map<string, string> | undefined> {
    const parts = url.split('/');
    for (let cut = 0; cut < 3 && parts.length - cut > 1; cut++) {
      const page = await getPage(t.app, jar, parts.slice(0, parts.length - cut).join('/') || '/');
      const fields = page.statusCode === 200 ? formFields(page.body, url) : undefined;
      if (fields) return fields;
    }
    return undefined;
  }

  /** The audit trail's length and every table's row count, as one string to compare. */
  const fingerprint = async () => {
    const counts = tables.map((table) => `(select count(*) from "${table}")`).join(", ',', ");
    const { rows } = await sql<{ f: string }>`select concat(${sql.raw(counts)}) as f`.execute(t.db);
    return rows[0]!.f;
  };

  /**
   * Sends generated bad input to one write route and checks every answer: never a server error, and a
   * refusal is what `refusal` expects there (it says what is wrong, if anything) and writes nothing.
   * Returns the first failure, described, or undefined.
   */
  async function fuzzRoute<T>(
    route: string,
    who: Who,
    input: fc.Arbitrary<T>,
    request: (input: T, search: string) => InjectOptions,
    refusal: (response: LightMyRequestResponse) => string | undefined,
  ): Promise<string | undefined> {
    const result = await fc.check(
      fc.asyncProperty(input, query, async (value, search) => {
        const options = request(value, search);
        const before = await fingerprint();
        const response = await t.app.inject(options);
        const status = response.statusCode;
        tally(route, status);
        const problem = (text: string) => new Error(`${status} ${text}`);
        if (status >= 500) throw problem(`server error: ${response.body.replace(/\s+/g, ' ').slice(0, 200)}`);
        if (status < 400) return true;
        const wrong = refusal(response);
        if (wrong) throw problem(wrong);
        if ((await fingerprint()) !== before) throw problem('refused, but something was written');
        return true;
      }),
      { numRuns: runsFor(kind), endOnFailure: true, seed: Number(process.env.FUZZ_SEED ?? 9) },
    );
    if (!result.failed) return undefined;
    const reason = result.errorInstance instanceof Error ? result.errorInstance.message : '';
    return `${route} as ${who}: ${reason.split('\n')[0]} with ${describeInput(result.counterexample)}`;
  }

  it('knows who may use every write route', () => {
    expect(writes.length).toBeGreaterThan(90);
    expect(writes.filter((w) => !callerFor(w.route)).map((w) => w.route)).toEqual([]);
  });

  it(
    'answers bad input to every API write route with a problem naming the field, and writes nothing',
    { timeout: 600_000 },
    async () => {
      const failures: string[] = [];
      const api = writes.filter((w) => w.route.split(' ')[1]!.startsWith('/api/'));
      for (const { route, body } of api) {
        const { who, on } = callerFor(route)!;
        const caller = callers.get(who)!;
        const method = route.split(' ')[0]!;
        const url = urlFor(route, on, fixtures);
        const ids = { inspectionId: fixtures.inspections[on], providerId: fixtures.providers[on] };
        const base = BODIES[route] ?? sampleBody(body, ids);
        const failure = await fuzzRoute(
          route,
          who,
          mutations(pathsOf(base)),
          (mutation, search) => {
            const headers: Record<string, string> = {};
            if (caller.token) headers.authorization = `Bearer ${caller.token}`;
            let payload: string | undefined;
            if (mutation.kind === 'raw') {
              payload = mutation.raw.payload;
              if (mutation.raw.type) headers['content-type'] = mutation.raw.type;
            } else if (method !== 'DELETE' || mutation.kind === 'extra') {
              headers['content-type'] = 'application/json';
              payload = JSON.stringify(applyMutation(base, mutation));
            }
            return {
              method: method as 'POST',
              url: url + search,
              headers,
              ...(payload === undefined ? {} : { payload }),
            };
          },
          (response) => {
            const type = String(response.headers['content-type']);
            if (!type.startsWith('application/problem+json')) return `not problem+json: ${type}`;
            if (response.statusCode !== 400) return undefined;
            const { errors } = response.json<{ errors?: { field: string; message: string }[] }>();
            if (!errors?.length) return 'a validation refusal naming no field';
            if (errors.some((e) => typeof e.field !== 'string' || e.field === ''))
              return 'an error without its field';
            return undefined;
          },
        );
        if (failure) failures.push(failure);
      }
      console.log(`bad input (${kind}): ${api.length} API write routes, ${report(api.map((w) => w.route))}`);
      expect(failures).toEqual([]);
    },
  );
  it(
    'shows every form again with the GOV.UK error summary for bad input, and writes nothing',
    { timeout: 600_000 },
    async () => {
      const failures: string[] = [];
      const pages = writes.filter((w) => !w.route.split(' ')[1]!.startsWith('/api/'));
      const formValue = nastyScalar.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')));
      for (const { route } of pages) {
        const { who, on } = callerFor(route)!;
        const caller = callers.get(who)!;
        const url = urlFor(route, on, fixtures);
        const answers = (await formOnPage(caller.jar, url)) ?? PLAIN_FORM;
        const field = answers.size > 0 ? fc.constantFrom(...answers.keys()) : fc.constant('anything');
        const change = fc.oneof(
          fc.record({ kind: fc.constant('set' as const), field, value: formValue }),
          fc.record({ kind: fc.constant('set' as const), field, value: formValue }),
          fc.record({ kind: fc.constant('repeat' as const), field, value: formValue }),
          fc.record({ kind: fc.constant('drop' as const), field }),
          fc.record({ kind: fc.constant('extra' as const), field: extraKey, value: formValue }),
          fc.record({
            kind: fc.constant('raw' as const),
            type: fc.constantFrom(
              'application/json',
              'text/plain',
              'multipart/form-data; boundary=x',
              'form',
            ),
          }),
        );
        const failure = await fuzzRoute(
          route,
          who,
          change,
          (c, search) => {
            const form = new URLSearchParams({ _csrf: caller.csrf });
            for (const [name, answer] of answers)
              if (!(c.kind === 'drop' && c.field === name)) form.append(name, answer);
            if (c.kind === 'set') form.set(c.field, c.value);
            if (c.kind === 'repeat') form.append(c.field, c.value);
            if (c.kind === 'extra') form.append(c.field, c.value);
            let payload = form.toString();
            let type = 'application/x-www-form-urlencoded';
            if (c.kind === 'raw') {
              if (c.type === 'application/json')
                payload = JSON.stringify({ ...Object.fromEntries(form), extra: [1, { a: null }] });
              else if (c.type === 'form')
                payload = `_csrf=${encodeURIComponent(caller.csrf)}&a=%%%&b=%E0%A4%A`;
              else payload = `_csrf=${caller.csrf}\r\nnot a form`;
              if (c.type !== 'form') type = c.type;
            }
            return {
              method: 'POST',
              url: url + search,
              headers: { cookie: caller.jar.header(), accept: 'text/html', 'content-type': type },
              payload,
            };
          },
          (response) =>
            (response.statusCode === 400 || response.statusCode === 422) &&
            !response.body.includes('govuk-error-summary')
              ? 'refused without the error summary'
              : undefined,
        );
        if (failure) failures.push(failure);
      }
      console.log(`bad input (${kind}): ${pages.length} form routes, ${report(pages.map((w) => w.route))}`);
      expect(failures).toEqual([]);
    },
  );
  it(
    'refuses a date that is not real or outside 1900-2100 in every date field, naming it, and writes nothing',
    { timeout: 600_000 },
    async () => {
      const failures: string[] = [];
      let sent = 0;
      /** Sends every edge date, then generated ones, to one field; returns the first failure, described. */
      const edges = async (
        label: string,
        dates: fc.Arbitrary<string>,
        examples: string[],
        send: (date: string) => Promise<LightMyRequestResponse>,
        wrong: (response: LightMyRequestResponse) => string | undefined,
      ) => {
        const result = await fc.check(
          fc.asyncProperty(dates, async (date) => {
            const before = await fingerprint();
            const response = await send(date);
            sent += 1;
            const failure = response.statusCode >= 500 ? 'a server error' : wrong(response);
            if (failure) throw new Error(`${response.statusCode} ${failure}`);
            if ((await fingerprint()) !== before) throw new Error('refused, but something was written');
          }),
          {
            numRuns: runsFor(kind),
            examples: examples.map((date) => [date] as [string]),
            seed: Number(process.env.FUZZ_SEED ?? 9),
          },
        );
        if (result.failed) {
          const reason = result.errorInstance instanceof Error ? result.errorInstance.message : '';
          failures.push(`${label}: ${reason.split('\n')[0]} with ${String(result.counterexample?.[0])}`);
        }
      };
      const namingField = (field: string) => (response: LightMyRequestResponse) => {
        if (response.statusCode !== 400) return 'not refused as bad input';
        if (!String(response.headers['content-type']).startsWith('application/problem+json'))
          return 'not problem+json';
        const { errors } = response.json<{ errors?: { field: string }[] }>();
        return errors?.some((e) => e.field === field) ? undefined : `no error on ${field}`;
      };
      // A filter given as one date is shown in the day, month and year boxes, with its error on the day.
      const onForm = (id: string) => (response: LightMyRequestResponse) =>
        response.body.includes('govuk-error-summary') &&
        (response.body.includes(`href="#${id}"`) || response.body.includes(`href="#${id}-day"`))
          ? undefined
          : `no error on ${id}`;

      // Query strings of the API, from the OpenAPI document, and of the pages at the same address.
      const openapi = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
      const reads = dateQueriesOf(openapi.json());
      expect(reads.length).toBeGreaterThanOrEqual(7);
      for (const { route, fields } of reads) {
        const base = DATE_QUERY_BASES[route] ?? {};
        const url = urlFor(route, 'other', fixtures);
        const reader = await readerOf(`${url}?${new URLSearchParams(base)}`);
        if (!reader) {
          failures.push(`${route}: no one could read it`);
          continue;
        }
        const samePage = url.replace(/^\/api/, '');
        const pages = [
          ...(t.app.routeTable.some(
            (r) => r.method === 'GET' && r.url === route.split(' ')[1]!.replace(/^\/api/, ''),
          )
            ? [samePage]
            : []),
          ...(DATE_QUERY_PAGES[route] ?? []),
        ];
        for (const field of fields) {
          const query = (date: string) => `?${new URLSearchParams({ ...base, [field]: date })}`;
          await edges(
            `${route}?${field}`,
            edgeDate,
            EDGE_DATES,
            (date) =>
              t.app.inject({
                method: 'GET',
                url: url + query(date),
                headers: { authorization: `Bearer ${reader.token}` },
              }),
            namingField(field),
          );
          for (const page of pages) {
            const jar = await pageReaderOf(page);
            if (!jar) failures.push(`GET ${page}: no one could read it`);
            else
              await edges(
                `GET ${page}?${field}`,
                edgeDate,
                EDGE_DATES,
                (date) => getPage(t.app, jar, page + query(date)),
                onForm(field),
              );
          }
        }
      }

      // Bodies of the API's write routes, from their schemas, and the day, month and year boxes of forms.
      for (const { route, body } of writes) {
        const { who, on } = callerFor(route)!;
        const caller = callers.get(who)!;
        const url = urlFor(route, on, fixtures);
        if (route.split(' ')[1]!.startsWith('/api/')) {
          const ids = { inspectionId: fixtures.inspections[on], providerId: fixtures.providers[on] };
          for (const field of dateFieldsOf(body)) {
            // A date inside an optional object (a complaint's re-inspection) needs the object there.
            const parent = field.includes('.') ? { [field.split('.')[0]!]: 'include' } : {};
            const base = BODIES[route] ?? sampleBody(body, { ...ids, ...parent });
            await edges(
              `${route} ${field}`,
              edgeDate,
              EDGE_DATES,
              (date) =>
                t.app.inject({
                  method: route.split(' ')[0] as 'POST',
                  url,
                  headers: { authorization: `Bearer ${caller.token}` },
                  payload: applyMutation(base, { kind: 'set', path: field, value: date }) as object,
                }),
              namingField(field),
            );
          }
          continue;
        }
        const answers = await formOnPage(caller.jar, url);
        for (const box of [...(answers?.keys() ?? [])].filter((name) => name.endsWith('-day'))) {
          const name = box.slice(0, -'-day'.length);
          await edges(
            `${route} ${name}`,
            edgeDate.filter((date) => boxesFor(date) !== undefined),
            EDGE_DATES.filter((date) => boxesFor(date) !== undefined),
            (date) => {
              const form = new URLSearchParams({
                _csrf: caller.csrf,
                ...Object.fromEntries(answers!),
                ...DATE_FORM_CHOICES[route],
              });
              for (const [part, value] of Object.entries(boxesFor(date)!)) form.set(`${name}-${part}`, value);
              return t.app.inject({
                method: 'POST',
                url,
                headers: {
                  cookie: caller.jar.header(),
                  accept: 'text/html',
                  'content-type': 'application/x-www-form-urlencoded',
                },
                payload: form.toString(),
              });
            },
            (response) => (response.statusCode === 400 ? onForm(box)(response) : 'not refused as bad input'),
          );
        }
      }
      console.log(`dates at the edges (${kind}): ${sent} requests`);
      expect(failures).toEqual([]);
    },
  );

  it('refuses a body over 1 MB with 413, as a problem on the API and a page for a form, writing nothing', async () => {
    const before = await fingerprint();
    const big = 'x'.repeat(1024 * 1024 + 1);
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/owner-groups',
      headers: {
        authorization: `Bearer ${callers.get('planner')!.token}`,
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ name: big }),
    });
    expect(api.statusCode).toBe(413);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(api.json()).toMatchObject({
      status: 413,
      detail: 'The request is larger than the 1 MB the service accepts.',
    });
    const planner = callers.get('planner')!;
    const page = await t.app.inject({
      method: 'POST',
      url: '/owner-groups',
      headers: {
        cookie: planner.jar.header(),
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `_csrf=${encodeURIComponent(planner.csrf)}&name=${big}`,
    });
    expect(page.statusCode).toBe(413);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('larger than the 1 MB the service accepts');
    expect(await fingerprint()).toBe(before);
  });

  it('refuses text the database cannot store, naming the field, where it used to fail', async () => {
    const before = await fingerprint();
    for (const name of ['Group\u0000Name', 'Group \ud800 Name']) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/owner-groups',
        headers: { authorization: `Bearer ${callers.get('planner')!.token}` },
        payload: { name },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { field: 'name', message: expect.stringMatching(/hidden control/) },
      ]);
    }
    expect(await fingerprint()).toBe(before);
  });
});
