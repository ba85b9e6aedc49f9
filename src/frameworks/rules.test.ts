import { describe, expect, it } from 'vitest';
import { childProtection2012, childrensHomes, ilacs, sif2013, supportedAccommodation } from './frameworks.js';
import {
  postInspection2020,
  postInspection2024April,
  postInspectionBefore2020,
  postInspectionProcedures,
} from './procedures.js';
import {
  citableGuides,
  citableRegulations,
  citationProblems,
  describeDeadline,
  describeSteps,
  frameworkById,
  frameworkInForce,
  gradeById,
  instrumentFor,
  judgementAreasInForce,
  overallGrade,
  procedureFor,
  RuleError,
  timeline,
  timelineUnder,
} from './rules.js';
import type { Framework, PostInspectionProcedure } from './types.js';

function refusal(field: string, message?: string | RegExp) {
  return expect.objectContaining({
    name: 'RuleError',
    field,
    ...(message === undefined
      ? {}
      : { message: typeof message === 'string' ? message : expect.stringMatching(message) }),
  });
}

describe('procedureFor', () => {
  it('refuses an inspection that ended before the oldest procedure the service holds', () => {
    expect(() => procedureFor('2012-04-30')).toThrow(RuleError);
    expect(() => procedureFor('2012-04-30')).toThrow(
      refusal('lastDay', 'No post-inspection procedure applies before 1 May 2012'),
    );
  });

  it.each([
    ['2012-05-01', 'post-inspection-before-2020'],
    ['2016-03-11', 'post-inspection-before-2020'],
    ['2020-08-31', 'post-inspection-before-2020'],
    ['2020-09-01', 'post-inspection-2020'],
    ['2023-12-31', 'post-inspection-2020'],
    ['2024-01-01', 'post-inspection-2024-01'],
    ['2024-03-31', 'post-inspection-2024-01'],
    ['2024-04-01', 'post-inspection-2024-04'],
    ['2030-01-01', 'post-inspection-2024-04'],
  ])('an inspection ending on %s runs under %s', (lastDay, id) => {
    expect(procedureFor(lastDay).id).toBe(id);
  });

  it('refuses an impossible date against the lastDay field', () => {
    expect(() => procedureFor('2024-02-30')).toThrow(refusal('lastDay', /February 2024 has 29 days/));
  });
});

