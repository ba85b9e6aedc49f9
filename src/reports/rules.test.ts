import { describe, expect, it } from 'vitest';
import {
  postInspection2020,
  postInspection2024April,
  postInspection2024January,
} from '../frameworks/procedures.js';
import {
  issueRefusal,
  pointProblems,
  presumedAccurateOn,
  quotesReport,
  refusalFor,
  reportTexts,
  sameGrades,
  reportTimeline,
  responseDueFor,
  responseProblems,
  routeProblems,
  windowProblems,
  workingDaysBefore,
  type ReportContent,
  type ReportState,
} from './rules.js';

const content: ReportContent = {
  provider: {
    id: 'p1',
    name: 'Oakfield House',
    urn: 'SC100000',
    type: 'childrens-home',
    localAuthority: 'Newcastle upon Tyne',
  },
  inspection: { id: 'i1', type: 'full', startDate: '2025-03-11', endDate: '2025-03-12' },
  framework: { id: 'childrens-homes', name: 'SCCIF: children’s homes' },
  judgements: [
    {
      areaId: 'help-and-protection',
      areaName: 'How well children and young people are helped and protected',
      grade: 'good',
      gradeLabel: 'Good',
    },
  ],
  overallGrade: { grade: 'good', label: 'Good', limitedBy: [] },
  requirements: [
    {
      regulationId: 'childrens-homes-2015-reg-12',
      regulation: 'Regulation 12: The protection of children standard',
      action: 'Update risk assessments after every missing episode',
      impact: 'Risks are not always understood',
      complyBy: '2025-05-30',
    },
  ],
  recommendations: [
    {
      guideId: 'g',
      guide: 'Guide to the Children’s Homes Regulations',
      page: 42,
      paragraph: '9.5',
      text: 'Records of restraint should say what happened afterwards',
    },
  ],
};
const narrative = 'Children are safe here.\n\nStaff know each child’s   story well.';
const texts = reportTexts(narrative, content);

describe('the route a response takes', () => {
  it('allows only the routes of the procedure, naming them when refused', () => {
    expect(routeProblems(postInspection2024April.responseRoutes, 'minor-points')).toEqual([]);
    expect(routeProblems(postInspection2024April.responseRoutes, 'formal-complaint')).toEqual([]);
    expect(routeProblems(postInspection2020.responseRoutes, 'minor-points')).toEqual([
      {
        field: 'route',
        message:
          "'minor-points' is not a way to answer this draft; under its procedure the routes are factual-accuracy-and-process-comments",
      },
    ]);
    expect(routeProblems(postInspection2024April.responseRoutes, '')).toEqual([
      { field: 'route', message: 'Choose how to respond: minor-points or formal-complaint' },
    ]);
  });
});

describe('the window to respond', () => {
  it('counts 5 working days from the day the draft was issued, skipping weekends and bank holidays', () => {
    // Issued Thursday 19 December 2024: 20, 23 and 24 December, then past Christmas and Boxing Day to
    // Friday 27 and Monday 30 December.
    expect(responseDueFor(postInspection2024April, '2024-11-20', '2024-12-19')).toBe('2024-12-30');
    expect(responseDueFor(postInspection2020, '2023-06-14', '2023-06-30')).toBe('2023-07-07');
  });

  it('is open to the end of the last day, and says when it closed', () => {
    expect(windowProblems('2025-03-21', '2025-03-21')).toEqual([]);
    expect(windowProblems('2025-03-22', '2025-03-21')).toEqual([
      { field: 'responseDue', message: 'The deadline to respond was 21 March 2025' },
    ]);
  });

  it('reminds two working days before the last day', () => {
    expect(workingDaysBefore('2025-03-21', 2)).toBe('2025-03-19');
    // Monday 6 January 2025 less two working days: Thursday 2 January, across the weekend.
    expect(workingDaysBefore('2025-01-06', 2)).toBe('2025-01-02');
    // Across Easter 2025 (Good Friday 18 April, Easter Monday 21 April).
    expect(workingDaysBefore('2025-04-22', 2)).toBe('2025-04-16');
  });
});

