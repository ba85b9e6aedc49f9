import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { generateNationalData } from '../../src/generate/national-data.js';
import { fillOverallGrades } from '../../src/db/migrations/0018_statistics_summaries.js';
import { summaryDefinitions } from '../../src/db/migrations/0025_additional_visit_outcomes.js';
import type { Period } from '../../src/statistics/rules.js';
import {
  firstInspectionOutcomes,
  fullInspectionsWithRequirements,
  incompleteCounts,
  inspectorGrades,
  moderationCounts,
  notificationsByCategory,
  requirementsByRegulation,
} from '../../src/statistics/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { databaseKinds } from '../support/databases.js';

const kinds = await databaseKinds();

/**
 * The summaries of migration 0018 against the rows they count: after inserts, updates and deletes of
 * every kind the figures depend on, each summary equals the same counts worked out afresh, and each figure
 * read from them equals the figure counted from the rows, for periods that do and do not start and end
 * on month boundaries. The changes are drawn from a seeded generator, so a failure can be replayed.
 */

/** A small seeded generator (mulberry32), so that the same changes are made on both databases. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  return { next, pick };
}

const day = (offset: number) => new Date(Date.UTC(2005, 10, 1 + offset)).toISOString().slice(0, 10);

const PERIODS: Period[] = [
  { from: '2005-11-01', to: '2006-04-30' }, // whole months only
  { from: '2005-11-15', to: '2006-02-10' }, // both ends inside a month
  { from: '2005-12-01', to: '2006-01-17' }, // one whole month and a part
  { from: '2006-01-03', to: '2006-01-20' }, // inside one month
  { from: '2006-02-28', to: '2006-02-28' }, // one day
  { from: '2005-10-31', to: '2006-03-01' }, // a day either side of whole months
  { from: '1999-01-01', to: '2030-12-31' }, // everything, the demo data too
];

const CATEGORIES = ['police-involvement', 'missing-child', 'self-harm', 'allegation-of-abuse'];
const STATUSES = ['planned', 'on-site', 'completed', 'completed', 'incomplete'];
const GRADES = ['outstanding', 'good', 'requires-improvement-to-be-good', 'inadequate', null];
const REGULATIONS = [6, 12, 13].map((n) => `childrens-homes-2015-reg-${n}`);

/** A summary row that still counts something. */
const NONZERO: Record<string, string> = {
  statistics_notification_days: 'notifications <> 0',
  statistics_notification_senders: 'not isempty(days)',
  statistics_inspection_months: 'inspections <> 0 or incomplete <> 0',
  statistics_grade_months: 'inspections <> 0',
  statistics_full_inspection_months: 'inspections <> 0 or with_requirements <> 0',
  statistics_requirement_months: 'requirements <> 0 or inspections <> 0',
  statistics_moderation_months:
    'inspections <> 0 or moderated <> 0 or moderations <> 0 or overall_changed <> 0',
  statistics_first_inspections: 'inspection_id is not null',
};

