import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarDays } from '../calendar/working-days.js';
import {
  addMonths,
  broughtForwardDate,
  compareWorkload,
  dueDate,
  explainSignal,
  intervalTable,
  MAX_WEIGHTED_DAYS,
  monitoringDue,
  monthsBetween,
  noticeFor,
  notificationWeight,
  NOTIFICATION_WEIGHTS,
  workloadChart,
  type RiskSignal,
} from './rules.js';
import { notificationCategories } from '../frameworks/notification-categories.js';

const signal = (weightDays: number, bringForwardTo: string | null = null) => ({ weightDays, bringForwardTo });

describe('addMonths', () => {
  it('keeps the day, or takes the last day of a shorter month, as PostgreSQL does', () => {
    expect(addMonths('2025-09-30', 12)).toBe('2026-09-30');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2026-11-25', -14)).toBe('2025-09-25');
    expect(addMonths('2024-08-31', 18)).toBe('2026-02-28');
  });
});

describe('due dates', () => {
  it('follow the framework’s interval for the last overall grade', () => {
    const last = (frameworkId: string, gradeId: string) => ({
      type: 'x',
      registeredOn: '2000-01-01',
      last: { frameworkId, gradeId, endDate: '2024-03-15' },
    });
    // Seed 004's 2012 model: 18 months after inadequate, 3 years after satisfactory, 5 after good.
    expect(dueDate(last('child-protection-2012', 'inadequate'))).toBe('2025-09-15');
    expect(dueDate(last('child-protection-2012', 'satisfactory'))).toBe('2027-03-15');
    expect(dueDate(last('child-protection-2012', 'good'))).toBe('2029-03-15');
    expect(dueDate(last('childrens-homes', 'good'))).toBe('2025-03-15');
    expect(dueDate(last('childrens-homes', 'inadequate'))).toBe('2024-09-15');
    expect(dueDate(last('supported-accommodation', 'serious-or-widespread-weaknesses'))).toBe('2024-09-15');
    expect(dueDate(last('nonexistent', 'good'))).toBeNull();
  });

  it('come from registration for a provider never inspected, where its type is planned at all', () => {
    expect(dueDate({ type: 'childrens-home', registeredOn: '2026-01-10', last: null })).toBe('2027-01-10');
    expect(dueDate({ type: 'local-authority', registeredOn: '2026-01-10', last: null })).toBe('2029-01-10');
    expect(dueDate({ type: 'voluntary-adoption-agency', registeredOn: '2026-01-10', last: null })).toBeNull();
  });

  it('take a changed interval from the what-if', () => {
    const intervals = intervalTable([{ frameworkId: 'ilacs', gradeId: 'inadequate', months: 12 }]);
    const provider = {
      type: 'local-authority',
      registeredOn: '2000-01-01',
      last: { frameworkId: 'ilacs', gradeId: 'inadequate', endDate: '2026-02-20' },
    };
    expect(dueDate(provider)).toBe('2027-08-20');
    expect(dueDate(provider, intervals)).toBe('2027-02-20');
  });

  it('schedule monitoring visits only after the worst grade, from the last visit made', () => {
    const inadequate = { frameworkId: 'ilacs', gradeId: 'inadequate', endDate: '2026-02-20' };
    expect(monitoringDue(inadequate, null)).toBe('2026-05-20');
    expect(monitoringDue(inadequate, '2026-05-15')).toBe('2026-08-15');
    expect(monitoringDue(inadequate, '2025-01-01')).toBe('2026-05-20');
    expect(monitoringDue({ ...inadequate, gradeId: 'good' }, null)).toBeNull();
    expect(monitoringDue(null, null)).toBeNull();
  });
});

describe('intervals as data', () => {
  it('carry every framework’s grades with their months, best first, the worst marked', () => {
    const ilacs = intervalTable().filter((r) => r.frameworkId === 'ilacs');
    expect(ilacs.map((r) => [r.gradeId, r.months, r.rank, r.worst])).toEqual([
      ['outstanding', 36, 0, false],
      ['good', 36, 1, false],
      ['requires-improvement-to-be-good', 36, 2, false],
      ['inadequate', 18, 3, true],
    ]);
  });
});

