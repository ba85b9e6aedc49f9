/**
 * Reading CSV (RFC 4180) a piece at a time: fields separated by commas, records by a line break (`\n`,
 * `\r\n` or `\r`), a value in double quotes may hold commas, line breaks and doubled quotes. Each record
 * comes with the line of the file it starts on. Pure: no I/O.
 *
 * Written for the import rather than taken from a general CSV library because reading a published file
 * of a million rows is most of an import's work, and this does only what those files need (about five
 * times faster than the general parser the import used before; docs/performance.md#import).
 */

export interface CsvRecord {
  /** The line the record starts on, the first line being 1. */
  line: number;
  values: string[];
}

/** The text is not CSV; `code` starts with `CSV_`, as the import's caller expects of a parse error. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** What the text holds from `start`: a complete record, or the need for more text. */
type Step = { record: string[]; next: number; lines: number } | null;

export class CsvReader {
  /** Text of a record not yet complete, kept until the next piece arrives. */
  private pending = '';
  private line = 1;
  private started = false;

  /** Adds the next piece of text; gives every record it completes. */
  push(text: string): CsvRecord[] {
    return this.read(text, false);
  }

  /** The end of the text: gives the last record, or fails if a quoted value was never closed. */
  end(text = ''): CsvRecord[] {
    return this.read(text, true);
  }

  private read(piece: string, final: boolean): CsvRecord[] {
    let text = this.pending + piece;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const records: CsvRecord[] = [];
    let at = 0;
    while (at < text.length) {
      const step = readRecord(text, at, final, this.line);
      if (step === null) break;
      records.push({ line: this.line, values: step.record });
      this.line += 1 + step.lines;
      at = step.next;
    }
    this.pending = at < text.length ? text.slice(at) : '';
    return records;
  }
}

/** One record from `start`, or null when the text ends inside it and more may come. */
function readRecord(text: string, start: number, final: boolean, line: number): Step {
  const record: string[] = [];
  const length = text.length;
  let at = start;
  let lines = 0;
  for (;;) {
    let value: string;
    if (text.charCodeAt(at) === QUOTE) {
      // A quoted value: runs to the next quote not doubled.
      let from = at + 1;
      value = '';
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1 || (quote + 1 === length && !final)) {
          if (!final) return null;
          throw new CsvError(
            'CSV_QUOTE_NOT_CLOSED',
            `the quoted value on line ${line + lines} is never closed`,
          );
        }
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += text.slice(from, quote + 1);
          from = quote + 2;
          continue;
        }
        value += text.slice(from, quote);
        at = quote + 1;
        break;
      }
      for (let i = value.indexOf('\n'); i !== -1; i = value.indexOf('\n', i + 1)) lines += 1;
      const after = at < length ? text.charCodeAt(at) : -1;
      if (after !== COMMA && after !== LF && after !== CR && after !== -1) {
        throw new CsvError(
          'CSV_INVALID_CLOSING_QUOTE',
          `on line ${line + lines}, a quoted value is followed by '${text[at]}' rather than a comma or the end of the line`,
        );
      }
    } else {
      let end = at;
      for (; end < length; end += 1) {
        const code = text.charCodeAt(end);
        if (code === COMMA || code === LF || code === CR) break;
        if (code === QUOTE) {
          throw new CsvError(
            'CSV_INVALID_OPENING_QUOTE',
            `on line ${line + lines}, a value has a quote inside it: quote the whole value and double the quote`,
          );
        }
      }
      value = text.slice(at, end);
      at = end;
    }
    record.push(value);

    if (at >= length) {
      // The text ends after a value: the record is complete only at the end of the file.
      return final ? { record, next: at, lines } : null;
    }
    const code = text.charCodeAt(at);
    if (code === COMMA) {
      at += 1;
      if (at >= length && !final) return null;
      if (at >= length) {
        record.push('');
        return { record, next: at, lines };
      }
      continue;
    }
    // A line break ends the record; \r\n is one break, so a \r at the end of a piece waits for the next.
    if (code === CR) {
      if (at + 1 >= length && !final) return null;
      return { record, next: text.charCodeAt(at + 1) === LF ? at + 2 : at + 1, lines };
    }
    return { record, next: at + 1, lines };
  }
}
