import fc from 'fast-check';
import { z } from 'zod';

/**
 * Dates at the edges, for the bad-input test: dates that are not real, not written YYYY-MM-DD, or
 * outside the service's range (1900-01-01 to 2100-12-31), and where the date-typed fields of a route
 * are, read from its schemas.
 */

/** Each has broken a route before (a 500 from PostgreSQL or the calendar) or is an edge of the range. */
export const EDGE_DATES = [
  '0000-01-01',
  '0001-01-01',
  '1899-12-31',
  '2101-01-01',
  '9999-12-31',
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31',
  '2026-1-1',
  '+275760-09-13',
  '99999-01-01',
  '-0001-01-01',
  '-2026-06-01',
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A well-formed date whose year is outside the range, or one of EDGE_DATES. */
export const edgeDate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...EDGE_DATES),
  fc
    .record({
      year: fc.oneof(fc.integer({ min: -99_999, max: 1899 }), fc.integer({ min: 2101, max: 999_999 })),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
    })
    .map(
      ({ year, month, day }) => `${year < 0 ? '-' : ''}${pad(Math.abs(year), 4)}-${pad(month)}-${pad(day)}`,
    ),
);

/**
 * The day, month and year boxes a person could type the date into; undefined for a date that boxes
 * would make right ('2026-1-1' typed as 1, 1, 2026 is a real date).
 */
export function boxesFor(date: string): { day: string; month: string; year: string } | undefined {
  const match = /^([+-]?\d+)-(\d+)-(\d+)$/.exec(date);
  if (!match || date === '2026-1-1') return undefined;
  return { year: match[1]!, month: match[2]!, day: match[3]! };
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  description?: string;
}

/** Whether a JSON schema (from zod or the OpenAPI document) is for a date written YYYY-MM-DD. */
export function isDateSchema(schema: JsonSchema | undefined): boolean {
  if (!schema) return false;
  if (schema.format === 'date') return true;
  if (schema.pattern?.includes('\\d{4}-\\d{2}-\\d{2}')) return true;
  if (schema.description?.includes('YYYY-MM-DD')) return true;
  return [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])].some(isDateSchema);
}

/** The date-typed fields of a zod body schema, as dotted paths, down one level. */
export function dateFieldsOf(schema: unknown): string[] {
  if (!(schema instanceof z.ZodType)) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const fields: string[] = [];
  const objectOf = (s: JsonSchema) =>
    s.properties ? s : [...(s.anyOf ?? []), ...(s.oneOf ?? [])].find((option) => option.properties);
  for (const [key, property] of Object.entries(objectOf(json)?.properties ?? {})) {
    if (isDateSchema(property)) fields.push(key);
    for (const [inner, innerProperty] of Object.entries(objectOf(property)?.properties ?? {}))
      if (isDateSchema(innerProperty)) fields.push(`${key}.${inner}`);
  }
  return fields;
}

interface OpenApi {
  paths: Record<
    string,
    Record<string, { parameters?: { in: string; name: string; description?: string; schema?: JsonSchema }[] }>
  >;
}

/** Each GET route's date-typed query parameters, from the OpenAPI document, by fastify's route path. */
export function dateQueriesOf(document: OpenApi): { route: string; fields: string[] }[] {
  const found: { route: string; fields: string[] }[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    const get = operations.get;
    const fields = (get?.parameters ?? [])
      .filter((p) => p.in === 'query' && isDateSchema({ description: p.description, ...p.schema }))
      .map((p) => p.name);
    if (fields.length > 0) found.push({ route: `GET ${path.replace(/\{(\w+)\}/g, ':$1')}`, fields });
  }
  return found;
}
