import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  postInspection2020,
  postInspection2024April,
  postInspection2024January,
} from '../frameworks/procedures.js';
import type { PostInspectionProcedure } from '../frameworks/types.js';
import {
  acknowledgementDue,
  drawSample,
  hashSeed,
  internalReviewRequestDue,
  mulberry32,
  openSteps,
  refusalFor,
  responseDue,
  responseProblems,
  type ComplaintState,
  type ComplaintStatus,
} from './rules.js';

function state(
  status: ComplaintStatus,
  procedure: PostInspectionProcedure,
  closedOn: string | null = status === 'received' || status === 'acknowledged' ? null : '2024-06-21',
): ComplaintState {
  return {
    status,
    procedure,
    closedOn,
    acknowledgedOn: status === 'received' ? null : '2024-06-03',
    reviewRequestedOn: ['review-requested', 'reviewed'].includes(status) ? '2024-06-24' : null,
    escalatedOn: ['escalated', 'ruled'].includes(status) ? '2024-07-01' : null,
  };
}

const today = '2024-06-24';

describe('targets in working days', () => {
  it('counts the acknowledgement, the reply and the review request over weekends and bank holidays', () => {
    // Friday 20 December 2024: Christmas Day and Boxing Day are skipped.
    expect(acknowledgementDue('2024-12-20')).toBe('2024-12-24');
    expect(responseDue('2024-06-03')).toBe('2024-07-15');
    expect(internalReviewRequestDue('2024-06-21')).toBe('2024-07-12');
  });
});

describe('the stages of a complaint', () => {
  it('acknowledges once, and responds only after acknowledging', () => {
    expect(refusalFor('acknowledge', state('received', postInspection2024April), today)).toBeNull();
    expect(refusalFor('respond', state('received', postInspection2024April), today)).toMatchObject({
      kind: 'conflict',
      errors: [{ field: 'status', message: 'Acknowledge the complaint before responding to it' }],
    });
    expect(refusalFor('acknowledge', state('acknowledged', postInspection2024April), today)).toMatchObject({
      kind: 'conflict',
      message: 'The complaint was already acknowledged on 3 June 2024',
    });
    expect(refusalFor('respond', state('closed', postInspection2024April), today)?.message).toBe(
      'The complaint was already responded to and closed on 21 June 2024',
    );
  });

  it.each([postInspection2020, postInspection2024January])(
    'under %s, goes closed → internal review → ICASO, never straight to ICASO',
    (procedure) => {
      expect(refusalFor('escalate', state('acknowledged', procedure), today)?.message).toMatch(
        /only after it has been responded to and closed/,
      );
      expect(refusalFor('escalate', state('closed', procedure), today)?.message).toMatch(
        /an internal review comes first/,
      );
      expect(refusalFor('request-review', state('closed', procedure), today)).toBeNull();
      expect(refusalFor('escalate', state('review-requested', procedure), today)?.message).toBe(
        'Wait for the outcome of the internal review before escalating to ICASO',
      );
      expect(refusalFor('decide-review', state('review-requested', procedure), today)).toBeNull();
      expect(refusalFor('escalate', state('reviewed', procedure), today)).toBeNull();
      expect(openSteps(state('reviewed', procedure), today)).toEqual(['note', 'escalate']);
      expect(openSteps(state('escalated', procedure), today)).toEqual(['rule']);
    },
  );

  it('from April 2024 goes straight from closed to ICASO and refuses an internal review', () => {
    const closed = state('closed', postInspection2024April);
    expect(refusalFor('escalate', closed, today)).toBeNull();
    expect(refusalFor('request-review', closed, today)).toMatchObject({
      kind: 'unprocessable',
      errors: [
        {
          field: 'procedure',
          message:
            'Under the post-inspection arrangements from April 2024 there is no internal review: a complainant unhappy with how the complaint was handled can escalate it straight to the independent adjudicator (ICASO)',
        },
      ],
    });
    expect(openSteps(closed, today)).toEqual(['note', 'escalate']);
  });

  it('refuses an internal review asked for more than 15 working days after the response', () => {
    const closed = state('closed', postInspection2020, '2024-06-21');
    expect(refusalFor('request-review', closed, '2024-07-12')).toBeNull();
    expect(refusalFor('request-review', closed, '2024-07-15')).toMatchObject({
      kind: 'unprocessable',
      errors: [
        {
          field: 'date',
          message:
            'An internal review had to be asked for by 12 July 2024, 15 working days after the response on 21 June 2024',
        },
      ],
    });
  });

  it('escalates once and rules once; an escalated record takes no more notes', () => {
    expect(refusalFor('escalate', state('escalated', postInspection2024April), today)?.message).toBe(
      'The complaint was escalated to ICASO on 1 July 2024',
    );
    expect(refusalFor('note', state('escalated', postInspection2024April), today)?.kind).toBe('conflict');
    expect(refusalFor('rule', state('ruled', postInspection2024April), today)?.message).toBe(
      'ICASO has already ruled on this complaint',
    );
  });
});