describe('timeline', () => {
  // June and July 2024 have no bank holidays; the last day is a Friday.
  //   draft report: 18 working days after Fri 14 June   → Wed 10 July
  //   response:      5 working days after Wed 10 July   → Wed 17 July
  //   final report: 30 working days after Fri 14 June   → Fri 26 July
  //   complaint: with the response, on the draft report → Wed 17 July
  it('works out a children’s home inspection ending on 14 June 2024', () => {
    expect(timeline('childrens-homes', '2024-06-14')).toEqual({
      procedure: postInspection2024April,
      lastDay: '2024-06-14',
      dayAfterContact: '2024-06-17',
      draftReportDue: '2024-07-10',
      responseDue: '2024-07-17',
      finalReportDue: '2024-07-26',
      complaintDue: '2024-07-17',
      internalReview: false,
    });
  });

  // Christmas 2021 fell at a weekend: 27 and 28 December and 3 January were substitute days.
  //   draft report: 20–24 Dec (5), 29–31 Dec (8), 4–7 Jan (12), 10–14 Jan (17), Mon 17 Jan (18)
  //   response: 18–21 Jan (4), Mon 24 Jan (5)
  //   final report: 18–21 Jan (22), 24–28 Jan (27), 31 Jan, 1 Feb, Wed 2 Feb (30)
  //   complaint: 5 working days after the final report → Wed 9 Feb
  it('works out an inspection ending on 17 December 2021 under the 2020 procedure', () => {
    expect(timeline('childrens-homes', '2021-12-17')).toMatchObject({
      procedure: postInspection2020,
      dayAfterContact: null,
      draftReportDue: '2022-01-17',
      responseDue: '2022-01-24',
      finalReportDue: '2022-02-02',
      complaintDue: '2022-02-09',
      internalReview: true,
    });
  });

  // Ending the Thursday before Easter 2024, under the January 2024 procedure.
  //   call: Good Friday and Easter Monday are holidays → Tue 2 April
  //   draft report: 2–5 Apr (4), 8–12 (9), 15–19 (14), 22–25 Apr (18) → Thu 25 April
  //   response: 26, 29, 30 Apr, 1, 2 May → Thu 2 May
  //   final report: 26, 29, 30 Apr, 1–3 May (24), 6 May is a holiday, 7–10 May (28), 13, 14 May → Tue 14 May
  //   complaint: 15, 16, 17, 20, 21 May → Tue 21 May
  it('works out an inspection ending just before Easter 2024 under the January 2024 procedure', () => {
    expect(timeline('ilacs', '2024-03-28')).toMatchObject({
      procedure: { id: 'post-inspection-2024-01' },
      dayAfterContact: '2024-04-02',
      draftReportDue: '2024-04-25',
      responseDue: '2024-05-02',
      finalReportDue: '2024-05-14',
      complaintDue: '2024-05-21',
      internalReview: true,
    });
  });

  it('takes every count from the procedure data', () => {
    const slower: PostInspectionProcedure = {
      ...postInspection2024April,
      draftReport: { ...postInspection2024April.draftReport, count: 19 },
    };
    const usual = timelineUnder(postInspection2024April, '2024-06-14');
    const changed = timelineUnder(slower, '2024-06-14');
    expect(usual.draftReportDue).toBe('2024-07-10');
    expect(changed.draftReportDue).toBe('2024-07-11');
    expect(changed.responseDue).toBe('2024-07-18');
    expect(changed.complaintDue).toBe('2024-07-18');
    expect(changed.finalReportDue).toBe(usual.finalReportDue);

    const calendarDays: PostInspectionProcedure = {
      ...postInspection2024April,
      finalReport: { count: 30, unit: 'calendar-days', after: 'last-day' },
    };
    expect(timelineUnder(calendarDays, '2024-06-14').finalReportDue).toBe('2024-07-14');
  });

  it('refuses a framework that was not in force on the last day', () => {
    expect(() => timeline('sif-2013', '2024-06-14')).toThrow(
      refusal(
        'lastDay',
        'SIF was not in force on 14 June 2024: it applied from 1 November 2013 to 31 December 2017',
      ),
    );
    expect(() => timeline('supported-accommodation', '2024-08-30')).toThrow(refusal('lastDay'));
  });

  it('refuses an unknown framework and an inspection before the first procedure', () => {
    expect(() => timeline('ofsted-2099', '2024-06-14')).toThrow(
      refusal('frameworkId', /no inspection framework/),
    );
  });

  it('gives an inspection before September 2020 the procedure it was held under', () => {
    // Friday 11 March 2016, with Easter and the early May bank holiday to count around: the final report
    // by 26 April, a complaint within 10 working days of it.
    expect(timeline('sif-2013', '2016-03-11')).toMatchObject({
      procedure: { id: 'post-inspection-before-2020' },
      dayAfterContact: null,
      draftReportDue: '2016-04-08',
      responseDue: '2016-04-15',
      finalReportDue: '2016-04-26',
      complaintDue: '2016-05-11',
      internalReview: true,
    });
    expect(postInspectionBefore2020.responseRoutes).toEqual(['factual-accuracy']);
  });
});

describe('describing procedures', () => {
  it('puts deadlines into words', () => {
    expect(describeDeadline(postInspection2020.draftReport)).toBe(
      '18 working days after the last day of the inspection',
    );
    expect(describeDeadline(postInspection2020.formalComplaint)).toBe(
      '5 working days after the final report',
    );
    expect(describeDeadline({ count: 1, unit: 'working-days', after: 'last-day' })).toBe(
      'the working day after the last day of the inspection',
    );
  });

  it('lists each procedure’s steps with their day counts', () => {
    const steps = describeSteps(postInspection2024April);
    expect(steps.map((step) => step.due)).toContain('5 working days after the draft report');
    expect(steps.find((step) => step.deadline === 'draftReport')?.dueAfter?.count).toBe(18);
    expect(steps.some((step) => /internal review/i.test(step.title))).toBe(false);
    expect(describeSteps(postInspection2020).some((step) => /internal review/i.test(step.title))).toBe(true);
  });

  it('gives the 2024 procedures a call the working day after, and the earlier ones none', () => {
    const [before2020, from2020, fromJanuary, fromApril] = postInspectionProcedures;
    expect(before2020?.dayAfterCall).toBeNull();
    expect(from2020?.dayAfterCall).toBeNull();
    expect(fromJanuary?.dayAfterCall).toEqual({ count: 1, unit: 'working-days', after: 'last-day' });
    expect(fromApril?.enhancedProfessionalDialogue).toBe(true);
    expect(fromApril?.responseRoutes).toEqual(['minor-points', 'formal-complaint']);
    expect(fromApril?.periodicReviewOfClosedComplaints).toBe(true);
  });
});