describe('points of factual accuracy', () => {
  it('accepts a passage quoted from the narrative or the findings, whatever its spacing, case or quotes', () => {
    expect(quotesReport('Children are safe here', texts)).toBe(true);
    expect(quotesReport("staff know each child's story", texts)).toBe(true);
    expect(quotesReport('Update risk assessments', texts)).toBe(true);
    expect(quotesReport('30 May 2025', texts)).toBe(true);
    expect(quotesReport('Children are unsafe here', texts)).toBe(false);
    expect(quotesReport('   ', texts)).toBe(false);
  });

  it('needs at least one point, each quoting the report and with a comment', () => {
    expect(pointProblems([], texts)).toEqual([
      { field: 'points', message: 'Add at least one point: a passage from the report and your comment' },
    ]);
    expect(pointProblems(undefined, texts)[0]!.field).toBe('points');
    const problems = pointProblems(
      [
        { passage: 'Children are safe here', comment: 'Say which children' },
        { passage: 'Staff are unkind', comment: 'Nobody said this' },
        { passage: '', comment: '' },
      ],
      texts,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'points.1.passage',
      'points.2.passage',
      'points.2.comment',
    ]);
    expect(problems[0]!.message).toBe(
      'Point 2: the passage must be text from the report, copied exactly; “Staff are unkind” is not in it',
    );
  });

  it('checks the window and the route before the points, and a complaint needs its summary', () => {
    const draft = {
      allowed: postInspection2024April.responseRoutes,
      today: '2025-03-20',
      responseDue: '2025-03-21',
      texts,
    };
    expect(
      responseProblems(
        { route: 'minor-points', points: [{ passage: 'Children are safe here', comment: 'x' }] },
        draft,
      ),
    ).toEqual([]);
    expect(
      responseProblems({ route: 'factual-accuracy-and-process-comments', points: [] }, draft).map(
        (p) => p.field,
      ),
    ).toEqual(['route']);
    expect(responseProblems({ route: 'minor-points' }, { ...draft, today: '2025-03-24' })).toEqual([
      { field: 'responseDue', message: 'The deadline to respond was 21 March 2025' },
    ]);
    expect(responseProblems({ route: 'formal-complaint', summary: ' ' }, draft)).toEqual([
      { field: 'summary', message: 'Say what you are complaining about and why' },
    ]);
    expect(responseProblems({ route: 'formal-complaint', summary: 'The grade is wrong' }, draft)).toEqual([]);
  });
});

describe('moving the report on', () => {
  const draft: ReportState = { status: 'draft', responseDue: '2025-03-21', response: null };
  const answered: ReportState = { ...draft, response: { route: 'minor-points', undecided: 2 } };
  const final: ReportState = {
    ...draft,
    status: 'final',
    complaintOpen: false,
    inspection: { completed: true, gradesMatch: true },
  };

  it('takes one answer, in time, to a draft', () => {
    expect(refusalFor('respond', draft, '2025-03-21')).toBeNull();
    expect(refusalFor('respond', draft, '2025-03-24')).toMatchObject({
      kind: 'unprocessable',
      errors: [{ field: 'responseDue', message: 'The deadline to respond was 21 March 2025' }],
    });
    expect(refusalFor('respond', answered, '2025-03-20')?.kind).toBe('conflict');
    expect(refusalFor('respond', { ...draft, status: 'final' }, '2025-03-20')?.kind).toBe('conflict');
  });

  it('changes the narrative and decides points only while a draft', () => {
    expect(refusalFor('amend', draft, '2025-03-20')).toBeNull();
    expect(refusalFor('amend', final, '2025-03-20')?.kind).toBe('conflict');
    expect(refusalFor('decide', draft, '2025-03-20')).toBeNull();
    expect(refusalFor('decide', { ...draft, status: 'published' }, '2025-03-20')?.kind).toBe('conflict');
  });

  it('finalises once every point is decided, or once the window has closed without an answer', () => {
    expect(refusalFor('finalise', answered, '2025-03-20')).toMatchObject({
      kind: 'unprocessable',
      errors: [{ field: 'points', message: 'Decide every point before finalising: 2 points are undecided' }],
    });
    expect(
      refusalFor('finalise', { ...draft, response: { route: 'minor-points', undecided: 0 } }, '2025-03-20'),
    ).toBeNull();
    expect(
      refusalFor(
        'finalise',
        { ...draft, response: { route: 'formal-complaint', undecided: 0 } },
        '2025-03-20',
      ),
    ).toBeNull();
    expect(refusalFor('finalise', draft, '2025-03-21')?.errors[0]?.field).toBe('responseDue');
    expect(refusalFor('finalise', draft, '2025-03-22')).toBeNull();
    expect(presumedAccurateOn(draft, '2025-03-22')).toBe(true);
    expect(presumedAccurateOn(answered, '2025-03-22')).toBe(false);
    expect(refusalFor('finalise', final, '2025-03-22')?.kind).toBe('conflict');
  });

  it('publishes only a final report with no open complaint', () => {
    expect(refusalFor('publish', final, '2025-03-22')).toBeNull();
    expect(refusalFor('publish', { ...final, complaintOpen: true }, '2025-03-22')?.detail).toBe(
      'A complaint about this inspection is still open: the complaint must close before the report is published.',
    );
    expect(refusalFor('publish', { ...draft, complaintOpen: false }, '2025-03-22')?.kind).toBe('conflict');
    expect(refusalFor('publish', { ...final, status: 'published' }, '2025-03-22')?.kind).toBe('conflict');
  });

  it('does not publish without knowing whether a complaint is open', () => {
    expect(() => refusalFor('publish', { ...final, complaintOpen: undefined }, '2025-03-22')).toThrow();
  });
});