describe('the response', () => {
  const context = {
    today: '2024-06-24',
    inspectionTeamIds: ['lead', 'member'],
    gradeScale: [
      { id: 'outstanding', label: 'Outstanding' },
      { id: 'good', label: 'Good' },
      { id: 'inadequate', label: 'Inadequate' },
    ],
    judgements: [
      { areaId: 'leaders', areaName: 'Leaders and managers', grade: 'good' },
      { areaId: 'help', areaName: 'Help and protection', grade: 'inadequate' },
    ],
    hasReport: true,
  };

  it('gives remedies only for a complaint upheld at least in part', () => {
    expect(responseProblems({ outcome: 'not-upheld', remedies: ['apology'] }, context)).toEqual([
      { field: 'remedies', message: 'A complaint that is not upheld has no remedies' },
    ]);
    expect(responseProblems({ outcome: 'partly-upheld', remedies: ['apology'] }, context)).toEqual([]);
  });

  it('needs a re-inspection’s dates and an independent lead', () => {
    expect(responseProblems({ outcome: 'upheld', remedies: ['re-inspection'] }, context)[0]?.field).toBe(
      'reinspection.startDate',
    );
    expect(
      responseProblems(
        {
          outcome: 'upheld',
          remedies: ['re-inspection'],
          reinspection: { startDate: '2024-06-20', endDate: '2024-06-19', leadInspectorId: 'member' },
        },
        context,
      ).map((e) => e.field),
    ).toEqual(['reinspection.startDate', 'reinspection.endDate', 'reinspection.leadInspectorId']);
  });

  it('needs a note to amend the report, and a report to amend', () => {
    const amend = { outcome: 'upheld', remedies: ['report-amended'] } as const;
    expect(responseProblems(amend, context)).toEqual([
      {
        field: 'amendment.note',
        message: 'Say what is amended in the report and why: the report shows this note',
      },
    ]);
    expect(responseProblems({ ...amend, amendment: { note: 'Paragraph 2 corrected' } }, context)).toEqual([]);
    expect(
      responseProblems({ ...amend, amendment: { note: 'x', narrative: '  ' } }, context).map((e) => e.field),
    ).toEqual(['amendment.narrative']);
    expect(
      responseProblems({ ...amend, amendment: { note: 'x' } }, { ...context, hasReport: false })[0]?.message,
    ).toBe('The report of this inspection has not been issued yet, so there is no report to amend');
    expect(
      responseProblems({ outcome: 'upheld', remedies: [], amendment: { note: 'x' } }, context)[0]?.field,
    ).toBe('remedies');
  });

  it('needs a judgement of the inspection and a different grade on the scale to change a judgement', () => {
    const change = { outcome: 'partly-upheld', remedies: ['judgement-changed'] } as const;
    expect(responseProblems(change, context).map((e) => e.field)).toEqual([
      'judgement.areaId',
      'judgement.grade',
    ]);
    expect(
      responseProblems({ ...change, judgement: { areaId: 'leaders', grade: 'outstanding' } }, context),
    ).toEqual([]);
    expect(
      responseProblems({ ...change, judgement: { areaId: 'leaders', grade: 'excellent' } }, context),
    ).toEqual([
      {
        field: 'judgement.grade',
        message: "'excellent' is not a grade on the framework’s scale: outstanding, good, inadequate",
      },
    ]);
    expect(
      responseProblems({ ...change, judgement: { areaId: 'leaders', grade: 'good' } }, context)[0]?.message,
    ).toBe('Leaders and managers is already graded Good: choose the grade it changes to');
    expect(
      responseProblems({ ...change, judgement: { areaId: 'safety', grade: 'good' } }, context)[0],
    ).toEqual({
      field: 'judgement.areaId',
      message:
        "'safety' is not a judgement of this inspection; its judgements are Leaders and managers, Help and protection",
    });
  });
});

describe('the sample for the periodic review', () => {
  const population = Array.from({ length: 40 }, (_, i) => `complaint-${i}`);

  it('is the same for the same seed and differs for another', () => {
    const first = drawSample(population, 8, '2024-Q2');
    expect(drawSample(population, 8, '2024-Q2')).toEqual(first);
    expect(drawSample(population, 8, '2024-Q3')).not.toEqual(first);
    expect(new Set(first).size).toBe(8);
    expect(first.every((id) => population.includes(id))).toBe(true);
  });

  it('takes everything when the population is smaller than the sample', () => {
    expect(drawSample(['a', 'b'], 5, 'x').sort()).toEqual(['a', 'b']);
    expect(drawSample([], 5, 'x')).toEqual([]);
    expect(() => drawSample(['a'], 0, 'x')).toThrow(RangeError);
  });

  it('draws distinct members of the population for any seed and size', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 60 }), (seed, size) => {
        const sample = drawSample(population, size, seed);
        expect(sample).toHaveLength(Math.min(size, population.length));
        expect(new Set(sample).size).toBe(sample.length);
        expect(drawSample(population, size, seed)).toEqual(sample);
      }),
    );
  });

  it('rests on a generator that gives numbers in [0, 1) from a hashed seed', () => {
    expect(hashSeed('abc')).toBe(hashSeed('abc'));
    expect(hashSeed('abc')).not.toBe(hashSeed('abd'));
    const random = mulberry32(42);
    const numbers = Array.from({ length: 1000 }, random);
    expect(numbers.every((n) => n >= 0 && n < 1)).toBe(true);
    expect(mulberry32(42)()).toBe(numbers[0]);
  });
});
