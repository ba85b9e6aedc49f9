import nlp from 'compromise';

/**
 * What an external reviewer of closed complaints may not see, taken out of free text: every name and
 * address the service knows for the complaint, names found by natural-language parsing (`compromise`),
 * and details recognised by their shape: phone numbers, email addresses, postcodes, unique reference
 * numbers and dates of birth. Each is replaced by a label naming what was there, so the text keeps its
 * meaning. Pure: the caller fetches what the service knows.
 */

export type WithheldKind =
  | 'child'
  | 'person'
  | 'address'
  | 'postcode'
  | 'phone'
  | 'email'
  | 'URN'
  | 'date of birth'
  | 'provider'
  | 'owner group';

type Maybe = string | null | undefined;

/** What the service holds about one complaint's people, home and owner. */
export interface KnownDetails {
  /** Everyone on the case: the complainant, the handler, the inspectors, note writers. */
  people?: readonly Maybe[];
  emails?: readonly Maybe[];
  provider?: {
    name: string;
    urn: Maybe;
    addressLine1: Maybe;
    addressLine2: Maybe;
    town: Maybe;
    postcode: Maybe;
  } | null;
  ownerGroup?: Maybe;
}

/** A stretch of the text to withhold: [start, end) in UTF-16 code units, and what it was. */
export interface WithheldSpan {
  start: number;
  end: number;
  kind: WithheldKind;
}

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

// A run of digits with the separators people write in phone numbers; which runs are numbers is decided
// by `isPhone` on the longest prefix that fits, so a trailing unrelated number is left alone.
const DIGIT_RUN = /(?<![\p{L}\p{N}+])(?:\+\s?|\(\+?)?\d(?:[ .\-()]{1,2}\d|\d)*/gu;

/** Whether a candidate is a phone number: international (+ or 00), UK national (0…), or North American. */
function isPhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '').length;
  const start = candidate.replace(/^\(/, '');
  if (start.startsWith('+')) return digits >= 8 && digits <= 15;
  if (start.startsWith('00')) return digits >= 10 && digits <= 17;
  if (start.startsWith('0')) return digits === 10 || digits === 11;
  // 415-555-0100, (415) 555-0100, 415.555.0100: three, three and four digits.
  return /^\(?\d{3}\)?[ .-]{1,2}\d{3}[ .-]\d{4}$/.test(candidate);
}

function phones(text: string): WithheldSpan[] {
  const spans: WithheldSpan[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    const candidate = match[0];
    const ends = [...candidate.matchAll(/\d(?!\d)/g)].map((m) => m.index + 1).reverse();
    const end = ends.find((e) => isPhone(candidate.slice(0, e)));
    if (end !== undefined) spans.push({ start: match.index, end: match.index + end, kind: 'phone' });
  }
  return spans;
}

// Full UK postcodes, with or without the space.
const POSTCODE = /(?<![\p{L}\p{N}])[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}(?![\p{L}\p{N}])/giu;

