import { describe, expect, it } from 'vitest';
import {
  annotated,
  CORPUS,
  HELD_OUT,
  KNOWN_TO_THE_SERVICE,
  UNSEEN,
} from '../../test/fixtures/withholding-corpus.js';
import { identifyingSpans, withhold, withholdAll, type WithheldSpan } from './withholding.js';

const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/**
 * A corpus measured: the share of identifying spans withheld whole, of those labelled as annotated,
 * and of the other words (the complaint's meaning) kept.
 */
function measure(corpus: readonly string[]) {
  let spans = 0;
  let withheld = 0;
  let labelled = 0;
  let words = 0;
  let kept = 0;
  const missed: string[] = [];
  const lost: string[] = [];
  for (const marked of corpus) {
    const sentence = annotated(marked);
    const found = identifyingSpans(sentence.text, KNOWN_TO_THE_SERVICE);
    const covered = (at: number) => found.find((f: WithheldSpan) => f.start <= at && at < f.end);
    for (const span of sentence.spans) {
      spans++;
      const characters = [...sentence.text.slice(span.start, span.end).matchAll(/[\p{L}\p{N}]/gu)];
      if (characters.every((c) => covered(span.start + c.index))) {
        withheld++;
        if (covered(span.start)?.kind === span.kind) labelled++;
      } else {
        missed.push(`${sentence.text.slice(span.start, span.end)} in “${sentence.text}”`);
      }
    }
    for (const word of sentence.text.matchAll(WORD)) {
      const [start, end] = [word.index, word.index + word[0].length];
      if (sentence.spans.some((s) => s.start < end && start < s.end)) continue;
      words++;
      if (found.some((f) => f.start < end && start < f.end)) lost.push(`${word[0]} in “${sentence.text}”`);
      else kept++;
    }
  }
  return { sentences: corpus.length, spans, withheld, labelled, words, kept, missed, lost };
}

describe('withholding identifying details from reviewers', () => {
  const report = (name: string, result: ReturnType<typeof measure>) =>
    console.info(
      `${name}: ${result.sentences} sentences; ${result.withheld}/${result.spans} identifying spans withheld, ` +
        `${result.labelled} labelled as annotated; ${result.kept}/${result.words} other words kept`,
    );

  it('withholds every identifying span in the corpus and keeps the rest of what it says', () => {
    const result = measure(CORPUS);
    // The figures reported in docs/after-the-inspection.md.
    report('corpus', result);
    expect(result.sentences).toBeGreaterThanOrEqual(50);
    expect(result.lost).toEqual([]);
    expect(result.missed).toEqual([]);
  });

  it('does as well on sentences the rules were not tuned to', () => {
    const result = measure(HELD_OUT);
    report('held out', result);
    expect(result.lost).toEqual([]);
    expect(result.missed).toEqual([]);
    expect(result.lost).toEqual([]);
  });

  it('does as well on the last sentences, written after every change to the rules', () => {
    const result = measure(UNSEEN);
    report('unseen', result);
    console.info(JSON.stringify({ missed: result.missed, lost: result.lost }));
    expect(result.lost).toEqual([]);
    expect(result.missed).toEqual([]);
  });

  it('replaces each detail by a label saying what it was', () => {
    expect(
      withhold(
        'Jane Smith (jane@example.com, +44 7700 900123) says Priya, aged 9, was born on 3 March 2015 at SC123456.',
        { people: ['Jane Smith'] },
      ),
    ).toBe('[person] ([email], [phone]) says [child], aged 9, was born on [date of birth] at [URN].');
    expect(withhold('Sent by Bronwen Evans (b.evans@example.org) on 6 June.')).toBe(
      'Sent by [person] ([email]) on 6 June.',
    );
  });

  it('withholds the home by name, address, postcode and URN, and its owner group', () => {
    const known = {
      provider: {
        name: 'The Willows Children’s Home',
        urn: '1234567',
        addressLine1: '2 Elm Road',
        addressLine2: null,
        town: 'Leigh',
        postcode: 'WN7 1AA',
      },
      ownerGroup: 'Northway Care Ltd',
    };
    expect(
      withhold('Staff at The Willows Children’s Home, 2 Elm Road, Leigh WN7 1AA (1234567).', known),
    ).toBe('Staff at [provider], [address] [postcode] ([URN]).');
    expect(withhold('Willows staff work for Northway, part of Northway Care Ltd.', known)).toBe(
      '[provider] staff work for [owner group], part of [owner group].',
    );
  });

  it('finds phone numbers in any format but leaves dates, years and counts alone', () => {
    for (const number of [
      '+44 7700 900123',
      '0044 7700 900123',
      '(020) 7946 0018',
      '+1 (415) 555-0100',
      '+44 (0)20 7946 0018',
      '07700900123',
      '415.555.0100',
    ]) {
      expect(withhold(`Call ${number} today`)).toBe('Call [phone] today');
    }
    const plain = 'On 03/03/2024 at 10.30, 12 of 2019-2021 records (2024-05-01) and 150,000 pounds; 3 2 1.';
    expect(withhold(plain)).toBe(plain);
  });

  it('says a named person is a child where the text does, and only there', () => {
    expect(withhold('Her daughter Amara and Tobi were upset. Amara cried.')).toBe(
      'Her daughter [child] and [child] were upset. [child] cried.',
    );
    expect(withhold('The manager, Mrs Okafor, met Ifeoma.')).toBe('The manager, [person], met [person].');
    expect(withholdAll(['Our daughter Ifeoma was not seen.', null, 'Ifeoma was at school.'])).toEqual([
      'Our daughter [child] was not seen.',
      null,
      '[child] was at school.',
    ]);
  });

  it('leaves the regulator’s vocabulary, places and months alone', () => {
    const text = 'Ofsted sent the Regulation 44 report to ICASO in Leeds in March.';
    expect(withhold(text)).toBe(text);
  });
});
