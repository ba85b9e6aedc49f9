/**
 * A national-scale register with its history, generated inside the database: providers of every type in
 * every region, owner groups with a long tail, years of inspections with judgements and overall grades,
 * evidence, requirements, complaints, concerns, serious-event notifications and changes of manager or
 * owner. `inspectorate generate` and the benchmarks use it.
 *
 * Every table is filled by one `insert … select` over `generate_series`, so the rows never travel
 * between Node and the database (faster than streaming them in with COPY, and the same on PGlite):
 * 100,000 providers and their history take a minute or two, not an hour. The
 * data are reproducible: every "random" choice is a hash of the row's number and the seed
 * (`hashint8extended`), never `random()`, so the same seed and day give the same rows on any server.
 * Ids are derived the same way (from `md5(…)`, marked as version 4), which lets each table refer to the rows of another
 * without a lookup. Several sets with different seeds can live in one database.
 *
 * The shape follows the register: six in ten providers are children's homes, one in five supported
 * accommodation, the rest agencies, family centres and residential special schools; one provider per
 * local authority for its children's services. Inspections are held only under the frameworks this
 * service knows (children's homes from April 2017, supported accommodation from September 2024, local
 * authorities under the 2012, 2013 and 2018 frameworks); agencies, family centres and schools have no
 * framework here, so they are never inspected and the plan sees them as due from registration.
 */
import { sql } from 'kysely';
import { hashSeed } from '../complaints/rules.js';
import { englishDate } from '../clock.js';
import { inTransaction, type Db } from '../db/database.js';
import { frameworks } from '../frameworks/frameworks.js';
import { postInspectionProcedures } from '../frameworks/procedures.js';
import { notificationCategories } from '../frameworks/notification-categories.js';
import { regulations } from '../frameworks/regulations.js';
import { EVIDENCE_SOURCES } from '../inspections/rules.js';
import { hashPassword } from '../people/passwords.js';
import { LOCAL_AUTHORITIES } from '../planning/local-authorities.js';
import { rebuildProviderSchedule } from '../planning/schedule-store.js';
import { rebuildStatisticsSummaries } from '../statistics/store.js';

export interface NationalDataOptions {
  /** How many providers, local authorities included (at least their number, 153). */
  providers: number;
  /** How many years of history, ending on `today`. */
  years: number;
  /** Any text; the same seed gives the same data. */
  seed: string;
  /** The day the history ends (default: today in England). */
  today?: string;
  /**
   * About how many inspections to hold in all (default: the register's own rate, about one a year per
   * children's home). Each provider's visits are scaled by the same factor, at most 63 each.
   */
  inspections?: number;
  /**
   * About how many serious-event notifications (default: one per eight providers a year, of which only
   * children's homes' and supported accommodation's are kept).
   */
  notifications?: number;
  /**
   * About how many pieces of evidence each inspection holds (default 10; monitoring visits half as
   * many). 0 leaves the evidence table alone.
   */
  evidencePerInspection?: number;
  /**
   * The share of inspections completed under a post-inspection procedure (from September 2020) that are
   * complained about (default 0.03). 0 makes no complaints.
   */
  complaintRate?: number;
  /** Told after each step: what, how many rows, how long it took, and how many steps of all are done. */
  onStep?: (step: string, rows: number, ms: number, progress: { done: number; total: number }) => void;
}

export interface NationalDataCounts {
  people: number;
  ownerGroups: number;
  providers: number;
  inspections: number;
  judgements: number;
  requirements: number;
  concerns: number;
  notifications: number;
  providerChanges: number;
  evidence: number;
  complaints: number;
}

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
const textArray = (items: readonly string[]) => `array[${items.map(quote).join(', ')}]::text[]`;

/** The words providers' names are made of; the provider list benchmark names its providers from them too. */
export const FIRST_WORDS = [
  'Oakfield',
  'Willow',
  'Beech',
  'Rowan',
  'Hawthorn',
  'Meadow',
  'Larch',
  'Heather',
  'Ash',
  'Elm',
  'Birch',
  'Cedar',
  'Maple',
  'Holly',
  'Juniper',
  'Fern',
  'Linden',
  'Sycamore',
  'Poplar',
  'Alder',
  'Hazel',
  'Yew Tree',
  'Chestnut',
  'Primrose',
  'Bramble',
  'Clover',
  'Foxglove',
  'Kestrel',
  'Orchard',
  'Riverside',
  'Hillcrest',
  'Brookside',
];
export const HOME_WORDS = [
  'House',
  'Lodge',
  'Cottage',
  'Court',
  'View',
  'Grove',
  'Farm',
  'Place',
  'Gardens',
  'Mews',
];

/**
 * The mix of the register outside local authorities: share of providers (cumulative upper bound), and the
 * word that ends an agency's name.
 */
