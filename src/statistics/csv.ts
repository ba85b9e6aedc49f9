import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import type { Column, Figure } from './figures.js';

/**
 * CSV as RFC 4180 has it (CRLF, quotes doubled). A text cell that a spreadsheet would take for a formula
 * is prefixed with an apostrophe, so that opening an export never runs anything.
 */

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** A figure's cell in a CSV: counts as plain numbers, shares to one decimal, "–" for a share of nothing. */
function csvCell(column: Column, value: string | number | null | undefined): string | number {
  if (value === null || value === undefined) return column.kind === 'text' ? '' : '–';
  if (typeof value === 'number' && column.kind !== 'count') return value.toFixed(1);
  return value;
}

export function figureCsv(figure: Figure): string {
  const lines = [csvLine(figure.columns.map((c) => c.label))];
  for (const row of [...figure.rows, ...(figure.total ? [figure.total] : [])]) {
    lines.push(csvLine(figure.columns.map((c) => csvCell(c, row[c.key]))));
  }
  return lines.join('');
}

/** A CSV streamed batch by batch: the header, then each batch's lines as they are read. */
export function csvStream<T>(
  header: string[],
  batches: AsyncIterable<T[]>,
  line: (row: T) => unknown[],
): Readable {
  async function* generate() {
    yield csvLine(header);
    for await (const batch of batches)
      yield batch.map((row) => csvLine(line(row) as (string | number | null)[])).join('');
  }
  return ReadableStream.from(generate());
}

export function csvFilename(name: string): string {
  return `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '-')}.csv"`;
}
