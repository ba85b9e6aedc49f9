import { describe, expect, it } from 'vitest';
import {
  canMoveInspection,
  conflictsInTeam,
  INSPECTION_STATUSES,
  providerMaySeeFindings,
  providerMaySeeInspection,
  recommendationProblems,
  requirementProblems,
  substantiation,
  type InspectionStatus,
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

describe('conflictsInTeam', () => {
  const conflicts = [
    { personId: 'ann', personName: 'Ann', providerId: 'home', description: 'Worked there until 2023' },
    { personId: 'bob', personName: 'Bob', providerId: 'elsewhere', description: 'Friend of the owner' },
  ];

  it('names each conflicted member against their place in the team', () => {
    expect(conflictsInTeam('home', 'cat', ['bob', 'ann'], conflicts)).toEqual([
      {
        field: 'team.1',
        message: 'Ann has declared a conflict of interest with this provider: Worked there until 2023',
      },
    ]);
    expect(conflictsInTeam('home', 'ann', [], conflicts)[0]!.field).toBe('leadInspectorId');
  });

  it('finds nothing when no one declared a connection to this provider', () => {
    expect(conflictsInTeam('elsewhere-else', 'ann', ['bob'], conflicts)).toEqual([]);
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
    regulationKnown: (id: string) => id === 'reg-12',
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

  it('needs two different sources, a known regulation and a date after the inspection', () => {
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
      { field: 'regulationId', message: "There is no regulation 'reg-99' in the catalogue" },
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
    const known = { guideKnown: (id: string) => id === 'guide' };
    expect(
      recommendationProblems({ guideId: 'guide', page: 55, paragraph: '3.1', text: 'Do better' }, known),
    ).toEqual([]);
    expect(recommendationProblems({ text: 'Do better' }, known).map((e) => e.field)).toEqual([
      'guideId',
      'page',
      'paragraph',
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
