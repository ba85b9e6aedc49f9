import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/database.js';
import {
  FIRST_INSPECTION_MONTHS,
  intervalTable,
  MONITORING_VISIT_MONTHS,
  type IntervalOverrides,
} from './rules.js';

/**
 * The stored schedule: provider_schedule's dates are worked out in the database by triggers, from the
 * rules written in plan_intervals and plan_first_inspection. These keep those rules the running code's
 * (ensurePlanRules) and work every row out again after a bulk load (rebuildProviderSchedule).
 */

/** The intervals and first-inspection periods as rows of plan_intervals and plan_first_inspection. */
export function rulesAsRows(intervals: IntervalOverrides = []) {
  const grades = intervalTable(intervals).map((row) => ({
    framework_id: row.frameworkId,
    grade_id: row.gradeId,
    rank: row.rank,
    months: row.months,
    worst: row.worst,
    monitoring_months: MONITORING_VISIT_MONTHS[row.frameworkId] ?? null,
  }));
  const first = Object.entries(FIRST_INSPECTION_MONTHS).map(([type, months]) => ({
    provider_type: type,
    months,
  }));
  return { grades, first };
}

let digestOfRules: string | undefined;

/** A digest of the rules the stored dates depend on: intervals, monitoring and first-inspection periods. */
function rulesDigest(): string {
  digestOfRules ??= createHash('sha256').update(JSON.stringify(rulesAsRows())).digest('hex');
  return digestOfRules;
}

/**
 * Makes provider_schedule's dates follow the rules of the running code. They are worked out in the
 * database (by the triggers, from plan_intervals and plan_first_inspection); when the code's rules differ
 * from those written there (a new release changed an interval), the rules are written again and every
 * provider's dates worked out afresh, once, whichever process gets there first. Returns whether it did.
 */
export async function ensurePlanRules(db: Db): Promise<boolean> {
  const digest = rulesDigest();
  const { rows } = await sql<{ digest: string }>`select digest from plan_rules`.execute(db);
  if (rows[0]?.digest === digest) return false;
  return inTransaction(db, async (trx) => {
    const { rows: locked } = await sql<{ digest: string }>`select digest from plan_rules for update`.execute(
      trx,
    );
    if (locked[0]?.digest === digest) return false;
    await writeRules(trx, digest);
    await sql`
      update provider_schedule s set
        last_months = d.last_months, grade_dropped = d.grade_dropped, due = d.due,
        monitoring_due = d.monitoring_due, signals_since = d.signals_since
      from provider_schedule_dates d
      where d.provider_id = s.provider_id
        and (s.last_months, s.grade_dropped, s.due, s.monitoring_due, s.signals_since)
          is distinct from (d.last_months, d.grade_dropped, d.due, d.monitoring_due, d.signals_since)`.execute(
      trx,
    );
    return true;
  });
}

/** Replaces the rules in the database with the code's; the caller holds plan_rules' row. */
async function writeRules(trx: Db, digest: string) {
  const { grades, first } = rulesAsRows();
  await sql`delete from plan_intervals`.execute(trx);
  await sql`
    insert into plan_intervals (framework_id, grade_id, rank, months, worst, monitoring_months)
    select * from jsonb_to_recordset(${JSON.stringify(grades)}::jsonb)
      as g(framework_id text, grade_id text, rank int, months int, worst boolean, monitoring_months int)`.execute(
    trx,
  );
  await sql`delete from plan_first_inspection`.execute(trx);
  await sql`
    insert into plan_first_inspection (provider_type, months)
    select * from jsonb_to_recordset(${JSON.stringify(first)}::jsonb) as f(provider_type text, months int)`.execute(
    trx,
  );
  await sql`update plan_rules set digest = ${digest}`.execute(trx);
}

/**
 * Works every provider's row of provider_schedule out again from its inspections and requirements and
 * under the code's rules. The triggers keep the rows as inspections, requirements and providers change;
 * this is for a bulk load that skipped triggers (the national benchmark's data). Returns the number of
 * rows written.
 */
export async function rebuildProviderSchedule(db: Db): Promise<number> {
  return inTransaction(db, async (trx) => {
    await sql`select digest from plan_rules for update`.execute(trx);
    await writeRules(trx, rulesDigest());
    const result = await sql`
      insert into provider_schedule (provider_id, last_inspection_id, last_framework_id, last_end_date,
        last_grade_id, previous_framework_id, previous_grade_id, last_monitoring_end_date, open_full,
        open_monitoring, requirement_dates, first_comply_by)
      select provider_id, last_inspection_id, last_framework_id, last_end_date, last_grade_id,
        previous_framework_id, previous_grade_id, last_monitoring_end_date, open_full, open_monitoring,
        requirement_dates, requirement_dates[1]
      from provider_schedule_source
      on conflict (provider_id) do update set
        last_inspection_id = excluded.last_inspection_id, last_framework_id = excluded.last_framework_id,
        last_end_date = excluded.last_end_date, last_grade_id = excluded.last_grade_id,
        previous_framework_id = excluded.previous_framework_id, previous_grade_id = excluded.previous_grade_id,
        last_monitoring_end_date = excluded.last_monitoring_end_date, open_full = excluded.open_full,
        open_monitoring = excluded.open_monitoring, requirement_dates = excluded.requirement_dates,
        first_comply_by = excluded.first_comply_by`.execute(trx);
    await sql`
      update provider_schedule s set
        last_months = d.last_months, grade_dropped = d.grade_dropped, due = d.due,
        monitoring_due = d.monitoring_due, signals_since = d.signals_since
      from provider_schedule_dates d
      where d.provider_id = s.provider_id`.execute(trx);
    return Number(result.numAffectedRows ?? 0n);
  });
}