const sorted = <T>(list: T[]) => [...list].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Each figure as counted from the rows themselves, as the statistics did before the summaries. */
async function direct(db: Db, { from, to }: Period) {
  const inPeriod = (column: string) => sql`${sql.ref(column)} between ${from}::date and ${to}::date`;
  const notifications = (
    await sql<{ category_id: string | null; notifications: number; homes: number }>`
      select n.category_id, count(*)::int as notifications, count(distinct n.provider_id)::int as homes
      from event_notifications n where ${inPeriod('n.event_date')}
      group by grouping sets ((n.category_id), ())`.execute(db)
  ).rows;
  const incomplete = (
    await sql<{ framework_id: string | null; lead: string | null; inspections: number; incomplete: number }>`
      select i.framework_id, i.lead_inspector_id as lead, count(*)::int as inspections,
        count(*) filter (where i.status = 'incomplete')::int as incomplete
      from inspections i where i.status <> 'planned' and ${inPeriod('i.start_date')}
      group by grouping sets ((i.framework_id), (i.lead_inspector_id))`.execute(db)
  ).rows;
  const full = (
    await sql<{ framework_id: string; inspections: number; with_requirements: number }>`
      select i.framework_id, count(*)::int as inspections,
        count(*) filter (where exists (select 1 from requirements q where q.inspection_id = i.id))::int
          as with_requirements
      from inspections i where i.type = 'full' and i.status = 'completed' and ${inPeriod('i.start_date')}
      group by i.framework_id`.execute(db)
  ).rows;
  const requirements = (
    await sql<{ regulation_id: string; requirements: number; inspections: number }>`
      select r.regulation_id, count(*)::int as requirements, count(distinct r.inspection_id)::int as inspections
      from inspections i join requirements r on r.inspection_id = i.id
      where i.type = 'full' and i.status = 'completed' and ${inPeriod('i.start_date')}
      group by r.regulation_id`.execute(db)
  ).rows;
  const grades = (
    await sql<{
      lead: string;
      framework_id: string;
      grade_id: string;
      type: string;
      region: string;
      n: number;
    }>`
      select i.lead_inspector_id as lead, i.framework_id, i.inspector_overall_grade as grade_id, p.type,
        p.region, count(*)::int as n
      from inspections i join providers p on p.id = i.provider_id
      where i.status = 'completed' and i.inspector_overall_grade is not null and ${inPeriod('i.start_date')}
      group by 1, 2, 3, 4, 5`.execute(db)
  ).rows;
  const moderation = (
    await sql<{ framework_id: string | null; region: string | null; lead: string | null }>`
      select i.framework_id, p.region, i.lead_inspector_id as lead, count(*)::int as inspections,
        count(m.inspection_id)::int as moderated, coalesce(sum(m.n), 0)::int as grades_changed,
        count(m.inspection_id) filter (where i.overall_grade is distinct from i.inspector_overall_grade)::int
          as overall_changed
      from inspections i
      join providers p on p.id = i.provider_id
      left join (select j.inspection_id, count(*) as n from judgements j where j.kind = 'moderation' group by 1) m
        on m.inspection_id = i.id
      where i.status = 'completed' and ${inPeriod('i.start_date')}
      group by grouping sets ((i.framework_id), (p.region), (i.lead_inspector_id))`.execute(db)
  ).rows;
  const firsts = (
    await sql<{ framework_id: string; grade_id: string; inspections: number }>`
      select f.framework_id, f.overall_grade as grade_id, count(*)::int as inspections
      from (
        select distinct on (e.provider_id) e.framework_id, e.status, e.start_date, e.overall_grade
        from inspections e where e.type = 'full' and e.status <> 'incomplete'
        order by e.provider_id, e.start_date, e.id
      ) f
      where f.status = 'completed' and f.overall_grade is not null and ${inPeriod('f.start_date')}
      group by 1, 2`.execute(db)
  ).rows;
  return { notifications, incomplete, full, requirements, grades, moderation, firsts };
}