describe('the timeline after the inspection', () => {
  it('gives each deadline of the procedure before anything has happened', () => {
    const steps = reportTimeline(postInspection2024April, '2025-03-12', {
      draftIssuedOn: null,
      response: null,
      finalisedOn: null,
      presumedAccurate: false,
      publishedOn: null,
    });
    expect(steps.map((s) => [s.id, s.due, s.on])).toEqual([
      ['day-after-contact', '2025-03-13', null],
      ['draft-report', '2025-04-07', null],
      ['response', '2025-04-14', null],
      ['final-report', '2025-04-25', null],
      ['formal-complaint', '2025-04-14', null],
      ['publication', null, null],
    ]);
  });

  it('counts the response from the day the draft was actually issued, and says what happened', () => {
    const steps = reportTimeline(postInspection2024January, '2024-02-07', {
      draftIssuedOn: '2024-02-20',
      response: null,
      finalisedOn: '2024-02-28',
      presumedAccurate: true,
      publishedOn: '2024-03-04',
    });
    const byId = Object.fromEntries(steps.map((s) => [s.id, s]));
    expect(byId.response).toMatchObject({
      due: '2024-02-27',
      on: '2024-02-28',
      outcome: 'No response in time: the report is presumed accurate',
    });
    // Before April 2024 a formal complaint comes within 5 working days of the final report.
    expect(byId['formal-complaint']).toMatchObject({ due: '2024-03-06', on: null });
    expect(byId.publication).toMatchObject({ on: '2024-03-04', outcome: 'Report published' });
  });

  it('has no day-after call under the 2020 procedure', () => {
    const steps = reportTimeline(postInspection2020, '2023-06-14', {
      draftIssuedOn: null,
      response: null,
      finalisedOn: null,
      presumedAccurate: false,
      publishedOn: null,
    });
    expect(steps.map((s) => s.id)).not.toContain('day-after-contact');
  });
});

describe('what keeps a report true to its inspection', () => {
  const grades = (overall: string, ...areas: [string, string][]) => ({
    judgements: areas.map(([areaId, grade]) => ({ areaId, areaName: areaId, grade, gradeLabel: grade })),
    overallGrade: { grade: overall, label: overall, limitedBy: [] },
  });

  it('compares grades area by area and overall, whatever the order', () => {
    const report = grades('good', ['a', 'good'], ['b', 'good']);
    expect(sameGrades(report, grades('good', ['b', 'good'], ['a', 'good']))).toBe(true);
    expect(sameGrades(report, grades('good', ['a', 'good'], ['b', 'inadequate']))).toBe(false);
    expect(sameGrades(report, grades('inadequate', ['a', 'good'], ['b', 'good']))).toBe(false);
    expect(sameGrades(report, grades('good', ['a', 'good']))).toBe(false);
  });

  it('issues the draft after feedback only once moderation is signed off, or the inspection completed', () => {
    expect(issueRefusal({ status: 'feedback-given', moderationSignedOff: false })?.kind).toBe('conflict');
    expect(issueRefusal({ status: 'feedback-given', moderationSignedOff: true })).toBeNull();
    expect(issueRefusal({ status: 'completed', moderationSignedOff: false })).toBeNull();
    expect(issueRefusal({ status: 'incomplete', moderationSignedOff: true })?.detail).toBe(
      'A draft report is issued after the feedback; this inspection is incomplete.',
    );
  });

  it('refuses every step on a withdrawn report, and publication of an inspection not completed or regraded', () => {
    const withdrawn = { status: 'withdrawn' as const, responseDue: '2025-03-10', response: null };
    for (const step of ['respond', 'amend', 'decide', 'finalise', 'publish'] as const) {
      expect(refusalFor(step, withdrawn, '2025-03-05')?.detail).toBe(
        'The report was withdrawn because the inspection was declared incomplete.',
      );
    }
    const final = {
      status: 'final' as const,
      responseDue: '2025-03-10',
      response: null,
      complaintOpen: false,
    };
    const publish = (inspection: { completed: boolean; gradesMatch: boolean }) =>
      refusalFor('publish', { ...final, inspection }, '2025-03-20')?.detail ?? null;
    expect(publish({ completed: false, gradesMatch: true })).toBe(
      'The inspection must be completed before its report is published.',
    );
    expect(publish({ completed: true, gradesMatch: false })).toMatch(/not the inspection’s standing grades/);
    expect(publish({ completed: true, gradesMatch: true })).toBeNull();
  });
});
