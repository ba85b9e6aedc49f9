import { drawSample } from '../complaints/rules.js';
import type { FieldError } from '../refusal.js';
import {
  LOCAL_AUTHORITIES,
  RURAL_URBAN_CLASSES,
  RURAL_URBAN_ORDER,
  type LocalAuthority,
  type RuralUrbanClass,
} from './local-authorities.js';

/**
 * The annual sample of local authorities for short-notice inspection (seed 004: "a yearly sample of 20–25
 * authorities"), drawn across rural and urban areas. Pure: no clock, no database.
 *
 * The draw is stratified by the authorities' rural-urban class with proportional allocation (largest
 * remainders), at least one authority from every class, then a seeded random choice inside each class.
 * The same seed, size and list always give the same sample, so anyone holding the seed can check it.
 */

export const SAMPLE_SIZE = { min: 20, max: 25, default: 22 } as const;

/** The inspection year runs from 1 April; year 2025 is 1 April 2025 to 31 March 2026. */
export function yearStarting(year: number): string {
  return `${year}-04-01`;
}

export function yearEnding(year: number): string {
  return `${year + 1}-03-31`;
}

/** "2025 to 2026", as GOV.UK writes a financial year. */
export function yearLabel(year: number): string {
  return `${year} to ${year + 1}`;
}

/** The inspection year a day falls in. */
export function inspectionYearOf(day: string): number {
  const year = Number(day.slice(0, 4));
  return day.slice(5) >= '04-01' ? year : year - 1;
}

export interface SampleRequest {
  year: number;
  size: number;
  seed: string;
}

/** What is wrong with a request, field by field; an empty list when it can be drawn. */
export function sampleRequestErrors(input: SampleRequest): FieldError[] {
  const errors: FieldError[] = [];
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 2999) {
    errors.push({ field: 'year', message: 'Enter the year the inspection year starts in, for example 2025' });
  }
  if (!Number.isInteger(input.size) || input.size < SAMPLE_SIZE.min || input.size > SAMPLE_SIZE.max) {
    errors.push({
      field: 'size',
      message: `The sample size must be a whole number from ${SAMPLE_SIZE.min} to ${SAMPLE_SIZE.max}`,
    });
  }
  if (input.seed.trim() === '' || input.seed.length > 100) {
    errors.push({ field: 'seed', message: 'Enter a seed of 1 to 100 characters' });
  }
  return errors;
}

/**
 * How many authorities to draw from each class: proportional to the class's share of all authorities,
 * rounded by largest remainder (ties to the class listed first), but at least one from every class that
 * has any, and never more than a class holds.
 */
export function allocate(
  counts: Readonly<Record<RuralUrbanClass, number>>,
  size: number,
): Record<RuralUrbanClass, number> {
  const classes = RURAL_URBAN_ORDER.filter((c) => counts[c] > 0);
  const total = classes.reduce((n, c) => n + counts[c], 0);
  if (size > total) throw new RangeError(`Cannot draw ${size} from ${total} authorities`);
  if (size < classes.length)
    throw new RangeError(`A sample of ${size} cannot cover ${classes.length} classes`);
  const allocation = Object.fromEntries(RURAL_URBAN_ORDER.map((c) => [c, 0])) as Record<
    RuralUrbanClass,
    number
  >;
  const quota = (c: RuralUrbanClass) => (size * counts[c]) / total;
  for (const c of classes) allocation[c] = Math.min(counts[c], Math.max(1, Math.floor(quota(c))));
  // Hand out the rest one at a time to the class furthest below its quota, among those with room.
  let given = classes.reduce((n, c) => n + allocation[c], 0);
  while (given < size) {
    const next = classes
      .filter((c) => allocation[c] < counts[c])
      .reduce((best, c) => (quota(c) - allocation[c] > quota(best) - allocation[best] ? c : best));
    allocation[next]++;
    given++;
  }
  // The minimum of one can overshoot when a tiny class would round to nothing: take back from the
  // class furthest above its quota.
  while (given > size) {
    const over = classes
      .filter((c) => allocation[c] > 1)
      .reduce((best, c) => (allocation[c] - quota(c) > allocation[best] - quota(best) ? c : best));
    allocation[over]--;
    given--;
  }
  return allocation;
}

export interface SampledAuthority extends LocalAuthority {
  ruralUrbanLabel: string;
}

export interface AuthoritySample {
  size: number;
  seed: string;
  allocation: Record<RuralUrbanClass, number>;
  /** Class by class (in RURAL_URBAN_ORDER), each in name order. */
  authorities: SampledAuthority[];
}

/**
 * Draws the sample. Each class is shuffled from name order with its own stream of the seed (`seed/class`),
 * so the draw in one class does not shift when another class's list changes.
 */
export function drawAuthoritySample(
  request: { size: number; seed: string },
  authorities: readonly LocalAuthority[] = LOCAL_AUTHORITIES,
): AuthoritySample {
  const byClass = new Map<RuralUrbanClass, LocalAuthority[]>(RURAL_URBAN_ORDER.map((c) => [c, []]));
  for (const authority of authorities) byClass.get(authority.ruralUrban)!.push(authority);
  const counts = Object.fromEntries(RURAL_URBAN_ORDER.map((c) => [c, byClass.get(c)!.length])) as Record<
    RuralUrbanClass,
    number
  >;
  const allocation = allocate(counts, request.size);
  const chosen = RURAL_URBAN_ORDER.flatMap((c) => {
    if (allocation[c] === 0) return [];
    const inClass = [...byClass.get(c)!].sort(byName);
    return drawSample(inClass, allocation[c], `${request.seed}/${c}`)
      .sort(byName)
      .map((a) => ({ ...a, ruralUrbanLabel: RURAL_URBAN_CLASSES[c] }));
  });
  return { size: request.size, seed: request.seed, allocation, authorities: chosen };
}

function byName(a: { name: string }, b: { name: string }) {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The authorities grouped by class for display, leaving out empty classes. */
export function groupByClass<T extends { ruralUrban: RuralUrbanClass }>(authorities: readonly T[]) {
  return RURAL_URBAN_ORDER.map((c) => ({
    ruralUrban: c,
    label: RURAL_URBAN_CLASSES[c],
    authorities: authorities.filter((a) => a.ruralUrban === c),
  })).filter((group) => group.authorities.length > 0);
}

/** A name as compared when finding an authority's own entry on the register. */
export function authorityKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(
      /\bcity of\b|\bcouncil\b|\bborough\b|\bcounty\b|\bchildren['’]?s services\b|\bmetropolitan\b/g,
      ' ',
    )
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

export interface RegisteredAuthority {
  id: string;
  name: string;
  localAuthority: string;
  status: string;
}

/**
 * The authority's own entry on the register (a provider of type local authority), matched by name: its
 * local authority field or its own name, ignoring words such as "Council" and "children's services".
 * A registered entry wins over a closed one; otherwise the first by name.
 */
export function registerEntryFor(
  authorityName: string,
  entries: readonly RegisteredAuthority[],
): RegisteredAuthority | null {
  const key = authorityKey(authorityName);
  const matches = entries
    .filter((e) => authorityKey(e.localAuthority) === key || authorityKey(e.name) === key)
    .sort((a, b) => Number(b.status === 'registered') - Number(a.status === 'registered') || byName(a, b));
  return matches[0] ?? null;
}