describe('frameworkInForce', () => {
  it.each([
    ['local-authority', '2012-04-30', null],
    ['local-authority', '2012-05-01', 'child-protection-2012'],
    ['local-authority', '2013-10-31', 'child-protection-2012'],
    ['local-authority', '2013-11-01', 'sif-2013'],
    ['local-authority', '2017-12-31', 'sif-2013'],
    ['local-authority', '2018-01-01', 'ilacs'],
    ['childrens-home', '2024-06-14', 'childrens-homes'],
    ['supported-accommodation', '2024-08-31', null],
    ['supported-accommodation', '2024-09-01', 'supported-accommodation'],
  ] as const)('a %s on %s is inspected under %s', (providerType, date, id) => {
    expect(frameworkInForce(providerType, date)?.id ?? null).toBe(id);
  });

  it('refuses an unknown provider type or date, naming the field', () => {
    expect(() => frameworkInForce('school' as never, '2024-06-14')).toThrow(refusal('providerType'));
    expect(() => frameworkInForce('childrens-home', '14/06/2024')).toThrow(refusal('date'));
  });
});

describe('frameworkById', () => {
  it('finds each framework and refuses an unknown id', () => {
    expect(frameworkById('ilacs')).toBe(ilacs);
    expect(() => frameworkById('sccif')).toThrow(refusal('frameworkId'));
  });
});

describe('judgementAreasInForce', () => {
  const ids = (date: string) => judgementAreasInForce(ilacs, date).map((area) => area.id);

  it('judges care leavers with children in care until the end of 2022', () => {
    expect(ids('2018-01-01')).toEqual([
      'overall-effectiveness',
      'impact-of-leaders',
      'help-and-protection',
      'children-in-care-and-care-leavers',
    ]);
    expect(ids('2022-12-31')).not.toContain('care-leavers');
  });

  it('judges care leavers on their own from January 2023', () => {
    expect(ids('2023-01-01')).toEqual([
      'overall-effectiveness',
      'impact-of-leaders',
      'help-and-protection',
      'children-in-care',
      'care-leavers',
    ]);
  });
});

