/**
 * Text as it is handed to the PDF layout, with the cost of laying it out bounded.
 *
 * pdfkit fits a word longer than a line by cutting it a line at a time and measuring all that is left
 * after each cut, so one word of n characters costs about n²/80 character widths: a narrative of one
 * 100,000-character word took 30 s. No word here is longer than `LONGEST_RUN`, so the layout stays
 * linear in the length of the text.
 */

/** Longer than any real word or address (a line of the PDF holds 40 to 160 characters), short to cut. */
export const LONGEST_RUN = 200;

/**
 * The text with each run of spaces and tabs as one space (as a browser shows it, and a long run of
 * spaces is cut like a long word), and each run of other characters longer than `longest` broken by a
 * line break every `longest` characters. Line breaks are kept; no character is added but those breaks,
 * and a character outside the Basic Multilingual Plane is never cut in two.
 */
export function printableText(text: string, longest = LONGEST_RUN): string {
  return text
    .replace(/[^\S\r\n]+/g, ' ')
    .replace(/\S+/g, (run) => (run.length > longest ? cutRun(run, longest) : run));
}

function cutRun(run: string, longest: number): string {
  const pieces: string[] = [];
  let start = 0;
  while (start < run.length) {
    let end = Math.min(start + longest, run.length);
    // Keep a surrogate pair together.
    if (end < run.length && isHighSurrogate(run.charCodeAt(end - 1)) && end - start > 1) end -= 1;
    pieces.push(run.slice(start, end));
    start = end;
  }
  return pieces.join('\n');
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** At most `longest` characters: a longer text is cut and ends with an ellipsis. */
export function shortened(text: string, longest: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= longest) return flat;
  let end = longest - 1;
  if (isHighSurrogate(flat.charCodeAt(end - 1))) end -= 1;
  return `${flat.slice(0, end)}…`;
}
