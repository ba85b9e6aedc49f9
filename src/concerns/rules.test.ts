import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessmentProblems, CONCERN_DECISIONS, describeProvider, type ConcernDecision } from './rules.js';

const today = '2025-03-14';
const fieldsOf = (problems: { field: string }[]) => problems.map((p) => p.field);

/** Days as ISO strings between 2000 and 2099. */
const isoDay = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('a risk assessment of a concern', () => {
  it('needs a risk level, a decision and reasons', () => {
    expect(assessmentProblems({}, today, true)).toEqual([
      { field: 'riskLevel', message: 'Select the level of risk' },
      { field: 'decision', message: 'Select a decision' },
      { field: 'reasons', message: 'Give the reasons for the decision' },
    ]);
  });

  it('does not take spaces for reasons', () => {
    const problems = assessmentProblems(
      { riskLevel: 'low', decision: 'no-action', reasons: '   \n ' },
      today,
      true,
    );
    expect(fieldsOf(problems)).toEqual(['reasons']);
  });

  it('brings an inspection forward only to a date given', () => {
    const problems = assessmentProblems(
      { riskLevel: 'high', decision: 'bring-forward', reasons: 'Two similar concerns this month' },
      today,
      true,
    );
    expect(problems).toEqual([
      { field: 'bringForwardTo', message: 'Enter the date to bring the inspection forward to' },
    ]);
  });

  it('brings an inspection forward to any day after today and to no day before or on it', () => {
    fc.assert(
      fc.property(isoDay, (day) => {
        const problems = assessmentProblems(
          { riskLevel: 'medium', decision: 'bring-forward', reasons: 'Staffing', bringForwardTo: day },
          today,
          true,
        );
        expect(problems.length === 0).toBe(day > today);
      }),
    );
  });

  it('refuses a date with any decision other than bringing forward', () => {
    for (const decision of ['inspect-now', 'monitor', 'no-action'] as ConcernDecision[]) {
      const problems = assessmentProblems(
        { riskLevel: 'low', decision, reasons: 'Reasons', bringForwardTo: '2025-05-01' },
        today,
        true,
      );
      expect(fieldsOf(problems)).toEqual(['bringForwardTo']);
    }
  });

  it('acts on a provider only once the concern is matched to one on the register', () => {
    const unmatched = (decision: ConcernDecision) =>
      fieldsOf(
        assessmentProblems(
          {
            riskLevel: 'medium',
            decision,
            reasons: 'Reasons',
            bringForwardTo: decision === 'bring-forward' ? '2025-05-01' : undefined,
          },
          today,
          false,
        ),
      );
    expect(unmatched('inspect-now')).toEqual(['providerId']);
    expect(unmatched('bring-forward')).toEqual(['providerId']);
    expect(unmatched('monitor')).toEqual(['providerId']);
    // A concern about a service the regulator does not register can still be closed.
    expect(unmatched('no-action')).toEqual([]);
  });

  it('accepts every decision when complete', () => {
    for (const decision of Object.keys(CONCERN_DECISIONS) as ConcernDecision[]) {
      const problems = assessmentProblems(
        {
          riskLevel: 'high',
          decision,
          reasons: 'Reasons',
          bringForwardTo: decision === 'bring-forward' ? '2025-03-15' : undefined,
        },
        today,
        true,
      );
      expect(problems).toEqual([]);
    }
  });
});

describe('the provider as the raiser described it', () => {
  it('keeps the name, the place and the reference number they gave', () => {
    expect(describeProvider(' Oak House ', 'Leeds', ' sc123456')).toBe('Oak House, Leeds (URN SC123456)');
    expect(describeProvider('Oak House', 'LS1 4AP', undefined)).toBe('Oak House, LS1 4AP');
    expect(describeProvider('Oak House', undefined, undefined)).toBe('Oak House');
  });
});
