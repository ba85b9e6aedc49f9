import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LONGEST_RUN, printableText, shortened } from './pdf-text.js';

const longestRun = (text: string) => Math.max(0, ...text.split(/\s/).map((run) => run.length));

describe('printableText', () => {
  it('leaves ordinary text alone', () => {
    const text =
      'Children make good progress.\nThe manager knows every child well: see https://example.org/a/b.';
    expect(printableText(text)).toBe(text);
  });

  it('breaks a 100,000-character word into lines of at most the longest run, losing nothing', () => {
    const word = 'x'.repeat(100_000);
    const printed = printableText(`Before ${word} after`);
    const lines = printed.split('\n');
    expect(lines).toHaveLength(Math.ceil(100_000 / LONGEST_RUN));
    expect(lines.every((line) => line.length <= LONGEST_RUN + 'Before '.length + ' after'.length)).toBe(true);
    expect(longestRun(printed)).toBe(LONGEST_RUN);
    expect(printed.replace(/\n/g, '')).toBe(`Before ${word} after`);
  });

  it('breaks a run exactly at the limit only once it is longer', () => {
    expect(printableText('a'.repeat(5), 5)).toBe('aaaaa');
    expect(printableText('a'.repeat(6), 5)).toBe('aaaaa\na');
    expect(printableText('a'.repeat(10), 5)).toBe('aaaaa\naaaaa');
  });

  it('shows a run of spaces or tabs as one space, as a browser does, keeping line breaks', () => {
    expect(printableText(`one${' '.repeat(100_000)}two\tthree\n  four`)).toBe('one two three\n four');
  });

  it('never cuts a character outside the Basic Multilingual Plane in two', () => {
    const printed = printableText('😀'.repeat(10), 5);
    for (const line of printed.split('\n')) expect(line).toMatch(/^(😀)+$/);
    expect(printed.replace(/\n/g, '')).toBe('😀'.repeat(10));
  });

  it('keeps every run within the limit and every non-space character, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.integer({ min: 2, max: 50 }), (text, longest) => {
        const printed = printableText(text, longest);
        expect(longestRun(printed)).toBeLessThanOrEqual(longest);
        expect(printed.replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
    );
  });
});

describe('shortened', () => {
  it('keeps a short text, on one line', () => {
    expect(shortened('Oak  House\nChildren’s Home', 80)).toBe('Oak House Children’s Home');
  });

  it('cuts a long text to the limit, ending with an ellipsis', () => {
    const cut = shortened('y'.repeat(100_000), 80);
    expect(cut).toHaveLength(80);
    expect(cut.endsWith('…')).toBe(true);
  });
});
