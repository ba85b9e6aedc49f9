import { z } from 'zod';

/** The wire shapes of the statistics, for responses and the OpenAPI document. */

const cell = z.union([z.string(), z.number(), z.null()]);
const row = z.record(z.string(), cell);

export const figureListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      description: z.string(),
      link: z.string().describe('The figure in the API; add from and to for a period'),
    }),
  ),
});

export const figureSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    columns: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        kind: z
          .enum(['text', 'count', 'share', 'number'])
          .describe('share: a percentage to one decimal place, null where the total is zero'),
      }),
    ),
    rows: z.array(row),
    total: row.nullable().describe('The row that adds up the others, where the figure has one'),
    summary: z.array(z.object({ label: z.string(), value: z.string() })),
    chart: z.object({ label: z.array(z.string()), value: z.string() }).nullable(),
  })
  .describe('A figure as a table; the same figure is text/csv when asked with Accept: text/csv');

/**
 * Checked in the handler rather than here, so that who may ask is decided before what was asked: a
 * person who may not see statistics learns nothing from a badly formed query.
 */
export const figureQuery = z.object({
  from: z
    .string()
    .optional()
    .describe('First day of the period, YYYY-MM-DD; default 1 April of this inspection year'),
  to: z
    .string()
    .optional()
    .describe('Last day of the period, YYYY-MM-DD; default 31 March ending this inspection year'),
  n: z
    .string()
    .optional()
    .describe('Ownership concentration: how many of the largest owner groups (1–100, default 10)'),
  format: z.string().optional().describe('csv for CSV, like Accept: text/csv (for a link in a browser)'),
});

export const figureParams = z.object({ figure: z.string() });
