import { randomBytes } from 'node:crypto';
import { recordAudit } from '../audit/store.js';
import { formatLongDate } from '../calendar/working-days.js';
import { englishDate } from '../clock.js';
import { inTransaction, type Db } from '../db/database.js';
import { conflict, invalid, type FieldError } from '../refusal.js';
import { RURAL_URBAN_CLASSES, type Region, type RuralUrbanClass } from './local-authorities.js';
import {
  drawAuthoritySample,
  inspectionYearOf,
  registerEntryFor,
  sampleRequestErrors,
  yearEnding,
  yearLabel,
  yearStarting,
  type SampleRequest,
} from './sample.js';

/**
 * The annual samples of local authorities as recorded: one per inspection year, with the seed and the
 * authorities as drawn (name, region and class at the time), so that a later correction of the list of
 * authorities never changes a sample already drawn.
 */

/** A seed for a draw that names none; recorded with the sample, so that anyone can draw it again. */
export const newSeed = () => randomBytes(6).toString('hex');

/** The first inspection year with an annual sample: the 2012 framework's (seed 004). */
export const FIRST_SAMPLE_YEAR = 2012;

export interface SampleSummary {
  year: number;
  yearStarting: string;
  yearEnding: string;
  label: string;
  size: number;
  seed: string;
  drawnBy: { id: string; name: string } | null;
  drawnAt: string;
}

export interface SampleAuthority {
  name: string;
  region: Region;
  ruralUrban: RuralUrbanClass;
  ruralUrbanLabel: string;
  /** The authority's own entry on the register, if there is one. */
  provider: { id: string; name: string } | null;
}

export interface SampleRecord extends SampleSummary {
  authorities: SampleAuthority[];
}

interface StoredAuthority {
  name: string;
  region: Region;
  ruralUrban: RuralUrbanClass;
}

function storedAuthorities(value: unknown): StoredAuthority[] {
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? (parsed as StoredAuthority[]) : [];
}

const yearOf = (yearStartingDay: string) => Number(yearStartingDay.slice(0, 4));

function summaryOf(row: {
  year_starting: string;
  size: number;
  seed: string;
  drawn_by: string | null;
  drawn_by_name: string | null;
  drawn_at: Date;
}): SampleSummary {
  const year = yearOf(row.year_starting);
  return {
    year,
    yearStarting: yearStarting(year),
    yearEnding: yearEnding(year),
    label: yearLabel(year),
    size: row.size,
    seed: row.seed,
    drawnBy: row.drawn_by ? { id: row.drawn_by, name: row.drawn_by_name ?? '' } : null,
    drawnAt: new Date(row.drawn_at).toISOString(),
  };
}

function samples(db: Db) {
  return db
    .selectFrom('authority_samples as s')
    .leftJoin('people as p', 'p.id', 's.drawn_by')
    .select([
      's.year_starting',
      's.size',
      's.seed',
      's.drawn_by',
      's.drawn_at',
      's.authorities',
      'p.name as drawn_by_name',
    ]);
}

/** Every sample drawn, the latest year first. One a year, so the list stays short. */
export async function listAuthoritySamples(db: Db): Promise<SampleSummary[]> {
  const rows = await samples(db).orderBy('s.year_starting', 'desc').execute();
  return rows.map(summaryOf);
}

export async function drawnYears(db: Db): Promise<Set<number>> {
  const rows = await db.selectFrom('authority_samples').select('year_starting').execute();
  return new Set(rows.map((r) => yearOf(r.year_starting)));
}

/** The sample for an inspection year, each authority with its entry on the register; null if none. */
export async function findAuthoritySample(db: Db, year: number): Promise<SampleRecord | null> {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) return null;
  const row = await samples(db).where('s.year_starting', '=', yearStarting(year)).executeTakeFirst();
  if (!row) return null;
  const entries = await db
    .selectFrom('providers')
    .select(['id', 'name', 'local_authority', 'status'])
    .where('type', '=', 'local-authority')
    .orderBy('name')
    .execute();
  const register = entries.map((e) => ({
    id: e.id,
    name: e.name,
    localAuthority: e.local_authority,
    status: e.status,
  }));
  return {
    ...summaryOf(row),
    authorities: storedAuthorities(row.authorities).map((a) => {
      const entry = registerEntryFor(a.name, register);
      return {
        ...a,
        ruralUrbanLabel: RURAL_URBAN_CLASSES[a.ruralUrban] ?? a.ruralUrban,
        provider: entry ? { id: entry.id, name: entry.name } : null,
      };
    }),
  };
}

/** The years a sample may be drawn for: from the first annual sample to the next inspection year. */
export function drawableYears(today: string): { first: number; last: number } {
  return { first: FIRST_SAMPLE_YEAR, last: inspectionYearOf(today) + 1 };
}

/**
 * Draws and records the sample for a year. A year has one sample: a second draw is refused (409), so
 * that nobody can draw again until the sample suits them.
 */
export async function recordAuthoritySample(
  db: Db,
  actorId: string,
  input: SampleRequest,
  now: Date,
): Promise<number> {
  const errors: FieldError[] = sampleRequestErrors(input);
  const { first, last } = drawableYears(englishDate(now));
  if (!errors.some((e) => e.field === 'year') && (input.year < first || input.year > last)) {
    errors.push({
      field: 'year',
      message: `The year must be from ${first} (the first annual sample) to ${last}, the next inspection year`,
    });
  }
  if (errors.length > 0) throw invalid(errors);
  const sample = drawAuthoritySample(input);
  const authorities: StoredAuthority[] = sample.authorities.map(({ name, region, ruralUrban }) => ({
    name,
    region,
    ruralUrban,
  }));
  return inTransaction(db, async (trx) => {
    const inserted = await trx
      .insertInto('authority_samples')
      .values({
        year_starting: yearStarting(input.year),
        seed: input.seed,
        size: input.size,
        authorities: JSON.stringify(authorities),
        drawn_by: actorId,
        drawn_at: now,
      })
      .onConflict((oc) => oc.column('year_starting').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      throw conflict(
        `The sample for the year starting ${formatLongDate(yearStarting(input.year))} has already been drawn`,
      );
    }
    await recordAudit(trx, {
      actorId,
      action: 'authority-sample.drawn',
      entityType: 'authority-sample',
      entityId: inserted.id,
      before: null,
      after: {
        year: input.year,
        seed: input.seed,
        size: input.size,
        allocation: sample.allocation,
        authorities: authorities.map((a) => a.name),
      },
    });
    return input.year;
  });
}