describe('overallGrade', () => {
  it('cannot be better than a limiting judgement', () => {
    const result = overallGrade(childrensHomes, [
      { areaId: 'overall-experiences-and-progress', gradeId: 'good' },
      { areaId: 'help-and-protection', gradeId: 'requires-improvement-to-be-good' },
      { areaId: 'leaders-and-managers', gradeId: 'good' },
    ]);
    expect(result.grade.id).toBe('requires-improvement-to-be-good');
    expect(result.given.id).toBe('good');
    expect(result.limitedBy.map((area) => area.id)).toEqual(['help-and-protection']);
  });

  it('is not lowered by an area that is not limiting', () => {
    const result = overallGrade(childrensHomes, [
      { areaId: 'overall-experiences-and-progress', gradeId: 'good' },
      { areaId: 'help-and-protection', gradeId: 'outstanding' },
      { areaId: 'leaders-and-managers', gradeId: 'inadequate' },
    ]);
    expect(result.grade.id).toBe('good');
    expect(result.limitedBy).toEqual([]);
  });

  it('brings an ILACS overall effectiveness down to an inadequate help and protection', () => {
    const result = overallGrade(ilacs, [
      { areaId: 'overall-effectiveness', gradeId: 'good' },
      { areaId: 'help-and-protection', gradeId: 'inadequate' },
      { areaId: 'care-leavers', gradeId: 'good' },
    ]);
    expect(result.grade.id).toBe('inadequate');
  });

  it('leaves the SIF overall alone whatever the LSCB is rated', () => {
    const judgements = [
      { areaId: 'overall-effectiveness', gradeId: 'good' },
      { areaId: 'help-and-protection', gradeId: 'good' },
      { areaId: 'looked-after-and-permanence', gradeId: 'good' },
      { areaId: 'leadership-management-governance', gradeId: 'good' },
    ];
    for (const lscb of ['outstanding', 'good', 'requires-improvement', 'inadequate']) {
      const result = overallGrade(sif2013, [...judgements, { areaId: 'lscb', gradeId: lscb }]);
      expect(result.grade.id).toBe('good');
      expect(result.limitedBy).toEqual([]);
    }
  });

  it('takes the single outcome of a supported accommodation inspection', () => {
    expect(
      overallGrade(supportedAccommodation, [{ areaId: 'outcome', gradeId: 'inconsistent' }]).grade,
    ).toEqual(gradeById(supportedAccommodation, 'inconsistent'));
  });

  it('refuses judgements that do not fit the framework', () => {
    const overall = { areaId: 'overall-effectiveness', gradeId: 'good' };
    expect(() => overallGrade(sif2013, [{ areaId: 'overall-effectiveness', gradeId: 'adequate' }])).toThrow(
      refusal('judgements', /'adequate' is not a grade under SIF/),
    );
    expect(() => overallGrade(sif2013, [overall, { areaId: 'care-leavers-2023', gradeId: 'good' }])).toThrow(
      refusal('judgements', /no judgement area 'care-leavers-2023'/),
    );
    expect(() => overallGrade(sif2013, [overall, overall])).toThrow(refusal('judgements', /more than once/));
    expect(() => overallGrade(sif2013, [{ areaId: 'help-and-protection', gradeId: 'good' }])).toThrow(
      refusal('judgements', /'Overall effectiveness' is needed/),
    );
  });
});

describe('grade scales', () => {
  const all: Framework[] = [childrensHomes, supportedAccommodation, ilacs, sif2013, childProtection2012];
  const labels = (framework: Framework) => framework.gradeScale.map((grade) => grade.label);

  it('has no framework grading anything adequate', () => {
    for (const framework of all) {
      expect(labels(framework).some((label) => /adequate/i.test(label) && label !== 'Inadequate')).toBe(
        false,
      );
    }
  });

  it('uses each framework’s own wording, best first', () => {
    expect(labels(childrensHomes)).toEqual([
      'Outstanding',
      'Good',
      'Requires improvement to be good',
      'Inadequate',
    ]);
    expect(labels(sif2013)).toEqual(['Outstanding', 'Good', 'Requires improvement', 'Inadequate']);
    expect(labels(childProtection2012)).toEqual(['Outstanding', 'Good', 'Satisfactory', 'Inadequate']);
    expect(supportedAccommodation.scaleKind).toBe('outcomes');
    expect(supportedAccommodation.gradeScale).toHaveLength(3);
  });

  it('keeps satisfactory to the 2012 model', () => {
    for (const framework of all.filter((candidate) => candidate !== childProtection2012)) {
      expect(labels(framework)).not.toContain('Satisfactory');
    }
  });

  it('sets the next inspection from the outcome or grade', () => {
    const months = (framework: Framework) => framework.gradeScale.map((grade) => grade.reinspectionMonths);
    expect(months(supportedAccommodation)).toEqual([36, 18, 6]);
    expect(months(childProtection2012)).toEqual([60, 60, 36, 18]);
  });
});