describe('the brought-forward date', () => {
  const due = '2026-09-30';
  const today = '2026-06-15';

  it('is the due date less the summed weights', () => {
    expect(broughtForwardDate({ due, today, signals: [signal(30), signal(45)] })).toBe('2026-07-17');
    expect(broughtForwardDate({ due, today, signals: [] })).toBe(due);
  });

  it('takes an explicit date when it is earlier', () => {
    expect(broughtForwardDate({ due, today, signals: [signal(30), signal(0, '2026-08-01')] })).toBe(
      '2026-08-01',
    );
    // The weights reach further than the later explicit date.
    expect(broughtForwardDate({ due, today, signals: [signal(60), signal(0, '2026-09-01')] })).toBe(
      '2026-08-01',
    );
  });

  it('never goes before today, and an overdue inspection stays on its due date', () => {
    expect(broughtForwardDate({ due, today, signals: [signal(0, '2026-01-01')] })).toBe(today);
    expect(broughtForwardDate({ due: '2026-05-10', today, signals: [signal(0, '2026-04-01')] })).toBe(
      '2026-05-10',
    );
  });

  it('caps what weights together can do', () => {
    const far = '2028-01-01';
    expect(broughtForwardDate({ due: far, today, signals: [signal(150), signal(150)] })).toBe(
      addCalendarDays(far, -MAX_WEIGHTED_DAYS),
    );
  });

  const isoDay = fc.integer({ min: 0, max: 3650 }).map((n) => addCalendarDays('2022-01-01', n));
  const anySignal = fc.record({
    weightDays: fc.integer({ min: 0, max: 200 }),
    bringForwardTo: fc.option(isoDay, { nil: null }),
  });

  it('is never after the due date', () => {
    fc.assert(
      fc.property(isoDay, isoDay, fc.array(anySignal, { maxLength: 6 }), (d, t, signals) => {
        expect(broughtForwardDate({ due: d, today: t, signals }) <= d).toBe(true);
      }),
    );
  });

  it('never moves later when a signal is added', () => {
    fc.assert(
      fc.property(
        isoDay,
        isoDay,
        fc.array(anySignal, { maxLength: 6 }),
        anySignal,
        (d, t, signals, extra) => {
          const before = broughtForwardDate({ due: d, today: t, signals });
          const after = broughtForwardDate({ due: d, today: t, signals: [...signals, extra] });
          expect(after <= before).toBe(true);
        },
      ),
    );
  });

  it('is never before today unless the inspection is already overdue', () => {
    fc.assert(
      fc.property(isoDay, isoDay, fc.array(anySignal, { maxLength: 6 }), (d, t, signals) => {
        const date = broughtForwardDate({ due: d, today: t, signals });
        expect(date >= (d < t ? d : t)).toBe(true);
      }),
    );
  });
});

describe('weights and words', () => {
  it('weigh every notification category in the data', () => {
    for (const category of notificationCategories) {
      expect(NOTIFICATION_WEIGHTS[category.id], category.id).toBeGreaterThan(0);
    }
    expect(notificationWeight('death-of-a-child')).toBeGreaterThan(notificationWeight('infectious-disease'));
    expect(notificationWeight('something-new')).toBeGreaterThan(0);
  });

  it('explain a signal so that a planner can act on it', () => {
    const base: RiskSignal = {
      kind: 'concern-awaiting-assessment',
      weightDays: 30,
      bringForwardTo: null,
      on: '2026-05-01',
      reference: 'CON-1',
      category: null,
      detail: null,
    };
    const names = { date: (d: string) => d, grade: (g: string) => g.toUpperCase() };
    expect(explainSignal(base, names)).toContain('CON-1 received 2026-05-01 is awaiting assessment');
    expect(explainSignal(base, names)).toContain('forward 30 days');
    expect(
      explainSignal(
        { ...base, kind: 'grade-drop', detail: { from: 'good', to: 'inadequate' }, weightDays: 60 },
        names,
      ),
    ).toContain('fell from GOOD to INADEQUATE');
    expect(
      explainSignal(
        { ...base, kind: 'notification', category: 'missing-child', bringForwardTo: '2026-07-01' },
        names,
      ),
    ).toContain(
      'serious concerns over a missing child on 2026-05-01; this brings the inspection to 2026-07-01',
    );
  });

  it('default the notice by provider type', () => {
    expect(noticeFor('childrens-home')).toBe('none');
    expect(noticeFor('local-authority')).toBe('short');
    expect(noticeFor('supported-accommodation')).toBe('short');
    expect(noticeFor('independent-fostering-agency')).toBe('announced');
  });
});

describe('the what-if', () => {
  it('lists every month of the period and the difference in each', () => {
    expect(monthsBetween('2026-11-15', '2027-02-01')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(
      compareWorkload(
        ['2026-11', '2026-12'],
        [{ month: '2026-11', count: 3 }],
        [
          { month: '2026-11', count: 2 },
          { month: '2026-12', count: 4 },
        ],
      ),
    ).toEqual([
      { month: '2026-11', baseline: 3, changed: 2, difference: -1 },
      { month: '2026-12', baseline: 0, changed: 4, difference: 4 },
    ]);
  });

  it('draws bars in proportion, the tallest filling the chart', () => {
    const chart = workloadChart([
      { month: '2026-11', baseline: 2, changed: 4 },
      { month: '2026-12', baseline: 0, changed: 1 },
    ]);
    expect(chart.max).toBe(4);
    const [first, second] = chart.bars;
    expect(first!.changed.height).toBe(chart.height - chart.margin * 2);
    expect(first!.baseline.height).toBe(first!.changed.height / 2);
    expect(second!.baseline.height).toBe(0);
  });
});
