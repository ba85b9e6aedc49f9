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
  complaintDeadline,
  drawSample,
  hashSeed,
  internalReviewRequestDue,
  isLate,
  mulberry32,
  openSteps,
  refusalFor,
  responseDue,
  responseProblems,
  timeLimitOn,
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
    late: false,
    lateDecision: null,
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

describe('the time limit for a complaint (seed 003)', () => {
  const before2024 = { lastDay: '2023-02-24', draftIssuedOn: '2023-03-01' };

  it('ends on the fifth working day after the final report, skipping weekends and bank holidays', () => {
    // Sent on Wednesday 5 April 2023: Good Friday and Easter Monday are not working days.
    expect(complaintDeadline(postInspection2020, { ...before2024, finalisedOn: '2023-04-05' })).toBe(
      '2023-04-14',
    );
    // Sent on Friday 23 December 2022: the Christmas and New Year bank holidays (26, 27 December, 2 January).
    expect(complaintDeadline(postInspection2020, { ...before2024, finalisedOn: '2022-12-23' })).toBe(
      '2023-01-04',
    );
    expect(complaintDeadline(postInspection2024January, { ...before2024, finalisedOn: '2024-03-01' })).toBe(
      '2024-03-08',
    );
  });

  it('has not started while the final report has not been sent', () => {
    expect(complaintDeadline(postInspection2020, { ...before2024, finalisedOn: null })).toBeNull();
  });

  it('counts from the draft report from April 2024, when a formal complaint is made on the draft', () => {
    expect(
      complaintDeadline(postInspection2024April, {
        lastDay: '2024-05-10',
        draftIssuedOn: '2024-06-03',
        finalisedOn: '2024-07-01',
      }),
    ).toBe('2024-06-10');
  });

  it('is late only after the end of the last day', () => {
    expect(isLate('2023-04-14', '2023-04-14')).toBe(false);
    expect(isLate('2023-04-17', '2023-04-14')).toBe(true);
    expect(isLate('2030-01-01', null)).toBe(false);
  });

  it('judges a complaint by the reports sent by the day it was received', () => {
    const anchors = { ...before2024, finalisedOn: '2023-04-05' };
    expect(timeLimitOn(postInspection2020, anchors, '2023-04-14')).toEqual({
      timeLimit: '2023-04-14',
      late: false,
    });
    expect(timeLimitOn(postInspection2020, anchors, '2023-04-17')).toEqual({
      timeLimit: '2023-04-14',
      late: true,
    });
    // Made with the answer to the draft, before the final report: in time, and no limit had started.
    expect(timeLimitOn(postInspection2020, anchors, '2023-03-06')).toEqual({ timeLimit: null, late: false });
  });

  it('asks for a decision on a late complaint before it is answered, once', () => {
    const late = { ...state('acknowledged', postInspection2020), late: true };
    expect(refusalFor('respond', late, today)).toMatchObject({
      kind: 'conflict',
      errors: [{ field: 'status', message: expect.stringContaining('decide whether to accept it') }],
    });
    expect(openSteps(late, today)).toContain('decide-late');
    expect(refusalFor('decide-late', state('acknowledged', postInspection2020), today)).toMatchObject({
      kind: 'unprocessable',
      errors: [{ field: 'late' }],
    });
    const accepted = { ...late, lateDecision: 'accepted' as const };
    expect(refusalFor('respond', accepted, today)).toBeNull();
    expect(refusalFor('decide-late', accepted, today)).toMatchObject({
      kind: 'conflict',
      message: 'It has already been decided: accepted out of time',
    });
  });
});