describe('citations that apply', () => {
  const home2021 = {
    providerType: 'childrens-home',
    frameworkId: 'childrens-homes',
    startDate: '2021-03-09',
    endDate: '2021-03-11',
  };
  const accommodation2024 = {
    providerType: 'supported-accommodation',
    frameworkId: 'supported-accommodation',
    startDate: '2024-10-08',
    endDate: '2024-10-10',
  };
  const authority2016 = {
    providerType: 'local-authority',
    frameworkId: 'sif-2013',
    startDate: '2016-02-22',
    endDate: '2016-03-11',
  };

  it('finds the instrument regulating the provider under its framework on the day', () => {
    expect(instrumentFor('childrens-home', childrensHomes, '2021-03-09')?.id).toBe(
      'childrens-homes-regulations-2015',
    );
    expect(instrumentFor('supported-accommodation', supportedAccommodation, '2024-10-08')?.id).toBe(
      'supported-accommodation-regulations-2023',
    );
    // In force from 28 April 2023, not before.
    expect(instrumentFor('supported-accommodation', supportedAccommodation, '2023-04-27')).toBeNull();
    expect(instrumentFor('local-authority', ilacs, '2024-06-14')).toBeNull();
  });

  it('offers a children’s home only the Children’s Homes Regulations', () => {
    const groups = citableRegulations(home2021);
    expect(groups.map((g) => g.instrument.id)).toEqual(['childrens-homes-regulations-2015']);
    expect(groups[0]?.regulations.map((r) => r.number)).toContain(12);
  });

  it('refuses a 2023 supported accommodation regulation on a 2021 children’s home inspection', () => {
    expect(citationProblems(home2021, { regulationId: 'supported-accommodation-2023-reg-5' })).toEqual([
      {
        field: 'regulationId',
        message:
          'Regulation 5 of The Supported Accommodation (England) Regulations 2023 does not apply to a children’s home inspected under SCCIF from 9 March 2021 to 11 March 2021: cite a regulation of The Children’s Homes (England) Regulations 2015',
      },
    ]);
    expect(citationProblems(home2021, { regulationId: 'childrens-homes-2015-reg-12' })).toEqual([]);
    expect(
      citationProblems(accommodation2024, { regulationId: 'childrens-homes-2015-reg-12' })[0]?.field,
    ).toBe('regulationId');
  });

  it('tells a local authority inspection that no regulations apply', () => {
    expect(citableRegulations(authority2016)).toEqual([]);
    expect(citationProblems(authority2016, { regulationId: 'childrens-homes-2015-reg-12' })).toEqual([
      {
        field: 'regulationId',
        message: expect.stringMatching(/no regulations in the catalogue apply, so make a recommendation/),
      },
    ]);
  });

  it('refuses a regulation or guide the catalogue does not hold', () => {
    expect(citationProblems(home2021, { regulationId: 'reg-99', guideId: 'guide-99' })).toEqual([
      { field: 'regulationId', message: "There is no regulation 'reg-99' in the catalogue" },
      { field: 'guideId', message: "There is no guide 'guide-99' in the catalogue" },
    ]);
  });

  it('offers the guide to the regulations that apply, and the edition of statutory guidance in force', () => {
    expect(citableGuides(home2021).map((g) => g.id)).toEqual([
      'childrens-homes-guide-2015',
      'working-together-2018',
      'care-planning-guidance',
    ]);
    expect(citableGuides(authority2016).map((g) => g.id)).toEqual([
      'working-together-2015',
      'care-planning-guidance',
    ]);
    // An inspection across the day the 2023 edition replaced the 2018 one may cite either.
    const acrossEditions = { ...home2021, startDate: '2023-12-13', endDate: '2023-12-15' };
    expect(citableGuides(acrossEditions).map((g) => g.id)).toEqual(
      expect.arrayContaining(['working-together-2018', 'working-together-2023']),
    );
    expect(citationProblems(home2021, { guideId: 'supported-accommodation-guide-2023' })).toEqual([
      {
        field: 'guideId',
        message: expect.stringMatching(/^Guide to the Supported Accommodation Regulations .* does not apply/),
      },
    ]);
    expect(citationProblems(home2021, { guideId: 'working-together-2023' })[0]?.field).toBe('guideId');
  });

  it('keeps a cited page within the guide’s length, where the length is recorded', () => {
    expect(citationProblems(home2021, { guideId: 'working-together-2018', page: 116 })).toEqual([]);
    expect(citationProblems(home2021, { guideId: 'working-together-2018', page: 117 })).toEqual([
      {
        field: 'page',
        message: 'Working Together to Safeguard Children (2018) has 116 pages: page 117 is not one of them',
      },
    ]);
    expect(citationProblems(home2021, { guideId: 'childrens-homes-guide-2015', page: 400 })).toEqual([]);
  });
});
