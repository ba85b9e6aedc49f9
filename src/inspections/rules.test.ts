import { describe, expect, it } from 'vitest';
import {
  canMoveInspection,
  isModeratable,
  signOffProblems,
  latestPlannedStart,
  plannedStartProblems,
  isRecording,
  nextStatuses,
  INSPECTION_STATUSES,
  providerMaySeeFindings,
  providerMaySeeInspection,
  recommendationProblems,
  refusalFor,
  requirementProblems,
  substantiation,
  type InspectionStatus,
  type InspectionStep,
} from './rules.js';

describe('the inspection lifecycle', () => {
  it('moves only forward: planned → on site → feedback given → completed', () => {
    expect(canMoveInspection('planned', 'on-site')).toBe(true);
    expect(canMoveInspection('on-site', 'feedback-given')).toBe(true);
    expect(canMoveInspection('feedback-given', 'completed')).toBe(true);
    expect(canMoveInspection('planned', 'completed')).toBe(false);
    expect(canMoveInspection('feedback-given', 'on-site')).toBe(false);
    expect(canMoveInspection('on-site', 'planned')).toBe(false);
  });

  it('lets an inspection be declared incomplete only between arriving on site and completion', () => {
    const allowed = (Object.keys(INSPECTION_STATUSES) as InspectionStatus[]).filter((s) =>
      canMoveInspection(s, 'incomplete'),
    );
    expect(allowed).toEqual(['on-site', 'feedback-given']);
  });

  it('never moves out of completed or incomplete', () => {
    for (const to of Object.keys(INSPECTION_STATUSES) as InspectionStatus[]) {
      expect(canMoveInspection('completed', to)).toBe(false);
      expect(canMoveInspection('incomplete', to)).toBe(false);
    }
  });
});

describe('refusalFor', () => {
  const statuses = Object.keys(INSPECTION_STATUSES) as InspectionStatus[];
  const openFrom = (step: InspectionStep) =>
    statuses.filter((status) => refusalFor(step, { status }) === null);

  it('opens each step only at its stage', () => {
    expect(openFrom('start')).toEqual(['planned']);
    expect(openFrom('record')).toEqual(['on-site']);
    expect(openFrom('give-feedback')).toEqual(['on-site']);
    expect(openFrom('moderate')).toEqual(['feedback-given']);
    expect(openFrom('complete')).toEqual(['feedback-given']);
    expect(openFrom('declare-incomplete')).toEqual(['on-site', 'feedback-given']);
  });

  it('lets a concern be resolved, and a complaint change a grade, at any stage', () => {
    expect(openFrom('resolve-concern')).toEqual(statuses);
    expect(openFrom('revise-judgement')).toEqual(statuses);
  });

  it('refuses recording off site as a conflict, naming the stage', () => {
    const refusal = refusalFor('record', { status: 'feedback-given' });
    expect(refusal?.kind).toBe('conflict');
    expect(refusal?.detail).toBe(
      'Records can be added only while inspectors are on site; this inspection is feedback given.',
    );
    expect(refusalFor('give-feedback', { status: 'planned' })?.detail).toBe(
      refusal?.detail.replace('feedback given', 'planned'),
    );
  });

  it('refuses a move the status form cannot make as invalid, against the status', () => {
    const refusal = refusalFor('complete', { status: 'on-site' });
    expect(refusal?.kind).toBe('invalid');
    expect(refusal?.errors).toEqual([
      { field: 'status', message: 'An inspection that is on site cannot become completed this way' },
    ]);
    expect(refusalFor('start', { status: 'completed' })?.errors[0]?.message).toBe(
      'An inspection that is completed cannot become on site this way',
    );
  });

  it('says why moderation and declaring incomplete are closed', () => {
    expect(refusalFor('moderate', { status: 'on-site' })?.detail).toBe(
      'Judgements are moderated after feedback and before the inspection is completed.',
    );
    const incomplete = refusalFor('declare-incomplete', { status: 'planned' });
    expect(incomplete?.kind).toBe('conflict');
    expect(incomplete?.detail).toBe('An inspection that is planned cannot be declared incomplete.');
  });

  it('moves statuses by the same table', () => {
    expect(nextStatuses('on-site')).toEqual(['feedback-given', 'incomplete']);
    expect(nextStatuses('feedback-given')).toEqual(['completed', 'incomplete']);
    expect(isRecording('on-site')).toBe(true);
    expect(isModeratable('on-site')).toBe(false);
  });
});

