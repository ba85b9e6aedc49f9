import { describe, expect, it } from 'vitest';
import { endOfEnglishDay, englishDate, ManualClock, startOfEnglishDay, today } from './clock.js';

describe('dates in England', () => {
  it('reads the English date, not the UTC one, late on a summer evening', () => {
    expect(englishDate(new Date('2024-06-14T23:30:00Z'))).toBe('2024-06-15');
    expect(englishDate(new Date('2024-12-14T23:30:00Z'))).toBe('2024-12-14');
  });

  it('starts an English day at midnight in London, summer and winter', () => {
    expect(startOfEnglishDay('2024-06-14').toISOString()).toBe('2024-06-13T23:00:00.000Z');
    expect(startOfEnglishDay('2024-12-14').toISOString()).toBe('2024-12-14T00:00:00.000Z');
  });

  it('ends a deadline day when the next day starts, across the clocks going back', () => {
    expect(endOfEnglishDay('2024-10-26').toISOString()).toBe('2024-10-26T23:00:00.000Z');
    expect(endOfEnglishDay('2024-10-27').toISOString()).toBe('2024-10-28T00:00:00.000Z');
  });

  it('lets a manual clock be moved', () => {
    const clock = new ManualClock(new Date('2025-01-01T12:00:00Z'));
    expect(today(clock)).toBe('2025-01-01');
    clock.set('2025-03-05T09:00:00Z');
    expect(today(clock)).toBe('2025-03-05');
  });
});
