import type { IsoDate } from '../calendar/working-days.js';
import { frameworks } from '../frameworks/frameworks.js';
import { isInForce } from '../frameworks/rules.js';
import type { Framework, Grade } from '../frameworks/types.js';
import {
  normalisePostcode,
  PROVIDER_STATUSES,
  PROVIDER_TYPES,
  REGIONS,
  SECTORS,
  URN_PATTERN,
  type ProviderType,
} from '../providers/rules.js';

/**
 * Reading the regulator's published provider-level data, one row at a time: which column is which, and
 * what each value means on our register. Pure: no I/O, so every mapping is unit-tested.
 */

/** A field of our register that a published file can fill. */
export type ImportField =
  | 'urn'
  | 'name'
  | 'type'
  | 'sector'
  | 'localAuthority'
  | 'region'
  | 'places'
  | 'registeredOn'
  | 'status'
  | 'addressLine1'
  | 'addressLine2'
  | 'town'
  | 'postcode'
  | 'inspectionDate'
  | 'overallGrade';

export interface ColumnSpec {
  field: ImportField;
  /** The name the published files use, first, then the other names accepted for the same column. */
  names: readonly string[];
  required: boolean;
}

/**
 * The columns we read. Names follow Ofsted's "Children's social care in England" provider-level files
 * and the monthly management information on providers; the aliases cover the spellings used across
 * years. Headers are matched ignoring case, spacing and apostrophes.
 */
export const IMPORT_COLUMNS: readonly ColumnSpec[] = [
  { field: 'urn', names: ['URN', 'Unique reference number', 'Provider URN'], required: true },
  { field: 'type', names: ['Provider type', 'Provision type', 'Type of provider'], required: true },
  { field: 'sector', names: ['Sector', 'Provider sector'], required: true },
  { field: 'localAuthority', names: ['Local authority', 'Local authority name', 'LA'], required: true },
  { field: 'region', names: ['Region', 'Ofsted region', 'Government office region'], required: true },
  {
    field: 'places',
    names: ['Places', 'Number of registered places', 'Registered places', 'Maximum users'],
    required: true,
  },
  { field: 'registeredOn', names: ['Registration date', 'Date of registration'], required: true },
  { field: 'name', names: ['Provider name', 'Setting name', 'Name'], required: false },
  { field: 'status', names: ['Provider status', 'Registration status'], required: false },
  {
    field: 'addressLine1',
    names: ['Address line 1', 'Setting address line 1', 'Address 1'],
    required: false,
  },
  {
    field: 'addressLine2',
    names: ['Address line 2', 'Setting address line 2', 'Address 2'],
    required: false,
  },
  { field: 'town', names: ['Town', 'Town/city', 'Setting town', 'Town or city'], required: false },
  { field: 'postcode', names: ['Postcode', 'Setting postcode', 'Post code'], required: false },
  {
    field: 'inspectionDate',
    names: ['Latest full inspection date', 'Inspection date', 'Date of latest full inspection'],
    required: false,
  },
  {
    field: 'overallGrade',
    names: [
      'Overall experiences and progress of children and young people',
      'Overall effectiveness',
      'Latest overall grade',
      'Overall judgement',
      'Outcome',
    ],
    required: false,
  },
];

