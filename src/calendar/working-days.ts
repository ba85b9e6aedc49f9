import Holidays from 'date-holidays';

/**
 * Working days in England and Wales: Monday to Friday, except bank holidays.
 *
 * Dates are plain calendar dates written 'YYYY-MM-DD'. Internally they become whole days counted from
 * 1970-01-01 in UTC, so no local time zone or clock change can move a date by a day.
 */

/** A calendar date written 'YYYY-MM-DD'. */
export type IsoDate = string;

export interface BankHoliday {
  date: IsoDate;
  name: string;
}

/** A date that is malformed or does not exist. `field` names the input it came from. */
export class InvalidDateError extends RangeError {
  override readonly name = 'InvalidDateError';

  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

const msPerDay = 86_400_000;
// Years beyond 0000-9999 are written as JavaScript writes them (+010000, -000001), so that counting days
// from a far date (a record stored before the range below was enforced) gives a date, never an error.
const isoDatePattern = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})$/;

/** The first and last dates the service accepts in any input: the calendar and PostgreSQL agree on them. */
export const EARLIEST_DATE: IsoDate = '1900-01-01';
export const LATEST_DATE: IsoDate = '2100-12-31';
export const OUT_OF_RANGE = `Must be a real date between ${EARLIEST_DATE} and ${LATEST_DATE}`;

/**
 * What is wrong with `text` as a date given to the service, if anything: not written YYYY-MM-DD, not a
 * real date (2026-02-30), or outside EARLIEST_DATE to LATEST_DATE. The one definition every input uses.
 */
export function serviceDateProblem(text: unknown): 'malformed' | 'not-real' | 'out-of-range' | null {
  if (typeof text !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'malformed';
  try {
    parseIsoDate(text);
  } catch (error) {
    if (error instanceof InvalidDateError) return 'not-real';
    throw error;
  }
  return text < EARLIEST_DATE || text > LATEST_DATE ? 'out-of-range' : null;
}

/** parseIsoDate, and within the service's range: an InvalidDateError naming `field` otherwise. */
export function parseServiceDate(text: string, field = 'date'): IsoDate {
  const date = parseIsoDate(text, field);
  if (serviceDateProblem(date) !== null) throw new InvalidDateError(OUT_OF_RANGE, field);
  return date;
}
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * Checks that `text` is a real calendar date written 'YYYY-MM-DD' and returns it.
 * Throws an InvalidDateError naming `field` otherwise, e.g. for '2024-02-30' or '30/02/2024'.
 */
export function parseIsoDate(text: string, field = 'date'): IsoDate {
  const match = typeof text === 'string' ? isoDatePattern.exec(text) : null;
  if (!match) {
    throw new InvalidDateError(`'${String(text)}' is not a date in the form YYYY-MM-DD`, field);
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12) {
    throw new InvalidDateError(`${text} is not a real date: there is no month ${month}`, field);
  }
  const length = daysInMonth(year, month);
  if (Number.isNaN(length)) {
    throw new InvalidDateError(
      `${text} is not a date the calendar can count: the year is too far off`,
      field,
    );
  }
  if (day < 1 || day > length) {
    const monthName = monthNames[month - 1];
    throw new InvalidDateError(`${text} is not a real date: ${monthName} ${year} has ${length} days`, field);
  }
  return text;
}

/** Whether `date` is a weekday that is not a bank holiday in England and Wales. */
export function isWorkingDay(date: IsoDate): boolean {
  return isWorkingDayNumber(toDayNumber(parseIsoDate(date)));
}

/**
 * The `n`th working day strictly after `date`: adding 5 working days to Friday 20 December 2024 gives
 * Tuesday 31 December 2024, skipping the weekends, Christmas Day and Boxing Day.
 */
export function addWorkingDays(date: IsoDate, n: number): IsoDate {
  let day = toDayNumber(parseIsoDate(date));
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`The number of working days to add must be a whole number of 1 or more, not ${n}`);
  }
  let remaining = n;
  while (remaining > 0) {
    day += 1;
    if (isWorkingDayNumber(day)) remaining -= 1;
  }
  return fromDayNumber(day);
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(date: IsoDate): IsoDate {
  return addWorkingDays(date, 1);
}

/** How many working days d there are with from < d ≤ to; 0 when `to` is not after `from`. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  const first = toDayNumber(parseIsoDate(from, 'from'));
  const last = toDayNumber(parseIsoDate(to, 'to'));
  let count = 0;
  for (let day = first + 1; day <= last; day += 1) {
    if (isWorkingDayNumber(day)) count += 1;
  }
  return count;
}

/** The date `n` calendar days after `date` (or before, when `n` is negative). */
export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  if (!Number.isInteger(n)) {
    throw new RangeError(`The number of days to add must be a whole number, not ${n}`);
  }
  return fromDayNumber(toDayNumber(parseIsoDate(date)) + n);
}