const areas = [
  { id: 'overall', name: 'Overall' },
  { id: 'protection', name: 'Protection' },
];
const fiveFromThree = [
  { id: 'e1', source: 'observation' as const },
  { id: 'e2', source: 'child' as const },
  { id: 'e3', source: 'staff' as const },
  { id: 'e4', source: 'staff' as const },
  { id: 'e5', source: 'child' as const },
];

describe('substantiation', () => {
  it('is ready for feedback when every area is judged on evidence from enough sources', () => {
    const result = substantiation({
      areasInForce: areas,
      judgements: [
        { areaId: 'overall', areaName: 'Overall', evidenceIds: ['e1'] },
        { areaId: 'protection', areaName: 'Protection', evidenceIds: ['e3', 'e4'] },
      ],
      requirements: [{ id: 'r1', evidenceIds: ['e1', 'e2'] }],
      evidence: fiveFromThree,
      linesOfEnquiry: [{ id: 'l1', title: 'Missing', open: false }],
    });
    expect(result).toMatchObject({
      readyForFeedback: true,
      flawWarnings: [],
      evidence: { items: 5, sources: ['child', 'observation', 'staff'] },
    });
  });

  it('flags a judgement with no recorded evidence (flaw condition 1) and thin evidence (condition 3)', () => {
    const result = substantiation({
      areasInForce: areas,
      judgements: [
        { areaId: 'overall', areaName: 'Overall', evidenceIds: ['gone'] },
        { areaId: 'protection', areaName: 'Protection', evidenceIds: ['e1'] },
      ],
      requirements: [],
      evidence: [{ id: 'e1', source: 'observation' }],
      linesOfEnquiry: [],
    });
    expect(result.unsubstantiatedJudgements).toEqual([{ areaId: 'overall', areaName: 'Overall' }]);
    expect(result.flawWarnings).toEqual(['unsubstantiated-judgement', 'insufficient-evidence']);
    expect(result.readyForFeedback).toBe(false);
  });

  it('finds requirements on one source, open lines of enquiry and areas not yet judged', () => {
    const result = substantiation({
      areasInForce: areas,
      judgements: [{ areaId: 'overall', areaName: 'Overall', evidenceIds: ['e1'] }],
      requirements: [{ id: 'r1', evidenceIds: ['e3', 'e4'] }],
      evidence: fiveFromThree,
      linesOfEnquiry: [{ id: 'l1', title: 'Missing from home', open: true }],
    });
    expect(result.unsupportedRequirements).toEqual([{ id: 'r1', sources: 1 }]);
    expect(result.openLinesOfEnquiry).toEqual([{ id: 'l1', title: 'Missing from home' }]);
    expect(result.ungradedAreas).toEqual([{ areaId: 'protection', areaName: 'Protection' }]);
    expect(result.flawWarnings).toEqual([]);
    expect(result.readyForFeedback).toBe(false);
  });
});