// Social care URNs (SC and six digits) anywhere; a plain six- or seven-digit URN where it is called one.
const SC_URN = /(?<![\p{L}\p{N}])SC\s?\d{6}(?!\d)/giu;
const NAMED_URN = /\b(?:URN|unique reference number)\b[\s:#.-]*(?:is\s+|was\s+)?(\d{6,7})(?!\d)/diu;

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const DATE = [
  '\\d{4}-\\d{1,2}-\\d{1,2}',
  '\\d{1,2}[/.\\-]\\d{1,2}[/.\\-]\\d{2,4}',
  `\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}\\.?,?\\s+\\d{4}`,
  `${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}`,
  `${MONTH}\\.?\\s+\\d{4}`,
].join('|');
// The date after words that say it is a date of birth; the words themselves stay.
const BIRTH_DATE = new RegExp(
  `(?:\\bborn(?:\\s+(?:on|in))?|\\bDOB\\b|\\bD\\.O\\.B\\b\\.?|\\bdate\\s+of\\s+birth(?:\\s+(?:is|was))?)\\s*[:\\-–]?\\s*(${DATE})(?![\\p{L}\\p{N}])`,
  'digu',
);

// A street address written out: an optional flat, a house number, capitalised words and a street word,
// and a town after a comma when the sentence or a postcode follows it.
const STREET_WORDS =
  'Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Way|Crescent|Court|Place|Gardens|Terrace|Grove|Hill|Row|Walk|Square|Mews|Rise|Green|Parade|Park|Vale|View|Fold|Croft|Wharf';
const STREET_ADDRESS = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?:Flat|Apartment|Unit)\\s+\\d+[A-Z]?,?\\s+)?\\d{1,4}[A-Z]?,?\\s+(?:\\p{Lu}[\\p{L}'’-]*\\s+){1,3}(?:${STREET_WORDS})\\b(?:,\\s+\\p{Lu}\\p{Ll}+(?:[ -]\\p{Lu}\\p{Ll}+)?(?=\\s*(?:[,.;:)]|$|\\s+[A-Z]{1,2}\\d)))?`,
  'gu',
);

function patternSpans(text: string, pattern: RegExp, kind: WithheldKind, group = 0): WithheldSpan[] {
  const spans: WithheldSpan[] = [];
  const global = pattern.global ? pattern : new RegExp(pattern.source, pattern.flags + 'g');
  for (const match of text.matchAll(global)) {
    const at: [number, number] | undefined =
      group === 0 ? [match.index, match.index + match[0].length] : match.indices?.[group];
    if (at) spans.push({ start: at[0], end: at[1], kind });
  }
  return spans;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where a known phrase occurs as whole words; case-insensitive unless asked otherwise. */
function phraseSpans(text: string, phrase: Maybe, kind: WithheldKind, caseSensitive = false): WithheldSpan[] {
  const trimmed = phrase?.trim();
  if (!trimmed || trimmed.length < 2) return [];
  // Any run of spaces, or a comma, may stand between the words of a known phrase.
  const body = trimmed
    .split(/[\s,]+/)
    .map(escapeRegExp)
    .join('[\\s,]+');
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, caseSensitive ? 'gu' : 'giu');
  return patternSpans(text, pattern, kind);
}

const capitalised = (word: string) => /^\p{Lu}/u.test(word) && /\p{Ll}/u.test(word);

// Words that make an organisation's or home's name generic: 'Oakfield House' is also called 'Oakfield'.
const GENERIC_NAME_WORDS = new Set([
  'the',
  'house',
  'home',
  'homes',
  'lodge',
  'cottage',
  'children’s',
  "children's",
  'care',
  'group',
  'services',
  'service',
  'ltd',
  'limited',
  'plc',
  'centre',
  'residential',
  'school',
  'uk',
]);

/** An organisation's name, and its distinctive part when the rest is generic ('Oakfield' of 'Oakfield House'). */
function organisationSpans(text: string, name: Maybe, kind: WithheldKind): WithheldSpan[] {
  const spans = phraseSpans(text, name, kind);
  const words = (name ?? '').trim().split(/\s+/);
  while (words.length > 1 && GENERIC_NAME_WORDS.has(words[0]!.toLowerCase())) words.shift();
  while (words.length > 1 && GENERIC_NAME_WORDS.has(words.at(-1)!.toLowerCase())) words.pop();
  const distinctive = words.join(' ');
  if (distinctive.length >= 4 && distinctive !== name?.trim() && capitalised(distinctive)) {
    spans.push(...phraseSpans(text, distinctive, kind, true));
  }
  return spans;
}

function knownSpans(text: string, known: KnownDetails): WithheldSpan[] {
  const spans: WithheldSpan[] = [];
  for (const name of known.people ?? []) {
    spans.push(...phraseSpans(text, name, 'person'));
    // A surname or first name on its own, written with a capital as names are (not 'provider' of
    // 'Demo provider').
    for (const part of (name ?? '').split(/[\s,]+/)) {
      if (part.length >= 2 && capitalised(part)) spans.push(...phraseSpans(text, part, 'person', true));
    }
  }
  for (const email of known.emails ?? []) spans.push(...phraseSpans(text, email, 'email'));
  const provider = known.provider;
  if (provider) {
    spans.push(...organisationSpans(text, provider.name, 'provider'));
    spans.push(...phraseSpans(text, provider.urn, 'URN'));
    spans.push(...phraseSpans(text, provider.addressLine1, 'address'));
    spans.push(...phraseSpans(text, provider.addressLine2, 'address'));
    spans.push(...phraseSpans(text, provider.town, 'address', true));
    spans.push(...phraseSpans(text, provider.postcode, 'postcode'));
    spans.push(...phraseSpans(text, provider.postcode?.replace(/\s+/g, ''), 'postcode'));
  }
  spans.push(...organisationSpans(text, known.ownerGroup, 'owner group'));
  return spans;
}

// ---- Names found by parsing ----

interface Term {
  text: string;
  post: string;
  normal: string;
  tags: string[];
  offset: { start: number; length: number };
}

// The regulator's own words, taught to the parser so that they are not taken for people's names.
const VOCABULARY: Record<string, string> = {
  ofsted: 'Organization',
  icaso: 'Organization',
  cafcass: 'Organization',
  regulation: 'Noun',
  regulations: 'Plural',
  responsible: 'Adjective',
  sccif: 'Noun',
  annex: 'Noun',
};

// Words that say the person named next to them is a child or young person.
const CHILD_WORDS = new Set([
  'child',
  'children',
  'young',
  'boy',
  'girl',
  'son',
  'daughter',
  'baby',
  'teenager',
  'grandson',
  'granddaughter',
  'stepson',
  'stepdaughter',
  'pupil',
]);
const CHILD_AFTER = new Set(['aged', 'born', 'dob', 'd.o.b', 'd.o.b.']);

const NOT_A_NAME = [
  'Place',
  'Organization',
  'Date',
  'Month',
  'WeekDay',
  'Acronym',
  'Value',
  'Pronoun',
  'Determiner',
  'Conjunction',
  'Preposition',
  'Honorific',
];

const lexicon = (nlp.model() as { one: { lexicon: Record<string, unknown> } }).one.lexicon;
const bare = (word: string) => word.replace(/['’]s$/u, '');

const lexiconTags = (word: string): string[] => {
  const entry = lexicon[word];
  return typeof entry === 'string' ? [entry] : Array.isArray(entry) ? (entry as string[]) : [];
};
// The parser's guesses at an unfamiliar word's class from its ending ('-ence' a noun, '-czyk' a surname).
const suffixPatterns = (nlp.model() as { two: { suffixPatterns: (Record<string, string> | undefined)[] } })
  .two.suffixPatterns;
const NAME_CLASSES = new Set(['Person', 'FirstName', 'LastName', 'MaleName', 'FemaleName']);

// English's noun-forming endings, which the parser's guesses leave out ('Supervision', 'Attendance').
const NOUN_ENDING = /(?:ion|ance|ence|ment|ness|ity|ship|hood)$/;

/** Whether the word's ending marks it as an ordinary word, not a name ('Evidence', 'Supervision'). */
function ordinaryByEnding(word: string): boolean {
  if (NOUN_ENDING.test(word)) return true;
  for (let length = suffixPatterns.length - 1; length >= 1; length--) {
    const guess = word.length > length ? suffixPatterns[length]?.[word.slice(-length)] : undefined;
    if (guess) return !NAME_CLASSES.has(guess);
  }
  return false;
}

const isTitle = (term: Term | undefined) =>
  term !== undefined && term.tags.includes('Honorific') && capitalised(term.text);

/**
 * Whether the parser takes a term for part of a person's name: tagged a person (its own knowledge of
 * names, and the names the service knows, taught to it), or a capitalised word it has no entry for and
 * has not recognised as a place, organisation, date or number — the way unfamiliar names (Kayden,
 * Oluwaseun) arrive. At the start of a sentence, where every word has a capital, an unfamiliar word is
 * a name when the parser had already taken it for one, or when it is the subject of a verb (Priya told)
 * or the first of a list (Imogen and…), and its ending does not mark it as an ordinary word (Evidence
 * was, Attendance records).
 */
function isNamePart(terms: readonly Term[], i: number): boolean {
  const term = terms[i]!;
  const word = bare(term.text);
  const next = terms[i + 1];
  if (!capitalised(word)) return false;
  const normal = bare(term.normal);
  const unfamiliar = !(normal in lexicon) && !(normal in VOCABULARY);
  // 'Kayden’s care plan': an unfamiliar possessive before a lower-case word is a person's, whatever
  // the parser guessed from the word after it.
  if (unfamiliar && term.tags.includes('Possessive') && next && !capitalised(next.text)) return true;
  if (NOT_A_NAME.some((tag) => term.tags.includes(tag))) return false;
  // A month or day the parser took for a name from its neighbours ('March and April').
  if (lexiconTags(normal).some((tag) => tag === 'Month' || tag === 'WeekDay') && !isTitle(terms[i - 1])) {
    return false;
  }
  if (term.tags.includes('Person')) return true;
  if (!unfamiliar || !term.tags.includes('Noun') || term.tags.includes('Plural')) return false;
  if (i > 0) return term.tags.includes('ProperNoun');
  return (
    !ordinaryByEnding(normal) &&
    next !== undefined &&
    (next.tags.includes('Verb') ||
      next.tags.includes('Person') ||
      next.normal === 'and' ||
      next.normal === 'or')
  );
}

/** Names found by parsing, and those of them the text says are children's (lower case). */
function parsedNames(text: string, known: KnownDetails): { spans: WithheldSpan[]; children: Set<string> } {
  // Teach the parser the names the service knows, so that they are found in any order or part.
  const taught: Record<string, string> = { ...VOCABULARY };
  for (const name of known.people ?? []) {
    const parts = (name ?? '').split(/\s+/).filter((p) => p.length >= 2 && capitalised(p));
    parts.forEach((part, i) => {
      taught[part.toLowerCase()] = i === 0 && parts.length > 1 ? 'FirstName' : 'LastName';
    });
  }
  const sentences = nlp(text, taught).json({ offset: true }) as { terms: Term[] }[];
  const spans: WithheldSpan[] = [];
  const children = new Set<string>();
  for (const { terms } of sentences) {
    // Where the last name said to be a child's ended in this sentence, or -1.
    let childEnd = -1;
    for (let i = 0; i < terms.length; i++) {
      if (!isNamePart(terms, i)) continue;
      let j = i;
      // The rest of the name: more name words, or the parser's own 'van der', within one phrase.
      while (
        j + 1 < terms.length &&
        !/[,;:()]/.test(terms[j]!.post) &&
        (isNamePart(terms, j + 1) || (terms[j + 1]!.tags.includes('Person') && isNamePart(terms, j + 2)))
      ) {
        j++;
      }
      // A title before the name goes with it: 'Mrs Okafor', 'Dr. Ogunleye' (not 'deputy manager').
      let first = i;
      while (first > 0 && isTitle(terms[first - 1])) first--;
      const startTerm = terms[first]!;
      const endTerm = terms[j]!;
      const end = endTerm.offset.start + bare(endTerm.text).length;
      const before = terms.slice(Math.max(0, first - 3), first).map((t) => t.normal);
      const after = terms.slice(j + 1, j + 4).map((t) => t.normal);
      const between = terms.slice(childEnd + 1, first).map((t) => t.normal);
      const isChild: boolean =
        first === i &&
        (before.some((w) => CHILD_WORDS.has(w)) ||
          after.some((w) => CHILD_AFTER.has(w)) ||
          /^(?:date of birth)/.test(after.join(' ')) ||
          // Named alongside a child: 'Aoife and Siobhan'.
          (childEnd >= 0 && between.every((w) => w === 'and' || w === 'or')));
      const name = text.slice(terms[i]!.offset.start, end).toLowerCase();
      if (isChild) children.add(name);
      spans.push({ start: startTerm.offset.start, end, kind: isChild ? 'child' : 'person' });
      childEnd = isChild ? j : -1;
      i = j;
    }
  }
  return { spans, children };
}

/** Once the complaint says someone is a child, every mention of them is labelled so. */
function labelChildren(text: string, spans: WithheldSpan[], children: ReadonlySet<string>): WithheldSpan[] {
  return spans.map((span) =>
    span.kind === 'person' && children.has(text.slice(span.start, span.end).toLowerCase())
      ? { ...span, kind: 'child' }
      : span,
  );
}

// ---- Putting them together ----

/** Overlapping or touching finds become one stretch, named by the longest of them. */
function merge(spans: WithheldSpan[]): WithheldSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: (WithheldSpan & { longest: number })[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span.start < last.end) {
      if (span.end - span.start > last.longest) {
        last.kind = span.kind;
        last.longest = span.end - span.start;
      }
      last.end = Math.max(last.end, span.end);
    } else {
      merged.push({ ...span, longest: span.end - span.start });
    }
  }
  return merged.map(({ start, end, kind }) => ({ start, end, kind }));
}

function find(text: string, known: KnownDetails): { spans: WithheldSpan[]; children: Set<string> } {
  const found = [
    ...knownSpans(text, known),
    ...patternSpans(text, EMAIL, 'email'),
    ...phones(text),
    ...patternSpans(text, BIRTH_DATE, 'date of birth', 1),
    ...patternSpans(text, POSTCODE, 'postcode'),
    ...patternSpans(text, SC_URN, 'URN'),
    ...patternSpans(text, NAMED_URN, 'URN', 1),
    ...patternSpans(text, STREET_ADDRESS, 'address'),
  ];
  // Parsing sees the text with what is already found taken out, so an email's or address's words are
  // not read as names (people's names stay, for the parser to take their titles with them); the
  // replacement keeps every offset where it was.
  const masked = merge(found.filter((s) => s.kind !== 'person')).reduce(
    (acc, s) => acc.slice(0, s.start) + 'x'.repeat(s.end - s.start) + acc.slice(s.end),
    text,
  );
  const names = parsedNames(masked, known);
  return { spans: merge([...found, ...names.spans]), children: names.children };
}

/** Where the text holds identifying details, in order and not overlapping. */
export function identifyingSpans(text: string, known: KnownDetails = {}): WithheldSpan[] {
  const { spans, children } = find(text, known);
  return labelChildren(text, spans, children);
}

/**
 * The texts of one complaint with every identifying detail replaced by a label: `[child]`,
 * `[person]`, `[phone]`, … A name the complaint says anywhere is a child's is `[child]` in all of them.
 */
export function withholdAll(texts: readonly (string | null)[], known: KnownDetails = {}): (string | null)[] {
  const found = texts.map((text) => (text === null ? null : find(text, known)));
  const children = new Set(found.flatMap((f) => [...(f?.children ?? [])]));
  return texts.map((text, i) => {
    if (text === null) return null;
    let result = '';
    let at = 0;
    for (const span of labelChildren(text, found[i]!.spans, children)) {
      result += `${text.slice(at, span.start)}[${span.kind}]`;
      at = span.end;
    }
    return result + text.slice(at);
  });
}

/** One text with every identifying detail replaced by a label. */
export function withhold(text: string, known: KnownDetails = {}): string {
  return withholdAll([text], known)[0]!;
}