const TYPE_MIX: [type: string, upTo: number, word: string][] = [
  ['childrens-home', 0.6, ''],
  ['supported-accommodation', 0.8, 'Supported Living'],
  ['independent-fostering-agency', 0.87, 'Fostering'],
  ['voluntary-adoption-agency', 0.9, 'Adoption'],
  ['adoption-support-agency', 0.93, 'Adoption Support'],
  ['residential-family-centre', 0.95, 'Family Centre'],
  ['residential-special-school', 1, 'School'],
];

/** The first day each inspected type has a framework in this service. */
const FIRST_FRAMEWORK_DAY: Record<string, string> = {
  'childrens-home': '2017-04-01',
  'supported-accommodation': '2024-09-01',
  'local-authority': '2012-05-01',
};

export async function generateNationalData(
  db: Db,
  options: NationalDataOptions,
): Promise<NationalDataCounts> {
  const N = Math.round(options.providers);
  const LAS = LOCAL_AUTHORITIES.length;
  if (!Number.isInteger(N) || N < LAS)
    throw new RangeError(`providers must be a whole number of ${LAS} or more`);
  if (!(options.years > 0 && options.years <= 30)) throw new RangeError('years must be between 1 and 30');
  const today = options.today ?? englishDate(new Date());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new RangeError(`today must be an ISO date, not ${today}`);

  // The seed as a number for the hashes, and as a tag that keeps this set's keys apart from others'.
  const seedNumber = hashSeed(options.seed) % 1_000_000_007;
  const tag = hashSeed(`tag:${options.seed}`).toString(36).padStart(7, '0').slice(0, 7);
  const years = options.years;
  const historyDays = Math.round(years * 365.25);

  /** A uniform number in [0, 1) for this row (`key`, a whole-number SQL expression) and purpose `k`. */
  const rnd = (key: string, k: number) =>
    `((hashint8extended((${key})::bigint, ${seedNumber * 64 + k}::bigint) & 2147483647)::float8 / 2147483648.0)`;
  const pick = (array: string, length: number, key: string, k: number) =>
    `(${array})[1 + floor(${rnd(key, k)} * ${length})::int]`;
  // Marked as version 4 (random) so that the API's strict UUID checks accept the generated ids.
  const id = (kind: string, key: string) =>
    `overlay(overlay(md5('${tag}${kind}' || (${key})::text) placing '4' from 13) placing '8' from 17)::uuid`;

  const inspectors = Math.max(20, Math.round(N / 400));
  const providerUsers = Math.max(10, Math.round(N / 1000));
  const ownerGroups = Math.max(5, Math.round(N / 500));
  const concerns = Math.round(N * 0.012 * years);
  for (const [name, target] of [
    ['inspections', options.inspections],
    ['notifications', options.notifications],
  ] as const) {
    if (target !== undefined && !(Number.isInteger(target) && target > 0))
      throw new RangeError(`${name} must be a positive whole number`);
  }
  let notifications = Math.round(N * 0.125 * years);
  const evidencePerInspection = options.evidencePerInspection ?? 10;
  if (!(Number.isInteger(evidencePerInspection) && evidencePerInspection >= 0 && evidencePerInspection <= 30))
    throw new RangeError('evidencePerInspection must be a whole number from 0 to 30');
  const complaintRate = options.complaintRate ?? 0.03;
  if (!(complaintRate >= 0 && complaintRate <= 1))
    throw new RangeError('complaintRate must be between 0 and 1');
  const providerChanges = Math.round(N * 0.03 * years);
  const plannerId = id('planner', "''");
  const handlerId = id('complaints', "''");

  const authorities = `(values ${LOCAL_AUTHORITIES.map(
    (a, i) => `(${i + 1}, ${quote(a.name)}, ${quote(a.region)})`,
  ).join(', ')}) as la(n, name, region)`;

  // Judgement areas and grades of every framework, as tables the inserts join to.
  const areaRows = frameworks.flatMap((f) =>
    f.judgementAreas.map((a) => {
      const role =
        a.id === f.overallGrade.areaId
          ? 'overall'
          : a.limiting
            ? 'limiting'
            : a.separatelyRated
              ? 'separate'
              : 'other';
      return `(${quote(f.id)}, ${quote(a.id)}, date ${quote(a.effectiveFrom)}, date ${quote(a.effectiveTo ?? '9999-12-31')}, '${role}')`;
    }),
  );
  const areas = `(values ${areaRows.join(', ')}) as area(framework_id, area_id, from_day, to_day, role)`;
  const gradeRows = frameworks.flatMap((f) =>
    f.gradeScale.map((g, rank) => `(${quote(f.id)}, ${rank}, ${quote(g.id)}, ${f.gradeScale.length - 1})`),
  );
  const grades = `(values ${gradeRows.join(', ')}) as grade(framework_id, rank, grade_id, worst)`;
  const overallAreas = `(values ${frameworks
    .map((f) => `(${quote(f.id)}, ${quote(f.overallGrade.areaId)})`)
    .join(', ')}) as headline(framework_id, area_id)`;

  /**
   * One row per inspection held: provider number `i`, inspection number `j`, its day, framework, kind
   * and overall grade (`rank`, 0 = best). Shared by the inserts of inspections, judgements and
   * requirements, which therefore agree without reading each other's rows.
   */
  const heldInspections = (scale = '') => `
    with base as (
      select s.i, p.id as provider_id, p.type,
        ${rnd('s.i', 20)} as quality,
        greatest(p.registered_on + 60, date '${today}' - ${historyDays},
          case p.type ${Object.entries(FIRST_FRAMEWORK_DAY)
            .map(([type, day]) => `when '${type}' then date '${day}'`)
            .join(' ')} end) as window_start,
        date '${today}' - 7 as window_end
      from generate_series(1, ${N}) s(i)
      join providers p on p.id = ${id('p', 's.i')}
      where p.type in (${Object.keys(FIRST_FRAMEWORK_DAY).map(quote).join(', ')})
    ), sized as (
      select b.*, b.window_end - b.window_start as span,
        case
          when b.window_end - b.window_start < 60 then 0
          when b.type = 'childrens-home'
            then greatest(1, round((b.window_end - b.window_start) / 365.25 * (0.6 + 0.3 * ${rnd('b.i', 21)})${scale}))
          when b.type = 'supported-accommodation'
            then greatest(1, round((b.window_end - b.window_start) / 365.25 * (0.4 + 0.4 * ${rnd('b.i', 21)})${scale}))
          else greatest(1, round((b.window_end - b.window_start) / 365.25 * (0.28 + 0.1 * ${rnd('b.i', 21)})${scale}))
        end::int as held
      from base b
    ), dated as (
      select z.i, z.provider_id, z.type, j,
        z.window_start + floor((j - 1 + 0.15 + 0.7 * ${rnd('z.i * 64 + j', 22)}) * z.span / z.held)::int as start_date,
        0.55 * z.quality + 0.45 * ${rnd('z.i * 64 + j', 23)} as u,
        0.55 * z.quality + 0.45 * ${rnd('z.i * 64 + j - 1', 23)} as u_before,
        ${rnd('z.i * 64 + j', 24)} as r
      from sized z cross join lateral generate_series(1, least(z.held, 63)) j
      where z.held > 0
    ), framed as (
      select d.*,
        case d.type
          when 'childrens-home' then 'childrens-homes'
          when 'supported-accommodation' then 'supported-accommodation'
          else case when d.start_date >= date '2018-01-01' then 'ilacs'
                    when d.start_date >= date '2013-11-01' then 'sif-2013'
                    else 'child-protection-2012' end
        end as framework_id
      from dated d
    ), graded as (
      select f.*,
        -- Worse grades are rarer; a three-outcome scale (supported accommodation) has its own split.
        case when f.type = 'supported-accommodation'
          then case when f.u < 0.6 then 0 when f.u < 0.9 then 1 else 2 end
          else case when f.u < 0.15 then 0 when f.u < 0.75 then 1 when f.u < 0.94 then 2 else 3 end
        end as rank,
        case when f.type = 'supported-accommodation' then f.u_before >= 0.9 else f.u_before >= 0.94 end
          as worst_before
      from framed f
    )
    select g.*,
      -- After the worst grade, most next visits are monitoring visits, which give no grades.
      case when g.j > 1 and g.worst_before and g.r < 0.7 then 'monitoring' else 'full' end as kind,
      -- About one inspection in fifty has its overall grade lowered at moderation.
      ${rnd('g.i * 64 + g.j', 42)} < 0.02 as moderated,
      ${id('i', "g.i || '-' || g.j")} as inspection_id,
      ${id('h', `1 + floor(${rnd('g.i * 64 + g.j', 25)} * ${inspectors})::int`)} as lead_id
    from graded g`;

  const held = `generated_inspections_${tag}`;
  const passwordHash = await hashPassword(`not-for-sign-in-${options.seed}-${Date.now()}`);

  // Every statement below that goes through run(), the schedule's rebuild at the end, and the statistics
  // summaries' rebuild when their triggers were skipped.
  let totalSteps = 13 + (evidencePerInspection > 0 ? 1 : 0) + (complaintRate > 0 ? 1 : 0);
  let done = 0;
  const told = (step: string, rows: number, ms: number) =>
    options.onStep?.(step, rows, ms, { done: ++done, total: totalSteps });

  return inTransaction(db, async (trx) => {
    const run = async (statement: string, step = /insert into (\w+)/.exec(statement)?.[1] ?? 'statement') => {
      const started = Date.now();
      const rows = Number((await sql.raw(statement).execute(trx)).numAffectedRows ?? 0n);
      told(step, rows, Date.now() - started);
      return rows;
    };

    // Every reference is made from the same formulas as the row it points to, so the foreign-key checks
    // (a trigger per row, over a million of them) can be skipped by a superuser, for this transaction only.
    // So are the statement triggers keeping the statistics summaries, which are rebuilt at the end.
    const { rows: role } = await sql<{ super: boolean }>`
      select rolsuper as super from pg_roles where rolname = current_user`.execute(trx);
    const replica = role[0]?.super === true;
    if (replica) {
      await sql`set local session_replication_role = replica`.execute(trx);
      totalSteps += 1;
    }

    const people = await run(`
      insert into people (id, email, name, password_hash, roles)
      select ${plannerId}, 'planner.${tag}@generated.invalid', 'Generated planner', ${quote(passwordHash)}, '{planner}'::text[]
      union all
      select ${id('h', 'k')}, 'inspector-' || k || '.${tag}@generated.invalid', 'Generated inspector ' || k,
        ${quote(passwordHash)}, '{inspector}'::text[]
      from generate_series(1, ${inspectors}) k
      union all
      select ${id('u', 'k')}, 'provider-' || k || '.${tag}@generated.invalid', 'Generated provider user ' || k,
        ${quote(passwordHash)}, '{provider}'::text[]
      from generate_series(1, ${providerUsers}) k${
        complaintRate > 0
          ? `
      union all
      select ${handlerId}, 'complaints.${tag}@generated.invalid', 'Generated complaints handler',
        ${quote(passwordHash)}, '{complaints}'::text[]`
          : ''
      }`);

    const groups = await run(`
      insert into owner_groups (id, name)
      select ${id('g', 'k')}, 'Generated owner group ' || k || ' (${tag})' from generate_series(1, ${ownerGroups}) k`);

    const typeCase = TYPE_MIX.map(([type, upTo]) => `when s.r_type < ${upTo} then '${type}'`).join(' ');
    const wordCase = TYPE_MIX.filter(([, , word]) => word)
      .map(([type, , word]) => `when '${type}' then ${quote(word)}`)
      .join(' ');
    const providers = await run(`
      insert into providers (id, urn, name, type, sector, address_line1, address_line2, town, postcode,
        local_authority, region, places, status, owner_group_id, registered_on, left_register_on)
      select ${id('p', 's.i')},
        'G${tag}' || lpad(s.i::text, 7, '0'),
        case when t.type = 'local-authority' then la.name || ' children''s services'
             when t.type = 'childrens-home'
               then ${pick(textArray(FIRST_WORDS), FIRST_WORDS.length, 's.i', 3)} || ' ' ||
                    ${pick(textArray(HOME_WORDS), HOME_WORDS.length, 's.i', 4)}
             else ${pick(textArray(FIRST_WORDS), FIRST_WORDS.length, 's.i', 3)} || ' ' ||
                  case t.type ${wordCase} end || ' ' || la.name end,
        t.type,
        case when t.type = 'local-authority' or s.r_sector < 0.1 then 'local-authority'
             when s.r_sector < 0.18 then 'voluntary' else 'private' end,
        (1 + s.i % 180) || ' ' || ${pick(textArray(['Church', 'Station', 'Mill', 'Park', 'Victoria', 'High']), 6, 's.i', 5)} || ' Road',
        null,
        la.name,
        upper(left(regexp_replace(la.name, '[^A-Za-z]', '', 'g'), 2)) || (1 + s.i % 20) || ' ' ||
          (s.i % 9 + 1) || chr(65 + s.i % 26) || chr(65 + (s.i / 26) % 26),
        la.name,
        la.region,
        case t.type when 'childrens-home' then 1 + floor(s.r_places * 6)::int
                    when 'supported-accommodation' then 4 + floor(s.r_places * 10)::int
                    when 'residential-family-centre' then 3 + floor(s.r_places * 5)::int
                    when 'residential-special-school' then 15 + floor(s.r_places * 40)::int
                    else 0 end,
        case when t.type = 'local-authority' or s.r_status < 0.93 then 'registered'
             when s.r_status < 0.95 then 'suspended' when s.r_status < 0.98 then 'closed' else 'cancelled' end,
        -- Two in five homes belong to a group; the first groups are large and most are small (a long tail).
        case when t.type in ('childrens-home', 'supported-accommodation') and s.r_owner < 0.4
             then ${id('g', `1 + floor(power(s.r_owner / 0.4, 2.5) * ${ownerGroups})::int`)} end,
        r.registered_on,
        -- A closed or cancelled one left the register on a day between its registration and today.
        case when t.type <> 'local-authority' and s.r_status >= 0.95
             then r.registered_on + floor(s.r_left * (date '${today}' - r.registered_on))::int end
      from (
        select i, ${rnd('i', 1)} as r_type, ${rnd('i', 2)} as r_la, ${rnd('i', 6)} as r_sector,
          ${rnd('i', 7)} as r_places, ${rnd('i', 8)} as r_status, ${rnd('i', 9)} as r_owner,
          ${rnd('i', 10)} as r_registered, ${rnd('i', 11)} as r_left
        from generate_series(1, ${N}) i
      ) s
      cross join lateral (
        select case when s.i <= ${LAS} then 'local-authority' ${typeCase} end as type
      ) t
      cross join lateral (
        select case t.type
          when 'local-authority' then date '2000-04-01'
          when 'supported-accommodation'
            then least(date '${today}', date '2023-04-28' + floor(s.r_registered * (date '${today}' - date '2023-04-28'))::int)
          else date '${today}' - floor(power(s.r_registered, 0.7) * 20 * 365.25)::int
        end as registered_on
      ) r
      -- A local authority's own provider is the first ${LAS}; every other provider is in a random one.
      join ${authorities} on la.n = case when s.i <= ${LAS} then s.i else 1 + floor(s.r_la * ${LAS})::int end`);

    // Worked out once, then read by the inserts of inspections, judgements and requirements.
    // A target number of inspections scales every provider's rate by the target over the count at the
    // usual rate (rounding makes it approximate).
    let scale = '';
    if (options.inspections !== undefined) {
      const { rows: usual } = await sql<{ n: string }>`select count(*) as n from (${sql.raw(
        heldInspections(),
      )}) h`.execute(trx);
      const factor = options.inspections / Math.max(1, Number(usual[0]?.n ?? 1));
      scale = ` * ${factor.toFixed(6)}`;
    }
    await run(
      `create temporary table ${held} on commit drop as ${heldInspections(scale)}`,
      'held inspections',
    );
    await run(`analyze ${held}`, 'held inspections analysed');

    const inspections = await run(`
      insert into inspections (id, provider_id, framework_id, type, notice, start_date, end_date,
        lead_inspector_id, status, overall_grade, inspector_overall_grade, created_by, created_at, updated_at)
      select x.inspection_id, x.provider_id, x.framework_id, x.kind,
        case x.type when 'childrens-home' then 'none' else 'short' end,
        x.start_date,
        x.start_date + case when x.type = 'local-authority' and x.kind = 'full' then 11
                            when x.kind = 'monitoring' then 1 else 1 + floor(x.r * 2)::int end,
        x.lead_id,
        case when x.start_date > date '${today}' - 30 then 'feedback-given' else 'completed' end,
        -- The overall grade as the inspection store keeps it: the headline grade (limiting areas carry
        -- the same grade), after moderation; none for a monitoring visit.
        case when x.kind = 'full' then (select grade.grade_id from ${grades}
          where grade.framework_id = x.framework_id
            and grade.rank = least(x.rank + case when x.moderated then 1 else 0 end, grade.worst)) end,
        -- As the inspector gave it, before moderation (the statistics of consistency compare the two).
        case when x.kind = 'full' then (select grade.grade_id from ${grades}
          where grade.framework_id = x.framework_id and grade.rank = least(x.rank, grade.worst)) end,
        ${plannerId},
        (x.start_date - 30)::timestamptz, (x.start_date + 14)::timestamptz
      from ${held} x`);

    // A few inspections already planned for the weeks ahead, as the plan will find them.
    const planned = await run(`
      insert into inspections (id, provider_id, framework_id, type, notice, start_date, end_date,
        lead_inspector_id, status, created_by, created_at, updated_at)
      select ${id('f', 's.i')}, p.id, 'childrens-homes', 'full', 'none',
        date '${today}' + 7 + floor(${rnd('s.i', 30)} * 60)::int,
        date '${today}' + 8 + floor(${rnd('s.i', 30)} * 60)::int,
        ${id('h', `1 + floor(${rnd('s.i', 31)} * ${inspectors})::int`)}, 'planned', ${plannerId},
        date '${today}'::timestamptz, date '${today}'::timestamptz
      from generate_series(1, ${N}) s(i)
      join providers p on p.id = ${id('p', 's.i')}
      where p.type = 'childrens-home' and p.status = 'registered' and ${rnd('s.i', 32)} < 0.03`);

    // Every area in force at a full inspection: the headline and limiting areas carry the overall grade
    // (so that the overall follows the framework's rules), the others a grade either side of it.
    const judgements = await run(`
      insert into judgements (inspection_id, area_id, version, grade_id, rationale, evidence_ids, kind,
        given_by, given_at)
      select x.inspection_id, area.area_id, 1, grade.grade_id,
        'Generated judgement.', '{}'::uuid[], 'inspector', x.lead_id, (x.start_date + 2)::timestamptz
      from ${held} x
      join ${areas} on area.framework_id = x.framework_id
        and x.start_date between area.from_day and area.to_day
      cross join lateral (
        select least(3, greatest(0, case area.role
          when 'other' then x.rank + case when ${rnd('x.i * 64 + x.j + length(area.area_id) * 4096', 40)} < 0.2 then -1
                                          when ${rnd('x.i * 64 + x.j + length(area.area_id) * 4096', 40)} < 0.35 then 1
                                          else 0 end
          when 'separate' then floor(${rnd('x.i * 64 + x.j', 41)} * 4)::int
          else x.rank end)) as wanted
      ) w
      join ${grades} on grade.framework_id = x.framework_id and grade.rank = least(w.wanted, grade.worst)
      where x.kind = 'full'
      union all
      -- Moderation lowers the overall grade by one.
      select x.inspection_id, headline.area_id, 2, grade.grade_id,
        'Generated moderated judgement.', '{}'::uuid[], 'moderation', x.lead_id, (x.start_date + 9)::timestamptz
      from ${held} x
      join ${overallAreas} on headline.framework_id = x.framework_id
      join ${grades} on grade.framework_id = x.framework_id and grade.rank = least(x.rank + 1, grade.worst)
      where x.kind = 'full' and x.moderated`);

    const homeRegulations = regulations.filter((r) => r.id.startsWith('childrens-homes-')).map((r) => r.id);
    const accommodationRegulations = regulations
      .filter((r) => r.id.startsWith('supported-accommodation-'))
      .map((r) => r.id);
    const requirements = await run(`
      insert into requirements (id, inspection_id, regulation_id, action, impact, evidence_ids, comply_by,
        recorded_by, recorded_at)
      select ${id('r', "(x.i * 64 + x.j) || '-' || m")}, x.inspection_id,
        case x.type when 'childrens-home'
          then ${pick(textArray(homeRegulations), homeRegulations.length, 'x.i * 64 + x.j + m * 4096', 50)}
          else ${pick(textArray(accommodationRegulations), accommodationRegulations.length, 'x.i * 64 + x.j + m * 4096', 50)}
        end,
        'Generated requirement ' || m || '.', 'Generated impact on children.', '{}'::uuid[],
        x.start_date + 28 + floor(${rnd('x.i * 64 + x.j + m * 4096', 51)} * 63)::int,
        x.lead_id, (x.start_date + 3)::timestamptz
      from ${held} x
      cross join lateral generate_series(1, 1 + floor(${rnd('x.i * 64 + x.j', 52)} * 3)::int) m
      where x.kind = 'full' and x.type in ('childrens-home', 'supported-accommodation')
        and (x.rank >= 2 or (x.rank = 1 and ${rnd('x.i * 64 + x.j', 53)} < 0.2))`);

    const concernsMade = await run(`
      insert into concerns (id, reference, provider_id, provider_description, channel, summary, raiser_name,
        raiser_email, raiser_relationship, received_at, status, risk_level, decision, decision_reasons,
        bring_forward_to, decided_by, decided_at, created_at, updated_at)
      select ${id('c', 'c.k')}, 'CG${tag}-' || lpad(c.k::text, 6, '0'),
        case when c.r_known < 0.92 then p.id end, p.name || ', ' || p.town,
        ${pick(textArray(['public-form', 'phone', 'email']), 3, 'c.k', 61)},
        'Generated concern about the care of children.',
        'Generated person ' || c.k, null, 'parent-or-carer', c.received_at,
        case when c.received_at > date '${today}' - 21 then 'new' else 'decided' end,
        case when c.received_at > date '${today}' - 21 then null
             else ${pick(textArray(['low', 'medium', 'high', 'immediate']), 4, 'c.k', 62)} end,
        case when c.received_at > date '${today}' - 21 then null
             else ${pick(textArray(['no-action', 'monitor', 'monitor', 'bring-forward', 'inspect-now']), 5, 'c.k', 63)} end,
        case when c.received_at > date '${today}' - 21 then null else 'Generated reasons.' end,
        case when c.received_at <= date '${today}' - 21 and ${rnd('c.k', 63)} >= 0.6 and ${rnd('c.k', 63)} < 0.8
             then (c.received_at + interval '60 days')::date end,
        case when c.received_at <= date '${today}' - 21 then ${plannerId} end,
        case when c.received_at <= date '${today}' - 21 then c.received_at + interval '5 days' end,
        c.received_at, c.received_at
      from (
        select k, 1 + floor(${rnd('k', 60)} * ${N})::int as i, ${rnd('k', 64)} as r_known,
          (date '${today}' - floor(${rnd('k', 65)} * ${historyDays})::int)::timestamptz
            + floor(${rnd('k', 66)} * 86400) * interval '1 second' as received_at
        from generate_series(1, ${concerns}) k
      ) c
      join providers p on p.id = ${id('p', 'c.i')}`);

    // A target number of notifications: of those drawn, only children's homes' and supported
    // accommodation's events after registration are kept, so draw the target over the share kept.
    if (options.notifications !== undefined) {
      const { rows: kept } = await sql
        .raw<{ share: number }>(
          `
        select coalesce(sum(greatest(0, date '${today}' - greatest(p.registered_on,
          date '${today}' - ${historyDays}))), 0)::float8 / ${historyDays} / ${N} as share
        from providers p
        where p.id in (select ${id('p', 's.i')} from generate_series(1, ${N}) s(i))
          and p.type in ('childrens-home', 'supported-accommodation')`,
        )
        .execute(trx);
      notifications = Math.round(options.notifications / Math.max(kept[0]?.share ?? 1, 1e-6));
    }
    const categoryIds = notificationCategories.map((c) => c.id);
    const notificationsMade = await run(`
      insert into event_notifications (id, reference, provider_id, category_id, event_date, what_happened,
        actions_taken, told, submitted_by, submitted_at, status, review_outcome, review_notes,
        bring_forward_to, reviewed_by, reviewed_at)
      select ${id('n', 'e.k')}, 'NG${tag}-' || lpad(e.k::text, 7, '0'), p.id,
        ${pick(textArray(categoryIds), categoryIds.length, 'e.k', 71)},
        e.event_date, 'Generated account of what happened.', 'Generated account of the actions taken.',
        case when ${rnd('e.k', 72)} < 0.5 then '{placing-authority}'::text[]
             when ${rnd('e.k', 72)} < 0.8 then '{placing-authority,police}'::text[]
             else '{placing-authority,lado,parents-or-carers}'::text[] end,
        ${id('u', `1 + floor(${rnd('e.k', 73)} * ${providerUsers})::int`)},
        e.event_date + interval '1 day',
        case when e.event_date > date '${today}' - 14 then 'submitted' else 'reviewed' end,
        case when e.event_date > date '${today}' - 14 then null
             when ${rnd('e.k', 74)} < 0.9 then 'no-further-action'
             when ${rnd('e.k', 74)} < 0.96 then 'concern-raised'
             else 'inspection-brought-forward' end,
        case when e.event_date > date '${today}' - 14 then null else 'Generated review notes.' end,
        case when e.event_date <= date '${today}' - 14 and ${rnd('e.k', 74)} >= 0.96
             then e.event_date + 45 end,
        case when e.event_date <= date '${today}' - 14 then ${plannerId} end,
        case when e.event_date <= date '${today}' - 14 then e.event_date + interval '4 days' end
      from (
        select k, 1 + floor(${rnd('k', 70)} * ${N})::int as i,
          date '${today}' - floor(${rnd('k', 75)} * ${historyDays})::int as event_date
        from generate_series(1, ${notifications}) k
      ) e
      join providers p on p.id = ${id('p', 'e.i')}
      where p.type in ('childrens-home', 'supported-accommodation') and e.event_date >= p.registered_on`);

    const changes = await run(`
      insert into provider_changes (id, provider_id, kind, occurred_on, note, recorded_by, recorded_at)
      select ${id('m', 'c.k')}, p.id,
        case when ${rnd('c.k', 81)} < 0.8 then 'manager-changed' else 'owner-changed' end,
        c.occurred_on, 'Generated change.', ${plannerId}, (c.occurred_on + 2)::timestamptz
      from (
        select k, 1 + floor(${rnd('k', 80)} * ${N})::int as i,
          date '${today}' - floor(${rnd('k', 82)} * ${historyDays})::int as occurred_on
        from generate_series(1, ${providerChanges}) k
      ) c
      join providers p on p.id = ${id('p', 'c.i')}
      where p.type <> 'local-authority' and c.occurred_on >= p.registered_on`);

    // About evidencePerInspection pieces per inspection held (half at a monitoring visit), recorded by
    // the lead over the days on site; a child's reference where the source is a child.
    const sources = Object.keys(EVIDENCE_SOURCES);
    const evidence =
      evidencePerInspection === 0
        ? 0
        : await run(`
      insert into evidence (id, version, inspection_id, source, summary, child_reference, recorded_by,
        recorded_at)
      select ${id('e', 'v.key')}, 1, v.inspection_id, v.source,
        'Generated evidence ' || v.e || ': ' || case v.source
          when 'observation' then 'observed practice at a mealtime and in the evening routine.'
          when 'child' then 'a child spoke about feeling safe and about contact with family.'
          when 'family' then 'a parent described how staff keep them informed.'
          when 'staff' then 'staff described supervision, training and how they report concerns.'
          when 'document' then 'records of incidents, restraints and missing episodes were read.'
          when 'case-tracking' then 'one child''s journey from referral to placement was tracked.'
          else 'a social worker commented on the quality of care plans.' end,
        case when v.source in ('child', 'case-tracking') then 'Child ' || chr(65 + (v.key % 26)::int) end,
        v.lead_id, (v.start_date + interval '9 hours' + v.e * interval '17 minutes')::timestamptz
      from (
        select x.inspection_id, x.lead_id, x.start_date, e,
          (x.i * 64 + x.j) * 64 + e as key,
          ${pick(textArray(sources), sources.length, '(x.i * 64 + x.j) * 64 + e', 90)} as source
        from ${held} x
        cross join lateral generate_series(1, least(63, greatest(1, round(
          ${evidencePerInspection} * case when x.kind = 'monitoring' then 0.5 else 1 end
            * (0.5 + ${rnd('x.i * 64 + x.j', 91)}))::int))) e
      ) v`);

    // Complaints about a share of the inspections that ended under a post-inspection procedure, at least
    // a week ago: most answered and closed, recent ones still open, a few taken to an internal review.
    const procedureRows = postInspectionProcedures.map(
      (p) => `(${quote(p.id)}, date ${quote(p.effectiveFrom)}, date ${quote(p.effectiveTo ?? '9999-12-31')})`,
    );
    const complaints =
      complaintRate === 0
        ? 0
        : await run(`
      insert into complaints (id, reference, inspection_id, procedure_id, channel, complainant_name,
        complainant_email, summary, status, received_on, acknowledged_at, outcome, outcome_reasons, remedies,
        closed_at, internal_review_requested_at, internal_review_outcome, internal_review_at,
        internal_review_grounds, internal_review_reasons, raised_by, handler_id, created_at, updated_at)
      select ${id('x', 'c.key')}, 'XG${tag}-' || lpad(c.key::text, 9, '0'), c.inspection_id, pr.id,
        ${pick(textArray(['portal', 'phone', 'email']), 3, 'c.key', 101)},
        'Generated registered manager ' || c.i, null,
        'Generated complaint about how the inspection was carried out.',
        case when c.age < 2 then 'received' when c.age < 40 then 'acknowledged'
             when c.r_review < 0.05 then 'reviewed' else 'closed' end,
        c.received_on,
        case when c.age >= 2 then (c.received_on + 1)::timestamptz end,
        case when c.age >= 40 then
          ${pick(textArray(['upheld', 'partly-upheld', 'not-upheld', 'not-upheld', 'not-upheld']), 5, 'c.key', 102)} end,
        case when c.age >= 40 then 'Generated reasons for the outcome.' end,
        '{}'::text[],
        case when c.age >= 40 then (c.received_on + 25)::timestamptz end,
        case when c.age >= 40 and c.r_review < 0.05 then (c.received_on + 30)::timestamptz end,
        case when c.age >= 40 and c.r_review < 0.05 then 'handled-properly' end,
        case when c.age >= 40 and c.r_review < 0.05 then (c.received_on + 38)::timestamptz end,
        case when c.age >= 40 and c.r_review < 0.05 then 'Generated grounds for a review.' end,
        case when c.age >= 40 and c.r_review < 0.05 then 'Generated reasons of the review.' end,
        null, ${handlerId},
        c.received_on::timestamptz, c.received_on::timestamptz
      from (
        select x.i * 64 + x.j as key, x.i, x.inspection_id, x.end_date,
          x.end_date + 1 + floor(${rnd('x.i * 64 + x.j', 100)} * 5)::int as received_on,
          date '${today}' - (x.end_date + 1 + floor(${rnd('x.i * 64 + x.j', 100)} * 5)::int) as age,
          ${rnd('x.i * 64 + x.j', 103)} as r_review
        from (
          select h.*, h.start_date + case when h.type = 'local-authority' and h.kind = 'full' then 11
            when h.kind = 'monitoring' then 1 else 1 + floor(h.r * 2)::int end as end_date
          from ${held} h
        ) x
        where x.kind = 'full' and ${rnd('x.i * 64 + x.j', 104)} < ${complaintRate}
      ) c
      join (values ${procedureRows.join(', ')}) as pr(id, from_day, to_day)
        on c.end_date between pr.from_day and pr.to_day
      where c.age >= 0`);

    let started = Date.now();
    await rebuildProviderSchedule(trx); // the trigger that keeps it was skipped for the load
    told('provider_schedule', 0, Date.now() - started);
    if (replica) {
      // Their triggers fire for an ordinary user's load (migration 0021), not under the replica role.
      started = Date.now();
      await rebuildStatisticsSummaries(trx);
      told('statistics summaries', 0, Date.now() - started);
    }

    return {
      people,
      ownerGroups: groups,
      providers,
      inspections: inspections + planned,
      judgements,
      requirements,
      concerns: concernsMade,
      notifications: notificationsMade,
      providerChanges: changes,
      evidence,
      complaints,
    };
  });
}