describe.each(kinds)('statistics summaries on the %s database', (kind) => {
  let t: TestApp;
  let db: Db;
  const random = generator(18);
  const inspectors: string[] = [];
  const providers: string[] = [];
  let reference = 1;

  beforeAll(async () => {
    t = await startTestApp(kind);
    db = t.db;
    for (const name of ['Sum Ann', 'Sum Ben', 'Sum Cal'])
      inspectors.push(
        (
          await db
            .insertInto('people')
            .values({
              email: `${name.replace(' ', '.').toLowerCase()}@summaries.invalid`,
              name,
              password_hash: 'x',
              roles: ['inspector'],
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
    for (let k = 0; k < 6; k++)
      providers.push(
        (
          await db
            .insertInto('providers')
            .values({
              urn: `SC77${k}`,
              name: `Summary home ${k}`,
              type: k < 4 ? 'childrens-home' : 'residential-family-centre',
              sector: 'private',
              address_line1: '1 Sum Road',
              address_line2: null,
              town: 'Testtown',
              postcode: 'NE1 1AA',
              local_authority: 'Newcastle upon Tyne',
              region: k % 2 ? 'London' : 'North East',
              places: 3,
              status: 'registered',
              owner_group_id: null,
              registered_on: '2004-01-01',
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      );
  });

  afterAll(async () => {
    await t?.close();
  });

  const someInspections = async (n: number) =>
    (
      await sql<{ id: string }>`
        select id from inspections where provider_id = any(${providers}::uuid[]) order by id`.execute(db)
    ).rows
      .filter(() => random.next() < n)
      .map((row) => row.id);

  /** One round of changes, each through a statement of its own, some of them touching many rows. */
  async function change() {
    // New inspections, several in one statement.
    const fresh = Array.from({ length: 12 }, () => ({
      provider_id: random.pick(providers),
      framework_id: 'childrens-homes',
      type: random.next() < 0.8 ? 'full' : 'monitoring',
      notice: 'none',
      start_date: day(Math.floor(random.next() * 180)),
      end_date: '2006-12-31',
      lead_inspector_id: random.pick(inspectors),
      status: random.pick(STATUSES),
      inspector_overall_grade: random.pick(GRADES),
      overall_grade: random.pick(GRADES),
    }));
    await db.insertInto('inspections').values(fresh).execute();
    // Requirements, some for the same inspection and regulation.
    for (const id of await someInspections(0.5))
      for (let k = 0; k < 1 + Math.floor(random.next() * 3); k++)
        await db
          .insertInto('requirements')
          .values({
            inspection_id: id,
            regulation_id: random.pick(REGULATIONS),
            action: 'Put it right',
            impact: 'Children',
            evidence_ids: [],
            comply_by: '2006-12-31',
            recorded_by: inspectors[0]!,
          })
          .execute();
    // Inspections changed one at a time: status, start (across months), lead, grade, provider.
    for (const id of await someInspections(0.4)) {
      const field = random.pick(['status', 'start_date', 'lead', 'grade', 'provider', 'type'] as const);
      await db
        .updateTable('inspections')
        .set(
          field === 'status'
            ? { status: random.pick(STATUSES) }
            : field === 'start_date'
              ? { start_date: day(Math.floor(random.next() * 180)) }
              : field === 'lead'
                ? { lead_inspector_id: random.pick(inspectors) }
                : field === 'grade'
                  ? { inspector_overall_grade: random.pick(GRADES), overall_grade: random.pick(GRADES) }
                  : field === 'type'
                    ? { type: random.pick(['full', 'monitoring']) }
                    : { provider_id: random.pick(providers) },
        )
        .where('id', '=', id)
        .execute();
    }
    // Many in one statement: moderated away from the grade given, completed, moved a month on.
    const many = await someInspections(0.3);
    if (many.length) {
      await db
        .updateTable('inspections')
        .set({ status: 'completed', start_date: sql`start_date + 31` })
        .where('id', 'in', many)
        .execute();
    }
    // A change of no interest to the figures changes nothing.
    await db
      .updateTable('inspections')
      .set({ notice: 'short' })
      .where('provider_id', 'in', providers)
      .execute();
    // Requirements withdrawn, and moved to another inspection or regulation.
    const requirements = (
      await db
        .selectFrom('requirements')
        .select('id')
        .where('inspection_id', 'in', await someInspections(1))
        .orderBy('id')
        .execute()
    ).map((row) => row.id);
    for (const id of requirements) {
      const roll = random.next();
      if (roll < 0.15) await db.deleteFrom('requirements').where('id', '=', id).execute();
      else if (roll < 0.25) {
        const [target] = await someInspections(0.2);
        if (target)
          await db.updateTable('requirements').set({ inspection_id: target }).where('id', '=', id).execute();
      } else if (roll < 0.3)
        await db
          .updateTable('requirements')
          .set({ regulation_id: random.pick(REGULATIONS) })
          .where('id', '=', id)
          .execute();
    }
    // Judgements given and moderated (a judgement is never changed or deleted, only superseded).
    const judged = new Set(
      (await db.selectFrom('judgements').select('inspection_id').distinct().execute()).map(
        (row) => row.inspection_id,
      ),
    );
    for (const id of await someInspections(0.4)) {
      judged.add(id);
      const area = random.pick(['overall-experiences-and-progress', 'help-and-protection']);
      const { rows: latest } = await sql<{ version: number }>`
        select coalesce(max(version), 0)::int as version from judgements
        where inspection_id = ${id} and area_id = ${area}`.execute(db);
      const version = latest[0]!.version + 1;
      await db
        .insertInto('judgements')
        .values({
          inspection_id: id,
          area_id: area,
          version,
          grade_id: random.pick(['outstanding', 'good', 'requires-improvement-to-be-good', 'inadequate']),
          rationale: 'Seen',
          evidence_ids: [],
          kind: version === 1 ? 'inspector' : random.pick(['inspector', 'moderation']),
          reason: null,
          given_by: inspectors[0]!,
        })
        .execute();
    }
    // The final grades brought up to date from those judgements, many inspections in one statement.
    await sql.raw(fillOverallGrades).execute(db);
    // An inspection with no judgements deleted with its requirements.
    const [gone] = (await someInspections(0.3)).filter((id) => !judged.has(id));
    if (gone) {
      await db.deleteFrom('requirements').where('inspection_id', '=', gone).execute();
      await db.deleteFrom('inspections').where('id', '=', gone).execute();
    }
    // A provider moving region and changing type moves its inspections' grades.
    await db
      .updateTable('providers')
      .set({
        region: random.pick(['London', 'North East', 'South West']),
        type: random.pick(['childrens-home', 'residential-family-centre']),
      })
      .where('id', '=', random.pick(providers))
      .execute();
    // Notifications, several on the same day from the same home.
    const notes = Array.from({ length: 15 }, () => {
      const on = day(Math.floor(random.next() * 180));
      return {
        reference: `SUM-${kind}-${reference++}`,
        provider_id: random.pick(providers),
        category_id: random.pick(CATEGORIES),
        event_date: on,
        what_happened: 'Something',
        actions_taken: 'Something else',
        submitted_by: inspectors[0]!,
        submitted_at: `${on}T12:00:00Z`,
      };
    });
    await db.insertInto('event_notifications').values(notes).execute();
    await db
      .insertInto('event_notifications')
      .values({ ...notes[0]!, reference: `SUM-${kind}-${reference++}` })
      .execute();
    const sent = (
      await db
        .selectFrom('event_notifications')
        .select('id')
        .where('provider_id', 'in', providers)
        .orderBy('id')
        .execute()
    ).map((row) => row.id);
    for (const id of sent) {
      const roll = random.next();
      if (roll < 0.1) await db.deleteFrom('event_notifications').where('id', '=', id).execute();
      else if (roll < 0.2)
        await db
          .updateTable('event_notifications')
          .set({ event_date: day(Math.floor(random.next() * 180)) })
          .where('id', '=', id)
          .execute();
      else if (roll < 0.25)
        await db
          .updateTable('event_notifications')
          .set({ category_id: random.pick(CATEGORIES), provider_id: random.pick(providers) })
          .where('id', '=', id)
          .execute();
      else if (roll < 0.35)
        // A review changes nothing the figures count.
        await db
          .updateTable('event_notifications')
          .set({ status: 'reviewed' })
          .where('id', '=', id)
          .execute();
    }
  }

  async function expectSummariesRight() {
    for (const [table, definition] of Object.entries(summaryDefinitions)) {
      // Rows whose counts have fallen to zero are kept at zero; the same counts worked out afresh have none.
      const nonzero = sql`select * from ${sql.table(table)} where ${sql.raw(NONZERO[table]!)}`;
      const missing = await sql`(${sql.raw(definition)}) except all (${nonzero})`.execute(db);
      const extra = await sql`(${nonzero}) except all (${sql.raw(definition)})`.execute(db);
      expect({ table, missing: missing.rows, extra: extra.rows }).toEqual({ table, missing: [], extra: [] });
    }
  }

  async function expectFiguresRight() {
    for (const period of PERIODS) {
      const expected = await direct(db, period);
      const notes = await notificationsByCategory(db, period);
      expect(
        sorted([...notes.byCategory, { category_id: null, ...notes.total }]),
        JSON.stringify(period),
      ).toEqual(sorted(expected.notifications));
      const incomplete = await incompleteCounts(db, period);
      expect(
        sorted(
          incomplete.map((row) => ({
            framework_id: row.dimension === 'framework' ? row.key : null,
            lead: row.dimension === 'inspector' ? row.key : null,
            inspections: row.inspections,
            incomplete: row.incomplete,
          })),
        ),
        JSON.stringify(period),
      ).toEqual(sorted(expected.incomplete));
      expect(sorted(await fullInspectionsWithRequirements(db, period)), JSON.stringify(period)).toEqual(
        sorted(expected.full),
      );
      expect(sorted(await requirementsByRegulation(db, period)), JSON.stringify(period)).toEqual(
        sorted(expected.requirements),
      );
      expect(sorted(await firstInspectionOutcomes(db, period)), JSON.stringify(period)).toEqual(
        sorted(expected.firsts),
      );
      const moderation = await moderationCounts(db, period);
      expect(
        sorted(
          moderation.map((row) => ({
            framework_id: row.dimension === 'framework' ? row.key : null,
            region: row.dimension === 'region' ? row.key : null,
            lead: row.dimension === 'inspector' ? row.key : null,
            inspections: row.inspections,
            moderated: row.moderated,
            grades_changed: row.grades_changed,
            overall_changed: row.overall_changed,
          })),
        ),
        JSON.stringify(period),
      ).toEqual(sorted(expected.moderation));
      const { counts, spreads } = await inspectorGrades(db, period);
      const byGrade = new Map<string, number>();
      for (const row of expected.grades) {
        const key = JSON.stringify([row.lead, row.framework_id, row.grade_id]);
        byGrade.set(key, (byGrade.get(key) ?? 0) + row.n);
      }
      expect(
        sorted(counts.map((row) => [row.lead, row.framework_id, row.grade_id, row.inspections])),
        JSON.stringify(period),
      ).toEqual(sorted([...byGrade].map(([key, n]) => [...(JSON.parse(key) as string[]), n])));
      const perInspector = new Map<string, number>();
      for (const row of expected.grades) {
        const key = JSON.stringify([row.lead, row.framework_id]);
        perInspector.set(key, (perInspector.get(key) ?? 0) + row.n);
      }
      expect(
        sorted(spreads.map((row) => [row.lead, row.framework_id, row.inspections])),
        JSON.stringify(period),
      ).toEqual(sorted([...perInspector].map(([key, n]) => [...(JSON.parse(key) as string[]), n])));
    }
  }

  it('start right from what the migration filled', async () => {
    await expectSummariesRight();
    await expectFiguresRight();
  });

  it('stay right through inserts, updates and deletes of everything the figures count', async () => {
    for (let round = 0; round < 4; round++) {
      await change();
      await expectSummariesRight();
    }
    await expectFiguresRight();
  });

  it('are right after a generated data set is added to what is there, and stay right after it', async () => {
    // As a superuser the generator loads with the triggers off and rebuilds the summaries at the end.
    await generateNationalData(db, { providers: 200, years: 3, seed: 'summaries', today: '2006-06-30' });
    await expectSummariesRight();
    await expectFiguresRight();
    // Ordinary writes are still counted by the triggers afterwards.
    await change();
    await expectSummariesRight();
  });

  it.skipIf(kind === 'embedded')(
    'stay right when transactions change what the same counts depend on at the same time',
    async () => {
      // Each change waits in its transaction before committing, so that the others run meanwhile: without
      // the triggers' locks each would count from a view of the data missing the others' changes.
      const together = (changes: ((trx: Db) => Promise<unknown>)[]) =>
        Promise.all(
          changes.map((work) =>
            db.transaction().execute(async (trx) => {
              await work(trx);
              await sql`select pg_sleep(0.2)`.execute(trx);
            }),
          ),
        );
      const home = providers[0]!;
      const inspection = (
        await db
          .insertInto('inspections')
          .values({
            provider_id: home,
            framework_id: 'childrens-homes',
            type: 'full',
            notice: 'none',
            start_date: '2006-05-10',
            end_date: '2006-05-10',
            lead_inspector_id: inspectors[0]!,
            status: 'completed',
            inspector_overall_grade: 'good',
            overall_grade: 'good',
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      // The first requirements of one inspection, each transaction adding one. (Writes for one provider
      // also wait for each other on the plan's schedule row, so this passes without the summaries' own
      // lock on the inspection; the lock keeps them right without relying on that.)
      await together(
        REGULATIONS.concat(REGULATIONS).map(
          (regulation) => (trx) =>
            trx
              .insertInto('requirements')
              .values({
                inspection_id: inspection,
                regulation_id: regulation,
                action: 'Put it right',
                impact: 'Children',
                evidence_ids: [],
                comply_by: '2006-12-31',
                recorded_by: inspectors[0]!,
              })
              .execute(),
        ),
      );
      await expectSummariesRight();
      // The two notifications of one home on one day (of two categories, so that no count of the day's
      // holds one back for the other) withdrawn at once, and two more added on another.
      const notify = (reference: string, on: string, category = 'missing-child') => ({
        reference: `SUM-${kind}-${reference}`,
        provider_id: home,
        category_id: category,
        event_date: on,
        what_happened: 'Something',
        actions_taken: 'Something else',
        submitted_by: inspectors[0]!,
        submitted_at: `${on}T12:00:00Z`,
      });
      await db
        .insertInto('event_notifications')
        .values([notify('same-day-1', '2006-05-20'), notify('same-day-2', '2006-05-20', 'self-harm')])
        .execute();
      await together([
        (trx) =>
          trx.deleteFrom('event_notifications').where('reference', '=', `SUM-${kind}-same-day-1`).execute(),
        (trx) =>
          trx.deleteFrom('event_notifications').where('reference', '=', `SUM-${kind}-same-day-2`).execute(),
        (trx) => trx.insertInto('event_notifications').values(notify('new-day-1', '2006-05-21')).execute(),
        (trx) => trx.insertInto('event_notifications').values(notify('new-day-2', '2006-05-21')).execute(),
      ]);
      await expectSummariesRight();
      // A provider's first inspections added at once, and its region changed while a graded one is added.
      const another = providers[1]!;
      await together([
        ...['2006-03-01', '2006-02-01', '2006-04-01'].map(
          (on) => (trx: Db) =>
            trx
              .insertInto('inspections')
              .values({
                provider_id: another,
                framework_id: 'childrens-homes',
                type: 'full',
                notice: 'none',
                start_date: on,
                end_date: on,
                lead_inspector_id: inspectors[1]!,
                status: 'completed',
                inspector_overall_grade: 'inadequate',
                overall_grade: 'inadequate',
              })
              .execute(),
        ),
        (trx) =>
          trx
            .updateTable('providers')
            .set({ region: 'Yorkshire and the Humber' })
            .where('id', '=', another)
            .execute(),
      ]);
      await expectSummariesRight();
      await expectFiguresRight();
    },
  );

  it('are not changed by a statement that rolls back', async () => {
    const before = await sql`select sum(inspections)::int as n from statistics_inspection_months`.execute(db);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .updateTable('inspections')
          .set({ status: 'incomplete' })
          .where('provider_id', 'in', providers)
          .execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(
      (await sql`select sum(inspections)::int as n from statistics_inspection_months`.execute(db)).rows,
    ).toEqual(before.rows);
    await expectSummariesRight();
  });
});