describe('requirementProblems', () => {
  const context = {
    citationProblems: ({ regulationId }: { regulationId?: string }) =>
      regulationId === 'reg-12'
        ? []
        : [{ field: 'regulationId', message: `Regulation '${regulationId}' does not apply` }],
    evidence: fiveFromThree,
    inspectionEndDate: '2025-03-12',
  };

  it('accepts a requirement with every part', () => {
    expect(
      requirementProblems(
        {
          regulationId: 'reg-12',
          action: 'Do it',
          impact: 'Children are at risk',
          evidenceIds: ['e1', 'e3'],
          complyBy: '2025-04-30',
        },
        context,
      ),
    ).toEqual([]);
  });

  it('names every missing part at once', () => {
    expect(requirementProblems({}, context).map((e) => e.field)).toEqual([
      'regulationId',
      'action',
      'impact',
      'evidenceIds',
      'complyBy',
    ]);
  });

  it('needs two different sources, a regulation that applies and a date after the inspection', () => {
    const errors = requirementProblems(
      {
        regulationId: 'reg-99',
        action: 'Do it',
        impact: 'x',
        evidenceIds: ['e3', 'e4'],
        complyBy: '2025-03-12',
      },
      context,
    );
    expect(errors).toEqual([
      { field: 'regulationId', message: "Regulation 'reg-99' does not apply" },
      {
        field: 'evidenceIds',
        message: 'A requirement must rest on evidence from at least two different sources',
      },
      { field: 'complyBy', message: 'The compliance date must be after the last day of the inspection' },
    ]);
  });
});

describe('recommendationProblems', () => {
  it('needs the guide, page and paragraph it cites', () => {
    const known = { citationProblems: () => [] };
    expect(
      recommendationProblems({ guideId: 'guide', page: 55, paragraph: '3.1', text: 'Do better' }, known),
    ).toEqual([]);
    expect(recommendationProblems({ text: 'Do better' }, known).map((e) => e.field)).toEqual([
      'guideId',
      'page',
      'paragraph',
    ]);
  });

  it('puts what is wrong with the citation against the guide or the page, in the order of the form', () => {
    const beyondTheGuide = {
      citationProblems: ({ page }: { page?: number }) => [
        { field: 'page', message: `The guide has 116 pages: page ${page} is not one of them` },
      ],
    };
    expect(
      recommendationProblems({ guideId: 'guide', page: 200, text: 'Do better' }, beyondTheGuide),
    ).toEqual([
      { field: 'page', message: 'The guide has 116 pages: page 200 is not one of them' },
      { field: 'paragraph', message: 'Enter the paragraph of the guide' },
    ]);
  });
});

describe('what a provider may see', () => {
  it('hides a planned no-notice inspection, and findings until feedback', () => {
    expect(providerMaySeeInspection('none', 'planned')).toBe(false);
    expect(providerMaySeeInspection('announced', 'planned')).toBe(true);
    expect(providerMaySeeInspection('none', 'on-site')).toBe(true);
    expect(providerMaySeeFindings('on-site')).toBe(false);
    expect(providerMaySeeFindings('feedback-given')).toBe(true);
  });
});

describe('plannedStartProblems', () => {
  const today = '2026-12-07';

  it('takes a first day up to the same day two years on', () => {
    for (const start of ['2025-03-10', '2026-12-07', '2027-06-01', '2028-12-07'])
      expect(plannedStartProblems(start, today), start).toEqual([]);
  });

  it('refuses a first day more than two years ahead, on the first day', () => {
    expect(plannedStartProblems('2028-12-08', today)).toEqual([
      {
        field: 'startDate',
        message: 'The first day must be no more than 2 years ahead: 2028-12-07 at the latest',
      },
    ]);
    expect(plannedStartProblems('2100-12-31', today)).toHaveLength(1);
  });

  it('ends the window on 28 February when planned on 29 February', () => {
    expect(latestPlannedStart('2028-02-29')).toBe('2030-02-28');
    expect(plannedStartProblems('2030-03-01', '2028-02-29')).toHaveLength(1);
  });
});

describe('signing moderation off', () => {
  it('needs a reason only to waive it', () => {
    expect(signOffProblems({ outcome: 'done' })).toEqual([]);
    expect(signOffProblems({ outcome: 'waived', reason: '  ' })).toEqual([
      { field: 'reason', message: 'Give the reason moderation is waived' },
    ]);
    expect(signOffProblems({ outcome: 'waived', reason: 'Grades unchanged' })).toEqual([]);
  });
});
