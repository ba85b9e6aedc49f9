/** What time it is, injectable so that tests can move it; dates are counted in England. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until moved (tests and demonstrations). */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(instant: Date | string): void {
    this.current = new Date(instant);
  }
}

const londonDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const londonOffset = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  timeZoneName: 'shortOffset',
});

/** The date in England at an instant, as YYYY-MM-DD. */
export function englishDate(instant: Date): string {
  return londonDate.format(instant);
}

export function today(clock: Clock): string {
  return englishDate(clock.now());
}

/** Midnight in England at the start of `date` (a deadline day ends when the next one starts). */
export function startOfEnglishDay(date: string): Date {
  const utcMidnight = new Date(`${date}T00:00:00Z`);
  const offset =
    londonOffset.formatToParts(utcMidnight).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const hours = Number(offset.replace('GMT', '') || '0');
  return new Date(utcMidnight.getTime() - hours * 3600_000);
}

/** The instant a deadline that falls on `date` has passed: the start of the next day in England. */
export function endOfEnglishDay(date: string): Date {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return startOfEnglishDay(next.toISOString().slice(0, 10));
}