/** Lower case, apostrophes of any kind dropped, runs of spacing made one space. */
export function normaliseName(text: string): string {
  return text
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[’'‘`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Where each of our fields is in the file, and what the header says there. */
export interface ColumnMap {
  index: Partial<Record<ImportField, number>>;
  /** The header as the file spells it, to name columns in reasons. */
  header: readonly string[];
  /** Columns we do not read, as the file names them. */
  ignored: string[];
}

export type HeaderCheck = { ok: true; columns: ColumnMap } | { ok: false; problems: string[] };

/** Matches the header row to our fields; a missing required column or a column given twice refuses the file. */
export function readHeader(header: readonly string[]): HeaderCheck {
  const byName = new Map<string, ColumnSpec>();
  for (const spec of IMPORT_COLUMNS) for (const name of spec.names) byName.set(normaliseName(name), spec);
  const index: Partial<Record<ImportField, number>> = {};
  const ignored: string[] = [];
  const problems: string[] = [];
  header.forEach((raw, i) => {
    const spec = byName.get(normaliseName(raw));
    if (!spec) {
      if (raw.trim() !== '') ignored.push(raw.trim());
      return;
    }
    const earlier = index[spec.field];
    if (earlier !== undefined) {
      problems.push(
        `Columns '${header[earlier]!.trim()}' and '${raw.trim()}' are both read as ${spec.names[0]}; remove one`,
      );
      return;
    }
    index[spec.field] = i;
  });
  for (const spec of IMPORT_COLUMNS) {
    if (spec.required && index[spec.field] === undefined) {
      problems.push(`The file has no ${spec.names[0]} column (accepted names: ${spec.names.join(', ')})`);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, columns: { index, header, ignored } };
}

/** A valid row, mapped to our register. `null` for an optional value the file leaves empty. */
export interface ImportedProvider {
  urn: string;
  name: string | null;
  type: ProviderType;
  sector: keyof typeof SECTORS;
  localAuthority: string;
  region: (typeof REGIONS)[number];
  places: number;
  registeredOn: IsoDate;
  status: keyof typeof PROVIDER_STATUSES | null;
  addressLine1: string | null;
  addressLine2: string | null;
  town: string | null;
  postcode: string | null;
  inspectionDate: IsoDate | null;
  /** The framework the published grade is read under; null where our rules hold none for that date. */
  frameworkId: string | null;
  gradeId: string | null;
}

export type RowResult = { ok: true; provider: ImportedProvider } | { ok: false; reasons: string[] };

/** Values the published files use for "nothing here". */
const EMPTY_VALUES = new Set(['', 'null', 'n/a', 'na', '-', '.']);

/** Spacing that the rule "runs of spacing become one space" would change: two together, a tab, a line break. */
const UNUSUAL_SPACING = /\s\s|[^\S ]/;

/** A value trimmed with runs of spacing made one space, or null for an empty one. */
function cleanValue(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  // Every "nothing here" value is at most four characters long; most values are longer.
  if (trimmed.length <= 4 && EMPTY_VALUES.has(trimmed.toLowerCase())) return null;
  return UNUSUAL_SPACING.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

/**
 * Names to ids, matched as normaliseName leaves them. The published files repeat a handful of spellings a
 * million times, so each spelling seen is remembered as written (up to a bound, to keep memory flat).
 */
export class NameLookup<T> {
  private readonly names: Map<string, T>;
  private readonly seen = new Map<string, T | null>();

  constructor(entries: [string, T][]) {
    this.names = new Map(entries.map(([name, id]) => [normaliseName(name), id]));
  }

  find(value: string): T | null {
    const known = this.seen.get(value);
    if (known !== undefined) return known;
    const found = this.names.get(normaliseName(value)) ?? null;
    if (this.seen.size < 10_000) this.seen.set(value, found);
    return found;
  }
}

function lookup<T extends string>(entries: [string, T][]): NameLookup<T> {
  return new NameLookup(entries);
}

/** Published provider type names, and our own ids and labels, to our provider types. */
export const PROVIDER_TYPE_NAMES = lookup<ProviderType>([
  ...(Object.entries(PROVIDER_TYPES) as [ProviderType, string][]).flatMap(
    ([id, label]): [string, ProviderType][] => [
      [id, id],
      [label, id],
    ],
  ),
  ['Childrens home', 'childrens-home'],
  ['Secure children’s home', 'childrens-home'],
  ['Short break only children’s home', 'childrens-home'],
  ['Supported accommodation undertaking', 'supported-accommodation'],
  ['Supported accommodation provider', 'supported-accommodation'],
  ['IFA', 'independent-fostering-agency'],
  ['Voluntary adoption agencies', 'voluntary-adoption-agency'],
  ['Local authority', 'local-authority'],
  ['Local authority children’s social care', 'local-authority'],
]);

export const SECTOR_NAMES = lookup<keyof typeof SECTORS>([
  ...(Object.entries(SECTORS) as [keyof typeof SECTORS, string][]).flatMap(
    ([id, label]): [string, keyof typeof SECTORS][] => [
      [id, id],
      [label, id],
    ],
  ),
  ['LA', 'local-authority'],
  ['Local authority (LA)', 'local-authority'],
  ['Health', 'health-authority'],
]);

type Region = (typeof REGIONS)[number];
export const REGION_NAMES = lookup<Region>([
  ...REGIONS.map((region): [string, Region] => [region, region]),
  ['East', 'East of England'],
  ['Eastern', 'East of England'],
  ['Yorkshire and Humber', 'Yorkshire and The Humber'],
]);

export const STATUS_NAMES = lookup<keyof typeof PROVIDER_STATUSES>([
  ...(Object.entries(PROVIDER_STATUSES) as [keyof typeof PROVIDER_STATUSES, string][]).map(
    ([id, label]): [string, keyof typeof PROVIDER_STATUSES] => [label, id],
  ),
  ['Active', 'registered'],
  ['Open', 'registered'],
  ['Resigned', 'closed'],
  ['Inactive', 'closed'],
]);

/** Ofsted's regions join two English regions; the register keeps them apart. */
const COMBINED_REGIONS = new Set([normaliseName('North East, Yorkshire and the Humber')]);

const DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A date written dd/mm/yyyy (as the published files write them) or yyyy-mm-dd, as ISO; null if not a real date. */
export function parsePublishedDate(text: string): IsoDate | null {
  const value = text.trim();
  let year: number, month: number, day: number;
  const dmy = DMY.exec(value);
  if (dmy) [day, month, year] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  else {
    const iso = ISO.exec(value);
    if (!iso) return null;
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  }
  if (year < 1900 || month < 1 || month > 12 || day < 1) return null;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return null;
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/**
 * The scale read when our rules hold no framework for the provider type on that date (agencies,
 * residential special schools, inspections before a framework began): the four words the published
 * files use.
 */
export const PUBLISHED_GRADE_SCALE: readonly Pick<Grade, 'id' | 'label'>[] = [
  { id: 'outstanding', label: 'Outstanding' },
  { id: 'good', label: 'Good' },
  { id: 'requires-improvement-to-be-good', label: 'Requires improvement to be good' },
  { id: 'inadequate', label: 'Inadequate' },
];

/** Words for the third step of a four-step scale, whatever the framework of the day called it. */
const THIRD_STEP_WORDS = new Set(
  ['Requires improvement', 'Requires improvement to be good', 'Adequate', 'Satisfactory'].map(normaliseName),
);

/** Published values that mean no overall grade was given. */
const NOT_JUDGED = new Set(['not judged', 'not applicable', '5'].map(normaliseName));

export type GradeReading =
  { ok: true; frameworkId: string | null; gradeId: string | null } | { ok: false; reason: string };

/** As frameworkInForce, for values already checked: the import asks once per row. */
export function frameworkOn(type: ProviderType, date: IsoDate): Framework | null {
  const key = `${type} ${date}`;
  let found = frameworksOn.get(key);
  if (found === undefined) {
    found =
      frameworks.find((framework) => framework.providerTypes.includes(type) && isInForce(framework, date)) ??
      null;
    // A million rows hold a few thousand inspection dates; the bound keeps memory flat all the same.
    if (frameworksOn.size < 100_000) frameworksOn.set(key, found);
  }
  return found;
}

const frameworksOn = new Map<string, Framework | null>();

const gradeReadings = new Map<string, GradeReading>();

/**
 * The grade id a published word (or Ofsted's number, 1 = outstanding … 4 = inadequate) stands for under
 * the framework in force for that type of provider on the inspection date.
 */
export function readGrade(
  type: ProviderType,
  inspectionDate: IsoDate,
  text: string,
  column: string,
): GradeReading {
  const framework = frameworkOn(type, inspectionDate);
  const key = `${framework?.id ?? ''}\u0000${column}\u0000${text}`;
  let reading = gradeReadings.get(key);
  if (!reading) {
    reading = gradeUnder(framework, text, column);
    if (gradeReadings.size < 10_000) gradeReadings.set(key, reading);
  }
  return reading;
}

function gradeUnder(framework: Framework | null, text: string, column: string): GradeReading {
  const scale = framework ? framework.gradeScale : PUBLISHED_GRADE_SCALE;
  const graded = !framework || framework.scaleKind === 'grades';
  const frameworkId = framework?.id ?? null;
  const word = normaliseName(text).replace(/[.]$/, '');
  if (NOT_JUDGED.has(word)) return { ok: true, frameworkId, gradeId: null };
  const byWord = scale.find((grade) => normaliseName(grade.label) === word || grade.id === word);
  if (byWord) return { ok: true, frameworkId, gradeId: byWord.id };
  if (graded && scale.length === 4) {
    if (/^[1-4]$/.test(word)) return { ok: true, frameworkId, gradeId: scale[Number(word) - 1]!.id };
    if (THIRD_STEP_WORDS.has(word)) return { ok: true, frameworkId, gradeId: scale[2]!.id };
  }
  const under = framework ? ` under ${framework.shortName}` : '';
  const expected = scale.map((grade) => grade.label);
  return {
    ok: false,
    reason: `${column} '${text.trim()}' is not a grade${under}; expected ${listed(expected)}`,
  };
}

function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$/;

// What each mapped value must be, as the reasons say it (built once, not for every row).
const TYPE_WANTED = 'a type of provider we register';
const SECTOR_WANTED = 'a sector (Private, Local authority, Voluntary or Health authority)';
const REGION_WANTED = `an English region (${listed(REGIONS)})`;
const STATUS_WANTED = 'a registration status (Active, Registered, Suspended, Cancelled, Closed or Resigned)';

/**
 * The checks of one row. Plain functions over the row rather than closures made for each row: the import
 * calls readRow a million times.
 */
class RowReader {
  readonly reasons: string[] = [];
  constructor(
    private readonly values: readonly string[],
    private readonly columns: ColumnMap,
    private readonly today: IsoDate,
  ) {}

  nameOf(field: ImportField): string {
    return this.columns.header[this.columns.index[field]!]!.trim();
  }

  given(field: ImportField): string | null {
    const i = this.columns.index[field];
    return i === undefined ? null : cleanValue(this.values[i]);
  }

  required(field: ImportField): string | null {
    const value = this.given(field);
    if (value === null) this.reasons.push(`${this.nameOf(field)} is empty`);
    return value;
  }

  text(field: ImportField, max: number, value: string | null): string | null {
    if (value !== null && value.length > max) {
      this.reasons.push(`${this.nameOf(field)} is longer than ${max} characters`);
      return null;
    }
    return value;
  }

  mapped<T>(field: ImportField, names: NameLookup<T>, value: string | null, what: string): T | null {
    if (value === null) return null;
    const found = names.find(value);
    if (found === null) this.reasons.push(`${this.nameOf(field)} '${value}' is not ${what}`);
    return found;
  }

  date(field: ImportField, value: string | null): IsoDate | null {
    if (value === null) return null;
    const iso = parsePublishedDate(value);
    if (!iso) {
      this.reasons.push(`${this.nameOf(field)} '${value}' is not a date (write dd/mm/yyyy or yyyy-mm-dd)`);
      return null;
    }
    if (iso > this.today) {
      this.reasons.push(`${this.nameOf(field)} '${value}' is in the future`);
      return null;
    }
    return iso;
  }
}

/**
 * Validates and maps one data row. Every problem in the row is reported, each naming its column as the
 * file's header spells it. `today` keeps dates in the future out.
 */
export function readRow(values: readonly string[], columns: ColumnMap, today: IsoDate): RowResult {
  const row = new RowReader(values, columns, today);
  const reasons = row.reasons;

  if (values.length < columns.header.length && values.some((value) => value.trim() !== '')) {
    const fields = values.length;
    reasons.push(
      `the row has ${fields} ${fields === 1 ? 'field' : 'fields'} but the header has ${columns.header.length}`,
    );
    return { ok: false, reasons };
  }

  const urnText = row.required('urn');
  const urn = urnText === null ? null : urnText.toUpperCase();
  if (urn !== null && !URN_PATTERN.test(urn)) {
    reasons.push(
      `${row.nameOf('urn')} '${urnText}' is not a reference number (SC and 6 digits, or 6 or 7 digits)`,
    );
  }
  const type = row.mapped('type', PROVIDER_TYPE_NAMES, row.required('type'), TYPE_WANTED);
  const sector = row.mapped('sector', SECTOR_NAMES, row.required('sector'), SECTOR_WANTED);
  const localAuthority = row.text('localAuthority', 100, row.required('localAuthority'));

  const regionText = row.required('region');
  let region: Region | null = null;
  if (regionText !== null) {
    region = REGION_NAMES.find(regionText);
    if (region === null) {
      reasons.push(
        COMBINED_REGIONS.has(normaliseName(regionText))
          ? `${row.nameOf('region')} '${regionText}' joins two English regions; give North East or Yorkshire and The Humber`
          : `${row.nameOf('region')} '${regionText}' is not ${REGION_WANTED}`,
      );
    }
  }

  const placesText = row.given('places');
  let places: number | null = 0; // agencies publish no places
  if (placesText !== null) {
    const digits = placesText.includes(',') ? placesText.replace(/,/g, '') : placesText;
    places = /^\d+$/.test(digits) ? Number(digits) : null;
    if (places === null) reasons.push(`${row.nameOf('places')} '${placesText}' is not a whole number`);
    else if (places > 1000) {
      reasons.push(`${row.nameOf('places')} '${placesText}' is more than 1,000`);
      places = null;
    }
  }

  const registeredOn = row.date('registeredOn', row.required('registeredOn'));
  const status = row.mapped('status', STATUS_NAMES, row.given('status'), STATUS_WANTED);
  const name = row.text('name', 200, row.given('name'));
  const addressLine1 = row.text('addressLine1', 200, row.given('addressLine1'));
  const addressLine2 = row.text('addressLine2', 200, row.given('addressLine2'));
  const town = row.text('town', 100, row.given('town'));

  const postcodeText = row.given('postcode');
  let postcode: string | null = null;
  if (postcodeText !== null) {
    postcode = normalisePostcode(postcodeText);
    if (!POSTCODE.test(postcode)) {
      reasons.push(`${row.nameOf('postcode')} '${postcodeText}' is not a full UK postcode`);
      postcode = null;
    }
  }

  const inspectionDateText = row.given('inspectionDate');
  const inspectionDate = row.date('inspectionDate', inspectionDateText);
  const gradeText = row.given('overallGrade');
  let frameworkId: string | null = null;
  let gradeId: string | null = null;
  if (gradeText !== null) {
    if (inspectionDateText === null) {
      const dateColumn =
        columns.index.inspectionDate === undefined
          ? 'Latest full inspection date'
          : row.nameOf('inspectionDate');
      reasons.push(`${row.nameOf('overallGrade')} '${gradeText}' is given without a ${dateColumn}`);
    } else if (inspectionDate !== null && type !== null) {
      const grade = readGrade(type, inspectionDate, gradeText, row.nameOf('overallGrade'));
      if (grade.ok) ({ frameworkId, gradeId } = grade);
      else reasons.push(grade.reason);
    }
  } else if (inspectionDate !== null && type !== null) {
    frameworkId = frameworkOn(type, inspectionDate)?.id ?? null;
  }

  if (reasons.length > 0) return { ok: false, reasons };
  return {
    ok: true,
    provider: {
      urn: urn!,
      name,
      type: type!,
      sector: sector!,
      localAuthority: localAuthority!,
      region: region!,
      places: places!,
      registeredOn: registeredOn!,
      status,
      addressLine1,
      addressLine2,
      town,
      postcode,
      inspectionDate,
      frameworkId,
      gradeId,
    },
  };
}

/** One CSV field, quoted when it must be. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly (string | number | null)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
