import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  addWorkingDays,
  bankHolidays,
  formatLongDate,
  InvalidDateError,
  isWorkingDay,
  nextWorkingDay,
  parseIsoDate,
  parseServiceDate,
  serviceDateProblem,
  workingDaysBetween,
} from './working-days.js';

// The official lists for England and Wales (gov.uk/bank-holidays), weekdays only.
const officialBankHolidays: Record<number, string[]> = {
  2018: ['01-01', '03-30', '04-02', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2019: ['01-01', '04-19', '04-22', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2020: ['01-01', '04-10', '04-13', '05-08', '05-25', '08-31', '12-25', '12-28'],
  2021: ['01-01', '04-02', '04-05', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2022: ['01-03', '04-15', '04-18', '05-02', '06-02', '06-03', '08-29', '09-19', '12-26', '12-27'],
  2023: ['01-02', '04-07', '04-10', '05-01', '05-08', '05-29', '08-28', '12-25', '12-26'],
  2024: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2025: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2026: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
  2027: ['01-01', '03-26', '03-29', '05-03', '05-31', '08-30', '12-27', '12-28'],
};

describe('bankHolidays', () => {
  it.each(Object.entries(officialBankHolidays))('lists the bank holidays of %s', (year, days) => {
    expect(bankHolidays(Number(year)).map((holiday) => holiday.date)).toEqual(
      days.map((day) => `${year}-${day}`),
    );
  });

  it('names one-off holidays', () => {
    const name = (date: string) =>
      bankHolidays(Number(date.slice(0, 4))).find((holiday) => holiday.date === date)?.name;
    expect(name('2020-05-08')).toMatch(/VE day/i);
    expect(name('2022-06-03')).toMatch(/Jubilee/);
    expect(name('2022-09-19')).toMatch(/Funeral/);
    expect(name('2023-05-08')).toMatch(/Coronation/);
    expect(name('2021-12-27')).toMatch(/substitute/);
  });

  it('gives a weekend Christmas to the substitute days, not the weekend', () => {
    const dates = bankHolidays(2021).map((holiday) => holiday.date);
    expect(dates).not.toContain('2021-12-25');
    expect(dates).not.toContain('2021-12-26');
    expect(isWorkingDay('2021-12-27')).toBe(false);
    expect(isWorkingDay('2021-12-28')).toBe(false);
    expect(isWorkingDay('2021-12-29')).toBe(true);
    expect(isWorkingDay('2022-01-03')).toBe(false);
  });

  it('corrects the library where it differs from the official list', () => {
    expect(isWorkingDay('2011-04-29')).toBe(false); // royal wedding
    expect(isWorkingDay('2012-05-28')).toBe(true); // spring bank holiday moved ...
    expect(isWorkingDay('2012-06-04')).toBe(false); // ... to 4 June
    expect(isWorkingDay('2012-06-05')).toBe(false); // Diamond Jubilee
  });

  it('keeps one list per year', () => {
    expect(bankHolidays(2024)).toBe(bankHolidays(2024));
    expect(Object.isFrozen(bankHolidays(2024))).toBe(true);
  });

  it('refuses a year that is not a whole four-digit number', () => {
    expect(() => bankHolidays(2024.5)).toThrow(RangeError);
    expect(() => bankHolidays(99)).toThrow(/four digits/);
  });
});

describe('isWorkingDay', () => {
  it('is false at weekends and true on ordinary weekdays', () => {
    expect(isWorkingDay('2024-06-15')).toBe(false); // Saturday
    expect(isWorkingDay('2024-06-16')).toBe(false); // Sunday
    expect(isWorkingDay('2024-06-17')).toBe(true); // Monday
  });

  it('knows Good Friday and Easter Monday', () => {
    expect(isWorkingDay('2024-03-29')).toBe(false);
    expect(isWorkingDay('2024-04-01')).toBe(false);
    expect(isWorkingDay('2025-04-18')).toBe(false);
    expect(isWorkingDay('2025-04-21')).toBe(false);
  });

  it('follows the 2020 early May bank holiday to VE Day', () => {
    expect(isWorkingDay('2020-05-04')).toBe(true);
    expect(isWorkingDay('2020-05-08')).toBe(false);
  });

  it('follows the 2022 spring bank holiday to the jubilee weekend', () => {
    expect(isWorkingDay('2022-05-30')).toBe(true);
    expect(isWorkingDay('2022-06-02')).toBe(false);
    expect(isWorkingDay('2022-06-03')).toBe(false);
  });

  it('knows the state funeral and the coronation', () => {
    expect(isWorkingDay('2022-09-19')).toBe(false);
    expect(isWorkingDay('2023-05-08')).toBe(false);
  });

  it('refuses an impossible date', () => {
    expect(() => isWorkingDay('2024-02-30')).toThrow(InvalidDateError);
  });
});

describe('addWorkingDays', () => {
  it('skips the weekend and Christmas', () => {
    expect(addWorkingDays('2024-12-20', 5)).toBe('2024-12-31');
  });

  it('counts strictly after the start, even from a non-working day', () => {
    expect(addWorkingDays('2024-06-14', 1)).toBe('2024-06-17');
    expect(addWorkingDays('2024-06-15', 1)).toBe('2024-06-17');
    expect(addWorkingDays('2024-06-17', 1)).toBe('2024-06-18');
  });

  it('crosses substitute days at the turn of the year', () => {
    expect(addWorkingDays('2021-12-24', 1)).toBe('2021-12-29');
    expect(addWorkingDays('2021-12-31', 1)).toBe('2022-01-04');
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %s working days', (n) => {
    expect(() => addWorkingDays('2024-06-14', n)).toThrow(RangeError);
    expect(() => addWorkingDays('2024-06-14', n)).toThrow(/whole number of 1 or more/);
  });
});

describe('nextWorkingDay', () => {
  it('goes from Friday to Monday', () => {
    expect(nextWorkingDay('2024-06-14')).toBe('2024-06-17');
  });

  it('passes over Easter', () => {
    expect(nextWorkingDay('2024-03-28')).toBe('2024-04-02');
  });
});

describe('workingDaysBetween', () => {
  it('counts the days after `from` up to and including `to`', () => {
    expect(workingDaysBetween('2024-06-14', '2024-06-21')).toBe(5);
    expect(workingDaysBetween('2024-12-20', '2024-12-31')).toBe(5);
  });

  it('is 0 when `to` is not after `from`', () => {
    expect(workingDaysBetween('2024-06-14', '2024-06-14')).toBe(0);
    expect(workingDaysBetween('2024-06-21', '2024-06-14')).toBe(0);
  });

  it('names the argument that is not a date', () => {
    expect(() => workingDaysBetween('2024-06-14', '2024-06-31')).toThrow(
      expect.objectContaining({ field: 'to' }),
    );
  });
});

describe('parseIsoDate', () => {
  it('accepts real dates, including 29 February in a leap year', () => {
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(parseIsoDate('2000-02-29')).toBe('2000-02-29');
  });

  it('rejects impossible dates, saying why', () => {
    expect(() => parseIsoDate('2024-02-30')).toThrow(
      '2024-02-30 is not a real date: February 2024 has 29 days',
    );
    expect(() => parseIsoDate('2023-02-29')).toThrow('February 2023 has 28 days');
    expect(() => parseIsoDate('1900-02-29')).toThrow('February 1900 has 28 days');
    expect(() => parseIsoDate('2024-04-31')).toThrow('April 2024 has 30 days');
    expect(() => parseIsoDate('2024-13-01')).toThrow('there is no month 13');
    expect(() => parseIsoDate('2024-06-00')).toThrow('June 2024 has 30 days');
  });

  it('rejects other forms, naming the field', () => {
    for (const text of ['30/02/2024', '2024-2-3', '2024-06-14T00:00:00Z', ' 2024-06-14', '']) {
      expect(() => parseIsoDate(text, 'lastDay')).toThrow(
        expect.objectContaining({ name: 'InvalidDateError', field: 'lastDay' }),
      );
    }
    expect(() => parseIsoDate('30/02/2024')).toThrow("'30/02/2024' is not a date in the form YYYY-MM-DD");
  });
});

describe('addCalendarDays and formatLongDate', () => {
  it('adds calendar days across months and years', () => {
    expect(addCalendarDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addCalendarDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addCalendarDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('writes dates the GOV.UK way', () => {
    expect(formatLongDate('2020-09-01')).toBe('1 September 2020');
    expect(formatLongDate('2024-12-25')).toBe('25 December 2024');
  });
});

describe('the service’s range of dates', () => {
  it('takes real dates from 1900-01-01 to 2100-12-31 and nothing else', () => {
    for (const date of ['1900-01-01', '2024-02-29', '2100-12-31']) {
      expect(serviceDateProblem(date)).toBeNull();
      expect(parseServiceDate(date)).toBe(date);
    }
    for (const date of ['0000-01-01', '0001-01-01', '1899-12-31', '2101-01-01', '9999-12-31'])
      expect(serviceDateProblem(date), date).toBe('out-of-range');
    for (const date of ['2026-02-30', '2026-13-01', '2026-00-10'])
      expect(serviceDateProblem(date), date).toBe('not-real');
    for (const date of [
      '2026-1-1',
      '+275760-09-13',
      '+010000-01-01',
      '-0001-01-01',
      '99999-01-01',
      '',
      20260101,
    ])
      expect(serviceDateProblem(date), String(date)).toBe('malformed');
    expect(() => parseServiceDate('9999-12-31', 'from')).toThrow(
      expect.objectContaining({
        name: 'InvalidDateError',
        field: 'from',
        message: 'Must be a real date between 1900-01-01 and 2100-12-31',
      }),
    );
  });

  it('still counts from a far date a record may already hold, without throwing', () => {
    // An inspection planned for 9999-12-31 before the range was enforced: its timeline must still show.
    expect(addWorkingDays('9999-12-31', 18)).toBe('+010000-01-26');
    expect(formatLongDate(addWorkingDays('9999-12-31', 1))).toBe('3 January 10000');
    expect(nextWorkingDay('0001-01-01')).toBe('0001-01-02');
    expect(addWorkingDays('0000-12-29', 3)).toBe('0001-01-03');
    expect(isWorkingDay('+010000-01-03')).toBe(true);
    expect(workingDaysBetween('9999-12-30', '+010000-01-04')).toBe(3);
    expect(() => parseIsoDate('+999999-01-01')).toThrow(
      expect.objectContaining({ name: 'InvalidDateError' }),
    );
  });
});

describe('working-day properties (2018 to 2030)', () => {
  const first = Date.UTC(2018, 0, 1) / 86_400_000;
  const last = Date.UTC(2030, 11, 31) / 86_400_000;
  const dates = fc
    .integer({ min: first, max: last })
    .map((day) => new Date(day * 86_400_000).toISOString().slice(0, 10));
  const counts = fc.integer({ min: 1, max: 60 });
  const bankHolidayDates = new Set(
    Array.from({ length: 14 }, (_, i) => bankHolidays(2018 + i).map((holiday) => holiday.date)).flat(),
  );

  it('never lands on a weekend or a bank holiday', () => {
    fc.assert(
      fc.property(dates, counts, (date, n) => {
        const due = addWorkingDays(date, n);
        const weekday = new Date(`${due}T00:00:00Z`).getUTCDay();
        return weekday !== 0 && weekday !== 6 && !bankHolidayDates.has(due) && isWorkingDay(due);
      }),
    );
  });

  it('counts back the working days it added', () => {
    fc.assert(
      fc.property(dates, counts, (date, n) => workingDaysBetween(date, addWorkingDays(date, n)) === n),
    );
  });

  it('lands after the start and no earlier than n working days allow', () => {
    fc.assert(
      fc.property(dates, counts, (date, n) => {
        const due = addWorkingDays(date, n);
        return due > date && workingDaysBetween(date, addCalendarDays(due, -1)) === n - 1;
      }),
    );
  });
});
