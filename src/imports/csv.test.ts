import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvError, CsvReader, type CsvRecord } from './csv.js';

/** Reads the text given in pieces cut at these places. */
function readInPieces(text: string, cuts: number[] = []): CsvRecord[] {
  const reader = new CsvReader();
  const records: CsvRecord[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    records.push(...reader.push(text.slice(from, cut)));
    from = cut;
  }
  records.push(...reader.end(text.slice(from)));
  return records;
}

describe('reading CSV a piece at a time', () => {
  it('reads quoted values with commas, doubled quotes and line breaks, and numbers each record by its first line', () => {
    const text = '\uFEFFURN,Name\r\nSC1,"Elm, House"\r\n\r\nSC2,"The ""Old""\nVicarage"\nSC3,\n';
    expect(readInPieces(text)).toEqual([
      { line: 1, values: ['URN', 'Name'] },
      { line: 2, values: ['SC1', 'Elm, House'] },
      { line: 3, values: [''] },
      { line: 4, values: ['SC2', 'The "Old"\nVicarage'] },
      { line: 6, values: ['SC3', ''] },
    ]);
  });

  it('reads the last record without a final line break, and a lone \\r as a line break', () => {
    expect(readInPieces('a,b\rc,"d"')).toEqual([
      { line: 1, values: ['a', 'b'] },
      { line: 2, values: ['c', 'd'] },
    ]);
  });

  it('refuses a quote that is never closed, a quote inside a plain value, and text after a closing quote', () => {
    expect(() => readInPieces('a,b\n1,"2\n')).toThrow(CsvError);
    expect(() => readInPieces('a,b\n1,"2\n')).toThrow('the quoted value on line 2 is never closed');
    expect(() => readInPieces('a,b\n1,2"3\n')).toThrow(/on line 2, a value has a quote inside it/);
    expect(() => readInPieces('a,b\n1,"2"3\n')).toThrow(/on line 2, a quoted value is followed by '3'/);
  });

  it('reads what a general CSV parser reads, however the text is cut into pieces', () => {
    // ¶ stands for the file's line break inside a value (the general parser wants one kind per file).
    const value = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '¶', 'é', '’'), maxLength: 6 });
    const quoted = (text: string) =>
      /[",¶]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
    fc.assert(
      fc.property(
        fc.array(fc.array(value, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.boolean(),
        (rows, cuts, crlf) => {
          const eol = crlf ? '\r\n' : '\n';
          const text =
            rows
              .map((row) => row.map(quoted).join(','))
              .join(eol)
              .replace(/¶/g, eol) + eol;
          const expected = parse(text, { relax_column_count: true }) as string[][];
          const read = readInPieces(
            text,
            cuts.map((cut) => cut % (text.length + 1)),
          );
          expect(read.map((record) => record.values)).toEqual(expected);
          // Each record's line: the one after the previous record's last line.
          let line = 1;
          for (const record of read) {
            expect(record.line).toBe(line);
            line += 1 + record.values.join('').split('\n').length - 1;
          }
        },
      ),
    );
  });
});
