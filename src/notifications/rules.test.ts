import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notificationCategories } from '../frameworks/notification-categories.js';
import {
  bringForwardToKeep,
  NOTIFICATION_CATEGORIES,
  reviewProblems,
  reviewRefusal,
  submissionProblems,
  toldOtherToKeep,
} from './rules.js';

const today = '2024-06-24';
const fields = (problems: { field: string }[]) => problems.map((p) => p.field);

describe('submitting a notification', () => {
  const valid = { categoryId: 'missing-child', eventDate: '2024-06-20', told: ['police'], toldOther: null };

  it('accepts an event today or in the past, and refuses one in the future', () => {
    expect(submissionProblems(valid, today)).toEqual([]);
    expect(submissionProblems({ ...valid, eventDate: today }, today)).toEqual([]);
    expect(submissionProblems({ ...valid, eventDate: '2024-06-25' }, today)).toEqual([
      { field: 'eventDate', message: 'The date of the event must be today or in the past' },
    ]);
  });

  it('refuses any day after today, whatever the day', () => {
    const day = fc.integer({ min: 0, max: 20_000 }).map((n) => new Date(Date.UTC(2000, 0, 1 + n)));
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 400 }), (todayDate, ahead) => {
        const later = new Date(todayDate.getTime() + ahead * 86_400_000).toISOString().slice(0, 10);
        const now = todayDate.toISOString().slice(0, 10);
        return fields(submissionProblems({ ...valid, eventDate: later }, now)).includes('eventDate');
      }),
    );
  });

  it('needs saying who else was told when "other" is ticked', () => {
    expect(submissionProblems({ ...valid, told: ['police', 'other'], toldOther: '  ' }, today)).toEqual([
      { field: 'toldOther', message: 'Say who else you told' },
    ]);
    expect(submissionProblems({ ...valid, told: ['other'], toldOther: 'Fire service' }, today)).toEqual([]);
    // Text typed and then unticked is not a problem, and is not kept.
    expect(submissionProblems({ ...valid, told: ['police'], toldOther: 'Fire service' }, today)).toEqual([]);
    expect(toldOtherToKeep(['police'], 'Fire service')).toBeNull();
    expect(toldOtherToKeep(['other'], '  Fire service ')).toBe('Fire service');
  });

  it('knows only the categories of the reference data, and not before they came into use', () => {
    expect(fields(submissionProblems({ ...valid, categoryId: 'parking' }, today))).toEqual(['categoryId']);
    expect(submissionProblems({ ...valid, eventDate: '2014-12-01' }, today)).toEqual([
      { field: 'categoryId', message: 'This category was not in use on 1 December 2014' },
    ]);
  });

  it('offers the thirteen categories of the annual figures and then "other"', () => {
    const ids = Object.keys(NOTIFICATION_CATEGORIES);
    expect(ids).toHaveLength(notificationCategories.length);
    expect(ids).toHaveLength(14);
    expect(ids.at(-1)).toBe('other');
  });
});

describe('reviewing a notification', () => {
  it('always needs notes', () => {
    expect(reviewProblems({ outcome: 'no-further-action', notes: '   ' }, today)).toEqual([
      { field: 'notes', message: 'Enter your notes on the review' },
    ]);
    expect(reviewProblems({ outcome: 'concern-raised', notes: 'Pattern of incidents' }, today)).toEqual([]);
  });

  it('brings the inspection forward only to a date after today', () => {
    const forward = { outcome: 'inspection-brought-forward' as const, notes: 'Soon' };
    expect(reviewProblems(forward, today)).toEqual([
      { field: 'bringForwardTo', message: 'Enter the date to bring the inspection forward to' },
    ]);
    for (const day of [today, '2024-06-01']) {
      expect(reviewProblems({ ...forward, bringForwardTo: day }, today)).toEqual([
        {
          field: 'bringForwardTo',
          message: 'The date to bring the inspection forward to must be in the future',
        },
      ]);
    }
    expect(reviewProblems({ ...forward, bringForwardTo: '2024-06-25' }, today)).toEqual([]);
  });

  it('keeps a date only when the inspection is brought forward', () => {
    expect(
      bringForwardToKeep({ outcome: 'no-further-action', notes: 'x', bringForwardTo: '2024-07-01' }),
    ).toBe(null);
    expect(
      bringForwardToKeep({ outcome: 'inspection-brought-forward', notes: 'x', bringForwardTo: '2024-07-01' }),
    ).toBe('2024-07-01');
  });

  it('reviews a notification once', () => {
    expect(reviewRefusal('submitted', null)).toBeNull();
    expect(reviewRefusal('reviewed', '2024-06-21')).toBe(
      'The notification was already reviewed on 21 June 2024',
    );
  });
});