/** A date as GOV.UK writes it: '2020-09-01' becomes '1 September 2020'. */
export function formatLongDate(date: IsoDate): string {
  const [, year, month, day] = isoDatePattern.exec(parseIsoDate(date))!.map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return `${day} ${monthNames[month - 1]} ${year}`;
}

/**
 * Bank holidays in England and Wales in `year`, in date order.
 *
 * Only weekdays are listed, as GOV.UK lists them: when Christmas Day falls on a Saturday, the holiday is
 * the substitute day on the Monday after, not the Saturday itself.
 */
export function bankHolidays(year: number): readonly BankHoliday[] {
  return holidaysOf(year).list;
}

// date-holidays knows substitute days and most one-off holidays. Where it differs from the official list
// of bank holidays for England and Wales (gov.uk/bank-holidays and the royal proclamations moving them),
// the official list wins. Each year's additions replace any holiday the library gives on the same date.
const corrections: Readonly<Record<number, { remove: readonly IsoDate[]; add: readonly BankHoliday[] }>> = {
  // The early May bank holiday moved from 1 May to 8 May for the 50th anniversary of VE Day.
  1995: { remove: ['1995-05-01'], add: [{ date: '1995-05-08', name: 'Early May bank holiday (VE Day)' }] },
  1999: { remove: [], add: [{ date: '1999-12-31', name: 'Millennium celebrations' }] },
  // Golden Jubilee: the spring bank holiday moved to Tuesday 4 June, with an extra holiday on 3 June.
  2002: {
    remove: ['2002-05-27'],
    add: [
      { date: '2002-06-03', name: 'Queen’s Golden Jubilee' },
      { date: '2002-06-04', name: 'Spring bank holiday' },
    ],
  },
  2011: { remove: [], add: [{ date: '2011-04-29', name: 'Royal wedding' }] },
  // Diamond Jubilee: the spring bank holiday moved from 28 May to 4 June, next to the jubilee on 5 June.
  2012: { remove: ['2012-05-28'], add: [{ date: '2012-06-04', name: 'Spring bank holiday' }] },
};

interface YearOfHolidays {
  list: readonly BankHoliday[];
  dates: ReadonlySet<IsoDate>;
}

let holidaySource: Holidays | undefined;
const holidaysByYear = new Map<number, YearOfHolidays>();

function holidaysOf(year: number): YearOfHolidays {
  const cached = holidaysByYear.get(year);
  if (cached) return cached;
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new RangeError(`The year must be a whole number with four digits, not ${year}`);
  }
  holidaySource ??= new Holidays('GB', 'ENG');
  const correction = corrections[year];
  const byDate = new Map<IsoDate, BankHoliday>();
  for (const holiday of holidaySource.getHolidays(year)) {
    // Observances such as Mother's Day are not days off work.
    if (holiday.type !== 'public' && holiday.type !== 'bank') continue;
    // The library writes the local date in England first: 'YYYY-MM-DD hh:mm:ss'.
    const date = holiday.date.slice(0, 10);
    if (correction?.remove.includes(date)) continue;
    byDate.set(date, { date, name: holiday.name });
  }
  for (const holiday of correction?.add ?? []) byDate.set(holiday.date, holiday);

  const list = Object.freeze(
    [...byDate.values()]
      .filter((holiday) => !isWeekendDayNumber(toDayNumber(holiday.date)))
      .sort((a, b) => a.date.localeCompare(b.date))
      .map((holiday) => Object.freeze({ ...holiday })),
  );
  const holidays = { list, dates: new Set(list.map((holiday) => holiday.date)) };
  holidaysByYear.set(year, holidays);
  return holidays;
}

function isWorkingDayNumber(day: number): boolean {
  if (isWeekendDayNumber(day)) return false;
  const date = fromDayNumber(day);
  const year = yearOf(date);
  // No bank holidays are known outside four-digit years: only weekends are days off there.
  if (year < 1000 || year > 9999) return true;
  return !holidaysOf(year).dates.has(date);
}

function yearOf(date: IsoDate): number {
  return Number(isoDatePattern.exec(date)![1]);
}

function isWeekendDayNumber(day: number): boolean {
  // Day 0, 1 January 1970, was a Thursday; getUTCDay counts Sunday as 0 and Saturday as 6.
  const weekday = new Date(day * msPerDay).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function toDayNumber(date: IsoDate): number {
  const [, year, month, day] = isoDatePattern.exec(date)!.map(Number) as [number, number, number, number];
  return utcMilliseconds(year, month - 1, day) / msPerDay;
}

function fromDayNumber(day: number): IsoDate {
  return new Date(day * msPerDay).toISOString().split('T')[0]!;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(utcMilliseconds(year, month, 0)).getUTCDate();
}

function utcMilliseconds(year: number, monthIndex: number, day: number): number {
  // Date.UTC would read years 0 to 99 as 1900 to 1999; setUTCFullYear takes the year as written.
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}
