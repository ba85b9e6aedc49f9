import { describe, expect, it } from 'vitest';
import {
  postInspection2020,
  postInspection2024April,
  postInspection2024January,
} from '../frameworks/procedures.js';
import { chooseInspector, dayAfterContactDay, dayAfterContactRefusal, longDateWithWeekday } from './rules.js';

describe('the day-after contact window', () => {
  it('is the working day after the last day, over weekends and bank holidays', () => {
    // Friday 14 June 2024 → Monday 17 June 2024.
    expect(dayAfterContactDay(postInspection2024April, '2024-06-14')).toBe('2024-06-17');
    // Thursday 28 March 2024 → Good Friday and Easter Monday skipped → Tuesday 2 April 2024.
    expect(dayAfterContactDay(postInspection2024January, '2024-03-28')).toBe('2024-04-02');
    expect(dayAfterContactDay(postInspection2020, '2023-11-10')).toBeNull();
    expect(longDateWithWeekday('2024-06-17')).toBe('Monday 17 June 2024');
  });

  it('accepts a contact on that day only, naming the dates otherwise', () => {
    expect(dayAfterContactRefusal(postInspection2024April, '2024-06-14', '2024-06-17')).toBeNull();
    for (const day of ['2024-06-14', '2024-06-15', '2024-06-18']) {
      expect(dayAfterContactRefusal(postInspection2024April, '2024-06-14', day)).toEqual({
        field: 'date',
        message:
          'You can contact us about this inspection on Monday 17 June 2024 only, the working day after it ended on Friday 14 June 2024',
      });
    }
  });

  it('says the 2020 procedure has no such call', () => {
    expect(dayAfterContactRefusal(postInspection2020, '2023-11-10', '2023-11-13')).toEqual({
      field: 'inspectionId',
      message: expect.stringMatching(
        /^This inspection was held under the post-inspection arrangements from September 2020, which have no call on the day after the inspection/,
      ),
    });
  });
});

describe('choosing who takes the call', () => {
  const people = [
    { id: 'a', name: 'Zara Lead', openContacts: 0 },
    { id: 'b', name: 'Bea Busy', openContacts: 3 },
    { id: 'c', name: 'Cal Conflicted', openContacts: 0 },
    { id: 'd', name: 'Dee Free', openContacts: 1 },
    { id: 'e', name: 'Abe Free', openContacts: 1 },
  ];

  it('picks an independent, unconflicted inspector: the least busy, then by name', () => {
    expect(chooseInspector(people, { inspectionTeamIds: ['a'], conflictedIds: ['c'] })?.id).toBe('e');
    expect(chooseInspector(people, { inspectionTeamIds: [], conflictedIds: [] })?.id).toBe('c');
  });

  it('finds nobody when everyone is on the team or conflicted', () => {
    expect(
      chooseInspector(people, { inspectionTeamIds: ['a', 'b', 'd'], conflictedIds: ['c', 'e'] }),
    ).toBeNull();
  });
});
